// One proposal (/propuestas/<id>): what it changes, its word diff against
// the article, its revisions, what the user may do with it, the ballot and
// the discussion. Live on `proposal:<id>`.

import * as api from '../api.js';
import { fill, h, nextId } from '../dom.js';
import { tx } from '../i18n.js';
import * as live from '../live.js';
import { actionButton, alertBox, ask, field, orgLabel, showError, statusOf, time } from '../ui.js';
import {
  diffLegend, enc, isSecretariat, kindProps, presenceLines, prose, renderDiff, sectionProps, statusBadge,
} from './shared.js';
import { commentsSection } from './comments.js';

const ownOrg = (user, p) => user.role === 'delegate' && user.organization?.id === p.organization?.id;
const cosponsor = (user, p) => user.role === 'delegate' && (p.cosponsors ?? []).some((o) => o.id === user.organization?.id);
const mayRevise = (user, p) => p.status === 'open' && (isSecretariat(user) || ownOrg(user, p) || cosponsor(user, p));
// Co-sponsors, provenance, a new title: a module of its own, loaded when there is any.
const hasProvenance = (user, p) => Boolean(p.cosponsors?.length || p.invited_cosponsors?.length ||
  p.supersedes?.length || p.superseded_by || p.revision?.section_title || (p.status === 'open' && ownOrg(user, p)));

