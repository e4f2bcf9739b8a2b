// The charter: the list of documents (/) and one document (/documentos/<id>)
// with its chapters and articles, the proposals in course on each article,
// and the general motions, under a banner that says which phase the
// document is in (with the countdown to the amendments deadline). Live on
// `document:<id>`.

import * as api from '../api.js';
import { h, nextId } from '../dom.js';
import { setTitle, t, tx } from '../i18n.js';
import * as live from '../live.js';
import { actionButton, alertBox, describeError, orgLabel } from '../ui.js';
import {
  canPropose, enc, isSecretariat, presenceLines, proposalItem, prose, sectionProps,
} from './shared.js';

const IN_COURSE = ['open', 'voting'];
const PHASES = ['drafting', 'amendments', 'deliberation', 'voting', 'final'];
const phaseOf = (stage) => (PHASES.includes(stage?.phase) ? stage.phase : 'amendments');

export async function listView(ctx) {
  // One round trip for both; what waits for the organization comes first.
  const [docs, pending] = await Promise.all([
    api.get('/api/v1/documents', { signal: ctx.signal }),
    import('./pending.js').then((screen) => screen.pendingSection(ctx)),
  ]);
  const { user } = ctx;
  const list = h('ul', { class: 'doc-list', id: 'documents' },
    docs.map((d) => h('li', { 'data-test': 'document', 'data-document-id': d.id },
      h('a', { href: `/documentos/${enc(d.id)}`, class: 'doc-link', text: d.title }),
      h('span', { class: 'meta' },
        h('span', { t: ['charter.version', { n: String(d.version) }] }), ' · ',
        h('span', { t: ['charter.updated', { date: { date: d.updated_at, short: true } }] })))));
  ctx.show('charter.list_title',
    h('h1', { t: ['charter.list_title'] }),
    h('p', { class: 'lead', t: ['charter.welcome', { name: user.display_name, org: orgLabel(user.organization) }] }),
    pending,
    h('h2', { id: 'documents-title', t: ['charter.documents'] }),
    docs.length ? list : h('p', { class: 'notice', id: 'no-documents', t: ['charter.no_documents'] }),
    !docs.length && isSecretariat(user) &&
      h('p', null, h('a', { href: '/secretaria/carta', class: 'btn btn-primary', t: ['charter.create_first'] })));
}

/** Where a proposal shows on the page: its article, or with the general motions. */
const placeOf = (p, sections) => {
  const id = p.kind === 'add' ? p.after_section_id : p.section_id;
  return id && sections.has(id) && sections.get(id).kind === 'article' ? id : 'general';
};

