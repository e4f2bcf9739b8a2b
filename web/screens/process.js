// The approval process of a document (/documentos/<id>/proceso): the
// objection map (each member organization's stance on each article), a
// delegate's forms to say their organization's stance, the document's own
// ballots, and the secretariat's forms to open them (rival proposals, a
// block of uncontested articles, the whole text). Ballots, proposals, the
// phase and new versions follow live on `document:<id>`; stances have no
// event, so the map is refreshed after a save and on "Actualizar el mapa".

import * as api from '../api.js';
import { h, nextId } from '../dom.js';
import { loadPart, setTitle, tx } from '../i18n.js';
import * as live from '../live.js';
import { actionButton, alertBox, showError, time } from '../ui.js';
import { loadStylesheet } from './stylesheet.js';
import { enc, isSecretariat } from './shared.js';
import { stanceForms, stanceMap } from './stance-map.js';

const PHASES = ['drafting', 'amendments', 'deliberation', 'voting', 'final'];
const KINDS = ['alternatives', 'approval', 'block', 'proposal'];
const BALLOT_STATUSES = ['open', 'closed', 'cancelled'];
const phaseOf = (doc) => (PHASES.includes(doc?.phase) ? doc.phase : 'amendments');
const speaksForMember = (user) => user?.role === 'delegate' && user?.organization?.kind === 'member';

export async function processView(ctx, rawId) {
  const id = decodeURIComponent(rawId);
  const base = `/api/v1/documents/${enc(id)}`;
  const { signal, user } = ctx;
  const secretariat = isSecretariat(user);
  const [, , doc, map, ballots, proposals] = await Promise.all([
    loadPart('process'),
    loadStylesheet('/process.css'),
    api.get(base, { signal }),
    api.get(`${base}/stances`, { signal }),
    api.get(`${base}/ballots`, { signal }),
    secretariat ? api.get(`${base}/proposals?status=open`, { signal }) : [],
  ]);
  const state = { doc, map, ballots, proposals };
  const alert = alertBox();

  // ---- the parts
  const title = h('p', { class: 'lead', id: 'process-doc' });
  const phase = h('p', { id: 'process-phase', 'data-test': 'process-phase' });
  const mapView = stanceMap();
  const updated = h('p', { class: 'hint', id: 'map-updated', 'aria-live': 'polite' });
  const own = speaksForMember(user) ? stanceForms(ctx, user, () => refreshMap()) : null;
  const ballotList = h('ul', { class: 'cards', id: 'document-ballots' });
  const noBallots = h('p', { class: 'hint', id: 'no-ballots', t: ['process.no_ballots'] });
  let forms = null;

  function drawHeader() {
    tx(title, 'process.lead', { title: state.doc.title, n: String(state.doc.version) });
    const p = phaseOf(state.doc);
    phase.className = `notice phase-${p}${['deliberation', 'voting'].includes(p) ? ' warn' : ''}`;
    phase.dataset.phase = p;
    tx(phase, 'process.phase_now', { phase: { key: `process.phase.${p}` } });
    setTitle('process.title_doc', { title: state.doc.title });
  }

  function drawMap() {
    mapView.render(state.map);
    tx(updated, 'process.map_updated', { date: { date: new Date().toISOString(), short: true } });
    own?.render(state.map, phaseOf(state.doc));
  }

  function drawBallots() {
    noBallots.hidden = state.ballots.length > 0;
    ballotList.replaceChildren(...[...state.ballots].reverse().map((b) => {
      const status = BALLOT_STATUSES.includes(b.status) ? b.status : 'open';
      return h('li', { class: 'panel card', 'data-test': 'document-ballot', 'data-ballot-id': b.id, 'data-kind': b.kind },
        h('h3', null, h('a', { href: `/votaciones/${enc(b.id)}`, text: b.question })),
        h('p', { class: 'meta' },
          h('span', KINDS.includes(b.kind) ? { t: [`process.kind.${b.kind}`] } : { text: b.kind }), ' · ',
          h('span', { class: `badge ballot-${status}`, 'data-test': 'ballot-status', t: [`ballot.status_${status}`] }), ' · ',
          h('span', { t: ['process.opened'] }), ' ', time(b.opened_at)));
    }));
  }

  // ---- refreshing
  const guard = async (fn) => {
    try {
      await fn();
    } catch (err) {
      if (ctx.current() && err?.name !== 'AbortError') showError(alert, err);
    }
  };
  async function refreshMap() {
    const next = await api.get(`${base}/stances`, { signal });
    if (!ctx.current()) return;
    state.map = next;
    drawMap();
    forms?.render();
  }
  async function refreshDoc() {
    const [next, nextMap] = await Promise.all([api.get(base, { signal }), api.get(`${base}/stances`, { signal })]);
    if (!ctx.current()) return;
    state.doc = next;
    state.map = nextMap;
    drawHeader();
    drawMap();
    forms?.render();
  }
  async function refreshBallots() {
    const next = await api.get(`${base}/ballots`, { signal });
    if (!ctx.current()) return;
    state.ballots = next;
    drawBallots();
  }
  async function refreshProposals() {
    if (!secretariat) return;
    const next = await api.get(`${base}/proposals?status=open`, { signal });
    if (!ctx.current()) return;
    state.proposals = next;
    forms?.render();
  }
  state.refreshMap = () => guard(refreshMap);
  state.refreshDoc = () => guard(refreshDoc);
  state.refreshProposals = () => guard(refreshProposals);

  if (secretariat) {
    const { ballotForms } = await import('./process-ballots.js');
    forms = ballotForms(ctx, base, state);
  }
  drawHeader();
  drawMap();
  drawBallots();

  const refresh = actionButton(ctx, 'process.refresh', alert, async () => {
    await refreshMap();
    await refreshBallots();
  });
  refresh.id = 'refresh-map';
  const mapId = nextId('map');
  const ballotsId = nextId('ballots');
  ctx.show(['process.title_doc', { title: doc.title }],
    h('p', { class: 'crumbs' }, h('a', { href: `/documentos/${enc(id)}`, id: 'back-to-document', t: ['process.back'] })),
    h('h1', { t: ['process.title'] }),
    title,
    phase,
    alert,
    h('section', { id: 'objection-map', 'aria-labelledby': mapId },
      h('h2', { id: mapId, t: ['process.map_heading'] }),
      h('p', { class: 'hint', t: ['process.map_intro'] }),
      mapView.node,
      h('div', { class: 'actions map-tools' }, refresh),
      updated),
    own?.node,
    h('section', { id: 'ballots-section', 'aria-labelledby': ballotsId },
      h('h2', { id: ballotsId, t: ['process.ballots_heading'] }),
      noBallots, ballotList),
    forms?.node);

  // ---- live: ballots, proposals, the phase and new versions of the text
  const timers = {};
  const soon = (name, fn) => {
    clearTimeout(timers[name]);
    timers[name] = setTimeout(() => guard(fn), 250);
  };
  ctx.leave(() => Object.values(timers).forEach(clearTimeout));
  ctx.leave(live.follow(`document:${doc.id}`, (message) => {
    if (message.type !== 'event') return;
    const kind = String(message.kind || '');
    if (kind.startsWith('ballot.')) soon('ballots', refreshBallots);
    if (kind.startsWith('proposal.') || kind === 'ballot.closed') soon('proposals', refreshProposals);
    if (kind === 'document.version' || kind === 'document.phase') soon('doc', refreshDoc);
  }));
}