export async function proposalView(ctx, rawId) {
  const id = decodeURIComponent(rawId);
  const base = `/api/v1/proposals/${enc(id)}`;
  const { signal, user } = ctx;
  const [first, comments] = await Promise.all([
    api.get(base, { signal }),
    api.get(`${base}/comments`, { signal }),
  ]);
  let p = first;
  const topic = `proposal:${p.id}`;
  let target = null; // the article, once the document is loaded

  const titleEl = h('h1', { id: 'proposal-title', text: p.title });
  const metaEl = h('p', { class: 'meta', id: 'proposal-meta' });
  const noticesEl = h('div', { id: 'proposal-notices' });
  const factsEl = h('dl', { class: 'facts', id: 'proposal-facts' });
  const rationaleEl = h('p', { class: 'pre', id: 'proposal-rationale' });
  const textSection = h('section', { class: 'panel', id: 'proposed-text' });
  const diffSection = h('section', { class: 'panel', id: 'changes' });
  const actionsAlert = alertBox();
  const actionsEl = h('div', { class: 'actions', id: 'proposal-actions' });
  const actionsNote = h('div', { id: 'proposal-action-note', role: 'status' });
  const ballotSlot = h('div', { id: 'ballot-slot' });
  const provenanceSlot = h('div', { id: 'provenance-slot' });
  let provenance = null;
  const crumbs = h('p', { class: 'crumbs' });
  const presence = presenceLines(user);
  const revisions = revisionsSection(ctx, base);
  let ballot = null;
  let actionsKey = '';

  const discussion = commentsSection(ctx, p, comments, { topic, presence });

  // ---- quoting: select text of the proposed text, then "Citar"
  let quote = '';
  let hideTimer = 0;
  const quoteButton = h('button', {
    type: 'button', class: 'btn btn-secondary quote-btn', id: 'quote-button', hidden: true, t: ['proposal.quote'],
  });
  const quoteNote = h('p', { class: 'hint', id: 'quote-note', role: 'status' });
  const bodyEl = h('div', { id: 'revision-body' });
  const onSelection = () => {
    const selection = document.getSelection();
    const text = selection && !selection.isCollapsed ? selection.toString() : '';
    const inside = text && bodyEl.contains(selection.anchorNode) && bodyEl.contains(selection.focusNode);
    if (inside && text.trim()) {
      clearTimeout(hideTimer);
      quote = text;
      quoteButton.hidden = false;
    } else if (!quoteButton.hidden) {
      // A tap on the button may clear the selection first: wait a moment.
      clearTimeout(hideTimer);
      hideTimer = setTimeout(() => { quoteButton.hidden = true; quote = ''; }, 1500);
    }
  };
  document.addEventListener('selectionchange', onSelection);
  ctx.leave(() => document.removeEventListener('selectionchange', onSelection));
  quoteButton.addEventListener('click', () => {
    const found = findQuote(p.revision?.body ?? '', quote);
    if (!found) {
      tx(quoteNote, 'proposal.quote_failed');
      return;
    }
    quoteNote.replaceChildren();
    quoteNote.removeAttribute('data-i18n');
    discussion.quote(found, p.revision.number);
    quoteButton.hidden = true;
  });

  function renderHead() {
    titleEl.textContent = p.title;
    metaEl.replaceChildren(statusBadge(p.status), ' ', h('span', { class: 'badge', ...kindProps(p.kind) }),
      p.locked ? h('span', { class: 'badge status-locked', id: 'locked-badge', t: ['proposal.locked'] }) : '');
    noticesEl.replaceChildren(
      p.outdated ? h('div', { class: 'notice warn', id: 'outdated-notice', 'data-test': 'outdated', role: 'note' },
        h('p', { t: ['proposal.outdated'] })) : '',
      p.status === 'withdrawn' ? h('p', { class: 'notice', t: ['proposal.withdrawn_note'] }) : '');
    const docHref = `/documentos/${enc(p.document_id)}${p.section_id ? `#sec-${p.section_id}` : ''}`;
    crumbs.replaceChildren(h('a', { href: docHref, t: ['proposal.back'] }));
    const fact = (key, ...value) => h('div', null, h('dt', { t: [key] }), h('dd', null, ...value));
    const targetId = p.kind === 'add' ? p.after_section_id : p.section_id;
    fill(factsEl,
      fact('proposal.organization', orgLabel(p.organization)),
      fact('proposal.author', p.author?.display_name ?? ''),
      p.kind !== 'general' && fact(p.kind === 'add' ? 'proposal.after' : 'proposal.article',
        target ? h('a', { href: `/documentos/${enc(p.document_id)}#sec-${targetId}`, ...sectionProps(target) })
          : h('span', { t: [targetId ? 'common.loading' : 'proposal.at_start'] })),
      fact('proposal.created', time(p.created_at)),
      fact('proposal.base_version', String(p.base_version)),
      fact('proposal.revision', h('span', { t: ['proposal.revision_value', { n: String(p.revision?.number ?? 1) }] }), ' · ',
        time(p.revision?.created_at ?? p.created_at)),
      fact('proposal.comments', h('a', { href: '#comments', t: ['proposal.to_comments'] })));
    rationaleEl.textContent = p.rationale || '';
    if (!p.rationale) tx(rationaleEl, 'proposal.no_rationale');
    else rationaleEl.removeAttribute('data-i18n');
  }

  let shownRevision = 0;
  function renderText() {
    const number = p.revision?.number ?? 0;
    if (number === shownRevision) return;
    shownRevision = number;
    const headingId = nextId('text');
    if (p.kind === 'delete') {
      textSection.replaceChildren(h('h2', { id: headingId, t: ['proposal.delete_heading'] }),
        h('p', { t: ['proposal.delete_text'] }));
    } else {
      bodyEl.replaceChildren(prose(p.revision?.body_html ?? '', { 'data-test': 'revision-body' }));
      fill(textSection,
        h('h2', { id: headingId, t: [p.kind === 'general' ? 'proposal.motion_heading' : 'proposal.text_heading'] }),
        p.revision?.body ? bodyEl : h('p', { class: 'hint', t: ['proposal.no_text'] }),
        p.revision?.body ? h('div', { class: 'quote-tools' },
          quoteButton, h('p', { class: 'hint', t: ['proposal.quote_hint'] }), quoteNote) : null);
    }
    textSection.setAttribute('aria-labelledby', headingId);
    diffSection.hidden = p.kind === 'general' || p.kind === 'add';
    if (!diffSection.hidden) loadBaseDiff();
    revisions.load();
  }

  async function loadBaseDiff() {
    const headingId = nextId('diff');
    const box = h('div', { class: 'diff', id: 'proposal-diff', 'data-test': 'proposal-diff', t: ['common.loading'] });
    diffSection.replaceChildren(h('h2', { id: headingId, t: ['proposal.diff_heading'] }), diffLegend(), box);
    diffSection.setAttribute('aria-labelledby', headingId);
    try {
      const diff = await api.get(`${base}/diff?from=base`, { signal });
      box.removeAttribute('data-i18n');
      renderDiff(diff.ops, box);
    } catch (err) {
      if (ctx.current()) showError(box, err);
    }
  }

  function renderActions() {
    const key = [p.status, p.locked, p.ballot_id, p.revision?.number, ...(p.cosponsors ?? []).map((o) => o.id)].join('|');
    if (key === actionsKey) return;
    actionsKey = key;
    const items = [];
    if (mayRevise(user, p)) {
      items.push(h('a', { href: `/propuestas/${enc(p.id)}/revisar`, class: 'btn btn-primary', id: 'revise-link', t: ['proposal.revise'] }));
      const withdraw = actionButton(ctx, 'proposal.withdraw', actionsAlert, async () => {
        if (!ask('proposal.withdraw_confirm')) return;
        update(await api.post(`${base}/withdraw`));
        tx(actionsNote, 'proposal.withdrawn_done');
      });
      withdraw.id = 'withdraw';
      items.push(withdraw);
    }
    if (isSecretariat(user)) {
      const lock = actionButton(ctx, p.locked ? 'proposal.unlock' : 'proposal.lock', actionsAlert, async () => {
        update(await api.post(`${base}/${p.locked ? 'unlock' : 'lock'}`));
      });
      lock.id = 'lock-toggle';
      items.push(lock);
      if (p.status === 'passed') {
        const adopt = actionButton(ctx, 'proposal.adopt', actionsAlert, async () => {
          if (!ask('proposal.adopt_confirm')) return;
          try {
            const result = await api.post(`${base}/adopt`);
            tx(actionsNote, 'proposal.adopted_done', { n: String(result.document_version) });
            update(await api.get(base));
          } catch (err) {
            if (statusOf(err) === 409) showError(actionsAlert, err, 'proposal.adopt_conflict');
            else throw err;
          }
        }, 'btn btn-primary');
        adopt.id = 'adopt';
        items.push(adopt);
      }
    }
    actionsEl.replaceChildren(...items);
    actionsEl.hidden = !items.length;
    // Opening a ballot is a form: built only when needed.
    if (isSecretariat(user) && p.status === 'open' && !document.getElementById('open-ballot')) {
      import('./ballot.js').then((m) => {
        if (!ctx.current() || p.status !== 'open' || document.getElementById('open-ballot')) return;
        actionsEl.after(m.openBallotForm(ctx, p.id, (b) => {
          update({ ...p, status: 'voting', ballot_id: b.id });
        }));
      });
    } else if (p.status !== 'open') {
      document.getElementById('open-ballot')?.remove();
    }
  }

  async function mountBallot() {
    if (!p.ballot_id || ballot?.id === p.ballot_id) return;
    const m = await import('./ballot.js');
    if (!ctx.current() || !p.ballot_id || ballot?.id === p.ballot_id) return;
    ballot?.stop();
    ballot = m.ballotPanel(ctx, p.ballot_id);
    ballot.id = p.ballot_id;
    ballotSlot.replaceChildren(ballot.el);
    ctx.leave(() => ballot?.stop());
  }

  async function renderProvenance() {
    if (!provenance && !hasProvenance(user, p)) return;
    if (!provenance) {
      const m = await import('./provenance.js');
      if (!ctx.current() || provenance) return;
      provenance = await m.provenancePanel(ctx, user, update);
      provenanceSlot.replaceChildren(provenance.el);
    }
    await provenance.render(p);
  }

  function update(next) {
    if (!next || next.id !== p.id) return;
    const lockedBefore = p.locked;
    p = next;
    renderHead();
    renderText();
    renderActions();
    mountBallot();
    renderProvenance();
    if (lockedBefore !== p.locked) discussion.setLocked(p.locked);
  }

  renderHead();
  renderText();
  renderActions();
  mountBallot();
  renderProvenance();

  ctx.show(['proposal.page_title', { title: p.title }],
    crumbs, titleEl, metaEl, noticesEl, factsEl, provenanceSlot,
    actionsAlert, actionsNote, actionsEl,
    ballotSlot,
    h('section', { class: 'panel', id: 'rationale', 'aria-labelledby': 'rationale-h' },
      h('h2', { id: 'rationale-h', t: ['proposal.rationale'] }), rationaleEl),
    textSection, diffSection, revisions.el,
    presence.viewing,
    discussion.el);

  // The article's label and number come with the document: not worth a wait.
  if (p.kind !== 'general') {
    api.get(`/api/v1/documents/${enc(p.document_id)}`, { signal }).then((doc) => {
      const targetId = p.kind === 'add' ? p.after_section_id : p.section_id;
      target = doc.sections.find((s) => s.id === targetId) || null;
      if (ctx.current()) renderHead();
    }).catch(() => {});
  }

  // Replayed history says what the proposal was then; some of what it is
  // now (`outdated`) changes without an event here, so after a replay the
  // proposal is read again rather than taken from old events.
  let replayed = false;
  ctx.leave(presence.stop);
  ctx.leave(live.follow(topic, (message) => {
    if (message.type === 'subscribed' && replayed) {
      replayed = false;
      api.get(base, { signal }).then(update).catch(() => {});
    }
    if (message.type !== 'event') {
      presence.handle(message);
      return;
    }
    const kind = message.kind || '';
    const data = message.data || {};
    if (kind.startsWith('proposal.') && data.proposal) {
      if (message.replay) replayed = true;
      // An event's text has its references unresolved: the server's answer shows them as labels.
      else if (data.proposal.revision?.body?.includes('[[ref:')) api.get(base, { signal }).then(update).catch(() => {});
      else update(data.proposal);
    }
    else if (kind.startsWith('comment.')) discussion.event(message);
    else if (kind.startsWith('ballot.')) {
      if (ballot) ballot.event(message);
      else if (!message.replay) api.get(base, { signal }).then(update).catch(() => {});
    }
  }));
}

