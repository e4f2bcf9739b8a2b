// Minga web client: a small router over location.pathname and the first
// screens (welcome, sign-in, invitation). No framework, no globals.

import * as api from './api.js';
import { ApiError, NetworkError } from './api.js';
import { init as initI18n, getLang, relocalize, setLang, setTitle, tx } from './i18n.js';
import { h, nextId } from './dom.js';

const main = document.getElementById('main');
const ROLES = ['secretariat', 'delegate', 'observer'];

let navSeq = 0;
let navController = null;
let loadingTimer = 0;
let pendingUser = null; // from login/accept: saves a round trip to /me
let flash = null; // message key for the next screen ("you signed out")

// ---- routing

const routes = [
  [/^\/$/, homeView],
  [/^\/ingresar\/?$/, signInView],
  [/^\/invitations\/([^/]+)\/?$/, invitationView],
];

function navigate(url, replace = false) {
  if (replace || url === location.pathname + location.search + location.hash) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

function render() {
  const id = ++navSeq;
  if (navController) navController.abort(); // a newer screen wins: drop older fetches
  navController = new AbortController();
  const ctx = { signal: navController.signal, current: () => id === navSeq, shown: false };
  clearTimeout(loadingTimer);
  loadingTimer = setTimeout(() => {
    if (!ctx.current() || ctx.shown) return;
    main.setAttribute('aria-busy', 'true');
    main.replaceChildren(h('p', { class: 'loading', t: ['common.loading'] }));
  }, 300);

  let view = notFoundView;
  let params = [];
  for (const [pattern, candidate] of routes) {
    const match = pattern.exec(location.pathname);
    if (match) {
      [view, params] = [candidate, match.slice(1)];
      break;
    }
  }
  Promise.resolve()
    .then(() => view(ctx, ...params))
    .catch((err) => {
      console.error(err);
      showErrorScreen(ctx, err);
    });
}

/** Replaces the screen if this navigation is still current; focuses its h1. */
function show(ctx, titleKey, ...nodes) {
  if (!ctx.current()) return;
  ctx.shown = true;
  clearTimeout(loadingTimer);
  main.removeAttribute('aria-busy');
  main.replaceChildren(...nodes.filter(Boolean));
  setTitle(titleKey);
  window.scrollTo(0, 0);
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

/** Same-origin links to screens navigate inside the app. */
function interceptLinks() {
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
    if (!(link instanceof HTMLAnchorElement)) return;
    if ((link.target && link.target !== '_self') || link.hasAttribute('download')) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || /^\/api(\/|$)/.test(url.pathname)) return;
    if (/\.[a-z0-9]+$/i.test(url.pathname)) return; // a file, not a screen
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
  window.addEventListener('popstate', render);
}

// ---- errors

function describeError(err) {
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
function fillAlert(alert, messages, detail) {
  alert.replaceChildren(
    messages.length === 1
      ? h('p', { t: [messages[0].key, messages[0].params] })
      : h('ul', null, messages.map((m) => h('li', { t: [m.key, m.params] }))),
    detail ? h('p', { class: 'detail', t: ['error.detail', { detail }] }) : '');
  return alert;
}

function showErrorScreen(ctx, err) {
  const info = describeError(err);
  show(ctx, 'error.title',
    h('h1', { t: ['error.title'] }),
    fillAlert(h('div', { class: 'alert' }), [info], info.detail),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'btn btn-primary', t: ['common.retry'], onclick: render }),
      h('a', { href: '/', class: 'btn btn-secondary', t: ['common.home'] })));
}

function showMessageScreen(ctx, titleKey, textKey, signInLink = true) {
  show(ctx, titleKey,
    h('h1', { t: [titleKey] }),
    h('p', { class: 'lead', t: [textKey] }),
    h('p', { class: 'actions' },
      signInLink ? h('a', { href: '/ingresar', class: 'btn btn-primary', t: ['common.signin_link'] }) : null,
      h('a', { href: '/', class: 'btn btn-secondary', t: ['common.home'] })));
}

