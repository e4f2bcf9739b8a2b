// Proposing a change (/documentos/<id>/proponer?tipo=amend&seccion=<id>)
// and revising a proposal (/propuestas/<id>/revisar). What is typed is kept
// as a draft in sessionStorage until it is sent.

import * as api from '../api.js';
import { h, nextId } from '../dom.js';
import { loadPart, tx } from '../i18n.js';
import { bindDraft, charCount, clearDraft, field, makeForm, needText, orgLabel } from '../ui.js';
import { refPicker } from './ref-picker.js';
import { canPropose, enc, isSecretariat, kindProps, prose, sectionProps } from './shared.js';

const KINDS = ['amend', 'add', 'delete', 'general'];
const BODY_MAX = 100000;

function message(ctx, titleKey, textKey, back) {
  ctx.show(titleKey,
    h('h1', { t: [titleKey] }),
    h('p', { class: 'lead', t: [textKey] }),
    h('p', { class: 'actions' }, h('a', { href: back, class: 'btn btn-secondary', t: ['common.back'] })));
}

const sectionOption = (s) => h('option', { value: s.id, ...sectionProps(s) });

const tooLong = (input, max) => (charCount(input.value) > max ? [{ input, key: 'common.too_long', params: { max: String(max) } }] : []);

export async function newView(ctx, rawId) {
  const docId = decodeURIComponent(rawId);
  const back = `/documentos/${enc(docId)}`;
  if (!canPropose(ctx.user)) {
    message(ctx, 'propose.title', 'propose.not_allowed', back);
    return;
  }
  const [doc, organizations] = await Promise.all([
    api.get(`/api/v1/documents/${enc(docId)}`, { signal: ctx.signal }),
    api.get('/api/v1/organizations', { signal: ctx.signal }).catch(() => []),
    loadPart('pages'),
  ]);
  const query = new URLSearchParams(location.search);
  const byId = new Map(doc.sections.map((s) => [s.id, s]));

  // Kind: radio buttons, mirrored in a hidden input for the draft.
  const kindValue = h('input', { type: 'hidden', name: 'kind_value' });
  const legendId = nextId('kind');
  const radios = KINDS.map((kind) => {
    const input = h('input', { type: 'radio', name: 'kind', value: kind, id: `kind-${kind}` });
    return { kind, input, wrap: h('div', { class: 'check' }, input, h('label', { for: input.id, ...kindProps(kind) }),
      h('span', { class: 'hint', t: [`propose.kind_${kind}_hint`] })) };
  });
  const kindSet = h('fieldset', { class: 'field kinds', id: 'proposal-kind' },
    h('legend', { id: legendId, t: ['propose.kind'] }), radios.map((r) => r.wrap));

  const section = field({ name: 'section_id', label: 'propose.article', options: [], attrs: { id: 'proposal-section' } });
  // Chapters too: an amendment may rename one.
  section.input.replaceChildren(h('option', { value: '', t: ['propose.choose_article'] }), ...doc.sections.map(sectionOption));
  const sectionTitle = field({ name: 'section_title', label: 'propose.section_title', hint: 'propose.section_title_hint',
    required: false, attrs: { id: 'proposal-section-title', maxlength: 200 } });
  const partners = organizations.filter((o) => o.kind === 'member' && o.active !== false && o.id !== ctx.user.organization?.id)
    .map((o) => {
      const input = h('input', { type: 'checkbox', name: 'cosponsor', id: `cosponsor-${o.id}`, value: o.id });
      return { o, input, wrap: h('div', { class: 'check' }, input, h('label', { for: input.id, text: orgLabel(o) })) };
    });
  const cosponsors = h('fieldset', { class: 'field', id: 'proposal-cosponsors', hidden: !partners.length },
    h('legend', { t: ['propose.cosponsors'] }), h('p', { class: 'hint', t: ['propose.cosponsors_hint'] }),
    partners.map((partner) => partner.wrap));
  const after = field({ name: 'after_section_id', label: 'propose.after', options: [], attrs: { id: 'proposal-after' } });
  after.input.replaceChildren(h('option', { value: '', t: ['propose.at_start'] }), ...doc.sections.map(sectionOption));
  const title = field({ name: 'title', label: 'propose.title_label', hint: 'propose.title_hint', attrs: { id: 'proposal-title-input', maxlength: 200 } });
  const body = field({ name: 'body', label: 'propose.body', rows: 10, required: false, attrs: { id: 'proposal-body' } });
  const rationale = field({ name: 'rationale', label: 'propose.rationale', hint: 'propose.rationale_hint', rows: 5, required: false, attrs: { id: 'proposal-rationale-input' } });
  const bodyRefs = refPicker(doc.sections, body.input);
  const current = h('details', { class: 'current-text', id: 'current-text' });
  const notice = h('div', { role: 'status' });

  let prefilled = '';
  const kind = () => kindValue.value || 'amend';
  function syncKind() {
    const k = kind();
    for (const r of radios) r.input.checked = r.kind === k;
    section.wrap.hidden = !(k === 'amend' || k === 'delete');
    after.wrap.hidden = k !== 'add';
    sectionTitle.wrap.hidden = k !== 'amend';
    body.wrap.hidden = k === 'delete' || (k === 'amend' && byId.get(section.input.value)?.kind === 'chapter');
    bodyRefs.hidden = body.wrap.hidden || !doc.sections.length;
    tx(body.wrap.querySelector('label'), k === 'general' ? 'propose.body_general' : k === 'add' ? 'propose.body_add' : 'propose.body');
    syncArticle();
  }
  function syncArticle() {
    const s = byId.get(section.input.value);
    const shows = s && (kind() === 'amend' || kind() === 'delete');
    current.hidden = !shows;
    if (shows) {
      current.replaceChildren(h('summary', { t: ['propose.current_text', { article: { key: sectionProps(s).t[0], params: sectionProps(s).t[1] } }] }), prose(s.body_html));
      // Amending starts from the text in force, unless something else was typed.
      if (kind() === 'amend' && (!body.input.value || body.input.value === prefilled)) {
        body.input.value = s.body;
        prefilled = s.body;
        body.input.dispatchEvent(new Event('input'));
      }
    }
  }
  for (const r of radios) {
    r.input.addEventListener('change', () => {
      if (!r.input.checked) return;
      kindValue.value = r.kind;
      kindValue.dispatchEvent(new Event('change'));
      syncKind();
    });
  }
  section.input.addEventListener('change', syncKind);

  const draftKey = `new.${docId}`;
  const restored = bindDraft(draftKey, {
    kind: kindValue, section: section.input, after: after.input, title: title.input, body: body.input, rationale: rationale.input,
    section_title: sectionTitle.input,
  });
  if (restored) {
    notice.replaceChildren(h('p', { class: 'notice', id: 'draft-restored', t: ['propose.draft_restored'] }));
    prefilled = byId.get(section.input.value)?.body ?? '';
  } else {
    kindValue.value = KINDS.includes(query.get('tipo')) ? query.get('tipo') : 'amend';
    if (byId.has(query.get('seccion'))) section.input.value = query.get('seccion');
    if (byId.has(query.get('despues'))) after.input.value = query.get('despues');
  }
  syncKind();

  const form = makeForm(ctx, {
    submitKey: 'propose.submit',
    children: [kindSet, section.wrap, after.wrap, current, title.wrap, sectionTitle.wrap, body.wrap, bodyRefs, rationale.wrap, cosponsors],
    check() {
      const k = kind();
      const problems = needText(title.input, 'propose.title_required', 200, 'propose.title_too_long');
      const target = byId.get(section.input.value);
      if ((k === 'amend' || k === 'delete') && !target) problems.push({ input: section.input, key: 'propose.article_required' });
      if (k === 'delete' && target?.kind === 'chapter') problems.push({ input: section.input, key: 'propose.chapter_delete' });
      const renamed = k === 'amend' && sectionTitle.input.value.trim() && sectionTitle.input.value.trim() !== target?.title;
      if (k === 'amend' && target?.kind === 'chapter') {
        if (!renamed) problems.push({ input: sectionTitle.input, key: 'propose.section_title_required' });
      } else if (k === 'amend' || k === 'add') {
        if (!body.input.value.trim()) problems.push({ input: body.input, key: 'propose.body_required' });
        else if (k === 'amend' && !renamed && body.input.value.trim() === (target?.body ?? '').trim()) {
          problems.push({ input: body.input, key: 'propose.body_unchanged' });
        }
      }
      problems.push(...tooLong(body.input, BODY_MAX), ...tooLong(rationale.input, BODY_MAX));
      return problems;
    },
    send() {
      const k = kind();
      const payload = { kind: k, title: title.input.value.trim(), body: k === 'delete' ? '' : body.input.value, rationale: rationale.input.value };
      if (k === 'amend' || k === 'delete') payload.section_id = section.input.value;
      if (k === 'add' && after.input.value) payload.after_section_id = after.input.value;
      const target = byId.get(section.input.value);
      if (k === 'amend' && target?.kind === 'chapter') payload.body = target.body;
      const newTitle = sectionTitle.input.value.trim();
      if (k === 'amend' && newTitle && newTitle !== target?.title) payload.section_title = newTitle;
      return api.post(`/api/v1/documents/${enc(docId)}/proposals`, payload);
    },
    async done(p) {
      clearDraft(draftKey);
      // Invitations after the proposal exists; one refused does not undo it,
      // and the proposal page shows who was invited.
      for (const partner of partners.filter((x) => x.input.checked)) {
        await api.post(`/api/v1/proposals/${enc(p.id)}/cosponsors`, { organization_id: partner.o.id }).catch(() => {});
      }
      ctx.navigate(`/propuestas/${enc(p.id)}`);
    },
  });
  form.id = 'proposal-form';
  form.prepend(kindValue);

  ctx.show('propose.title',
    h('p', { class: 'crumbs' }, h('a', { href: back, text: doc.title })),
    h('h1', { t: ['propose.title'] }),
    h('p', { class: 'lead', t: ['propose.intro'] }),
    h('p', { class: 'hint', t: ['propose.draft_hint'] }),
    notice, form);
}

