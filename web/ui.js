// Shared pieces of the screens: error messages, alerts, form fields, forms
// with a busy button, dates, drafts kept in sessionStorage.

import { ApiError, NetworkError } from './api.js';
import { t, tx } from './i18n.js';
import { h, nextId } from './dom.js';

export const ROLES = ['secretariat', 'delegate', 'observer'];
export const charCount = (text) => [...text].length; // as the server counts
export const statusOf = (err) => (err instanceof ApiError ? err.status : 0);
export const roleProps = (role) => (ROLES.includes(role) ? { t: [`role.${role}`] } : { text: role ?? '' });
/** "Fundación Esperanza (FE)" */
export const orgLabel = (org) => {
  if (!org) return '';
  const short = org.short_name && org.short_name !== org.name ? ` (${org.short_name})` : '';
  return `${org.name ?? ''}${short}`;
};

export function describeError(err) {
  if (err instanceof NetworkError) return { key: err.timedOut ? 'error.timeout' : 'error.network' };
  if (!(err instanceof ApiError) || !err.code) return { key: 'error.generic' };
  if (err.code === 'rate_limited') {
    return err.retryAfter == null
      ? { key: 'error.rate_limited_nowait' }
      : { key: 'error.rate_limited', params: { wait: { duration: err.retryAfter } } };
  }
  // The server's detail is only worth showing for a validation error.
  return { key: `error.${err.code}`, detail: err.code === 'validation' ? err.detail : '' };
}

/** Fills an alert with [{key, params}] and an optional detail line. */
export function fillAlert(alert, messages, detail) {
  alert.replaceChildren(
    messages.length === 1
      ? h('p', { t: [messages[0].key, messages[0].params] })
      : h('ul', null, messages.map((m) => h('li', { t: [m.key, m.params] }))),
    detail ? h('p', { class: 'detail', t: ['error.detail', { detail }] }) : '');
  return alert;
}

let onUnauthenticated = null;
/** fn() runs when a request finds the session over (the app sends the user to sign in). */
export const setUnauthenticatedHandler = (fn) => { onUnauthenticated = fn; };

/** Shows what went wrong with `err` in `alert` (optionally a specific key). */
export function showError(alert, err, key) {
  if (statusOf(err) === 401 && onUnauthenticated) onUnauthenticated();
  const info = key ? { key } : describeError(err);
  return fillAlert(alert, [info], info.detail);
}

export const alertBox = () => h('div', { class: 'alert', role: 'alert', id: nextId('alert') });

/** A <time> kept translated: long or short date, Ecuador time. */
export const time = (iso, short = true) =>
  h('time', { datetime: iso, t: ['common.date', { date: { date: iso, short } }] });

/**
 * A labelled control: input (default), textarea (`rows`) or select
 * (`options: [{value, key|text}]`). Returns {wrap, input}.
 */
export function field({ name, label, type = 'text', autocomplete, hint, attrs, rows, options, value, required = true }) {
  const id = attrs?.id || nextId(name);
  const hintId = hint && `${id}-hint`;
  const common = { name, 'aria-describedby': hintId, required: required || null, ...attrs, id };
  let input;
  if (options) {
    input = h('select', common, options.map((o) =>
      h('option', { value: o.value, t: o.key ? [o.key, o.params] : null, text: o.key ? null : o.text })));
  } else if (rows) {
    input = h('textarea', { rows, ...common });
  } else {
    input = h('input', { type, autocomplete, ...common });
  }
  if (value != null) input.value = value;
  const wrap = h('div', { class: 'field' },
    h('label', { for: id, t: [label] }),
    hint && h('p', { id: hintId, class: 'hint', t: [hint] }),
    input);
  return { wrap, input };
}

/** A checkbox with its label after it. */
export function checkbox(name, label, checked = false, id = nextId(name)) {
  const input = h('input', { type: 'checkbox', id, name });
  input.checked = checked;
  return { wrap: h('div', { class: 'check' }, input, h('label', { for: id, t: [label] })), input };
}

/** Disables the buttons; the active one reads "Enviando…" until done. */
export function setBusy(buttons, active, busy) {
  for (const button of buttons) button.disabled = busy;
  if (busy) {
    active.dataset.idle = active.getAttribute('data-i18n') || '';
    tx(active, 'common.sending');
  } else if (active.dataset.idle) {
    tx(active, active.dataset.idle);
  }
}

function describedBy(input, id, on) {
  const ids = (input.getAttribute('aria-describedby') || '').split(' ').filter((x) => x && x !== id);
  if (on) ids.push(id);
  if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
  else input.removeAttribute('aria-describedby');
}

/**
 * A form whose submit runs check() (-> [{input, key}] problems), then
 * send() with a busy button, then done(data); on an API error, fail(err)
 * may return [messageKey, inputToFocus], else the generic mapping is shown.
 * `extra` are more buttons (a "Cancel") placed after the submit.
 */
