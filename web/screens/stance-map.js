// The objection map of a document (a table: one row per article, the count
// of each stance, who has not said, the objections with their reasons;
// cards on a phone) and a delegate's forms to say their organization's
// stance on each article. Stances have no live event: the page refreshes
// the map after a save and on "Actualizar el mapa".

import * as api from '../api.js';
import { h, nextId } from '../dom.js';
import { t, tx } from '../i18n.js';
import { charCount, fillAlert, makeForm, statusOf } from '../ui.js';
import { enc, sectionProps } from './shared.js';

export const STANCES = ['agree', 'can_live', 'object'];
const ICONS = { agree: '✓', can_live: '≈', object: '✗', silent: '○' };
const REASON_MAX = 2000;
/** Phases in which organizations say their stance (the server's rule, stances_sql.rs). */
export const STANCE_PHASES = ['amendments', 'deliberation', 'voting'];

export const articleProps = (row) => sectionProps({ kind: 'article', number: row.number, title: row.title });

/** "✓ 2": an icon (not read out) and the count, coloured by stance but never by colour alone. */
function tag(kind, n) {
  return h('span', { class: `st st-${kind}`, 'data-test': `count-${kind}`, 'data-count': String(n) },
    h('span', { 'aria-hidden': 'true', text: ICONS[kind] }), ' ', String(n));
}

/** The icon and name of a stance, as text ("✓ De acuerdo"). */
export function stanceName(kind) {
  return h('span', { class: `st st-${kind}` },
    h('span', { 'aria-hidden': 'true', text: `${ICONS[kind]} ` }), h('span', { t: [`process.stance.${kind}`] }));
}

/** A cell of the map; `data-label` names its column when rows stack as cards. */
function cell(kind, ...children) {
  return h('td', {
    class: `col-${kind}`, 'data-label': t(`process.stance.${kind}`), 'data-i18n-attr': `data-label:process.stance.${kind}`,
  }, children);
}

/** The map table; render(map) draws it again from GET /documents/{id}/stances. */
export function stanceMap() {
  const body = h('tbody');
  const table = h('table', { class: 'stance-map', id: 'stance-map', 'data-test': 'stance-map' },
    h('caption', { t: ['process.map_caption'] }),
    h('thead', null, h('tr', null,
      h('th', { scope: 'col', t: ['process.col_article'] }),
      ...['agree', 'can_live', 'object', 'silent'].map((kind) => h('th', { scope: 'col', class: `col-${kind}` },
        stanceName(kind))))),
    body);
  const empty = h('p', { class: 'notice', id: 'stance-map-empty', t: ['process.no_articles'], hidden: true });
  const node = h('div', null, table, empty);

  function render(map) {
    table.hidden = !map.length;
    empty.hidden = Boolean(map.length);
    body.replaceChildren(...map.map((row) => h('tr', {
      'data-test': 'stance-row', 'data-section-id': row.section_id, class: row.object ? 'contested' : null,
    },
    h('th', { scope: 'row', ...articleProps(row) }),
    cell('agree', tag('agree', row.agree)),
    cell('can_live', tag('can_live', row.can_live)),
    cell('object', tag('object', row.object), row.objections.length ? h('ul', { class: 'objections' },
      row.objections.map((o) => h('li', { 'data-test': 'objection' },
        h('strong', { text: o.organization.name }), ': ', h('span', { class: 'pre', text: o.reason })))) : null),
    cell('silent', tag('silent', row.silent.length), row.silent.length ? h('details', { 'data-test': 'silent' },
      h('summary', { t: ['process.which_silent'] }),
      h('ul', null, row.silent.map((o) => h('li', { text: o.name })))) : null))));
  }
  return { node, render };
}

/**
 * A delegate's forms, one per article: the organization's current stance,
 * three choices and the reason (required to object). saved() refreshes the map.
 */