export async function reviseView(ctx, rawId) {
  const id = decodeURIComponent(rawId);
  const base = `/api/v1/proposals/${enc(id)}`;
  const back = `/propuestas/${enc(id)}`;
  const p = await api.get(base, { signal: ctx.signal });
  const { user } = ctx;
  const mine = (o) => o?.id === user.organization?.id;
  const allowed = isSecretariat(user) || (user.role === 'delegate' && (mine(p.organization) || (p.cosponsors ?? []).some(mine)));
  if (!allowed) {
    message(ctx, 'revise.title', 'revise.not_allowed', back);
    return;
  }
  if (p.status !== 'open') {
    message(ctx, 'revise.title', 'revise.not_open', back);
    return;
  }
  const title = field({ name: 'title', label: 'propose.title_label', value: p.title, attrs: { id: 'revise-title', maxlength: 200 } });
  await loadPart('pages');
  const body = field({ name: 'body', label: 'revise.body', rows: 12, required: false, value: p.revision?.body ?? '', attrs: { id: 'revise-body' } });
  const sectionTitle = field({ name: 'section_title', label: 'propose.section_title', hint: 'propose.section_title_hint',
    required: false, value: p.revision?.section_title ?? '', attrs: { id: 'revise-section-title', maxlength: 200 } });
  sectionTitle.wrap.hidden = p.kind !== 'amend';
  const note = field({ name: 'note', label: 'revise.note', hint: 'revise.note_hint', rows: 3, required: false, attrs: { id: 'revise-note' } });
  const notice = h('div', { role: 'status' });
  const draftKey = `rev.${id}.${p.revision?.number ?? 0}`;
  if (bindDraft(draftKey, { title: title.input, body: body.input, note: note.input, section_title: sectionTitle.input })) {
    notice.replaceChildren(h('p', { class: 'notice', id: 'draft-restored', t: ['propose.draft_restored'] }));
  }
  const form = makeForm(ctx, {
    submitKey: 'revise.submit',
    children: [title.wrap, sectionTitle.wrap, body.wrap, note.wrap],
    check() {
      const problems = needText(title.input, 'propose.title_required', 200, 'propose.title_too_long');
      problems.push(...tooLong(body.input, BODY_MAX), ...tooLong(note.input, BODY_MAX));
      const sameTitle = sectionTitle.input.value.trim() === (p.revision?.section_title ?? '');
      if (!problems.length && body.input.value === (p.revision?.body ?? '') && title.input.value.trim() === p.title && sameTitle) {
        problems.push({ input: body.input, key: 'revise.unchanged' });
      }
      return problems;
    },
    send() {
      const payload = { body: body.input.value, note: note.input.value };
      if (title.input.value.trim() !== p.title) payload.title = title.input.value.trim();
      if (p.kind === 'amend' && sectionTitle.input.value.trim()) payload.section_title = sectionTitle.input.value.trim();
      return api.post(`${base}/revisions`, payload);
    },
    done() {
      clearDraft(draftKey);
      ctx.navigate(back);
    },
    fail: (err) => err?.status === 409 && ['revise.conflict'],
  });
  form.id = 'revise-form';
  ctx.show(['revise.page_title', { title: p.title }],
    h('p', { class: 'crumbs' }, h('a', { href: back, text: p.title })),
    h('h1', { t: ['revise.title'] }),
    h('p', { class: 'lead', t: ['revise.intro', { n: String((p.revision?.number ?? 0) + 1) }] }),
    h('p', { class: 'hint', t: ['propose.draft_hint'] }),
    notice, form);
}