export function makeForm(ctx, { submitKey, children, check = () => [], send, done, fail, extra, cls = 'panel', label }) {
  const alert = alertBox();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', t: [submitKey] });
  // method=post: should script ever fail, nothing typed lands in a URL.
  const form = h('form', { method: 'post', novalidate: true, class: cls, 'aria-label': label ? t(label) : null },
    children, alert, h('div', { class: 'actions' }, submit, extra));
  if (label) form.setAttribute('data-i18n-attr', `aria-label:${label}`);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    alert.replaceChildren();
    for (const input of form.querySelectorAll('[aria-invalid]')) {
      input.removeAttribute('aria-invalid');
      describedBy(input, alert.id, false);
    }
    const problems = check();
    if (problems.length) {
      for (const p of problems) {
        p.input.setAttribute('aria-invalid', 'true');
        describedBy(p.input, alert.id, true);
      }
      fillAlert(alert, problems);
      problems[0].input.focus();
      return;
    }
    setBusy([submit], submit, true);
    try {
      const data = await send();
      if (!ctx.current()) return;
      setBusy([submit], submit, false);
      done(data);
    } catch (err) {
      if (!ctx.current()) return;
      setBusy([submit], submit, false);
      const [key, focus] = (fail && fail(err)) || [];
      showError(alert, err, key);
      (focus || submit).focus(); // a disabled button dropped the focus
    }
  });
  form.alert = alert;
  return form;
}

/** Required text: [{input, key}] when empty or too long. */
export function needText(input, emptyKey, max, longKey) {
  const value = input.value.trim();
  if (!value) return [{ input, key: emptyKey }];
  if (max && charCount(value) > max) return [{ input, key: longKey || 'common.too_long', params: { max } }];
  return [];
}

/**
 * A button that runs an action with a busy state, showing failures in
 * `alert`. action() may return a promise.
 */
export function actionButton(ctx, key, alert, action, cls = 'btn btn-secondary') {
  const button = h('button', { type: 'button', class: cls, t: [key] });
  button.addEventListener('click', async () => {
    if (button.disabled) return;
    alert.replaceChildren();
    setBusy([button], button, true);
    try {
      await action();
    } catch (err) {
      if (ctx.current()) showError(alert, err);
    }
    if (!ctx.current() || !button.isConnected) return;
    setBusy([button], button, false);
  });
  return button;
}

export const ask = (key, params) => window.confirm(t(key, params));

// ---- drafts: what is typed survives a reload, a lost connection or an
// expired session; each person's drafts are their own.

const DRAFT = 'minga.draft.';
let owner = 'anon';
export const setDraftOwner = (id) => { owner = String(id || 'anon'); };
const draftName = (key) => `${DRAFT}${owner}.${key}`;
const pending = new Set(); // drafts typed and not yet written

// A phone may freeze or close a hidden tab at any moment: write now.
const flush = () => { for (const write of [...pending]) write(); };
window.addEventListener('pagehide', flush);
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'hidden') flush(); });

/** Forgets every draft in this tab (an explicit sign-out). */
export function clearAllDrafts() {
  try {
    for (const key of Object.keys(sessionStorage)) {
      if (key.startsWith(DRAFT)) sessionStorage.removeItem(key);
    }
  } catch { /* storage disabled */ }
}

export function loadDraft(key) {
  try {
    const text = sessionStorage.getItem(draftName(key));
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

export function clearDraft(key) {
  for (const write of pending) write(); // nothing of another draft is lost
  try {
    sessionStorage.removeItem(draftName(key));
  } catch { /* storage disabled */ }
}

/**
 * Keeps the values of `inputs` ({name: element}) in a draft, restoring
 * them now; returns true if something was restored.
 */
export function bindDraft(key, inputs) {
  const saved = loadDraft(key);
  let restored = false;
  if (saved) {
    for (const [name, input] of Object.entries(inputs)) {
      if (typeof saved[name] === 'string' && saved[name] !== input.value) {
        input.value = saved[name];
        restored = true;
      }
    }
  }
  let timer = 0;
  const name = draftName(key);
  const write = () => {
    clearTimeout(timer);
    pending.delete(write);
    const values = {};
    for (const [field, input] of Object.entries(inputs)) values[field] = input.value;
    try {
      sessionStorage.setItem(name, JSON.stringify(values));
    } catch { /* full or disabled: the text is still on screen */ }
  };
  const save = () => {
    clearTimeout(timer);
    pending.add(write);
    timer = setTimeout(write, 250);
  };
  for (const input of Object.values(inputs)) {
    input.addEventListener('input', save);
    input.addEventListener('change', save);
  }
  return restored;
}
