// Console: the charter editor. Create a document, set its phase and the
// amendments deadline, add, edit, move and delete its sections, or replace
// them all by importing a file (console-import.js).

import * as api from '../api.js';
import { ApiError, NetworkError } from '../api.js';
import { h, nextId } from '../dom.js';
import { tx } from '../i18n.js';
import { actionButton, alertBox, ask, charCount, field, fillAlert, makeForm, needText } from '../ui.js';
import { importForm } from './console-import.js';
import { refPicker } from './ref-picker.js';
import { enc, sectionProps } from './shared.js';

const BODY_MAX = 100000;

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

/** flash: [key, params] said (and focused) at the top once the editor is drawn again. */
async function loadEditor(ctx, id, editor, flash) {
  const base = `/api/v1/documents/${enc(id)}`;
  const doc = await api.get(base, { signal: ctx.signal });
  if (!ctx.current()) return;
  const reload = () => loadEditor(ctx, id, editor);
  const reloadWith = (key, params) => loadEditor(ctx, id, editor, [key, params]);
  const version = h('p', { class: 'meta', id: 'editor-version' },
    h('span', { t: ['charter.version', { n: String(doc.version) }] }), ' · ',
    h('a', { href: `/documentos/${enc(id)}`, t: ['editor.view'] }));
  const said = h('p', { class: 'notice', id: 'editor-flash', role: 'status', tabindex: '-1', hidden: !flash, t: flash || null });
  const sections = h('ol', { class: 'cards sections', id: 'editor-sections' },
    doc.sections.map((s) => sectionCard(ctx, s, doc, reload, reloadWith)));
  const sectionsId = nextId('sections');
  editor.replaceChildren(
    version,
    said,
    phasePanel(ctx, base, doc),
    h('section', { 'aria-labelledby': sectionsId },
      h('h3', { id: sectionsId, t: ['editor.sections', { n: String(doc.sections.length) }] }),
      doc.sections.length ? sections : h('p', { class: 'hint', t: ['charter.empty'] })),
    addSectionForm(ctx, base, doc, reload),
    importForm(ctx, base, doc, reload));
  if (flash) said.focus();
}

function sectionFields(sections, s = {}) {
  const title = field({ name: 'title', label: 'editor.section_title', required: false, value: s.title ?? '', attrs: { maxlength: 200 } });
  const body = field({ name: 'body', label: 'editor.section_body', hint: 'editor.markdown_hint', rows: 8, required: false, value: s.body ?? '' });
  const refs = refPicker(sections.filter((other) => other.id !== s.id), body.input);
  const check = () => [
    ...(charCount(title.input.value) > 200 ? [{ input: title.input, key: 'propose.title_too_long' }] : []),
    ...(charCount(body.input.value) > BODY_MAX ? [{ input: body.input, key: 'common.too_long', params: { max: String(BODY_MAX) } }] : []),
  ];
  return { title, body, refs, check };
}

function sectionCard(ctx, s, doc, reload, reloadWith) {
  const f = sectionFields(doc.sections, s);
  const form = makeForm(ctx, {
    submitKey: 'common.save', cls: 'inline-form', children: [f.title.wrap, f.body.wrap, f.refs], check: f.check,
    send: () => api.patch(`/api/v1/sections/${enc(s.id)}`, { title: f.title.input.value.trim(), body: f.body.input.value }),
    done: reload,
  });
  return h('li', { class: `panel card section-${s.kind}`, 'data-test': 'editor-section', 'data-section-id': s.id },
    h('details', null, h('summary', sectionProps(s)), form,
      doc.phase !== 'final' && sectionTools(ctx, s, doc, reloadWith)));
}

