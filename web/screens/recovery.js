// "¿Olvidó su contraseña?" (/olvide): asks for a link by mail; and the
// mailed link (/restablecer/<token>): chooses the new password. Both work
// signed out. The server answers the request the same whether or not the
// address has an account, and so does this screen.

import * as api from '../api.js';
import { h, nextId } from '../dom.js';
import { charCount, field, makeForm, statusOf } from '../ui.js';
import { loadPart } from '../i18n.js';
import { enc } from './shared.js';

export async function forgotView(ctx) {
  await loadPart('pages');
  const email = field({
    name: 'email', label: 'signin.email', type: 'email', autocomplete: 'email',
    attrs: { maxlength: 254, autocapitalize: 'none', spellcheck: 'false' },
  });
  const sent = h('p', { class: 'notice', role: 'status', id: 'recovery-sent', hidden: true });
  const form = makeForm(ctx, {
    submitKey: 'recovery.send',
    children: [email.wrap],
    check() {
      const value = email.input.value.trim();
      if (!value) return [{ input: email.input, key: 'signin.email_required' }];
      if (!/^[^\s@]+@[^\s@]+$/.test(value)) return [{ input: email.input, key: 'signin.email_invalid' }];
      return [];
    },
    send: () => api.post('/api/v1/auth/password-reset', { email: email.input.value.trim() }),
    done() {
      form.hidden = true;
      sent.hidden = false;
      sent.replaceChildren(h('span', { t: ['recovery.sent', { email: email.input.value.trim() }] }));
      sent.focus();
    },
    fail: (err) => statusOf(err) === 429 && ['recovery.too_many'],
  });
  form.id = 'forgot-form';
  sent.tabIndex = -1;
  ctx.show('recovery.title',
    h('h1', { t: ['recovery.title'] }),
    h('p', { class: 'lead', t: ['recovery.intro'] }),
    form,
    sent,
    h('p', null, h('a', { href: '/ingresar', t: ['recovery.back'] })));
}

export async function resetView(ctx, rawToken) {
  await loadPart('pages');
  let token = '';
  try {
    token = decodeURIComponent(rawToken);
  } catch { /* a malformed escape is an unknown link */ }
  const password = field({
    name: 'password', label: 'recovery.new_password', type: 'password', autocomplete: 'new-password',
    hint: 'invite.password_hint', attrs: { minlength: 10, maxlength: 200 },
  });
  const confirm = field({
    name: 'password_confirm', label: 'invite.password_confirm', type: 'password', autocomplete: 'new-password',
    attrs: { maxlength: 200 },
  });
  const showId = nextId('show');
  const showBox = h('input', { type: 'checkbox', id: showId });
  showBox.addEventListener('change', () => {
    for (const input of [password.input, confirm.input]) input.type = showBox.checked ? 'text' : 'password';
  });
  const done = h('div', { id: 'recovery-done', hidden: true },
    h('p', { class: 'notice', role: 'status', t: ['recovery.done'] }),
    h('p', null, h('a', { href: '/ingresar', class: 'btn btn-primary', t: ['common.signin_link'] })));
  const form = makeForm(ctx, {
    submitKey: 'recovery.save',
    children: [password.wrap, confirm.wrap, h('div', { class: 'check' }, showBox, h('label', { for: showId, t: ['invite.show_passwords'] }))],
    check() {
      const secret = password.input.value;
      if (charCount(secret) < 10) return [{ input: password.input, key: 'invite.password_too_short' }];
      if (charCount(secret) > 200) return [{ input: password.input, key: 'invite.password_too_long' }];
      if (confirm.input.value !== secret) return [{ input: confirm.input, key: 'invite.password_mismatch' }];
      return [];
    },
    send() {
      showBox.checked = false;
      password.input.type = 'password';
      confirm.input.type = 'password';
      return api.post(`/api/v1/auth/password-reset/${enc(token)}`, { password: password.input.value });
    },
    done() {
      form.hidden = true;
      done.hidden = false;
      done.querySelector('a').focus();
    },
    fail(err) {
      const status = statusOf(err);
      if (status === 404) return ['recovery.not_found'];
      if (status === 410) return ['recovery.gone'];
      if (status === 429) return ['recovery.too_many'];
      return null;
    },
  });
  form.id = 'reset-form';
  ctx.show('recovery.reset_title',
    h('h1', { t: ['recovery.reset_title'] }),
    h('p', { class: 'lead', t: ['recovery.reset_intro'] }),
    form,
    done,
    h('p', null, h('a', { href: '/olvide', t: ['recovery.ask_again'] })));
}
