// The secretariat's conduct of a session, on its page: open and close it,
// set the item under discussion and the agenda's order, mark people present
// in the room (a searchable list with large targets, for a tablet), give and
// end the floor, note someone in the room on the speakers list, open a vote
// in the session, and record votes by a show of hands.

import * as api from '../api.js';
import { fill, h, nextId } from '../dom.js';
import { tx } from '../i18n.js';
import { actionButton, alertBox, ask, field, orgLabel, showError } from '../ui.js';
import { enc } from './shared.js';
import { ballotWatcher, sessionBallots, sessionPath } from './session-parts.js';

const CHOICES = ['yes', 'no', 'abstain'];
const EXTRA_SECONDS = 60;
const MAX_SECONDS = 1800; // domain/assembly.rs SPEAKER_SECONDS

/** Every person, page after page (the secretariat's list). */
async function everyone(signal) {
  const all = [];
  for (;;) {
    const after = all.length ? `&after=${enc(all[all.length - 1].id)}` : '';
    const page = await api.get(`/api/v1/users?limit=1000${after}`, { signal });
    all.push(...page);
    if (page.length < 1000) return all;
  }
}

function subsection(key, ...content) {
  const headingId = nextId('console');
  return h('section', { class: 'panel', 'aria-labelledby': headingId }, h('h3', { id: headingId, t: [key] }), ...content);
}

/**
 * The console of the session that getSession() returns; update(session)
 * shows an answer. Returns {node, render, agendaControls, speakerControls}.
 */