export async function documentView(ctx, rawId) {
  const id = decodeURIComponent(rawId);
  const base = `/api/v1/documents/${enc(id)}`;
  const { signal, user } = ctx;
  const [doc, open, voting] = await Promise.all([
    api.get(base, { signal }),
    api.get(`${base}/proposals?status=open`, { signal }),
    api.get(`${base}/proposals?status=voting`, { signal }),
  ]);
  const sections = new Map(doc.sections.map((s) => [s.id, s]));
  const proposals = new Map([...open, ...voting].map((p) => [p.id, p]));
  const blocks = new Map(); // place -> element listing its proposals
  const hasChapters = doc.sections.some((s) => s.kind === 'chapter');
  const proposeHref = (params) => `/documentos/${enc(id)}/proponer?${new URLSearchParams(params)}`;

  function fillBlock(place) {
    const block = blocks.get(place);
    if (!block) return;
    const mine = [...proposals.values()].filter((p) => placeOf(p, sections) === place);
    block.dataset.count = String(mine.length);
    if (place === 'general') {
      block.replaceChildren(mine.length
        ? h('ul', { class: 'prop-list' }, mine.map(proposalItem))
        : h('p', { class: 'hint', t: ['charter.no_general'] }));
      return;
    }
    if (!mine.length) {
      block.replaceChildren();
      return;
    }
    const votingCount = mine.filter((p) => p.status === 'voting').length;
    const details = h('details', { class: 'props' },
      h('summary', null,
        h('span', { 'data-test': 'proposal-count', t: [mine.length === 1 ? 'charter.open_one' : 'charter.open_many', { n: String(mine.length) }] }),
        votingCount ? h('span', { class: 'badge status-voting', t: ['charter.voting_count', { n: String(votingCount) }] }) : null),
      h('ul', { class: 'prop-list' }, mine.map(proposalItem)));
    const was = block.querySelector('details');
    if (was?.open) details.open = true;
    block.replaceChildren(details);
  }

  const headingFor = (s) => (s.kind === 'chapter' ? 'h2' : hasChapters ? 'h3' : 'h2');
  const proposeLinks = []; // hidden when the phase does not take proposals
  const proposeLink = (s) => {
    const link = h('a', {
      href: proposeHref({ tipo: 'amend', seccion: s.id }),
      class: 'btn-link', 'data-test': 'propose-change', t: ['charter.propose_change'],
    });
    proposeLinks.push(link);
    return link;
  };
  const toc = [];
  const body = doc.sections.map((s) => {
    const anchor = `sec-${s.id}`;
    toc.push(h('li', { class: `toc-${s.kind}` }, h('a', { href: `#${anchor}`, ...sectionProps(s) })));
    if (s.kind === 'chapter') {
      return h('section', { class: 'chapter', id: anchor, 'data-test': 'chapter', 'data-section-id': s.id },
        h('h2', sectionProps(s)),
        s.body_html ? prose(s.body_html) : null);
    }
    const block = h('div', { class: 'article-proposals', id: `proposals-${s.id}`, 'data-test': 'article-proposals' });
    blocks.set(s.id, block);
    return h('article', { class: 'article', id: anchor, 'data-test': 'article', 'data-section-id': s.id },
      h(headingFor(s), sectionProps(s)),
      prose(s.body_html),
      h('div', { class: 'article-tools' },
        block,
        canPropose(user) && proposeLink(s)));
  });
  const general = h('div', { id: 'general-proposals', 'data-test': 'general-proposals' });
  blocks.set('general', general);
  for (const place of blocks.keys()) fillBlock(place);

  const notice = h('div', { id: 'doc-notice', role: 'status' });
  const versionLine = h('span', { id: 'doc-version', t: ['charter.version', { n: String(doc.version) }] });
  const presence = presenceLines(user);
  const title = h('h1', { id: 'doc-title', text: doc.title });
  const newProposal = canPropose(user) && h('p', { class: 'actions' },
    h('a', { href: proposeHref({}), id: 'new-proposal', class: 'btn btn-primary', t: ['charter.new_proposal'] }));
  const closedNote = h('p', { class: 'notice', id: 'propose-closed', 'data-test': 'propose-closed', hidden: true });
  const banner = phaseBanner(ctx, user, doc, ({ allowed, why }) => {
    if (newProposal) newProposal.hidden = !allowed;
    for (const link of proposeLinks) link.hidden = !allowed;
    closedNote.hidden = !why;
    if (why) tx(closedNote, why);
  });
  const generalId = nextId('general');
  const closedList = h('div', { class: 'closed-proposals' });
  const closed = h('details', { id: 'closed-proposals', class: 'panel' },
    h('summary', { t: ['charter.closed_proposals'] }), closedList);
  closed.addEventListener('toggle', () => {
    if (closed.open && !closedList.dataset.loaded) loadClosed(ctx, base, closedList);
  });

  ctx.show(['charter.doc_title', { title: doc.title }],
    h('p', { class: 'crumbs' }, h('a', { href: '/', t: ['charter.all_documents'] })),
    title,
    h('p', { class: 'meta' }, versionLine, ' · ',
      h('span', { t: ['charter.updated', { date: { date: doc.updated_at, short: true } }] }), ' · ',
      h('a', { href: `/documentos/${enc(id)}/historial`, id: 'history-link', t: ['charter.history_link'] }), ' · ',
      h('a', { href: `/documentos/${enc(id)}/proceso`, id: 'process-link', t: ['charter.process_link'] })),
    banner.node,
    doc.approval && h('div', { class: 'notice final-text', id: 'final-text', 'data-test': 'final-text', role: 'note' },
      h('p', null, h('span', { t: ['charter.final_text', { n: String(doc.approval.version) }] }), ' ',
        h('a', { href: `/votaciones/${enc(doc.approval.ballot_id)}`, t: ['charter.final_ballot'] })),
      h('p', null, h('span', { t: ['charter.final_hash'] }), ' ',
        h('code', { class: 'hash', 'data-test': 'final-hash', text: doc.approval.text_sha256 }))),
    isSecretariat(user) && h('p', null,
      h('a', { href: `/secretaria/carta?documento=${enc(id)}`, id: 'phase-manage', t: ['phase.manage'] })),
    presence.viewing,
    notice,
    newProposal,
    closedNote,
    doc.sections.length > 3 && h('details', { class: 'toc', id: 'toc' },
      h('summary', { t: ['charter.toc'] }), h('ol', null, toc)),
    doc.sections.length
      ? h('div', { class: 'charter', id: 'charter' }, body)
      : h('p', { class: 'notice', t: ['charter.empty'] }),
    h('section', { class: 'panel', id: 'general-motions', 'aria-labelledby': generalId },
      h('h2', { id: generalId, t: ['charter.general_heading'] }),
      h('p', { class: 'hint', t: ['charter.general_hint'] }),
      general),
    closed);

  // Live: proposals come and go; a new version of the text is announced.
  let newest = doc.version;
  ctx.leave(presence.stop);
  ctx.leave(live.follow(`document:${doc.id}`, (message) => {
    if (message.type !== 'event') {
      presence.handle(message);
      return;
    }
    const data = message.data || {};
    if (message.kind?.startsWith('proposal.') && data.proposal?.id) {
      const p = data.proposal;
      const before = proposals.get(p.id);
      if (IN_COURSE.includes(p.status)) proposals.set(p.id, p);
      else proposals.delete(p.id);
      const places = new Set([placeOf(p, sections)]);
      if (before) places.add(placeOf(before, sections));
      places.forEach(fillBlock);
    } else if (message.kind === 'document.phase') {
      if (typeof data.title === 'string' && data.title && data.title !== title.textContent) {
        title.textContent = data.title;
        setTitle('charter.doc_title', { title: data.title });
      }
      banner.update({ phase: data.phase, amendments_close_at: data.amendments_close_at ?? null });
      // Final only by an approval that passed: read again for its note and hash.
      if (data.phase === 'final' && !message.replay && !doc.approval) ctx.refresh();
    } else if (message.kind === 'document.version' && Number(data.version) > newest) {
      newest = Number(data.version);
      const alert = alertBox();
      notice.replaceChildren(h('div', { class: 'notice' },
        h('p', { t: ['charter.new_version', { n: String(newest) }] }),
        h('p', null, actionButton(ctx, 'charter.show_new_version', alert, () => ctx.refresh(), 'btn btn-primary'))));
      notice.append(alert);
    }
  }));
}

