// The secretariat's forms to open a ballot on a whole document: rival
// proposals on one article (alternatives), a block of the articles nobody
// objects to, and the approval of the whole text at its current version.
// Each lands on /votaciones/<id> once opened.

import * as api from '../api.js';
import { h, nextId } from '../dom.js';
import { tx } from '../i18n.js';
import { checkbox, field, fillAlert, makeForm, orgLabel, statusOf } from '../ui.js';
import { enc } from './shared.js';
import { articleProps } from './stance-map.js';
import { sessionPicker } from './session-pick.js';

/** Ecuador has no daylight saving time: always UTC-5 (as in ballot.js). */
const ECUADOR_OFFSET = '-05:00';
const RIVAL_KINDS = ['amend', 'delete'];
const MAX_OPTIONS = 12; // domain/document_ballot.rs

const localToDate = (value) => new Date(`${value}${value.length === 16 ? ':00' : ''}${ECUADOR_OFFSET}`);

/**
 * The rule of a ballot: the session it opens in, majority (unless `majority` is null), quorum in
 * percent, secret, live results (with `live`), closing time. Returns
 * {nodes, check(), body()} where body() is in the server's terms (quorum a
 * fraction 0..1, majority simple|absolute|two_thirds).
 */
function ruleFields(ctx, { majority = 'simple', live = true } = {}) {
  const session = sessionPicker(ctx);
  const nodes = [session.wrap];
  const m = majority && field({
    name: 'majority', label: 'ballot.majority',
    options: ['simple', 'absolute', 'two_thirds'].map((v) => ({ value: v, key: `ballot.majority_option_${v}` })),
  });
  if (m) {
    m.input.value = majority;
    nodes.push(m.wrap);
  }
  const quorum = field({
    name: 'quorum', label: 'ballot.quorum_label', type: 'number', hint: 'ballot.quorum_hint', value: '50',
    attrs: { min: 0, max: 100, step: 1, inputmode: 'numeric' },
  });
  const secret = checkbox('secret', 'ballot.secret_label');
  nodes.push(quorum.wrap, secret.wrap);
  const liveResults = live && checkbox('live_results', 'ballot.live_label');
  if (liveResults) {
    secret.input.addEventListener('change', () => {
      // A secret ballot cannot show a live tally: each change would reveal a vote.
      if (secret.input.checked) liveResults.input.checked = false;
      liveResults.input.disabled = secret.input.checked;
    });
    nodes.push(liveResults.wrap, h('p', { class: 'hint', t: ['ballot.secret_live_hint'] }));
  }
  const closes = field({
    name: 'closes_at', label: 'ballot.closes_label', type: 'datetime-local', hint: 'ballot.closes_hint', required: false,
  });
  nodes.push(closes.wrap);
  return {
    nodes,
    check() {
      const problems = [];
      const q = Number(quorum.input.value);
      if (quorum.input.value === '' || !(q >= 0 && q <= 100)) problems.push({ input: quorum.input, key: 'ballot.quorum_invalid' });
      if (closes.input.value) {
        const at = localToDate(closes.input.value).getTime();
        if (Number.isNaN(at) || at <= Date.now()) problems.push({ input: closes.input, key: 'ballot.closes_past' });
      }
      return problems;
    },
    body() {
      const body = { quorum: Number(quorum.input.value) / 100, secret: secret.input.checked, ...session.body() };
      if (m) body.majority = m.input.value;
      if (liveResults) body.live_results = liveResults.input.checked;
      if (closes.input.value) body.closes_at = localToDate(closes.input.value).toISOString();
      return body;
    },
  };
}

/**
 * A form that POSTs to the document's ballots and goes to the ballot; a
 * refusal (409, 422) shows `refusedKey` with the server's detail, and
 * `onRefused` may refresh what the page knows.
 */
function ballotForm(ctx, base, { submitKey, children, check, body, refusedKey, onRefused }) {
  const form = makeForm(ctx, {
    submitKey, cls: 'inline-form', children, check,
    async send() {
      try {
        return await api.post(`${base}/ballots`, body());
      } catch (err) {
        if (![409, 422].includes(statusOf(err))) throw err;
        return { refusal: err };
      }
    },
    done(result) {
      if (result.refusal) {
        fillAlert(form.alert, [{ key: statusOf(result.refusal) === 409 ? refusedKey : 'process.open_invalid' }], result.refusal.detail);
        form.querySelector('button[type="submit"]').focus();
        onRefused?.();
        return;
      }
      ctx.navigate(`/votaciones/${enc(result.id)}`);
    },
  });
  return form;
}

