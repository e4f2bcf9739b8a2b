// Ordering the options of a ranked ballot: by dragging an option by its
// handle (mouse, pen or finger: pointer events, so it works on a phone too)
// or with the "Subir", "Bajar", "Quitar" and "Añadir" buttons (keyboard and
// screen readers). Options may stay "Sin ordenar": they tie last. Every move
// is said in a live region. Strings come from the `votes` dictionary part.

import { h, nextId } from '../dom.js';
import { tx } from '../i18n.js';

/**
 * `options` [{id}], `labelOf(option)` a translation param (text, or
 * {key}), `initial` option ids in order. Returns {el, ranking(), set(ids),
 * disable(bool)}.
 */
export function rankingWidget({ options, labelOf, initial = [] }) {
  const byId = new Map(options.map((o) => [o.id, o]));
  let ranked = [];
  let disabled = false;
  const rankedHeading = nextId('ranked');
  const restHeading = nextId('unranked');
  const rankedList = h('ol', { class: 'rank-list', 'data-test': 'ranked', 'aria-labelledby': rankedHeading });
  const restList = h('ul', { class: 'rank-list', 'data-test': 'unranked', 'aria-labelledby': restHeading });
  const rankedEmpty = h('p', { class: 'hint', t: ['votes.ranked_empty'] });
  const restEmpty = h('p', { class: 'hint', t: ['votes.unranked_empty'] });
  const announce = h('p', { class: 'hint rank-announce', role: 'status', 'data-test': 'rank-announce' });
  const rankedZone = h('div', { class: 'rank-zone', 'data-zone': 'ranked' },
    h('h4', { id: rankedHeading, t: ['votes.ranked_heading'] }), rankedList, rankedEmpty);
  const restZone = h('div', { class: 'rank-zone', 'data-zone': 'unranked' },
    h('h4', { id: restHeading, t: ['votes.unranked_heading'] }), restList, restEmpty);
  const el = h('div', { class: 'ranking', 'data-test': 'ranking' },
    h('p', { class: 'hint', t: ['votes.rank_hint'] }), rankedZone, restZone, announce);

  const label = (id) => labelOf(byId.get(id));

  function button(act, id, off) {
    const b = h('button', { type: 'button', class: 'btn btn-secondary', 'data-act': act, disabled: off || disabled },
      h('span', { t: [`votes.${act}`] }),
      h('span', { class: 'visually-hidden', t: ['votes.quoted', { label: label(id) }] }));
    b.addEventListener('click', () => act === 'up' ? move(id, ranked.indexOf(id) - 1, act)
      : act === 'down' ? move(id, ranked.indexOf(id) + 1, act)
        : act === 'remove' ? move(id, -1, act) : move(id, ranked.length, act));
    return b;
  }

  function item(id, index) {
    const handle = h('span', { class: 'rank-handle', 'aria-hidden': 'true', 'data-test': 'rank-handle', text: '⠿' });
    handle.addEventListener('pointerdown', (event) => startDrag(event, id));
    const inRank = index >= 0;
    return h('li', { class: 'rank-item', 'data-option': id, 'data-test': 'rank-item' },
      handle,
      inRank ? h('span', { class: 'rank-pos', text: `${index + 1}.` }) : null,
      h('span', { class: 'rank-label', t: ['votes.label', { label: label(id) }] }),
      h('span', { class: 'rank-tools' }, inRank
        ? [button('up', id, index === 0), button('down', id, index === ranked.length - 1), button('remove', id)]
        : [button('add', id)]));
  }

  function render() {
    const rest = options.map((o) => o.id).filter((id) => !ranked.includes(id));
    rankedList.replaceChildren(...ranked.map(item));
    restList.replaceChildren(...rest.map((id) => item(id, -1)));
    rankedEmpty.hidden = ranked.length > 0;
    restEmpty.hidden = rest.length > 0;
  }

  /** Moves `id` to index `to` of the ranking (-1: out of it), says so, keeps the focus on it. */
  function move(id, to, act) {
    const next = ranked.filter((x) => x !== id);
    if (to >= 0) next.splice(Math.max(0, Math.min(to, next.length)), 0, id);
    ranked = next;
    render();
    const at = ranked.indexOf(id);
    if (at < 0) tx(announce, 'votes.moved_out', { label: label(id) });
    else tx(announce, 'votes.moved', { label: label(id), n: String(at + 1), of: String(ranked.length) });
    if (act) {
      const li = el.querySelector(`li[data-option="${CSS.escape(id)}"]`);
      const prefer = [act, 'up', 'down', 'remove', 'add'];
      const target = prefer.map((a) => li?.querySelector(`button[data-act="${a}"]:not(:disabled)`)).find(Boolean);
      target?.focus();
    }
  }

  // ---- dragging by the handle
  function dropTarget(x, y) {
    const under = document.elementFromPoint(x, y);
    if (!under || !el.contains(under)) return null;
    const li = under.closest('li[data-option]');
    if (li && rankedList.contains(li)) {
      const box = li.getBoundingClientRect();
      const after = y > box.top + box.height / 2;
      return { to: ranked.indexOf(li.dataset.option) + (after ? 1 : 0), li, after };
    }
    if (restZone.contains(under)) return { to: -1, zone: restZone };
    if (rankedZone.contains(under)) return { to: ranked.length, zone: rankedZone };
    return null;
  }

  const unmark = () => {
    for (const node of el.querySelectorAll('.drop-before, .drop-after, .drop-here')) {
      node.classList.remove('drop-before', 'drop-after', 'drop-here');
    }
  };

  function startDrag(event, id) {
    if (disabled || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();
    const handle = event.currentTarget;
    const li = handle.closest('li');
    try {
      handle.setPointerCapture(event.pointerId);
    } catch { /* an old browser: the moves still reach the handle while over it */ }
    li.classList.add('dragging');
    const over = (e) => {
      unmark();
      const target = dropTarget(e.clientX, e.clientY);
      if (target?.li) target.li.classList.add(target.after ? 'drop-after' : 'drop-before');
      else if (target?.zone) target.zone.classList.add('drop-here');
    };
    const end = (e, drop) => {
      handle.removeEventListener('pointermove', over);
      handle.removeEventListener('pointerup', up);
      handle.removeEventListener('pointercancel', cancel);
      unmark();
      li.classList.remove('dragging');
      const target = drop ? dropTarget(e.clientX, e.clientY) : null;
      if (!target) return;
      const from = ranked.indexOf(id);
      const to = target.to >= 0 && from >= 0 && from < target.to ? target.to - 1 : target.to;
      if (to === from || (to < 0 && from < 0)) return;
      move(id, to);
    };
    const up = (e) => end(e, true);
    const cancel = (e) => end(e, false);
    handle.addEventListener('pointermove', over);
    handle.addEventListener('pointerup', up);
    handle.addEventListener('pointercancel', cancel);
  }

  function set(ids) {
    ranked = (ids || []).filter((x, i, all) => byId.has(x) && all.indexOf(x) === i);
    render();
  }

  set(initial);
  return {
    el,
    ranking: () => [...ranked],
    set,
    disable(off) {
      disabled = off;
      for (const b of el.querySelectorAll('button')) b.disabled = off;
      if (!off) render();
    },
  };
}
