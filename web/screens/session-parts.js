// What the session page, its console and the projector share: loading a
// session with its words and styles, following it live (each event on
// `session:<id>` carries the whole session), the quorum, the agenda with
// its current item, the speakers list with the countdown of the turn in
// progress, and the session's ballots.

import * as api from '../api.js';
import { fill, h } from '../dom.js';
import { loadPart, tx } from '../i18n.js';
import * as live from '../live.js';
import { orgLabel } from '../ui.js';
import { enc } from './shared.js';
import { loadStylesheet } from './stylesheet.js';

export const sessionPath = (id) => `/api/v1/sessions/${enc(id)}`;

/** The words and the stylesheet of the assembly's screens (few people open them). */
export const loadSessionWords = () => Promise.all([loadPart('assembly'), loadStylesheet('/assembly.css')]);

/** The session, with the words and styles to show it. */
export async function loadSession(ctx, id) {
  const [session] = await Promise.all([api.get(sessionPath(id), { signal: ctx.signal }), loadSessionWords()]);
  return session;
}

/**
 * The server's clock as seen from here, so that a countdown reads the same
 * on the projector, the tablet and a phone whose clock is minutes off.
 */
export function serverClock() {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    sync(serverTime) {
      const at = Date.parse(serverTime ?? '');
      if (Number.isFinite(at)) offset = at - Date.now();
    },
  };
}

/**
 * Follows the session; onSession(session) after each change. After a
 * replay (a reconnect, a screen opened again) the session is read once,
 * whole, rather than stepped through its history.
 */
export function followSession(ctx, id, onSession) {
  let replayed = false;
  const reload = () => api.get(sessionPath(id), { signal: ctx.signal }).then(onSession).catch(() => {});
  ctx.leave(live.follow(`session:${id}`, (message) => {
    if (message.type === 'subscribed' && replayed) {
      replayed = false;
      reload();
    }
    if (message.type !== 'event' || !message.data?.session) return;
    if (message.replay) replayed = true;
    else onSession(message.data.session);
  }));
}

/** Every second while the screen is shown (countdowns). */
export function everySecond(ctx, fn) {
  const timer = setInterval(fn, 1000);
  ctx.leave(() => clearInterval(timer));
}

export const statusProps = (status) => ({ class: `badge session-${status}`, t: [`session.status_${status}`] });

export const modalityProps = (modality) => ({ t: [`session.modality_${modality}`] });

/** "Quórum: 12 de 20 organizaciones presentes (se requiere 50 %)", and whether it is met. */
export function quorumNode() {
  const line = h('p', { class: 'quorum-line', 'data-test': 'quorum' });
  const badge = h('span', { class: 'badge' });
  const node = h('div', { class: 'quorum', role: 'status' }, line, badge);
  return {
    node,
    render(session) {
      const q = session.quorum;
      tx(line, 'session.quorum', {
        n: String(q.present_organizations), of: String(q.member_organizations), pct: String(Math.round(q.fraction * 100)),
      });
      tx(badge, q.met ? 'session.quorum_met' : 'session.quorum_missed');
      badge.className = `badge ${q.met ? 'quorum-met' : 'quorum-missed'}`;
      node.dataset.met = String(q.met);
      node.dataset.present = String(q.present_organizations);
    },
  };
}

/** Where an agenda item leads: its proposal, its document or its ballot. */
export function itemLink(item) {
  if (item.proposal_id) return h('a', { href: `/propuestas/${enc(item.proposal_id)}`, t: ['session.item_proposal'] });
  if (item.document_id) return h('a', { href: `/documentos/${enc(item.document_id)}`, t: ['session.item_document'] });
  if (item.ballot_id) return h('a', { href: `/votaciones/${enc(item.ballot_id)}`, t: ['session.item_ballot'] });
  return null;
}

export const currentItem = (session) => session.agenda.find((item) => item.id === session.current_item_id) || null;

/** The agenda, the current item marked; controls(item, index) adds the console's buttons. */
export function agendaList(session, controls) {
  if (!session.agenda.length) return h('p', { class: 'hint', t: ['session.agenda_empty'] });
  return h('ol', { class: 'agenda', id: 'agenda' }, session.agenda.map((item, index) => {
    const current = item.id === session.current_item_id;
    return h('li', { class: current ? 'current' : null, 'aria-current': current ? 'step' : null, 'data-item-id': item.id },
      h('span', { class: 'item-title', text: item.title }),
      current ? h('span', { class: 'badge current-badge', t: ['session.current_badge'] }) : null,
      ' ', itemLink(item),
      controls ? controls(item, index) : null);
  }));
}

