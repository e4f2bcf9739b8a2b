// Console: the charter editor. Create a document, add and edit its
// sections, or replace them all by importing Markdown.

import * as api from '../api.js';
import { h, nextId } from '../dom.js';
import { tx } from '../i18n.js';
import { ask, charCount, field, makeForm, needText } from '../ui.js';
import { enc, sectionProps } from './shared.js';

const BODY_MAX = 100000;
const IMPORT_MAX = 2 * 1024 * 1024;

export async function charterTab(ctx, root) {
  const docs = await api.get('/api/v1/documents', { signal: ctx.signal });
  const query = new URLSearchParams(location.search);
  const editor = h('div', { id: 'charter-editor' });
  const picker = field({ name: 'document', label: 'editor.document', options: [], attrs: { id: 'editor-document' } });
  picker.input.replaceChildren(...docs.map((d) => h('option', { value: d.id, text: d.title })));
  const wanted = docs.some((d) => d.id === query.get('documento')) ? query.get('documento') : docs[0]?.id;
  if (wanted) picker.input.value = wanted;
  // The forms act on the document they were drawn for: take them away at
  // once when another document is chosen, so nothing lands on the old one.
  const clearEditor = () => editor.replaceChildren(h('p', { class: 'loading', t: ['common.loading'] }));
  const open = async () => {
    clearEditor();
    history.replaceState(null, '', `/secretaria/carta?documento=${enc(picker.input.value)}`);
    await loadEditor(ctx, picker.input.value, editor);
  };
  picker.input.addEventListener('change', open);

  const title = field({ name: 'title', label: 'editor.doc_title', attrs: { id: 'new-doc-title', maxlength: 200 } });
  const create = makeForm(ctx, {
    submitKey: 'editor.create_doc', cls: 'inline-form', children: [title.wrap],
    check: () => needText(title.input, 'propose.title_required', 200, 'propose.title_too_long'),
    send: () => api.post('/api/v1/documents', { title: title.input.value.trim() }),
    done(doc) {
      clearEditor();
      ctx.navigate(`/secretaria/carta?documento=${enc(doc.id)}`, true);
    },
  });
  create.id = 'doc-create-form';

  root.replaceChildren(
    h('details', { class: 'panel', id: 'new-document', open: docs.length ? null : true },
      h('summary', { t: ['editor.new_doc'] }), create),
    docs.length ? picker.wrap : h('p', { class: 'notice', t: ['charter.no_documents'] }),
    editor);
  if (wanted) await loadEditor(ctx, wanted, editor);
}

async function loadEditor(ctx, id, editor) {
  const base = `/api/v1/documents/${enc(id)}`;
  const doc = await api.get(base, { signal: ctx.signal });
  const reload = () => loadEditor(ctx, id, editor);
  const version = h('p', { class: 'meta', id: 'editor-version' },
    h('span', { t: ['charter.version', { n: String(doc.version) }] }), ' · ',
    h('a', { href: `/documentos/${enc(id)}`, t: ['editor.view'] }));
  const sections = h('ol', { class: 'cards sections', id: 'editor-sections' }, doc.sections.map((s) => sectionCard(ctx, s, reload)));
  const sectionsId = nextId('sections');
  editor.replaceChildren(
    version,
    h('section', { 'aria-labelledby': sectionsId },
      h('h3', { id: sectionsId, t: ['editor.sections', { n: String(doc.sections.length) }] }),
      doc.sections.length ? sections : h('p', { class: 'hint', t: ['charter.empty'] })),
    addSectionForm(ctx, base, doc, reload),
    importForm(ctx, base, doc, reload));
}

function sectionFields(s = {}) {
  const title = field({ name: 'title', label: 'editor.section_title', required: false, value: s.title ?? '', attrs: { maxlength: 200 } });
  const body = field({ name: 'body', label: 'editor.section_body', hint: 'editor.markdown_hint', rows: 8, required: false, value: s.body ?? '' });
  const check = () => [
    ...(charCount(title.input.value) > 200 ? [{ input: title.input, key: 'propose.title_too_long' }] : []),
    ...(charCount(body.input.value) > BODY_MAX ? [{ input: body.input, key: 'common.too_long', params: { max: String(BODY_MAX) } }] : []),
  ];
  return { title, body, check };
}

function sectionCard(ctx, s, reload) {
  const f = sectionFields(s);
  const form = makeForm(ctx, {
    submitKey: 'common.save', cls: 'inline-form', children: [f.title.wrap, f.body.wrap], check: f.check,
    send: () => api.patch(`/api/v1/sections/${enc(s.id)}`, { title: f.title.input.value.trim(), body: f.body.input.value }),
    done: reload,
  });
  return h('li', { class: `panel card section-${s.kind}`, 'data-test': 'editor-section', 'data-section-id': s.id },
    h('details', null, h('summary', sectionProps(s)), form));
}

function addSectionForm(ctx, base, doc, reload) {
  const kind = field({ name: 'kind', label: 'editor.kind', options: [
    { value: 'article', key: 'editor.kind_article' }, { value: 'chapter', key: 'editor.kind_chapter' }] });
  const after = field({ name: 'after', label: 'propose.after', options: [], attrs: { id: 'section-after' } });
  after.input.replaceChildren(h('option', { value: '', t: ['propose.at_start'] }),
    ...doc.sections.map((s) => h('option', { value: s.id, ...sectionProps(s) })));
  if (doc.sections.length) after.input.value = doc.sections[doc.sections.length - 1].id;
  const f = sectionFields();
  const form = makeForm(ctx, {
    submitKey: 'editor.add_section', children: [h('h3', { t: ['editor.add_heading'] }), kind.wrap, after.wrap, f.title.wrap, f.body.wrap],
    check: f.check,
    send() {
      const payload = { kind: kind.input.value, title: f.title.input.value.trim(), body: f.body.input.value };
      if (after.input.value) payload.after_section_id = after.input.value;
      return api.post(`${base}/sections`, payload);
    },
    done: reload,
  });
  form.id = 'add-section-form';
  return form;
}

function importForm(ctx, base, doc, reload) {
  const text = field({ name: 'markdown', label: 'editor.import_text', hint: 'editor.import_hint', rows: 10, required: false, attrs: { id: 'import-text' } });
  const fileId = nextId('file');
  const file = h('input', { type: 'file', id: fileId, accept: '.md,.markdown,.txt,text/markdown,text/plain', 'data-test': 'import-file' });
  const fileNote = h('p', { class: 'hint', role: 'status' });
  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    if (chosen.size > IMPORT_MAX) {
      tx(fileNote, 'error.payload_too_large');
      return;
    }
    text.input.value = await chosen.text();
    tx(fileNote, 'editor.file_loaded', { name: chosen.name });
  });
  const form = makeForm(ctx, {
    submitKey: 'editor.import_submit',
    children: [h('h3', { t: ['editor.import_heading'] }), h('p', { class: 'hint', t: ['editor.import_intro'] }),
      h('div', { class: 'field' }, h('label', { for: fileId, t: ['editor.import_file'] }), file), fileNote, text.wrap],
    check: () => (text.input.value.trim() ? [] : [{ input: text.input, key: 'editor.import_required' }]),
    async send() {
      if (doc.sections.length && !ask('editor.import_confirm', { n: String(doc.sections.length) })) return null;
      return api.post(`${base}/import`, text.input.value, { contentType: 'text/markdown; charset=utf-8' });
    },
    done(result) {
      if (result) reload();
    },
  });
  form.id = 'import-form';
  return form;
}
