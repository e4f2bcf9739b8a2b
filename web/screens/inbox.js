// The inbox (/avisos): what happened that concerns the reader, newest first,
// each linking to where it is about; opening one marks it read. The server
// says each in the language the reader chose here.

import * as api from '../api.js';
import { h } from '../dom.js';
import * as live from '../live.js';
import { getLang, t } from '../i18n.js';
import { actionButton, alertBox, time } from '../ui.js';

// Asked again on a screen change at most this often: one request, not one a click, on a slow link.
const REFRESH_MS = 30_000;
let askedAt = 0;

/** Asks the server how many are unread and shows it on the header's link. */
export async function refreshUnread(now = false) {
  const badge = document.getElementById('unread-count');
  if (!badge || (!now && Date.now() - askedAt < REFRESH_MS)) return;
  askedAt = Date.now();
  let unread = 0;
  try {
    await api.get('/api/v1/me/notifications?unread=true&limit=1', {
      onHeaders: (headers) => { unread = Number(headers.get('X-Minga-Unread') || 0); },
    });
  } catch {
    return; // the count waits for the next try; the inbox itself says what failed
  }
  showUnread(unread);
}

let unfollow = null;

/**
 * After sign-in: the count now, then kept current by the topic `me`, which
 * brings each new notification as it is recorded (an open inbox shows it
 * at the top at once).
 */
export function followInbox() {
  refreshUnread(true);
  unfollow?.(); // a sign-in again: one listener, not two
  unfollow = live.follow('me', (message) => {
    if (message.type === 'subscribed') {
      refreshUnread(true); // what came while the socket was away
      return;
    }
    if (message.type !== 'event' || message.kind !== 'notification.created') return;
    refreshUnread(true);
    const item = message.data;
    const list = document.getElementById('inbox-list');
    if (list && !list.querySelector(`[data-id="${CSS.escape(item.id)}"]`)) list.prepend(entry(item));
    else if (document.getElementById('inbox-empty')) document.getElementById('inbox-empty').replaceWith(h('ul', { class: 'cards', id: 'inbox-list' }, entry(item)));
  });
}

export function showUnread(unread) {
  const badge = document.getElementById('unread-count');
  if (!badge) return;
  badge.hidden = unread === 0;
  badge.textContent = unread > 99 ? '99+' : String(unread);
  badge.dataset.count = String(unread);
  const link = document.getElementById('inbox-link');
  if (link) link.setAttribute('aria-label', unread ? `${t('inbox.link')}: ${t('inbox.unread', { n: String(unread) })}` : t('inbox.link'));
}

export async function inboxView(ctx) {
  const items = await api.get(`/api/v1/me/notifications?limit=100&lang=${getLang()}`, { signal: ctx.signal });
  const alert = alertBox();
  const list = h('ul', { class: 'cards', id: 'inbox-list' }, items.map((item) => entry(item)));
  const markAll = actionButton(ctx, 'inbox.mark_all', alert, async () => {
    await api.post('/api/v1/me/notifications/read', { all: true });
    for (const li of list.querySelectorAll('[data-unread="true"]')) li.dataset.unread = 'false';
    showUnread(0);
  });
  markAll.id = 'inbox-mark-all';
  ctx.show('inbox.title',
    h('h1', { t: ['inbox.title'] }),
    alert,
    items.length ? h('div', { class: 'actions' }, markAll) : null,
    items.length ? list : h('p', { class: 'hint', id: 'inbox-empty', t: ['inbox.empty'] }));
  refreshUnread(true);
}

function entry(item) {
  const link = h('a', { href: item.link, text: item.title });
  link.addEventListener('click', () => {
    if (item.read_at) return;
    // Marked on the way; the link is followed whatever the answer.
    api.post('/api/v1/me/notifications/read', { ids: [item.id] }).then(() => refreshUnread(true), () => {});
  });
  return h('li', { class: 'panel card', 'data-test': 'notification', 'data-id': item.id, 'data-kind': item.kind, 'data-unread': String(!item.read_at) },
    h('p', null, item.read_at ? null : h('span', { class: 'badge', t: ['inbox.new'] }), ' ', h('strong', null, link)),
    item.body ? h('p', { text: item.body }) : null,
    h('p', { class: 'hint' }, time(item.created_at)));
}