// ---- forms

function field({ name, label, type = 'text', autocomplete, hint, attrs }) {
  const id = nextId(name);
  const hintId = hint && `${id}-hint`;
  const input = h('input', { id, name, type, autocomplete, 'aria-describedby': hintId, required: true, ...attrs });
  const wrap = h('div', { class: 'field' },
    h('label', { for: id, t: [label] }),
    hint && h('p', { id: hintId, class: 'hint', t: [hint] }),
    input);
  return { wrap, input };
}

/** "Show password" checkbox; returns its element and a reset (hide again). */
function passwordToggle(inputs, labelKey) {
  const id = nextId('show');
  const box = h('input', { type: 'checkbox', id });
  const apply = () => inputs.forEach((input) => { input.type = box.checked ? 'text' : 'password'; });
  box.addEventListener('change', apply);
  const reset = () => { box.checked = false; apply(); };
  return [h('div', { class: 'check' }, box, h('label', { for: id, t: [labelKey] })), reset];
}

/** Disables the buttons; the active one reads "Enviando…" until done. */
function setBusy(buttons, active, busy) {
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
 */
function makeForm(ctx, { submitKey, children, check, send, done, fail }) {
  const alert = h('div', { class: 'alert', role: 'alert', id: nextId('alert') });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', t: [submitKey] });
  // method=post: should script ever fail, no password lands in a URL.
  const form = h('form', { method: 'post', novalidate: true, class: 'panel' },
    children, alert, h('div', { class: 'actions' }, submit));
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
      if (ctx.current()) done(data);
    } catch (err) {
      if (!ctx.current()) return;
      setBusy([submit], submit, false);
      const [key, focus] = (fail && fail(err)) || [];
      if (key) fillAlert(alert, [{ key }]);
      else {
        const info = describeError(err);
        fillAlert(alert, [info], info.detail);
      }
      (focus || submit).focus(); // a disabled button dropped the focus
    }
  });
  return form;
}

const charCount = (text) => [...text].length; // as the server counts
const statusOf = (err) => (err instanceof ApiError ? err.status : 0);
const isUser = (v) => v !== null && typeof v === 'object' && typeof v.display_name === 'string';
const roleProps = (role) => (ROLES.includes(role) ? { t: [`role.${role}`] } : { text: role ?? '' });

function signedIn(data) {
  pendingUser = data && isUser(data.user) ? data.user : null;
  navigate('/', true);
}

// ---- screens

async function homeView(ctx) {
  let user = pendingUser;
  pendingUser = null;
  if (!isUser(user)) {
    try {
      user = await api.get('/api/v1/me', { signal: ctx.signal });
    } catch (err) {
      if (!ctx.current()) return;
      if (statusOf(err) === 401) navigate('/ingresar', true);
      else showErrorScreen(ctx, err);
      return;
    }
    if (!isUser(user)) throw new ApiError(500, null, null);
  }

  const alert = h('div', { class: 'alert', role: 'alert' });
  const logout = h('button', { type: 'button', class: 'btn btn-primary', t: ['home.logout'] });
  const logoutAll = h('button', { type: 'button', class: 'btn btn-secondary', t: ['home.logout_all'] });
  const buttons = [logout, logoutAll];
  const signOut = async (button, path, message) => {
    alert.replaceChildren();
    setBusy(buttons, button, true);
    try {
      await api.post(path);
    } catch (err) {
      // A 401 means the session had already ended: what was wanted.
      if (statusOf(err) !== 401) {
        if (!ctx.current()) return;
        setBusy(buttons, button, false);
        const info = describeError(err);
        fillAlert(alert, [info], info.detail);
        button.focus();
        return;
      }
    }
    if (!ctx.current()) return;
    flash = message;
    navigate('/ingresar', true);
  };
  logout.addEventListener('click', () => signOut(logout, '/api/v1/auth/logout', 'signin.signed_out'));
  logoutAll.addEventListener('click', () => signOut(logoutAll, '/api/v1/auth/logout-all', 'signin.signed_out_all'));

  const org = user.organization || {};
  const short = typeof org.short_name === 'string' && org.short_name !== org.name ? ` (${org.short_name})` : '';
  const headingId = nextId('session');
  show(ctx, 'home.title',
    h('h1', { t: ['home.welcome', { name: user.display_name }] }),
    h('dl', { class: 'facts' },
      h('div', null, h('dt', { t: ['home.organization'] }), h('dd', { text: `${org.name ?? ''}${short}` })),
      h('div', null, h('dt', { t: ['home.role'] }), h('dd', roleProps(user.role))),
      h('div', null, h('dt', { t: ['home.email'] }), h('dd', { text: user.email ?? '' }))),
    h('section', { class: 'panel', 'aria-labelledby': headingId },
      h('h2', { id: headingId, t: ['home.session_heading'] }),
      h('p', { class: 'hint', t: ['home.logout_all_hint'] }),
      alert,
      h('div', { class: 'actions' }, buttons)));
}