export function stanceForms(ctx, user, saved) {
  const org = user.organization?.id;
  const list = h('ul', { class: 'cards', id: 'own-stances' });
  const closed = h('p', { class: 'notice', id: 'own-closed', hidden: true });
  const forms = new Map(); // section id -> {li, show(row)}
  let phase = '';

  function item(row) {
    const current = h('span', { 'data-test': 'own-current' });
    const status = h('p', { class: 'hint', role: 'status', 'data-test': 'own-saved' });
    const name = nextId('stance');
    const radios = STANCES.map((kind) => {
      const id = nextId(`stance-${kind}`);
      const input = h('input', { type: 'radio', name, id, value: kind });
      return { kind, input, wrap: h('div', { class: 'check' }, input, h('label', { for: id }, stanceName(kind))) };
    });
    const reasonId = nextId('reason');
    const reason = h('textarea', { id: reasonId, name: 'reason', rows: 3, maxlength: REASON_MAX, 'aria-describedby': `${reasonId}-hint` });
    const legendId = nextId('legend');
    const chosen = () => radios.find((r) => r.input.checked)?.kind;
    const form = makeForm(ctx, {
      submitKey: 'process.own_save', cls: 'inline-form',
      children: [
        h('fieldset', { class: 'kinds', 'aria-describedby': legendId },
          h('legend', { t: ['process.own_legend'] }),
          h('p', { class: 'hint', id: legendId, t: ['process.own_hint'] }),
          radios.map((r) => r.wrap)),
        h('div', { class: 'field' },
          h('label', { for: reasonId, t: ['process.reason'] }),
          h('p', { class: 'hint', id: `${reasonId}-hint`, t: ['process.reason_hint'] }),
          reason),
      ],
      check() {
        status.replaceChildren();
        status.removeAttribute('data-i18n');
        const kind = chosen();
        if (!kind) return [{ input: radios[0].input, key: 'process.own_choose' }];
        if (kind === 'object' && !reason.value.trim()) return [{ input: reason, key: 'process.reason_required' }];
        if (charCount(reason.value.trim()) > REASON_MAX) return [{ input: reason, key: 'common.too_long', params: { max: String(REASON_MAX) } }];
        return [];
      },
      async send() {
        const kind = chosen();
        const body = { stance: kind };
        if (kind === 'object') body.reason = reason.value.trim();
        try {
          await api.put(`/api/v1/sections/${enc(row.section_id)}/stance`, body);
          return { kind };
        } catch (err) {
          if (![403, 409, 422].includes(statusOf(err))) throw err;
          return { refusal: err };
        }
      },
      done(result) {
        if (result.refusal) {
          const code = statusOf(result.refusal);
          const key = code === 409 ? 'process.own_refused_phase' : code === 403 ? 'process.own_forbidden' : 'process.own_invalid';
          fillAlert(form.alert, [{ key }], result.refusal.detail);
          (code === 422 && chosen() === 'object' ? reason : form.querySelector('button[type="submit"]')).focus();
          return;
        }
        tx(status, 'process.own_saved', { stance: { key: `process.stance.${result.kind}` } });
        saved();
      },
    });
    const li = h('li', { class: 'panel card', 'data-test': 'own-stance', 'data-section-id': row.section_id },
      h('details', null,
        h('summary', null, h('span', null, h('span', articleProps(row)), ' · ', current)),
        form, status));
    let shown = null;
    return {
      li,
      show(next) {
        const mine = next.by_organization?.[org];
        if (mine === shown && li.isConnected) return;
        shown = mine;
        if (STANCES.includes(mine)) current.replaceChildren(h('span', { t: ['process.own_current'] }), ' ', stanceName(mine));
        else current.replaceChildren(h('span', { t: ['process.own_none'] }));
        const radio = radios.find((r) => r.kind === mine);
        if (radio) radio.input.checked = true;
        const objection = next.objections.find((o) => o.organization.id === org);
        if (mine === 'object' && objection && !reason.value) reason.value = objection.reason;
      },
    };
  }

  function render(map, nextPhase) {
    phase = nextPhase;
    const open = STANCE_PHASES.includes(phase);
    closed.hidden = open;
    list.hidden = !open;
    if (!open) tx(closed, phase === 'final' ? 'process.own_closed_final' : 'process.own_closed_drafting');
    const ids = new Set(map.map((row) => row.section_id));
    for (const [id, f] of forms) if (!ids.has(id)) { f.li.remove(); forms.delete(id); }
    for (const row of map) {
      if (!forms.has(row.section_id)) forms.set(row.section_id, item(row));
      forms.get(row.section_id).show(row);
    }
    list.replaceChildren(...map.map((row) => forms.get(row.section_id).li));
  }

  const headingId = nextId('own');
  const node = h('section', { id: 'own-stance-section', 'aria-labelledby': headingId },
    h('h2', { id: headingId, t: ['process.own_heading'] }),
    h('p', { class: 'hint', t: ['process.own_intro'] }),
    closed, list);
  return { node, render };
}