const box = (id, summaryKey, hintKey, ...content) => h('details', { class: 'panel', id, 'data-test': id },
  h('summary', { t: [summaryKey] }), h('p', { class: 'hint', t: [hintKey] }), ...content);

/** The rival proposals on one article, and optionally keeping its text. */
function alternativesBox(ctx, base, state) {
  const section = field({ name: 'section', label: 'process.alt_section', options: [], attrs: { id: 'alt-section' } });
  const rivals = h('div', { id: 'alt-rivals' });
  const legendId = nextId('rivals');
  const statusQuo = checkbox('status_quo', 'process.alt_status_quo', true, 'alt-status-quo');
  const method = field({
    name: 'method', label: 'process.alt_method', hint: 'process.alt_method_hint', attrs: { id: 'alt-method' },
    options: ['ranked', 'plurality'].map((v) => ({ value: v, key: `process.method.${v}` })),
  });
  const rule = ruleFields(ctx, { majority: null, live: false });
  const none = h('p', { class: 'notice', id: 'alt-none', t: ['process.alt_none'] });
  let boxes = [];

  const byArticle = () => {
    const articles = new Map(state.map.map((row) => [row.section_id, row]));
    const groups = new Map();
    for (const p of state.proposals) {
      if (p.status !== 'open' || !RIVAL_KINDS.includes(p.kind) || !articles.has(p.section_id)) continue;
      if (!groups.has(p.section_id)) groups.set(p.section_id, []);
      groups.get(p.section_id).push(p);
    }
    return { articles, groups };
  };

  function drawRivals() {
    const { groups } = byArticle();
    const list = groups.get(section.input.value) || [];
    boxes = list.map((p) => {
      const id = nextId('rival');
      const input = h('input', { type: 'checkbox', id, name: 'proposal_ids', value: p.id, checked: true });
      return { input, wrap: h('div', { class: 'check', 'data-test': 'alt-rival' }, input,
        h('label', { for: id, text: `${p.title} · ${orgLabel(p.organization)}` })) };
    });
    rivals.replaceChildren(h('fieldset', { class: 'kinds' },
      h('legend', { id: legendId, t: ['process.alt_rivals'] }), boxes.map((b) => b.wrap)));
  }

  const form = ballotForm(ctx, base, {
    submitKey: 'process.alt_submit',
    children: [section.wrap, rivals, statusQuo.wrap, method.wrap, ...rule.nodes],
    check() {
      const chosen = boxes.filter((b) => b.input.checked).length;
      const options = chosen + Number(statusQuo.input.checked);
      const problems = [];
      if (!chosen || options < 2) problems.push({ input: boxes[0]?.input || statusQuo.input, key: 'process.alt_two' });
      else if (options > MAX_OPTIONS) problems.push({ input: boxes[0].input, key: 'process.alt_too_many', params: { n: String(MAX_OPTIONS) } });
      return [...problems, ...rule.check()];
    },
    body: () => ({
      kind: 'alternatives',
      proposal_ids: boxes.filter((b) => b.input.checked).map((b) => b.input.value),
      status_quo: statusQuo.input.checked,
      method: method.input.value,
      ...rule.body(),
    }),
    refusedKey: 'process.alt_refused',
    onRefused: state.refreshProposals,
  });
  form.id = 'alt-form';
  section.input.addEventListener('change', drawRivals);

  function render() {
    const { articles, groups } = byArticle();
    const was = section.input.value;
    section.input.replaceChildren(...[...groups.keys()].map((id) => {
      const [key, params] = articleProps(articles.get(id)).t;
      const n = groups.get(id).length;
      return h('option', { value: id, t: [n === 1 ? 'process.alt_section_one' : 'process.alt_section_many', { section: { key, params }, n: String(n) }] });
    }));
    if (groups.has(was)) section.input.value = was;
    none.hidden = groups.size > 0;
    form.hidden = groups.size === 0;
    if (was !== section.input.value || !boxes.length || boxes.length !== (groups.get(section.input.value) || []).length) drawRivals();
  }
  render();
  return { node: box('alt-ballot', 'process.alt_heading', 'process.alt_intro', none, form), render };
}

