// The room's screen (/pantalla/<session-id>): no controls, large type, live.
// The item under discussion, the ballot of that item (the text under vote
// with its changes, participation, the result once closed), the quorum and
// the speakers with the countdown. Made for 1920x1080 read from the back of
// the room; it needs no touch after the first sign-in (an observer account).

import * as api from '../api.js';
import { fill, h } from '../dom.js';
import { enc, prose, renderDiff } from './shared.js';
import {
  ballotWatcher, currentItem, everySecond, followSession, loadSession, quorumNode, serverClock, sessionBallots,
  speakersList, statusProps,
} from './session-parts.js';

const WAITING_SHOWN = 5;

/** The ballot that belongs on the screen: the current item's, else the session's latest open one. */
function ballotOnScreen(session, ballots) {
  const item = currentItem(session);
  const ofItem = item && ballots.find((b) => (item.ballot_id && b.id === item.ballot_id)
    || (item.proposal_id && b.proposal_id === item.proposal_id)
    || (item.document_id && !b.proposal_id && b.document_id === item.document_id));
  return ofItem || ballots.find((b) => b.status === 'open') || null;
}

/** The text under vote: a proposal's change against the article, or its text. */
async function textUnderVote(ballot, signal) {
  if (!ballot.proposal_id) return null;
  const base = `/api/v1/proposals/${enc(ballot.proposal_id)}`;
  const proposal = await api.get(base, { signal });
  if (proposal.kind !== 'general' && proposal.kind !== 'add') {
    const diff = await api.get(`${base}/diff?from=base`, { signal }).catch(() => null);
    if (diff) return renderDiff(diff.ops, h('div', { class: 'diff', 'data-test': 'projector-diff' }));
  }
  return prose(proposal.revision?.body_html ?? '', { 'data-test': 'projector-text' });
}

function resultNode(b) {
  if (b.status !== 'closed' || !b.result) return null;
  const r = b.result;
  if (b.kind === 'alternatives') return h('p', { class: 'result', t: ['ballot.status_closed'] });
  return h('div', { class: 'projector-result', 'data-test': 'projector-result', 'data-passed': String(r.passed) },
    h('p', { class: `result ${r.passed ? 'passed' : 'failed'}`, t: [r.passed ? 'ballot.passed' : 'ballot.failed'] }),
    h('p', { class: 'counts' },
      h('span', { t: ['projector.count', { choice: { key: 'choice.yes' }, n: String(r.yes) }] }), ' · ',
      h('span', { t: ['projector.count', { choice: { key: 'choice.no' }, n: String(r.no) }] }), ' · ',
      h('span', { t: ['projector.count', { choice: { key: 'choice.abstain' }, n: String(r.abstain) }] })));
}

export async function projectorView(ctx, id) {
  let session = await loadSession(ctx, id);
  const clock = serverClock();
  clock.sync(session.server_time);
  document.body.classList.add('projector');
  ctx.leave(() => document.body.classList.remove('projector'));

  const status = h('p', { class: 'projector-status' });
  const quorum = quorumNode();
  const item = h('div', { class: 'projector-item', id: 'projector-item' });
  const ballotBox = h('div', { class: 'projector-ballot', id: 'projector-ballot' });
  const speakers = h('div', { class: 'projector-speakers', id: 'projector-speakers' });
  let turn = { tick() {} };
  let ballots = [];
  let shownText = '';
  let textNode = null;

  async function renderBallot() {
    const b = ballotOnScreen(session, ballots);
    if (!b) {
      fill(ballotBox);
      shownText = '';
      return;
    }
    if (shownText !== b.id) {
      shownText = b.id;
      textNode = await textUnderVote(b, ctx.signal).catch(() => null);
      if (!ctx.current()) return;
    }
    const p = b.participation;
    fill(ballotBox,
      h('h2', { text: b.question }),
      textNode,
      h('div', { class: 'participation' },
        h('p', { 'data-test': 'projector-participation', t: ['ballot.participation', { n: String(p.voted), of: String(p.eligible) }] }),
        h('progress', { max: String(Math.max(p.eligible, 1)), value: String(p.voted), 'aria-hidden': 'true' })),
      b.status === 'open' ? h('p', { class: 'badge', t: ['ballot.status_open'] }) : resultNode(b));
  }

  const watch = ballotWatcher(ctx, () => loadBallots());
  async function loadBallots() {
    ballots = watch(await sessionBallots(session, ctx.signal).catch(() => ballots));
    if (ctx.current()) renderBallot();
  }

  let ballotKey = '';
  function render() {
    fill(status, h('span', statusProps(session.status)), ' ', h('span', { text: session.place }));
    quorum.render(session);
    const current = currentItem(session);
    fill(item, current
      ? [h('p', { class: 'label', t: ['projector.current'] }), h('p', { class: 'projector-item-title', 'data-test': 'projector-current', text: current.title })]
      : h('p', { class: 'label', 'data-test': 'projector-current', t: ['session.no_current'] }));
    const speaking = session.speakers.filter((s) => s.status === 'speaking');
    const next = session.speakers.filter((s) => s.status === 'waiting').slice(0, WAITING_SHOWN);
    turn = speakersList({ ...session, speakers: [...speaking, ...next] }, clock);
    fill(speakers, h('h2', { t: ['session.speakers_heading'] }), turn.node);
    const key = `${session.ballot_ids.join(',')}|${session.current_item_id}`;
    if (key !== ballotKey) {
      ballotKey = key;
      loadBallots();
    }
  }

  render();
  followSession(ctx, id, (next) => {
    session = next;
    if (ctx.current()) render();
  });
  everySecond(ctx, () => turn.tick());

  ctx.show(['projector.title', { title: session.title }],
    h('div', { class: 'projector-screen' },
      h('header', { class: 'projector-head' }, h('h1', { text: session.title }), status, quorum.node),
      h('div', { class: 'projector-main' }, h('div', { class: 'projector-left' }, item, ballotBox), speakers)));
}