function signInView(ctx) {
  const notice = flash;
  flash = null;
  const email = field({
    name: 'email', label: 'signin.email', type: 'email', autocomplete: 'email',
    attrs: { maxlength: 254, autocapitalize: 'none', spellcheck: 'false' },
  });
  const password = field({
    name: 'password', label: 'signin.password', type: 'password', autocomplete: 'current-password',
    attrs: { maxlength: 200 },
  });
  const [toggle, hidePassword] = passwordToggle([password.input], 'signin.show_password');

  const form = makeForm(ctx, {
    submitKey: 'signin.submit',
    children: [email.wrap, password.wrap, toggle],
    check() {
      const problems = [];
      const value = email.input.value.trim();
      if (!value) problems.push({ input: email.input, key: 'signin.email_required' });
      else if (!/^[^\s@]+@[^\s@]+$/.test(value)) problems.push({ input: email.input, key: 'signin.email_invalid' });
      if (!password.input.value) problems.push({ input: password.input, key: 'signin.password_required' });
      return problems;
    },
    send() {
      hidePassword();
      return api.post('/api/v1/auth/login', { email: email.input.value.trim(), password: password.input.value });
    },
    done: signedIn,
    fail: (err) => statusOf(err) === 401 && ['signin.bad_credentials', password.input],
  });

  show(ctx, 'signin.title',
    h('h1', { t: ['signin.title'] }),
    notice && h('p', { class: 'notice', role: 'status', t: [notice] }),
    h('p', { class: 'lead', t: ['signin.intro'] }),
    form,
    h('p', { class: 'hint', t: ['signin.no_account'] }));
}

