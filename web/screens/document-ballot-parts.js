// Pieces of the screen of a ballot on a document (document-ballot.js): the
// plurality form, what is decided (the options, the articles of a block,
// the version approved), and an alternatives ballot's result.

import { h, nextId } from '../dom.js';
import { enc, sectionProps } from './shared.js';

/** An option's label as a translation param: the status quo is translated. */
export const labelOf = (o) => (o?.proposal_id ? o.label : { key: 'votes.status_quo' });
/** "Artículo 3. Naturaleza" as a nested translation param. */
export const sectionParam = (s) => { const [key, params] = sectionProps(s).t; return { key, params }; };
const voteCount = (n) => h('span', { class: 'hint', t: [n === 1 ? 'votes.count_one' : 'votes.count', { n: String(n) }] });

/** One radio per option; send(optionId | null, button) on submit. */
export function pluralityForm(options, send) {
  const name = nextId('option');
  const radios = options.map((o) => {
    const inputId = nextId('opt');
    return h('div', { class: 'check' },
      h('input', { type: 'radio', name, id: inputId, value: o.id, 'data-test': 'option-radio' }),
      h('label', { for: inputId, t: ['votes.label', { label: labelOf(o) }] }));
  });
  const button = h('button', { type: 'submit', class: 'btn btn-primary', id: 'send-option', t: ['votes.send_option'] });
  const form = h('form', { novalidate: true, id: 'plurality-form' },
    h('fieldset', { class: 'kinds' }, h('legend', { t: ['votes.pick_one'] }), radios),
    h('div', { class: 'actions' }, button));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    send(form.querySelector('input[type="radio"]:checked')?.value ?? null, button);
  });
  return form;
}

/** What is decided: the articles of a block, the text approved, or the rival options. */
export function subjectPanel(kind, ballot, doc, section) {
  const byId = new Map(doc.sections.map((s) => [s.id, s]));
  const docHref = `/documentos/${enc(ballot.document_id)}`;
  const heading = (key) => h('h2', { id: 'ballot-subject-h', t: [key] });
  const panel = (...children) => h('section', { class: 'panel', id: 'ballot-subject', 'aria-labelledby': 'ballot-subject-h' }, ...children);
  if (kind === 'block') {
    return panel(heading('votes.block_heading'), h('p', { class: 'hint', t: ['votes.block_hint'] }),
      h('ul', { class: 'plain-list', id: 'block-sections', 'data-test': 'block-sections' }, ballot.section_ids.map((sid) =>
        h('li', null, byId.has(sid)
          ? h('a', { href: `${docHref}#sec-${sid}`, ...sectionProps(byId.get(sid)) })
          : h('span', { t: ['charter.unknown_section'] })))));
  }
  if (kind === 'approval') {
    return panel(heading('votes.approval_heading'),
      h('p', { t: ['votes.approval_text', { version: String(ballot.version) }] }),
      h('p', null, h('a', { href: docHref, t: ['votes.read_text'] })));
  }
  return panel(heading('votes.options_heading'),
    section ? h('p', null, h('a', { href: `${docHref}#sec-${section.id}`, ...sectionProps(section) })) : null,
    h('ul', { class: 'plain-list', id: 'ballot-options' }, ballot.options.map((o) => h('li', null, o.proposal_id
      ? h('a', { href: `/propuestas/${enc(o.proposal_id)}`, text: o.label })
      : h('span', { t: ['votes.status_quo_option'] })))));
}

/** A closed alternatives ballot: the winner (or why none), the order, plurality's counts, the quorum. */
export function alternativesResult(b) {
  const alt = b.alternatives;
  const option = (oid) => b.options.find((o) => o.id === oid);
  const winner = alt.winner ? option(alt.winner) : null;
  const index = (oid) => b.options.findIndex((o) => o.id === oid);
  return [
    h('h2', { t: ['ballot.result_heading'] }),
    h('p', { class: `result ${winner ? 'passed' : 'failed'}`, 'data-test': 'winner', 'data-winner': alt.winner || '',
      t: winner ? [winner.proposal_id ? 'votes.winner' : 'votes.winner_status_quo', { label: labelOf(winner) }]
        : [b.result.quorum_met ? 'votes.no_winner' : 'votes.no_winner_quorum'] }),
    alt.tie_broken ? h('p', { class: 'hint', t: ['votes.tie_broken'] }) : null,
    h('h3', { t: ['votes.order_heading'] }),
    h('ol', { class: 'plain-list', id: 'result-order', 'data-test': 'result-order' }, alt.order.map((oid) => h('li', null,
      h('span', { t: ['votes.label', { label: labelOf(option(oid)) }] }),
      alt.method === 'plurality' ? voteCount(alt.counts?.[index(oid)] ?? 0) : null,
      oid === alt.winner ? [' ', h('span', { class: 'badge ballot-closed', t: ['votes.winner_badge'] })] : null))),
    h('p', { t: [b.result.quorum_met ? 'ballot.quorum_met' : 'ballot.quorum_missed', { n: String(b.result.yes), of: String(b.result.eligible) }] }),
  ];
}
