// How each kind of notice reaches the reader (/preferencias): not at all,
// in Minga, by mail at once, or in the day's digest at 18:00; and the
// language of Minga's mails. And the page a mail's unsubscribe link opens
// (/baja?token=…): it asks before changing anything, so a mail scanner
// that follows links changes nothing; it works signed out.

import * as api from '../api.js';
import { h } from '../dom.js';
import { loadPart, t } from '../i18n.js';
import { alertBox, field, makeForm, showError } from '../ui.js';

const KINDS = ['ballot.opened', 'ballot.reminder', 'ballot.closed', 'comment.reply', 'comment.mention',
  'proposal.status', 'flag.created', 'session.convened', 'document.phase'];
const DELIVERIES = ['email', 'digest', 'app', 'off'];

export async function preferencesView(ctx) {
  await loadPart('pages');
  const current = await api.get('/api/v1/me/preferences', { signal: ctx.signal });
  const lang = field({
    name: 'lang', label: 'prefs.lang', options: [{ value: 'es', key: 'prefs.lang_es' }, { value: 'en', key: 'prefs.lang_en' }],
    value: current.lang,
  });
  const kinds = KINDS.filter((kind) => kind !== 'flag.created' || ctx.user.role === 'secretariat').map((kind) => ({
    kind,
    ...field({
      name: `kind-${kind}`, label: `notice_kind.${kind}`, attrs: { 'data-kind': kind },
      options: DELIVERIES.map((d) => ({ value: d, key: `prefs.delivery.${d}` })), value: current.notifications[kind],
    }),
  }));
  const saved = h('p', { class: 'notice', role: 'status', id: 'prefs-saved', hidden: true, t: ['prefs.saved'] });
  const form = makeForm(ctx, {
    submitKey: 'prefs.save',
    children: [lang.wrap, h('fieldset', null, h('legend', { t: ['prefs.kinds'] }), kinds.map((k) => k.wrap))],
    send: () => api.put('/api/v1/me/preferences', {
      lang: lang.input.value,
      notifications: { ...current.notifications, ...Object.fromEntries(kinds.map((k) => [k.kind, k.input.value])) },
    }),
    done() {
      saved.hidden = false;
    },
  });
  form.id = 'preferences-form';
  form.addEventListener('change', () => { saved.hidden = true; });
  ctx.show('prefs.title',
    h('h1', { t: ['prefs.title'] }),
    h('p', { class: 'lead', t: ['prefs.intro'] }),
    form,
    saved);
}

export async function unsubscribeView(ctx) {
  await loadPart('pages');
  const token = new URLSearchParams(location.search).get('token') || '';
  const path = `/api/v1/unsubscribe?token=${encodeURIComponent(token)}`;
  let link;
  try {
    link = await api.get(path, { signal: ctx.signal });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    ctx.show('unsub.title',
      h('h1', { t: ['unsub.title'] }),
      h('p', { class: 'notice', id: 'unsub-invalid', t: ['unsub.invalid'] }),
      h('p', null, h('a', { href: '/preferencias', t: ['unsub.to_prefs'] })));
    return;
  }
  const kind = t(`notice_kind.${link.kind}`);
  const done = h('p', { class: 'notice', role: 'status', id: 'unsub-done', tabindex: '-1', hidden: true });
  const alert = alertBox();
  const button = h('button', { type: 'button', class: 'btn btn-primary', id: 'unsub-confirm', t: ['unsub.confirm'] });
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await api.post(path);
      button.hidden = true;
      done.hidden = false;
      done.replaceChildren(h('span', { t: ['unsub.done', { kind }] }));
      done.focus();
    } catch (err) {
      button.disabled = false;
      showError(alert, err);
    }
  });
  const already = link.delivery === 'app' || link.delivery === 'off';
  ctx.show('unsub.title',
    h('h1', { t: ['unsub.title'] }),
    h('p', { class: 'lead', t: [already ? 'unsub.already' : 'unsub.ask', { kind }] }),
    alert,
    !already && h('div', { class: 'actions' }, button),
    done,
    h('p', null, h('a', { href: '/preferencias', t: ['unsub.to_prefs'] })));
}