async function loadClosed(ctx, base, node) {
  node.dataset.loaded = '1';
  tx(node, 'common.loading');
  try {
    const all = await api.get(`${base}/proposals`, { signal: ctx.signal });
    const done = all.filter((p) => !IN_COURSE.includes(p.status)).reverse();
    node.removeAttribute('data-i18n');
    node.replaceChildren(done.length
      ? h('ul', { class: 'prop-list' }, done.map(proposalItem))
      : h('p', { class: 'hint', t: ['charter.no_closed'] }));
  } catch (err) {
    delete node.dataset.loaded;
    if (ctx.current()) tx(node, describeError(err).key);
  }
}

// ---- the phase banner

const DAY = 86400;
const UNIT_SIZES = [DAY, 3600, 60, 1];

/** "1 día", "1 hora": a duration i18n.formatDuration says in the singular. */
function singular(seconds) {
  const i = UNIT_SIZES.findIndex((size) => seconds >= size);
  const size = UNIT_SIZES[i] ?? 1;
  const next = UNIT_SIZES[i + 1];
  return Math.floor(seconds / size) === 1 && !(next && Math.floor((seconds % size) / next));
}

/** Milliseconds until the amendments deadline (0 once past), null without one. */
function msLeft(stage, now) {
  if (phaseOf(stage) !== 'amendments' || !stage.amendments_close_at) return null;
  const at = Date.parse(stage.amendments_close_at);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * Whether `user` may file a new proposal now, and if not the reason to show
 * (none for observers, who never propose). The server decides; this mirrors
 * its rule (phase.rs): the secretariat proposes in any phase but final,
 * delegates only in amendments before the deadline.
 */
function proposing(stage, user, now) {
  if (!canPropose(user)) return { allowed: false };
  const phase = phaseOf(stage);
  if (phase === 'final') return { allowed: false, why: 'phase.why.final' };
  if (isSecretariat(user)) return { allowed: true };
  if (phase !== 'amendments') return { allowed: false, why: `phase.why.${phase}` };
  return msLeft(stage, now) === 0 ? { allowed: false, why: 'phase.why.closed' } : { allowed: true };
}

/** Sets a translated text only when it changes: a live region is not re-announced for nothing. */
function say(el, key, params) {
  if (el.getAttribute('data-i18n') === key && el.textContent === t(key, params)) return;
  tx(el, key, params);
}

/**
 * The banner (role=status) saying the phase and what it means; with a
 * deadline, a countdown updated every minute (every second in the last
 * hour). onChange({allowed, why}) hears whether proposing is open.
 * update(stage) takes a `document.phase` event.
 */
function phaseBanner(ctx, user, initial, onChange) {
  const text = h('p', { 'data-test': 'phase-text' });
  // Outside the announcements: a screen reader hears the phase, not every tick.
  const countdown = h('p', { class: 'phase-countdown', 'data-test': 'phase-countdown', 'aria-live': 'off', hidden: true });
  const node = h('div', { class: 'phase-banner', role: 'status', 'data-test': 'phase-banner' }, text, countdown);
  let stage = { phase: initial.phase, amendments_close_at: initial.amendments_close_at ?? null };
  let timer = 0;
  let open = null;

  function render() {
    clearTimeout(timer);
    const now = Date.now();
    const phase = phaseOf(stage);
    const left = msLeft(stage, now);
    // Amber while proposals are not taken (deliberation, voting, a deadline past).
    const warn = ['deliberation', 'voting'].includes(phase) || left === 0;
    node.className = `notice phase-banner phase-${phase}${warn ? ' warn' : ''}`;
    node.dataset.phase = phase;
    const date = { date: stage.amendments_close_at };
    if (left === null) say(text, `phase.banner.${phase}`);
    else say(text, left > 0 ? 'phase.banner.amendments_until' : 'phase.banner.amendments_closed', { date });
    node.dataset.open = String(left !== 0 && phase === 'amendments');
    countdown.hidden = !left;
    if (left) {
      const seconds = Math.ceil(left / 1000);
      tx(countdown, singular(seconds) ? 'phase.countdown.one' : 'phase.countdown.other', { left: { duration: seconds } });
      const step = seconds <= 3600 ? 1000 : 60000;
      timer = setTimeout(render, (left % step || step) + 20);
    }
    const may = proposing(stage, user, now);
    const key = `${may.allowed}:${may.why}`;
    if (key !== open) {
      open = key;
      onChange(may);
    }
  }

  render();
  ctx.leave(() => clearTimeout(timer));
  return {
    node,
    update(next) {
      stage = next;
      render();
    },
  };
}