/** "2:41" left, or "+0:12" over the limit. */
export function clockText(seconds) {
  const over = seconds < 0;
  const s = Math.abs(Math.trunc(seconds));
  return `${over ? '+' : ''}${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export const secondsLeft = (speaker, now) =>
  (Date.parse(speaker.started_at) + speaker.limit_seconds * 1000 - now) / 1000;

/** The countdown of a turn in progress; tick() moves it on. */
export function countdown(speaker, clock) {
  const node = h('span', { class: 'countdown', role: 'timer', 'data-test': 'countdown' });
  const tick = () => {
    const left = secondsLeft(speaker, clock.now());
    node.textContent = clockText(left);
    node.classList.toggle('over', left < 0);
    node.setAttribute('aria-label', clockText(left));
  };
  tick();
  return { node, tick };
}

/**
 * The speakers: the turn in progress with its countdown, then those waiting
 * in order. controls(speaker) adds the console's buttons. Returns
 * {node, tick} (tick moves the countdown on).
 */
export function speakersList(session, clock, controls) {
  const speaking = session.speakers.find((s) => s.status === 'speaking');
  const waiting = session.speakers.filter((s) => s.status === 'waiting');
  const timer = speaking ? countdown(speaking, clock) : null;
  const who = (s) => [h('span', { class: 'speaker-name', text: s.person.display_name }),
    ' ', h('span', { class: 'hint', text: orgLabel(s.organization) })];
  const node = h('div', { class: 'speakers', id: 'speakers' },
    speaking
      ? h('p', { class: 'speaking', 'data-test': 'speaking', 'data-speaker-id': speaking.id },
        h('span', { class: 'badge speaking-badge', t: ['session.speaking'] }), ' ', who(speaking), ' ', timer.node,
        controls ? controls(speaking) : null)
      : h('p', { class: 'hint', t: ['session.nobody_speaking'] }),
    waiting.length
      ? h('ol', { class: 'waiting', id: 'speakers-waiting' }, waiting.map((s) =>
        h('li', { 'data-test': 'waiting-speaker', 'data-speaker-id': s.id }, who(s), controls ? controls(s) : null)))
      : h('p', { class: 'hint', t: ['session.nobody_waiting'] }));
  return { node, tick: () => timer?.tick() };
}

/** A ballot's page: a proposal's ballot is on the proposal, a document's on /votaciones. */
export const ballotHref = (b) => (b.proposal_id ? `/propuestas/${enc(b.proposal_id)}` : `/votaciones/${enc(b.id)}`);

/** The session's ballots, newest first, each read from the API. */
export async function sessionBallots(session, signal) {
  const ballots = await Promise.all(session.ballot_ids.map((id) => api.get(`/api/v1/ballots/${enc(id)}`, { signal })));
  return ballots.reverse();
}

/** One line per ballot: question, status, participation, result. */
export function ballotLine(b) {
  const state = b.status === 'closed' && b.result
    ? h('span', { class: `badge ${b.result.passed ? 'status-passed' : 'status-rejected'}`, t: [b.result.passed ? 'ballot.passed' : 'ballot.failed'] })
    : h('span', { class: 'badge', t: [`ballot.status_${b.status}`] });
  return h('li', { 'data-test': 'session-ballot', 'data-ballot-id': b.id, 'data-status': b.status },
    h('a', { href: ballotHref(b), text: b.question }), ' ', state, ' ',
    h('span', { class: 'hint', t: ['ballot.participation', { n: String(b.participation.voted), of: String(b.participation.eligible) }] }));
}

export const ballotsList = (ballots) => (ballots.length
  ? h('ul', { class: 'plain-list session-ballots', id: 'session-ballots' }, ballots.map(ballotLine))
  : h('p', { class: 'hint', t: ['session.no_ballots'] }));

/** Replaces `node`'s content with the session's ballots once read; resolves to them. */
export function showBallots(ctx, node, session) {
  return sessionBallots(session, ctx.signal)
    .then((ballots) => {
      if (ctx.current()) fill(node, ballotsList(ballots));
      return ballots;
    })
    .catch(() => []);
}

/**
 * A ballot's events are on its proposal's or its document's topic. Returns
 * watch(ballots): follows the topics of those ballots (each once); a live
 * ballot event calls onMove, at most once a second.
 */
export function ballotWatcher(ctx, onMove) {
  const followed = new Set();
  let pending = 0;
  const moved = () => {
    if (pending) return;
    pending = setTimeout(() => {
      pending = 0;
      if (ctx.current()) onMove();
    }, 1000);
  };
  ctx.leave(() => clearTimeout(pending));
  return (ballots) => {
    for (const b of ballots) {
      const topic = b.proposal_id ? `proposal:${b.proposal_id}` : `document:${b.document_id}`;
      if (followed.has(topic)) continue;
      followed.add(topic);
      ctx.leave(live.follow(topic, (message) => {
        if (message.type === 'event' && !message.replay && (message.kind || '').startsWith('ballot.')) moved();
      }));
    }
    return ballots;
  };
}
