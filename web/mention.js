// The `@` autocomplete of the comment boxes: after an `@`, the names of
// people that start like what follows are offered in a list under the
// box; arrows move, Enter or Tab (or a tap) puts the whole name in, Escape
// closes. The server turns `@` + a name into a notification to that person.

import * as api from './api.js';
import { h, nextId } from './dom.js';

const WAIT_MS = 200;
const MAX_TYPED = 64;

/** What is being typed after an `@` just before the caret, or null. */
function typedMention(input) {
  const before = input.value.slice(0, input.selectionStart);
  const at = before.lastIndexOf('@');
  if (at < 0 || (at > 0 && !/\s|[(¿¡"«]/.test(before[at - 1]))) return null;
  const typed = before.slice(at + 1);
  if (!typed || typed.length > MAX_TYPED || /[\n@]/.test(typed) || /^\s/.test(typed)) return null;
  return { at, typed };
}

export function attachMentions(input) {
  const list = h('ul', { class: 'mention-list', role: 'listbox', id: nextId('mentions'), hidden: true });
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', list.id);
  input.after(list);
  let people = [];
  let active = -1;
  let timer = 0;
  let asked = 0;

  const close = () => {
    list.hidden = true;
    people = [];
    active = -1;
    input.removeAttribute('aria-activedescendant');
  };
  const choose = (person) => {
    const mention = typedMention(input);
    if (!mention) return close();
    const after = input.value.slice(input.selectionStart);
    const text = `${input.value.slice(0, mention.at)}@${person.display_name} `;
    input.value = text + after;
    input.setSelectionRange(text.length, text.length);
    input.dispatchEvent(new Event('input', { bubbles: true })); // counters and drafts follow
    close();
    input.focus();
  };
  const highlight = (index) => {
    active = index;
    list.querySelectorAll('[role="option"]').forEach((option, i) => option.setAttribute('aria-selected', String(i === index)));
    const option = list.children[index];
    if (option) input.setAttribute('aria-activedescendant', option.id);
  };
  const show = (found) => {
    people = found;
    if (!found.length) return close();
    list.replaceChildren(...found.map((person, i) => {
      const option = h('li', { role: 'option', id: `${list.id}-${i}`, 'aria-selected': 'false', 'data-test': 'mention-option' },
        h('span', { text: person.display_name }), ' ', h('span', { class: 'meta', text: person.organization }));
      // mousedown, not click: the box keeps its focus and caret.
      option.addEventListener('mousedown', (event) => { event.preventDefault(); choose(person); });
      return option;
    }));
    list.hidden = false;
    highlight(0);
  };

  const suggest = () => {
    clearTimeout(timer);
    const mention = typedMention(input);
    if (!mention) return close();
    timer = setTimeout(async () => {
      const mine = ++asked;
      try {
        const found = await api.get(`/api/v1/people?q=${encodeURIComponent(mention.typed)}`);
        if (mine === asked && typedMention(input)) show(found);
      } catch {
        close(); // no suggestions; typing the name still works
      }
    }, WAIT_MS);
  };
  input.addEventListener('input', suggest);
  input.addEventListener('keydown', (event) => {
    if (list.hidden || !people.length) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      highlight((active + step + people.length) % people.length);
    } else if ((event.key === 'Enter' || event.key === 'Tab') && active >= 0) {
      event.preventDefault();
      choose(people[active]);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
  suggest(); // what was typed while this module loaded
}