async function invitationView(ctx, rawToken) {
  let token = '';
  try {
    token = decodeURIComponent(rawToken);
  } catch { /* a malformed escape is an unknown invitation */ }
  const path = `/api/v1/invitations/${encodeURIComponent(token)}`;
  const gone = (status) => (status === 404 ? 'invite.not_found' : status === 410 ? 'invite.gone' : null);
  let invitation;
  try {
    if (!token) throw new ApiError(404, null, null);
    invitation = await api.get(path, { signal: ctx.signal });
  } catch (err) {
    const key = gone(statusOf(err));
    if (key) showMessageScreen(ctx, `${key}_title`, key);
    else showErrorScreen(ctx, err);
    return;
  }
  if (!invitation || typeof invitation.email !== 'string') throw new ApiError(500, null, null);

  const name = field({
    name: 'display_name', label: 'invite.display_name', autocomplete: 'name', hint: 'invite.display_name_hint',
    attrs: { maxlength: 100 },
  });
  const password = field({
    name: 'password', label: 'invite.password', type: 'password', autocomplete: 'new-password',
    hint: 'invite.password_hint', attrs: { minlength: 10, maxlength: 200 },
  });
  const confirm = field({
    name: 'password_confirm', label: 'invite.password_confirm', type: 'password', autocomplete: 'new-password',
    attrs: { maxlength: 200 },
  });
  const [toggle, hidePasswords] = passwordToggle([password.input, confirm.input], 'invite.show_passwords');
  const headingId = nextId('create');

  const form = makeForm(ctx, {
    submitKey: 'invite.submit',
    children: [
      h('h2', { id: headingId, t: ['invite.form_heading'] }),
      // Lets password managers file the new password under the right account.
      h('input', { type: 'email', name: 'username', autocomplete: 'username', value: invitation.email, hidden: true, readonly: true }),
      name.wrap, password.wrap, confirm.wrap, toggle,
    ],
    check() {
      const problems = [];
      const display = name.input.value.trim();
      const secret = password.input.value;
      if (!display) problems.push({ input: name.input, key: 'invite.name_required' });
      else if (charCount(display) > 100) problems.push({ input: name.input, key: 'invite.name_too_long' });
      else if (/[\u0000-\u001f\u007f-\u009f]/.test(display)) problems.push({ input: name.input, key: 'invite.name_invalid' });
      if (charCount(secret) < 10) problems.push({ input: password.input, key: 'invite.password_too_short' });
      else if (charCount(secret) > 200) problems.push({ input: password.input, key: 'invite.password_too_long' });
      else if (confirm.input.value !== secret) problems.push({ input: confirm.input, key: 'invite.password_mismatch' });
      return problems;
    },
    send() {
      hidePasswords();
      return api.post(`${path}/accept`, { display_name: name.input.value.trim(), password: password.input.value });
    },
    done: signedIn,
    fail(err) {
      const status = statusOf(err);
      const key = status === 409 ? 'invite.conflict' : gone(status);
      return key && [key];
    },
  });
  form.setAttribute('aria-labelledby', headingId);

  const expires = invitation.expires_at;
  show(ctx, 'invite.title',
    h('h1', { t: ['invite.title'] }),
    h('p', { class: 'lead', t: ['invite.summary', {
      role: ROLES.includes(invitation.role) ? { key: `role.${invitation.role}` } : String(invitation.role ?? ''),
      organization: String(invitation.organization?.name ?? ''),
    }] }),
    h('dl', { class: 'facts' },
      h('div', null, h('dt', { t: ['invite.email'] }), h('dd', { text: invitation.email })),
      expires && h('div', null, h('dt', { t: ['invite.expires'] }),
        h('dd', null, h('time', { datetime: expires, t: ['invite.expires_value', { date: { date: expires } }] })))),
    form);
}

function notFoundView(ctx) {
  showMessageScreen(ctx, 'notfound.title', 'notfound.text', false);
}

// ---- start

function setupLanguageSwitch() {
  const buttons = [...document.querySelectorAll('button[data-lang]')];
  const sync = () => buttons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.lang === getLang())));
  for (const button of buttons) {
    button.addEventListener('click', async () => {
      if (button.dataset.lang === getLang()) return;
      buttons.forEach((b) => { b.disabled = true; });
      try {
        await setLang(button.dataset.lang);
      } catch (err) {
        console.error(err); // not loaded: keep the current language
      }
      buttons.forEach((b) => { b.disabled = false; });
      sync();
      button.focus();
    });
  }
  sync();
}

async function start() {
  try {
    await initI18n();
  } catch (err) {
    // No dictionary, so this one message is written here, in Spanish.
    console.error(err);
    main.removeAttribute('aria-busy');
    main.replaceChildren(
      h('h1', { text: 'Minga' }),
      h('div', { class: 'alert', role: 'alert' }, h('p', { text: 'No se pudo conectar con el servidor.' })),
      h('button', { type: 'button', class: 'btn btn-primary', text: 'Reintentar', onclick: () => location.reload() }));
    return;
  }
  if ('scrollRestoration' in history) history.scrollRestoration = 'manual';
  relocalize();
  setupLanguageSwitch();
  interceptLinks();
  render();
}

start();