export async function sessionConsole(ctx, getSession, update) {
  const [people, representatives] = await Promise.all([
    everyone(ctx.signal), api.get('/api/v1/representatives', { signal: ctx.signal }),
  ]);
  const alert = alertBox();
  const path = () => sessionPath(getSession().id);
  const send = async (method, url, body) => update(await api[method](url, body));
  const button = (key, action, cls, test) => {
    const b = actionButton(ctx, key, alert, action, cls);
    if (test) b.dataset.test = test;
    return b;
  };

  // Who stands for whom, to mark representatives first and say so.
  const standing = new Map();
  for (const r of representatives) {
    if (!r.confirmed) continue;
    standing.set(r.confirmed.titular.id, 'titular');
    for (const a of r.confirmed.alternates) standing.set(a.id, 'alternate');
  }
  const active = people.filter((p) => p.active)
    .sort((a, b) => Number(standing.has(b.id)) - Number(standing.has(a.id))
      || orgLabel(a.organization).localeCompare(orgLabel(b.organization)) || a.display_name.localeCompare(b.display_name));

  // ---- status
  const statusBox = h('div', { class: 'actions', id: 'session-status-actions' });
  function renderStatus() {
    const s = getSession();
    const items = [];
    if (s.status === 'convened') items.push(button('session.open', () => send('patch', path(), { status: 'open' }), 'btn btn-primary', 'open-session'));
    if (s.status === 'open') {
      items.push(button('session.close', async () => {
        if (ask('session.close_confirm')) await send('patch', path(), { status: 'closed' });
      }, 'btn btn-primary', 'close-session'));
    }
    if (s.current_item_id && s.status !== 'closed') {
      items.push(button('session.clear_current', () => send('patch', path(), { current_item_id: null }), 'btn btn-secondary', 'clear-current'));
    }
    fill(statusBox, items.length ? items : h('p', { class: 'hint', t: ['session.closed_hint'] }));
  }

  // ---- attendance in the room
  const search = field({ name: 'people_search', label: 'session.search_label', type: 'search', required: false });
  const counter = h('p', { class: 'hint', role: 'status', id: 'attendance-count' });
  const list = h('ul', { class: 'attendance', id: 'attendance-list' });
  const rows = new Map();
  for (const person of active) {
    const toggle = h('button', { type: 'button', class: 'btn attendance-toggle', 'data-test': 'mark-present', 'aria-pressed': 'false' });
    const row = h('li', { 'data-user-id': person.id, 'data-search': `${person.display_name} ${orgLabel(person.organization)}`.toLowerCase() },
      h('span', { class: 'who' }, h('span', { class: 'speaker-name', text: person.display_name }), ' ',
        h('span', { class: 'hint', text: orgLabel(person.organization) }),
        standing.has(person.id) ? [' ', h('span', { class: 'badge', t: [`session.standing_short_${standing.get(person.id)}`] })] : null),
      toggle);
    toggle.addEventListener('click', async () => {
      if (toggle.disabled) return;
      alert.replaceChildren();
      toggle.disabled = true;
      try {
        await send('put', `${path()}/attendance/${enc(person.id)}`, { present: toggle.getAttribute('aria-pressed') !== 'true' });
      } catch (err) {
        if (ctx.current()) showError(alert, err);
      }
      toggle.disabled = false;
    });
    rows.set(person.id, { row, toggle });
    list.append(row);
  }
  search.input.addEventListener('input', () => {
    const q = search.input.value.trim().toLowerCase();
    for (const { row } of rows.values()) row.hidden = Boolean(q) && !row.dataset.search.includes(q);
  });
  function renderAttendance() {
    const s = getSession();
    const present = new Map(s.attendance.filter((a) => a.present).map((a) => [a.person.id, a]));
    for (const [id, { row, toggle }] of rows) {
      const here = present.get(id);
      toggle.setAttribute('aria-pressed', String(Boolean(here)));
      tx(toggle, here ? `session.marked_${here.mode}` : 'session.mark_present');
      toggle.disabled = s.status === 'closed';
      row.classList.toggle('present', Boolean(here));
    }
    tx(counter, 'session.attendance_count', { n: String(present.size) });
  }

  // ---- the floor for someone in the room
  const floorPick = field({ name: 'floor_for', label: 'session.floor_for', options: [], required: false });
  const floorButton = button('session.floor_add', async () => {
    if (floorPick.input.value) await send('post', `${path()}/speakers`, { user_id: floorPick.input.value });
  }, 'btn btn-secondary', 'floor-add');
  function renderFloor() {
    const s = getSession();
    const here = s.attendance.filter((a) => a.present);
    const chosen = floorPick.input.value;
    fill(floorPick.input, h('option', { value: '', t: ['session.floor_choose'] }),
      here.map((a) => h('option', { value: a.person.id, text: `${a.person.display_name} (${orgLabel(a.organization)})` })));
    floorPick.input.value = here.some((a) => a.person.id === chosen) ? chosen : '';
    floorButton.disabled = s.status !== 'open';
  }

  // ---- hand votes, for each open ballot of the session
  const handBox = h('div', { id: 'hand-votes' });
  let ballots = [];
  const watch = ballotWatcher(ctx, () => loadBallots());
  async function loadBallots() {
    ballots = watch(await sessionBallots(getSession(), ctx.signal).catch(() => ballots));
    if (ctx.current()) renderHands();
  }
  function handRow(b, org) {
    const voted = b.participation.organizations.includes(org.id);
    const pick = field({
      name: 'hand_choice', label: 'session.hand_choice', required: false,
      options: CHOICES.map((c) => ({ value: c, key: `choice.${c}` })), attrs: { id: nextId('hand') },
    });
    const record = button('session.hand_record', async () => {
      const next = await api.put(`/api/v1/ballots/${enc(b.id)}/votes/${enc(org.id)}`, { choice: pick.input.value });
      ballots = ballots.map((x) => (x.id === next.id ? next : x));
      renderHands();
    }, 'btn btn-secondary', 'hand-record');
    return h('li', { 'data-test': 'hand-vote', 'data-organization-id': org.id },
      h('span', { class: 'speaker-name', text: org.name }), ' ',
      h('span', { class: 'badge', t: [voted ? 'ballot.has_voted' : 'ballot.not_voted'] }), pick.wrap, record);
  }
  function renderHands() {
    const s = getSession();
    const open = ballots.filter((b) => b.status === 'open');
    const present = new Set(s.present_organizations.map((o) => o.id));
    fill(handBox, open.length ? open.map((b) => {
      const choosable = !b.kind || ['proposal', 'block', 'approval'].includes(b.kind);
      const orgs = b.eligible_organizations.filter((o) => present.has(o.id));
      return h('div', { class: 'hand-ballot', 'data-ballot-id': b.id },
        h('h4', { text: b.question }),
        choosable
          ? h('ul', { class: 'attendance' }, orgs.map((o) => handRow(b, o)))
          : h('p', { class: 'hint', t: ['session.hand_ranked'] }));
    }) : h('p', { class: 'hint', t: ['session.hand_none'] }));
  }

  // ---- inline controls on the agenda and the speakers list
  function agendaControls(item, index) {
    const s = getSession();
    if (s.status === 'closed') return null;
    const controls = [];
    if (item.id !== s.current_item_id) {
      controls.push(button('session.treat_now', () => send('patch', path(), { current_item_id: item.id }), 'btn btn-secondary', 'treat-now'));
    }
    if (index > 0) {
      controls.push(button('session.item_up', () => {
        const agenda = [...s.agenda];
        [agenda[index - 1], agenda[index]] = [agenda[index], agenda[index - 1]];
        return send('patch', path(), { agenda });
      }, 'btn btn-secondary', 'item-up'));
    }
    if (s.status === 'open' && item.proposal_id) {
      controls.push(h('a', { class: 'btn btn-secondary', 'data-test': 'open-item-ballot',
        href: `/propuestas/${enc(item.proposal_id)}?sesion=${enc(s.id)}#open-ballot`, t: ['session.open_ballot'] }));
    } else if (s.status === 'open' && item.document_id) {
      controls.push(h('a', { class: 'btn btn-secondary', 'data-test': 'open-item-ballot',
        href: `/documentos/${enc(item.document_id)}/proceso?sesion=${enc(s.id)}#secretariat-ballots`, t: ['session.open_ballot'] }));
    }
    return h('span', { class: 'actions inline-actions' }, controls);
  }

  function speakerControls(speaker) {
    const s = getSession();
    if (s.status !== 'open') return null;
    const one = `${path()}/speakers/${enc(speaker.id)}`;
    if (speaker.status === 'speaking') {
      return h('span', { class: 'actions inline-actions' },
        button('session.speaker_more', () => send('patch', one, { limit_seconds: Math.min(MAX_SECONDS, speaker.limit_seconds + EXTRA_SECONDS) }), 'btn btn-secondary', 'speaker-more'),
        button('session.speaker_stop', () => send('patch', one, { status: 'done' }), 'btn btn-primary', 'speaker-stop'));
    }
    const waiting = s.speakers.filter((x) => x.status === 'waiting');
    const before = waiting[waiting.findIndex((x) => x.id === speaker.id) - 1];
    return h('span', { class: 'actions inline-actions' },
      button('session.speaker_start', () => send('patch', one, { status: 'speaking' }), 'btn btn-primary', 'speaker-start'),
      before ? button('session.speaker_up', () => send('patch', one, { position: before.position }), 'btn btn-secondary', 'speaker-up') : null,
      button('session.speaker_remove', () => send('del', one), 'btn btn-secondary', 'speaker-remove'));
  }

  let ballotKey = '';
  function render() {
    renderStatus();
    renderAttendance();
    renderFloor();
    const key = getSession().ballot_ids.join(',');
    if (key !== ballotKey) {
      ballotKey = key;
      loadBallots();
    } else {
      renderHands();
    }
  }

  const headingId = nextId('conduct');
  const node = h('section', { id: 'session-console', class: 'session-console', 'aria-labelledby': headingId },
    h('h2', { id: headingId, t: ['session.console_heading'] }),
    alert,
    subsection('session.status_heading', statusBox),
    subsection('session.attendance_heading', h('p', { class: 'hint', t: ['session.attendance_hint'] }), search.wrap, counter, list),
    subsection('session.floor_heading', floorPick.wrap, h('div', { class: 'actions' }, floorButton)),
    subsection('session.hand_heading', h('p', { class: 'hint', t: ['session.hand_hint'] }), handBox));
  return { node, render, agendaControls, speakerControls };
}
