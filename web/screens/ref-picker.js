// The reference picker beside a body's textarea: choose a section of the
// document and "Insertar" writes `[[ref:<id>]]` at the cursor. The server
// shows it as the section's label now ("artículo 12"), so a renumbering
// never breaks it, which typing "artículo 12" by hand would.

import { h, nextId } from '../dom.js';
import { sectionProps } from './shared.js';

/** `sections`: the document's, in order; `textarea`: where to insert. */
export function refPicker(sections, textarea) {
  const id = nextId('ref');
  const select = h('select', { id, 'aria-describedby': `${id}-hint`, 'data-test': 'ref-picker' },
    sections.map((s) => h('option', { value: s.id, ...sectionProps(s) })));
  const insert = h('button', { type: 'button', class: 'btn btn-secondary', 'data-test': 'ref-insert', t: ['refs.insert'] });
  insert.addEventListener('click', () => {
    if (!select.value) return;
    const code = `[[ref:${select.value}]]`;
    const { selectionStart: start = textarea.value.length, selectionEnd: end = start, value } = textarea;
    textarea.value = value.slice(0, start) + code + value.slice(end);
    textarea.focus();
    textarea.setSelectionRange(start + code.length, start + code.length);
    textarea.dispatchEvent(new Event('input', { bubbles: true })); // drafts and counters follow
  });
  return h('div', { class: 'field ref-picker', hidden: !sections.length },
    h('label', { for: id, t: ['refs.label'] }),
    h('p', { class: 'hint', id: `${id}-hint`, t: ['refs.hint'] }),
    h('div', { class: 'pair' }, select, insert));
}
