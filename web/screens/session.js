// A session of the assembly (/sesiones/<id>), live for everyone: its
// details, the quorum, the item under discussion, the agenda, the speakers
// with the countdown of the turn in progress, and the ballots taken in it.
// A person checks in online and asks for the floor here; the secretariat's
// console (session-console.js) is added below for the secretariat.

import * as api from '../api.js';
import { fill, h, nextId } from '../dom.js';
import { getLang } from '../i18n.js';
import { actionButton, alertBox, time } from '../ui.js';
import { enc, isSecretariat } from './shared.js';
import {
  agendaList, currentItem, everySecond, followSession, itemLink, loadSession, modalityProps, quorumNode, serverClock,
  ballotWatcher, sessionPath, showBallots, speakersList, statusProps,
} from './session-parts.js';

function section(id, key, ...content) {
  const headingId = nextId(id);
  return h('section', { id, 'aria-labelledby': headingId }, h('h2', { id: headingId, t: [key] }), ...content);
}

export async function sessionView(ctx, id) {
  let session = await loadSession(ctx, id);
  const clock = serverClock();
  clock.sync(session.server_time);
  const me = ctx.user;
  const path = sessionPath(id);

  const meta = h('p', { class: 'meta', id: 'session-meta' });
  const quorum = quorumNode();
  const current = h('div', { id: 'current-item', 'aria-live': 'polite' });
  const myAlert = alertBox();
  const mine = h('div', { id: 'my-attendance' });
  const agenda = h('div');
  const speakers = h('div', { 'aria-live': 'polite' });
  let turn = { tick() {} };
  const ballots = h('div', { id: 'session-ballots-box' });
  const papers = h('p', { class: 'actions', id: 'session-papers' });
  let ballotKey = '';
  // A vote moves a ballot on its proposal's or document's topic, not on the session's.
  const watch = ballotWatcher(ctx, () => refreshBallots());
  const refreshBallots = () => showBallots(ctx, ballots, session).then(watch);

  const tools = isSecretariat(me)
    ? await import('./session-console.js').then((m) => m.sessionConsole(ctx, () => session, (next) => update(next)))
    : null;

  const attendee = () => session.attendance.find((a) => a.person.id === me.id && a.present) || null;
  const myRequest = () => session.speakers.find((s) => s.person.id === me.id && s.status === 'waiting') || null;

  function renderMine() {
    const here = attendee();
    const parts = [];
    if (here) {
      parts.push(h('p', { class: 'notice ok', 'data-test': 'checked-in', t: [`session.present_${here.mode}`] }));
      if (here.standing) parts.push(h('p', { class: 'hint', t: [`session.standing_${here.standing}`] }));
    } else if (session.status !== 'closed') {
      const button = actionButton(ctx, 'session.check_in', myAlert, async () => {
        update(await api.post(`${path}/check-in`));
      }, 'btn btn-primary');
      button.id = 'check-in';
      parts.push(h('p', { class: 'hint', t: ['session.check_in_hint'] }), button);
    }
    if (here && session.status === 'open') {
      const waiting = myRequest();
      const button = waiting
        ? actionButton(ctx, 'session.withdraw', myAlert, async () => {
          update(await api.del(`${path}/speakers/${enc(waiting.id)}`));
        })
        : actionButton(ctx, 'session.ask_floor', myAlert, async () => {
          update(await api.post(`${path}/speakers`, {}));
        }, 'btn btn-primary');
      button.id = waiting ? 'withdraw-floor' : 'ask-floor';
      parts.push(button);
    }
    fill(mine, parts);
  }

  function render() {
    fill(meta, h('span', statusProps(session.status)), ' ', time(session.starts_at, false), ' · ',
      h('span', { text: session.place }), ' · ', h('span', modalityProps(session.modality)));
    quorum.render(session);
    const item = currentItem(session);
    fill(current, item
      ? [h('p', { class: 'current-title', 'data-test': 'current-item', text: item.title }), itemLink(item)]
      : h('p', { class: 'hint', 'data-test': 'current-item', t: ['session.no_current'] }));
    fill(agenda, agendaList(session, tools?.agendaControls));
    turn = speakersList(session, clock, tools?.speakerControls);
    fill(speakers, turn.node);
    renderMine();
    const key = `${session.ballot_ids.join(',')}|${session.status}`;
    if (key !== ballotKey) {
      ballotKey = key;
      refreshBallots();
    }
    const lang = getLang();
    fill(papers,
      h('a', { href: `/pantalla/${enc(id)}`, class: 'btn btn-secondary', id: 'projector-link', t: ['session.projector_link'] }),
      h('a', { href: `${path}/minutes?format=html&lang=${lang}`, class: 'btn btn-secondary', id: 'acta-html', t: ['session.acta_html'] }),
      h('a', { href: `${path}/minutes?format=markdown&lang=${lang}`, class: 'btn btn-secondary', id: 'acta-markdown', t: ['session.acta_markdown'] }));
    tools?.render();
  }

  function update(next) {
    if (!next?.id) return;
    if (next.server_time) clock.sync(next.server_time);
    session = next;
    if (ctx.current()) render();
  }

  render();
  followSession(ctx, id, update);
  everySecond(ctx, () => turn.tick());

  ctx.show(['session.page_title', { title: session.title }],
    h('p', { class: 'crumbs' }, h('a', { href: '/sesiones', t: ['session.back'] })),
    h('h1', { text: session.title }),
    meta,
    h('div', { class: 'panel session-now' }, quorum.node, current),
    section('my-part', 'session.mine_heading', mine, myAlert),
    section('session-speakers', 'session.speakers_heading', speakers),
    section('session-agenda', 'session.agenda_heading', agenda),
    section('session-votes', 'session.ballots_heading', ballots),
    section('session-acta', 'session.acta_heading', papers),
    tools?.node);
}