/** The revision list, and a word diff between any two of them (or the base). */
function revisionsSection(ctx, base) {
  const headingId = nextId('revs');
  const list = h('ol', { id: 'revisions', class: 'timeline' });
  const from = field({ name: 'from', label: 'revisions.from', options: [], attrs: { id: 'compare-from' } });
  const to = field({ name: 'to', label: 'revisions.to', options: [], attrs: { id: 'compare-to' } });
  const output = h('div', { class: 'diff', id: 'revision-compare', 'data-test': 'revision-compare' });
  const alert = alertBox();
  const compare = h('button', { type: 'submit', class: 'btn btn-secondary', id: 'compare-button', t: ['revisions.compare'] });
  const form = h('form', { class: 'compare', novalidate: true }, h('div', { class: 'pair' }, from.wrap, to.wrap),
    h('div', { class: 'actions' }, compare));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    alert.replaceChildren();
    tx(output, 'common.loading');
    try {
      const diff = await api.get(`${base}/diff?from=${enc(from.input.value)}&to=${enc(to.input.value)}`, { signal: ctx.signal });
      output.removeAttribute('data-i18n');
      renderDiff(diff.ops, output);
    } catch (err) {
      output.replaceChildren();
      output.removeAttribute('data-i18n');
      if (ctx.current()) showError(alert, err);
    }
  });
  const el = h('section', { class: 'panel', id: 'revisions-section', 'aria-labelledby': headingId },
    h('h2', { id: headingId, t: ['revisions.heading'] }), list,
    h('h3', { t: ['revisions.compare_heading'] }), form, alert, diffLegend(), output);

  const option = (value, key, n) => h('option', { value, t: [key, { n: String(n ?? '') }] });
  async function load() {
    // The server pages revisions by count and size; read on from the last
    // number until a page comes back empty.
    const revs = [];
    try {
      for (;;) {
        const after = revs.length ? revs[revs.length - 1].number : 0;
        const page = await api.get(`${base}/revisions?after=${after}`, { signal: ctx.signal });
        if (!page.length || !ctx.current()) break;
        revs.push(...page);
      }
    } catch (err) {
      if (ctx.current()) showError(alert, err);
      return;
    }
    if (!ctx.current()) return;
    const last = revs.length ? revs[revs.length - 1].number : 1;
    list.replaceChildren(...revs.map((r) => {
      const show = h('button', { type: 'button', class: 'btn-link', t: ['revisions.show_changes'] });
      show.addEventListener('click', () => {
        from.input.value = r.number > 1 ? String(r.number - 1) : 'base';
        to.input.value = String(r.number);
        form.requestSubmit();
      });
      return h('li', { 'data-test': 'revision', 'data-revision': String(r.number) },
        h('strong', { t: ['revisions.item', { n: String(r.number) }] }), ' · ', time(r.created_at), ' · ',
        r.author?.display_name ?? '',
        r.note ? h('p', { class: 'pre note', text: r.note }) : null,
        h('div', null, show));
    }));
    const keepFrom = from.input.value;
    const keepTo = to.input.value;
    from.input.replaceChildren(option('base', 'revisions.base'), ...revs.map((r) => option(String(r.number), 'revisions.item', r.number)));
    to.input.replaceChildren(...revs.map((r) => option(String(r.number), 'revisions.item', r.number)));
    from.input.value = keepFrom || (last > 1 ? String(last - 1) : 'base');
    to.input.value = keepTo && Number(keepTo) <= last ? keepTo : String(last);
    if (!from.input.value) from.input.value = 'base';
    if (!to.input.value) to.input.value = String(last);
  }
  return { el, load };
}

/**
 * The passage of the revision's Markdown that a selection of its rendered
 * text shows: the server accepts only text that is really in the revision.
 */
export function findQuote(body, selected) {
  const text = selected.replace(/\s+/g, ' ').trim();
  if (!text) return null;
  if (body.includes(text)) return text;
  const words = text.split(' ').slice(0, 200).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const match = new RegExp(words.join('[\\s*_`~>#\\[\\]()!|+-]+')).exec(body);
  return match ? match[0] : null;
}
