// Tiny DOM helpers. Text always goes in as text nodes, never as HTML.

import { tx } from './i18n.js';

/**
 * h('p', {class: 'x', t: ['key', params]}, 'text', childNode)
 * Props: `t` (translated text), `text`, `class`, `on<event>` listeners,
 * anything else as an attribute (true -> empty attribute; null/false skipped).
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value == null || value === false) continue;
    if (name === 't') tx(el, value[0], value[1]);
    else if (name === 'text') el.textContent = String(value);
    else if (name === 'class') el.className = value;
    else if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

let uid = 0;
/** A unique id for label/aria-describedby pairs. */
export function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

/** el.replaceChildren(), skipping null and false as h() does. */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c != null && c !== false)
    .map((c) => (c instanceof Node ? c : String(c))));
  return el;
}