/** The articles nobody objects to, adopted as they stand in one ballot. */
function blockBox(ctx, base, state) {
  const list = h('ul', { class: 'plain-list block-list', id: 'block-articles' });
  const legendId = nextId('block');
  const rule = ruleFields(ctx, { majority: 'simple' });
  const allContested = h('p', { class: 'notice', id: 'block-none', t: ['process.block_all_contested'], hidden: true });
  let boxes = [];
  let form = null;
  // What the secretariat took out stays out when a live change redraws the list.
  const leftOut = new Set();

  function render() {
    boxes = [];
    list.replaceChildren(...state.map.map((row) => {
      const id = nextId('block');
      const contested = row.object > 0;
      const whyId = contested ? `${id}-why` : null;
      const input = h('input', {
        type: 'checkbox', id, name: 'section_ids', value: row.section_id, checked: !contested && !leftOut.has(row.section_id),
        disabled: contested, 'aria-describedby': whyId,
      });
      input.addEventListener('change', () => {
        if (input.checked) leftOut.delete(row.section_id);
        else leftOut.add(row.section_id);
      });
      if (!contested) boxes.push(input);
      return h('li', { class: 'check', 'data-test': 'block-article', 'data-section-id': row.section_id, 'data-contested': String(contested) },
        input, h('label', { for: id, ...articleProps(row) }),
        contested && h('span', { id: whyId, class: 'badge st-object', 'data-test': 'block-excluded',
          t: ['process.block_excluded', { orgs: row.objections.map((o) => o.organization.name).join(', ') }] }));
    }));
    allContested.hidden = boxes.length > 0 || !state.map.length;
    if (form) form.hidden = !boxes.length;
  }
  render();
  form = ballotForm(ctx, base, {
    submitKey: 'process.block_submit',
    children: [h('fieldset', { class: 'kinds' }, h('legend', { id: legendId, t: ['process.block_articles'] }), list), ...rule.nodes],
    check() {
      const problems = boxes.some((b) => b.checked) ? [] : [{ input: boxes[0], key: 'process.block_none' }];
      return [...problems, ...rule.check()];
    },
    body: () => ({ kind: 'block', section_ids: boxes.filter((b) => b.checked).map((b) => b.value), ...rule.body() }),
    refusedKey: 'process.block_refused',
    onRefused: state.refreshMap,
  });
  form.id = 'block-form';
  form.hidden = !boxes.length;
  return { node: box('block-ballot', 'process.block_heading', 'process.block_intro', allContested, form), render };
}

/** The whole text at its current version; passing makes it final. */
function approvalBox(ctx, base, state) {
  const version = h('p', { id: 'approval-version', 'data-test': 'approval-version' });
  const rule = ruleFields(ctx, { majority: 'two_thirds' });
  const form = ballotForm(ctx, base, {
    submitKey: 'process.approval_submit',
    children: [version, ...rule.nodes],
    check: rule.check,
    body: () => ({ kind: 'approval', version: state.doc.version, ...rule.body() }),
    refusedKey: 'process.approval_refused',
    onRefused: state.refreshDoc,
  });
  form.id = 'approval-form';
  const render = () => tx(version, 'process.approval_version', { n: String(state.doc.version) });
  render();
  return { node: box('approval-ballot', 'process.approval_heading', 'process.approval_intro', form), render };
}

/** The secretariat's section; render() follows the state (map, proposals, version, phase). */
export function ballotForms(ctx, base, state) {
  const parts = [alternativesBox(ctx, base, state), blockBox(ctx, base, state), approvalBox(ctx, base, state)];
  const frozen = h('p', { class: 'notice', id: 'ballots-frozen', t: ['process.ballots_final'], hidden: true });
  const forms = h('div', { id: 'open-ballots' }, parts.map((p) => p.node));
  const headingId = nextId('open');
  const node = h('section', { id: 'secretariat-ballots', 'aria-labelledby': headingId },
    h('h2', { id: headingId, t: ['process.open_heading'] }),
    frozen, forms);
  function render() {
    const final = state.doc.phase === 'final';
    frozen.hidden = !final;
    forms.hidden = final;
    for (const p of parts) p.render();
  }
  render();
  return { node, render };
}
