// The assembly's sessions (/sesiones): the list, and for the secretariat the
// form that convenes one (its agenda items may point at a proposal or at a
// whole document). Convening notifies every member organization.

import * as api from '../api.js';
import { h, nextId } from '../dom.js';
import { field, makeForm, needText, time } from '../ui.js';
import { enc, isSecretariat } from './shared.js';
import { loadSessionWords, modalityProps, statusProps } from './session-parts.js';

/** Ecuador has no daylight saving time: always UTC-5. */
const ECUADOR_OFFSET = '-05:00';
const MAX_AGENDA = 50; // domain/assembly.rs
const MODALITIES = ['hybrid', 'in_person', 'online'];
const AGENDA_PROPOSALS = ['open', 'voting', 'passed'];

export async function sessionsView(ctx) {
  const [sessions] = await Promise.all([api.get('/api/v1/sessions', { signal: ctx.signal }), loadSessionWords()]);
  // Open first, then the coming ones, then the past, newest first.
  const rank = { open: 0, convened: 1, closed: 2 };
  sessions.sort((a, b) => rank[a.status] - rank[b.status] || b.starts_at.localeCompare(a.starts_at));
  const listId = nextId('sessions');
  const list = sessions.length
    ? h('ul', { class: 'cards', id: 'session-list', 'aria-labelledby': listId }, sessions.map(sessionCard))
    : h('p', { class: 'hint', id: 'session-list', t: ['session.none'] });
  ctx.show('session.list_title',
    h('h1', { t: ['session.list_title'] }),
    h('p', { class: 'hint', t: ['session.list_intro'] }),
    h('p', null, h('a', { href: '/representantes', id: 'representatives-link', t: ['representatives.link'] })),
    isSecretariat(ctx.user) ? await conveneForm(ctx) : null,
    h('h2', { id: listId, t: ['session.list_heading'] }),
    list);
}

function sessionCard(s) {
  return h('li', { class: 'panel card', 'data-test': 'session-card', 'data-session-id': s.id },
    h('h3', null, h('a', { href: `/sesiones/${enc(s.id)}`, text: s.title })),
    h('p', { class: 'meta' }, h('span', statusProps(s.status)), ' ', time(s.starts_at, false), ' · ',
      h('span', { text: s.place }), ' · ', h('span', modalityProps(s.modality))),
    h('p', { class: 'hint', t: ['session.quorum', {
      n: String(s.quorum.present_organizations), of: String(s.quorum.member_organizations),
      pct: String(Math.round(s.quorum.fraction * 100)),
    }] }));
}

/** What an agenda item may point at: each document, and its proposals still in play. */
async function agendaTargets(ctx) {
  const docs = await api.get('/api/v1/documents', { signal: ctx.signal });
  const proposals = (await Promise.all(docs.map((d) =>
    api.get(`/api/v1/documents/${enc(d.id)}/proposals`, { signal: ctx.signal })))).flat();
  return [
    { value: '', key: 'session.target_none' },
    ...docs.map((d) => ({ value: `document:${d.id}`, key: 'session.target_document', params: { title: d.title } })),
    ...proposals.filter((p) => AGENDA_PROPOSALS.includes(p.status))
      .map((p) => ({ value: `proposal:${p.id}`, key: 'session.target_proposal', params: { title: p.title } })),
  ];
}

function agendaRow(targets, remove) {
  const title = field({ name: 'item_title', label: 'session.item_title', attrs: { maxlength: 200 } });
  const target = field({ name: 'item_target', label: 'session.item_target', options: targets, required: false });
  const drop = h('button', { type: 'button', class: 'btn btn-secondary', t: ['session.item_remove'] });
  const row = h('li', { class: 'agenda-row', 'data-test': 'agenda-row' }, title.wrap, target.wrap, drop);
  drop.addEventListener('click', () => remove(row));
  row.read = () => {
    const [kind, id] = target.input.value.split(':');
    const item = { title: title.input.value.trim() };
    if (kind === 'document') item.document_id = id;
    if (kind === 'proposal') item.proposal_id = id;
    return item;
  };
  row.titleInput = title.input;
  return row;
}