function addSectionForm(ctx, base, doc, reload) {
  const kind = field({ name: 'kind', label: 'editor.kind', options: [
    { value: 'article', key: 'editor.kind_article' }, { value: 'chapter', key: 'editor.kind_chapter' }] });
  const after = field({ name: 'after', label: 'propose.after', options: [], attrs: { id: 'section-after' } });
  after.input.replaceChildren(h('option', { value: '', t: ['propose.at_start'] }),
    ...doc.sections.map((s) => h('option', { value: s.id, ...sectionProps(s) })));
  if (doc.sections.length) after.input.value = doc.sections[doc.sections.length - 1].id;
  const f = sectionFields(doc.sections);
  const form = makeForm(ctx, {
    submitKey: 'editor.add_section', children: [h('h3', { t: ['editor.add_heading'] }), kind.wrap, after.wrap, f.title.wrap, f.body.wrap, f.refs],
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

// ---- the phase and the deadline

const PHASES = ['drafting', 'amendments', 'deliberation', 'voting']; // `final` only by an approval ballot
const ZONE = 'America/Guayaquil';

function zoneParts(date) {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: ZONE, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  return Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
}

/** An instant as a datetime-local value in Ecuador time ("2025-12-14T18:00"). */
function toZone(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const p = zoneParts(date);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** A datetime-local value read as Ecuador time, as a Date (null if malformed). */
function fromZone(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(value);
  if (!m) return null;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
  const p = zoneParts(new Date(wall));
  const shown = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  const date = new Date(wall - (shown - wall));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A refusal the server explains (phase, deadline, position): its detail is worth showing. */
const refused = (err) => err instanceof ApiError && (err.status === 409 || err.status === 422);

const stageParams = (d) => ({ phase: { key: `editor.phase_name.${d.phase}` }, date: { date: d.amendments_close_at } });
const hasDeadline = (d) => d.phase === 'amendments' && Boolean(d.amendments_close_at);

function phasePanel(ctx, base, doc) {
  const headingId = nextId('phase');
  const current = h('p', { id: 'phase-current', 'data-test': 'phase-current' });
  const describe = (d) => tx(current, hasDeadline(d) ? 'editor.phase_now_until' : 'editor.phase_now', stageParams(d));
  describe(doc);
  const panel = h('section', { class: 'panel', id: 'phase-panel', 'aria-labelledby': headingId },
    h('h3', { id: headingId, t: ['editor.phase_heading'] }), current);
  if (doc.phase === 'final') {
    panel.append(h('p', { class: 'notice', t: ['editor.phase_final'] }));
    return panel;
  }
  const phase = field({
    name: 'phase', label: 'editor.phase', options: PHASES.map((p) => ({ value: p, key: `editor.phase_name.${p}` })),
    attrs: { id: 'phase-select' },
  });
  phase.input.value = doc.phase;
  const deadline = field({
    name: 'deadline', label: 'editor.deadline', hint: 'editor.deadline_hint', type: 'datetime-local', required: false,
    value: hasDeadline(doc) ? toZone(doc.amendments_close_at) : '', attrs: { id: 'phase-deadline' },
  });
  const sync = () => { deadline.input.disabled = phase.input.value !== 'amendments'; };
  phase.input.addEventListener('change', sync);
  sync();
  const saved = h('div', { role: 'status', 'data-test': 'phase-saved' });
  const form = makeForm(ctx, {
    submitKey: 'editor.phase_save', cls: 'inline-form', children: [phase.wrap, deadline.wrap],
    check() {
      saved.replaceChildren();
      const value = deadline.input.value;
      return phase.input.value === 'amendments' && value && !fromZone(value)
        ? [{ input: deadline.input, key: 'editor.deadline_invalid' }] : [];
    },
    async send() {
      const body = { phase: phase.input.value };
      if (body.phase === 'amendments' && deadline.input.value) body.amendments_close_at = fromZone(deadline.input.value).toISOString();
      try {
        return await api.patch(base, body);
      } catch (err) {
        if (!refused(err)) throw err;
        return { refusal: err };
      }
    },
    done(result) {
      if (result.refusal) {
        // 422: the deadline (past, or outside amendments); 409: the phase itself.
        const [key, input] = result.refusal.status === 422
          ? ['editor.deadline_refused', deadline.input] : ['editor.phase_refused', phase.input];
        fillAlert(form.alert, [{ key }], result.refusal.detail);
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      describe(result);
      phase.input.value = result.phase;
      deadline.input.value = hasDeadline(result) ? toZone(result.amendments_close_at) : '';
      sync();
      saved.replaceChildren(h('p', {
        class: 'notice', t: [hasDeadline(result) ? 'editor.phase_saved_until' : 'editor.phase_saved', stageParams(result)],
      }));
    },
  });
  form.id = 'phase-form';
  panel.append(h('p', { class: 'hint', t: ['editor.phase_intro'] }), form, saved);
  return panel;
}

// ---- moving and deleting a section

/** DELETE a section: {doc}, or {breaks} when references would break (409). */
async function removeSection(id, force) {
  let response;
  let data = null;
  try {
    response = await fetch(`/api/v1/sections/${enc(id)}${force ? '?force=true' : ''}`, {
      method: 'DELETE', credentials: 'same-origin', cache: 'no-store',
      headers: { Accept: 'application/json, application/problem+json' },
    });
    data = await response.json().catch(() => null);
  } catch {
    throw new NetworkError(false);
  }
  if (response.ok) return { doc: data };
  if (response.status === 409 && Array.isArray(data?.breaks) && data.breaks.length) return { breaks: data.breaks };
  throw new ApiError(response.status, data, null);
}

/** A section's label as a nested translation ("Artículo 3. Miembros"). */
const labelOf = (s) => {
  const [key, params] = sectionProps(s).t;
  return { key, params };
};

function sectionTools(ctx, s, doc, reloadWith) {
  const alert = alertBox();
  const guarded = async (fn) => {
    try {
      await fn();
    } catch (err) {
      if (!refused(err)) throw err;
      fillAlert(alert, [{ key: 'editor.refused' }], err.detail);
    }
  };

  const index = doc.sections.findIndex((x) => x.id === s.id);
  const before = index > 0 ? doc.sections[index - 1].id : '';
  const where = field({ name: 'after', label: 'editor.move_after', options: [], required: false });
  where.input.replaceChildren(h('option', { value: '', t: ['propose.at_start'] }),
    ...doc.sections.filter((x) => x.id !== s.id).map((x) => h('option', { value: x.id, ...sectionProps(x) })));
  where.input.value = before;
  const move = actionButton(ctx, 'editor.move', alert, () => guarded(async () => {
    if (where.input.value === before) {
      fillAlert(alert, [{ key: 'editor.move_same' }]);
      where.input.focus();
      return;
    }
    const next = await api.post(`/api/v1/sections/${enc(s.id)}/move`, { after_section_id: where.input.value || null });
    const moved = next.sections.find((x) => x.id === s.id);
    await reloadWith('editor.moved', { to: labelOf(moved) });
  }));
  move.dataset.test = 'section-move';

  const breaks = h('div', { class: 'alert breaks', 'data-test': 'delete-breaks' });
  const remove = async (force) => {
    const result = await removeSection(s.id, force);
    if (result.breaks) showBreaks(result.breaks);
    else await reloadWith('editor.deleted', { label: labelOf(s) });
  };
  const del = actionButton(ctx, 'editor.delete', alert, async () => {
    breaks.replaceChildren();
    if (ask('editor.delete_confirm', { label: labelOf(s) })) await guarded(() => remove(false));
  }, 'btn btn-secondary btn-danger');
  del.dataset.test = 'section-delete';

  function showBreaks(list) {
    const intro = h('p', { tabindex: '-1', t: [list.length === 1 ? 'editor.breaks_one' : 'editor.breaks_many', { label: labelOf(s), n: String(list.length) }] });
    const items = list.map((b) => {
      const section = b.from_kind === 'section' && doc.sections.find((x) => x.id === b.from_id);
      const href = b.from_kind === 'section' ? `/documentos/${enc(doc.id)}#sec-${b.from_id}` : `/propuestas/${enc(b.from_id)}`;
      return h('li', { 'data-test': 'break', 'data-kind': b.from_kind },
        h('a', { href, ...(section ? sectionProps(section) : { text: b.from_label }) }), ': ',
        h('span', { t: [b.from_kind === 'section' ? 'editor.break_section' : 'editor.break_proposal'] }));
    });
    const anyway = actionButton(ctx, 'editor.delete_anyway', alert, () => guarded(() => remove(true)), 'btn btn-danger btn-primary');
    const cancel = h('button', {
      type: 'button', class: 'btn btn-secondary', t: ['common.cancel'],
      onclick: () => { breaks.replaceChildren(); del.focus(); },
    });
    breaks.replaceChildren(intro, h('ul', null, items), h('div', { class: 'actions' }, anyway, cancel));
    intro.focus();
  }

  return h('div', { class: 'section-tools', 'data-test': 'section-tools' },
    h('div', { class: 'inline-row' }, where.wrap, move),
    h('div', { class: 'actions' }, del),
    breaks, alert);
}
