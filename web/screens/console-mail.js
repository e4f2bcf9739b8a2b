// Console: the outbox. Says whether mail is sent at all (without a mail
// server it only waits here) and lists what waits or failed, with the link a
// mail carries, so the secretariat can hand it over by other means.

import * as api from '../api.js';
import { h } from '../dom.js';
import { actionButton, alertBox, time } from '../ui.js';
import { enc } from './shared.js';

const STATUSES = ['pending', 'failed', 'sent'];

export async function mailTab(ctx, root) {
  let delivery = 'off';
  const all = await api.get('/api/v1/outbox', {
    signal: ctx.signal,
    onHeaders: (headers) => { delivery = headers.get('X-Minga-Mail-Delivery') || 'off'; },
  });
  const mails = [...all].reverse(); // newest first
  const mode = h('p', { class: delivery === 'smtp' ? 'hint' : 'notice', id: 'mail-delivery', t: [`mail.delivery_${delivery === 'smtp' ? 'smtp' : 'off'}`] });
  const groups = STATUSES.map((status) => {
    const mine = mails.filter((m) => m.status === status);
    const list = h('ul', { class: 'cards', 'data-test': `mail-${status}` }, mine.map((mail) => card(ctx, mail)));
    return h('section', { class: 'mail-group' },
      h('h3', { t: [`mail.group_${status}`, { n: String(mine.length) }] }),
      mine.length ? list : h('p', { class: 'hint', t: ['console.group_empty'] }));
  });
  root.replaceChildren(mode, ...groups);
}

function card(ctx, mail) {
  const alert = alertBox();
  const li = h('li', { class: 'panel card', 'data-test': 'mail', 'data-mail-id': mail.id },
    h('p', null, h('strong', { text: mail.recipient }), ' · ', h('span', { t: [`mail.kind_${mail.kind}`] })),
    h('p', { text: mail.subject }),
    h('p', { class: 'hint' }, h('span', { t: ['mail.created'] }), ' ', time(mail.created_at),
      mail.attempts ? h('span', { t: ['mail.attempts', { n: String(mail.attempts) }] }) : null),
    mail.last_error ? h('p', { class: 'hint', 'data-test': 'mail-error' }, h('span', { t: ['mail.last_error'] }), ' ', h('code', { text: mail.last_error })) : null,
    mail.link && mail.status !== 'sent'
      ? h('p', null, h('span', { t: ['mail.link'] }), ' ', h('a', { href: mail.link, 'data-test': 'mail-link', text: mail.link }))
      : null,
    alert);
  if (mail.status === 'failed') {
    const retry = actionButton(ctx, 'mail.retry', alert, async () => {
      await api.post(`/api/v1/outbox/${enc(mail.id)}/retry`);
      retry.disabled = true;
      li.append(h('p', { class: 'notice', role: 'status', t: ['mail.retried'] }));
    });
    li.append(h('div', { class: 'actions' }, retry));
  }
  return li;
}