async function conveneForm(ctx) {
  const targets = await agendaTargets(ctx);
  const title = field({ name: 'title', label: 'session.title_label', attrs: { maxlength: 200 } });
  const startsAt = field({ name: 'starts_at', label: 'session.starts_label', type: 'datetime-local', hint: 'session.starts_hint' });
  const place = field({ name: 'place', label: 'session.place_label', attrs: { maxlength: 200 } });
  const modality = field({
    name: 'modality', label: 'session.modality_label', options: MODALITIES.map((m) => ({ value: m, key: `session.modality_${m}` })),
  });
  const quorum = field({
    name: 'quorum', label: 'session.quorum_label', type: 'number', hint: 'session.quorum_hint', value: '50',
    attrs: { min: 0, max: 100, step: 1, inputmode: 'numeric' },
  });
  const minutes = field({
    name: 'speaker_minutes', label: 'session.speaker_label', type: 'number', value: '3',
    attrs: { min: 1, max: 30, step: 1, inputmode: 'numeric' },
  });
  const rows = h('ol', { class: 'agenda-rows', id: 'agenda-rows' });
  const addButton = h('button', { type: 'button', class: 'btn btn-secondary', id: 'agenda-add', t: ['session.item_add'] });
  const add = () => {
    const row = agendaRow(targets, (gone) => {
      gone.remove();
      addButton.disabled = false;
    });
    rows.append(row);
    addButton.disabled = rows.children.length >= MAX_AGENDA;
    return row;
  };
  addButton.addEventListener('click', () => add().titleInput.focus());
  add();
  const agenda = h('fieldset', { class: 'agenda-fields' }, h('legend', { t: ['session.agenda_label'] }), rows, addButton);
  const localToIso = (value) => new Date(`${value}${value.length === 16 ? ':00' : ''}${ECUADOR_OFFSET}`).toISOString();
  const form = makeForm(ctx, {
    submitKey: 'session.convene_submit', cls: 'inline-form',
    children: [title.wrap, startsAt.wrap, place.wrap, modality.wrap, quorum.wrap, minutes.wrap, agenda],
    check() {
      const problems = [...needText(title.input, 'session.title_required', 200), ...needText(place.input, 'session.place_required', 200)];
      if (!startsAt.input.value || Number.isNaN(Date.parse(`${startsAt.input.value}:00${ECUADOR_OFFSET}`))) {
        problems.push({ input: startsAt.input, key: 'session.starts_required' });
      }
      const q = Number(quorum.input.value);
      if (quorum.input.value === '' || !(q >= 0 && q <= 100)) problems.push({ input: quorum.input, key: 'ballot.quorum_invalid' });
      const m = Number(minutes.input.value);
      if (!(m >= 1 && m <= 30)) problems.push({ input: minutes.input, key: 'session.speaker_invalid' });
      for (const row of rows.children) {
        if (!row.titleInput.value.trim()) problems.push({ input: row.titleInput, key: 'session.item_required' });
      }
      return problems;
    },
    send: () => api.post('/api/v1/sessions', {
      title: title.input.value.trim(),
      starts_at: localToIso(startsAt.input.value),
      place: place.input.value.trim(),
      modality: modality.input.value,
      quorum: Number(quorum.input.value) / 100,
      speaker_seconds: Math.round(Number(minutes.input.value) * 60),
      agenda: [...rows.children].map((row) => row.read()),
    }),
    done: (session) => ctx.navigate(`/sesiones/${enc(session.id)}`),
    label: 'session.convene_heading',
  });
  form.id = 'convene-form';
  return h('details', { class: 'panel', id: 'convene' },
    h('summary', { t: ['session.convene_heading'] }),
    h('p', { class: 'hint', t: ['session.convene_intro'] }),
    form);
}
