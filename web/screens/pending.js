// "Pendiente para su organización": the top of the home page. What the
// reader's organization must do and by when (open ballots, soonest first,
// and whether it voted), its proposals others are discussing, and the
// unread notifications; on a phone this is the first screen.

import * as api from '../api.js';
import { h } from '../dom.js';

const enc = encodeURIComponent;

function ballotItem(item) {
  const left = item.closes_at ? (Date.parse(item.closes_at) - Date.now()) / 1000 : null;
  const when = item.closes_at
    ? h('span', null,
      h('span', { t: ['pending.closes', { date: { date: item.closes_at, short: true } }] }), ' ',
      left > 0 && h('strong', { t: ['ballot.left', { left: { duration: left > 120 ? Math.ceil(left / 60) * 60 : left } }] }))
    : h('span', { t: ['ballot.no_deadline'] });
  const state = item.voted
    ? h('span', { class: 'badge badge-ok', 'data-test': 'voted', t: item.my_vote ? ['pending.voted_as', { choice: { key: `choice.${item.my_vote}` } }] : ['pending.voted'] })
    : h('span', { class: 'badge badge-warn', 'data-test': 'not-voted', t: ['pending.not_voted'] });
  return h('li', { class: 'panel card', 'data-test': 'pending-ballot', 'data-voted': String(item.voted) },
    h('p', null, h('a', { href: item.link, text: item.title })),
    h('p', null, state),
    h('p', { class: 'hint' }, when),
    !item.voted && h('p', null, h('a', { href: item.link, class: 'btn btn-primary', t: ['pending.vote'] })));
}

function proposalItem(p) {
  return h('li', { 'data-test': 'pending-proposal' },
    h('a', { href: `/propuestas/${enc(p.id)}`, text: p.title }), ' ',
    h('span', { class: 'meta' },
      h('span', { t: [`status.${p.status}`] }),
      p.new_comments > 0 && ' · ',
      p.new_comments > 0 && h('strong', { t: ['pending.new_comments', { n: String(p.new_comments) }] })));
}

/** The section, or null when the request failed (the documents still show). */
export async function pendingSection(ctx) {
  let pending;
  try {
    pending = await api.get('/api/v1/me/pending', { signal: ctx.signal });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    return null;
  }
  const { ballots, proposals, unread } = pending;
  const nothing = !ballots.length && !proposals.length && !unread;
  return h('section', { class: 'pending', id: 'pending', 'aria-labelledby': 'pending-title' },
    h('h2', { id: 'pending-title', t: ['pending.title'] }),
    nothing && h('p', { class: 'hint', id: 'pending-nothing', t: ['pending.nothing'] }),
    ballots.length > 0 && h('h3', { t: ['pending.ballots'] }),
    ballots.length > 0 && h('ul', { class: 'cards', id: 'pending-ballots' }, ballots.map(ballotItem)),
    unread > 0 && h('p', null, h('a', { href: '/avisos', id: 'pending-unread', t: ['pending.unread', { n: String(unread) }] })),
    proposals.length > 0 && h('h3', { t: ['pending.proposals'] }),
    proposals.length > 0 && h('ul', { class: 'plain-list', id: 'pending-proposals' }, proposals.map(proposalItem)));
}
