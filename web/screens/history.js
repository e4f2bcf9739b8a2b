// The history of a document (/documentos/<id>/historial): its versions, the
// comparison table ("cuadro comparativo") between any two, and exports.

import * as api from '../api.js';
import { h, nextId } from '../dom.js';
import { getLang, loadPart, tx } from '../i18n.js';
import { alertBox, field, showError, time } from '../ui.js';
import { enc } from './shared.js';

const CHANGES = ['added', 'removed', 'changed'];
const SUMMARIES = ['created', 'section_added', 'section_edited', 'imported', 'proposal_adopted'];

export async function historyView(ctx, rawId) {
  await loadPart('pages');
  const id = decodeURIComponent(rawId);
  const base = `/api/v1/documents/${enc(id)}`;
  const { signal } = ctx;
  const [doc, versions] = await Promise.all([api.get(base, { signal }), api.get(`${base}/versions`, { signal })]);
  const latest = versions.length ? versions[versions.length - 1].version : doc.version;
  const query = new URLSearchParams(location.search);

  const list = h('ol', { class: 'timeline versions', id: 'versions', reversed: true },
    [...versions].reverse().map((v) => h('li', { 'data-test': 'version', 'data-version': String(v.version) },
      h('strong', { t: ['history.version', { n: String(v.version) }] }), ' · ', time(v.created_at),
      v.summary ? h('p', SUMMARIES.includes(v.summary) ? { t: [`history.summary_${v.summary}`] } : { class: 'pre', text: v.summary }) : null,
      v.proposal_id ? h('p', null, h('a', { href: `/propuestas/${enc(v.proposal_id)}`, t: ['history.from_proposal'] })) : null)));

  const option = (v) => h('option', { value: String(v.version), t: ['history.version', { n: String(v.version) }] });
  const from = field({ name: 'from', label: 'history.from', options: [], attrs: { id: 'history-from' } });
  const to = field({ name: 'to', label: 'history.to', options: [], attrs: { id: 'history-to' } });
  from.input.replaceChildren(...versions.map(option));
  to.input.replaceChildren(...versions.map(option));
  const wanted = (name, fallback) => {
    const n = Number(query.get(name));
    return versions.some((v) => v.version === n) ? n : fallback;
  };
  from.input.value = String(wanted('desde', Math.max(1, latest - 1)));
  to.input.value = String(wanted('hasta', latest));

  const alert = alertBox();
  const output = h('div', { id: 'comparison', 'data-test': 'comparison' });
  const exports = h('ul', { class: 'exports', id: 'exports' });
  const lang = getLang();
  function links() {
    const pair = `from=${enc(from.input.value)}&to=${enc(to.input.value)}`;
    exports.replaceChildren(
      h('li', null, h('a', { href: `${base}/export?format=markdown&lang=${lang}`, id: 'export-markdown', t: ['history.export_markdown'] })),
      h('li', null, h('a', { href: `${base}/export?format=html&lang=${lang}`, id: 'export-html', t: ['history.export_html'] })),
      h('li', null, h('a', { href: `${base}/comparison?${pair}&format=html&lang=${lang}`, id: 'export-comparison', t: ['history.export_comparison'] })),
      h('li', null, h('a', { href: `${base}/comparison?${pair}&format=json`, id: 'export-comparison-json', t: ['history.export_comparison_json'] })));
  }

  async function compare() {
    alert.replaceChildren();
    links();
    tx(output, 'common.loading');
    try {
      const data = await api.get(`${base}/comparison?from=${enc(from.input.value)}&to=${enc(to.input.value)}`, { signal });
      if (!ctx.current()) return;
      output.removeAttribute('data-i18n');
      output.replaceChildren(table(data));
      const url = `${location.pathname}?desde=${data.from}&hasta=${data.to}`;
      history.replaceState(null, '', url);
    } catch (err) {
      output.replaceChildren();
      output.removeAttribute('data-i18n');
      if (ctx.current()) showError(alert, err);
    }
  }

  const button = h('button', { type: 'submit', class: 'btn btn-primary', id: 'compare-versions', t: ['history.compare'] });
  const form = h('form', { class: 'panel compare', id: 'history-form', novalidate: true },
    h('div', { class: 'pair' }, from.wrap, to.wrap), h('div', { class: 'actions' }, button));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    compare();
  });

  const versionsId = nextId('versions');
  const compareId = nextId('compare');
  const exportId = nextId('export');
  ctx.show(['history.page_title', { title: doc.title }],
    h('p', { class: 'crumbs' }, h('a', { href: `/documentos/${enc(id)}`, text: doc.title })),
    h('h1', { t: ['history.title'] }),
    h('p', { class: 'lead', t: ['history.intro', { n: String(doc.version) }] }),
    h('section', { 'aria-labelledby': compareId },
      h('h2', { id: compareId, t: ['history.compare_heading'] }), form, alert, output),
    h('section', { class: 'panel', 'aria-labelledby': exportId },
      h('h2', { id: exportId, t: ['history.export_heading'] }), exports),
    h('section', { class: 'panel', 'aria-labelledby': versionsId },
      h('h2', { id: versionsId, t: ['history.versions_heading'] }), list));
  links();
  if (versions.length > 1) compare();
}

/** The comparison rows as a table: what it said, what it says. */
function table(data) {
  if (!data.rows?.length) return h('p', { class: 'notice', id: 'no-changes', t: ['history.no_changes'] });
  const cell = (title, body) => h('td', null,
    title ? h('strong', { class: 'cell-title', text: title }) : null,
    body != null ? h('p', { class: 'pre', text: body }) : h('span', { class: 'hint', t: ['history.absent'] }));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'comparison' },
    h('caption', { t: ['history.caption', { from: String(data.from), to: String(data.to) }] }),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', t: ['history.before', { n: String(data.from) }] }),
      h('th', { scope: 'col', t: ['history.after', { n: String(data.to) }] }))),
    h('tbody', null, data.rows.flatMap((r) => {
      const kind = r.kind === 'chapter' ? 'chapter' : 'article';
      const n = r.to_number ?? r.from_number ?? '';
      const change = CHANGES.includes(r.change) ? r.change : 'changed';
      return [
        h('tr', { class: `row-label change-${change}`, 'data-test': 'comparison-row', 'data-section-id': r.section_id },
          h('th', { scope: 'colgroup', colspan: '2' },
            h('span', { t: [`charter.${kind}_number`, { n: String(n) }] }), ' ',
            h('span', { class: `badge change-${change}`, t: [`history.change_${change}`] }))),
        h('tr', { class: `change-${change}` },
          r.before == null && r.title_before == null ? cell(null, null) : cell(r.title_before, r.before ?? ''),
          r.after == null && r.title_after == null ? cell(null, null) : cell(r.title_after, r.after ?? '')),
      ];
    }))));
}
