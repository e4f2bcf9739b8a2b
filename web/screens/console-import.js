// Console: replacing the whole text from a file. Markdown is pasted or
// read here; a Word (.docx) or OpenDocument (.odt) file is sent as it is and
// the server finds its chapters and articles. "Vista previa" asks for a dry
// run and shows the structure found; only "Importar" replaces the text.

import * as api from '../api.js';
import { fill, h, nextId } from '../dom.js';
import { tx } from '../i18n.js';
import { alertBox, ask, field, fillAlert, setBusy, showError } from '../ui.js';

const IMPORT_MAX = 2 * 1024 * 1024; // API.md: import bodies up to 2 MiB
const OFFICE_TYPES = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  odt: 'application/vnd.oasis.opendocument.text',
};

const extensionOf = (name) => (name.match(/\.([a-z0-9]+)$/i)?.[1] || '').toLowerCase();

/** The preview of a dry run: counts, then each section in order. */
function previewList(preview) {
  return [
    h('p', { class: 'notice', 'data-test': 'import-found',
      t: ['editor.import_found', { chapters: String(preview.chapters), articles: String(preview.articles) }] }),
    h('ol', { class: 'import-preview', id: 'import-preview' }, preview.sections.map((s) => h('li', { 'data-kind': s.kind },
      h('span', { class: 'badge', t: [`editor.kind_${s.kind}`] }), ' ', h('strong', { text: s.title }),
      s.body ? h('span', { class: 'hint', t: ['editor.import_chars', { n: String([...s.body].length) }] }) : null))),
  ];
}

export function importForm(ctx, base, doc, reload) {
  const text = field({ name: 'markdown', label: 'editor.import_text', hint: 'editor.import_hint', rows: 10, required: false, attrs: { id: 'import-text' } });
  const fileId = nextId('file');
  const file = h('input', {
    type: 'file', id: fileId, 'data-test': 'import-file',
    accept: `.md,.markdown,.txt,.docx,.odt,text/markdown,text/plain,${Object.values(OFFICE_TYPES).join(',')}`,
  });
  const fileNote = h('p', { class: 'hint', role: 'status' });
  const alert = alertBox();
  const preview = h('div', { id: 'import-result', 'aria-live': 'polite' });
  let office = null; // {file, type} when a word-processor file is chosen

  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    office = null;
    fill(preview);
    if (!chosen) return;
    if (chosen.size > IMPORT_MAX) {
      tx(fileNote, 'error.payload_too_large');
      return;
    }
    const type = OFFICE_TYPES[extensionOf(chosen.name)];
    if (type) {
      office = { file: chosen, type };
      text.input.value = '';
      text.input.disabled = true;
      tx(fileNote, 'editor.office_loaded', { name: chosen.name });
    } else {
      text.input.disabled = false;
      text.input.value = await chosen.text();
      tx(fileNote, 'editor.file_loaded', { name: chosen.name });
    }
  });

  const send = (dryRun) => {
    const query = dryRun ? '?dry_run=true' : '';
    return office
      ? api.post(`${base}/import${query}`, office.file, { contentType: office.type })
      : api.post(`${base}/import${query}`, text.input.value, { contentType: 'text/markdown; charset=utf-8' });
  };
  const previewButton = h('button', { type: 'button', class: 'btn btn-secondary', id: 'import-preview-button', t: ['editor.import_preview'] });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', t: ['editor.import_submit'] });
  const buttons = [previewButton, submit];
  const run = async (dryRun, button) => {
    alert.replaceChildren();
    if (!office && !text.input.value.trim()) {
      fillAlert(alert, [{ key: 'editor.import_required' }]);
      text.input.focus();
      return;
    }
    if (!dryRun && doc.sections.length && !ask('editor.import_confirm', { n: String(doc.sections.length) })) return;
    setBusy(buttons, button, true);
    try {
      const answer = await send(dryRun);
      if (!ctx.current()) return;
      setBusy(buttons, button, false);
      if (dryRun) fill(preview, previewList(answer));
      else reload();
    } catch (err) {
      if (!ctx.current()) return;
      setBusy(buttons, button, false);
      showError(alert, err);
      button.focus();
    }
  };
  previewButton.addEventListener('click', () => run(true, previewButton));
  const form = h('form', { method: 'post', novalidate: true, class: 'panel', id: 'import-form' },
    h('h3', { t: ['editor.import_heading'] }), h('p', { class: 'hint', t: ['editor.import_intro'] }),
    h('div', { class: 'field' }, h('label', { for: fileId, t: ['editor.import_file'] }), file), fileNote, text.wrap,
    alert, h('div', { class: 'actions' }, buttons), preview);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!submit.disabled) run(false, submit);
  });
  return form;
}
