// Pieces several screens show: labels of proposals and sections, word
// diffs, presence ("Viendo ahora") and typing lines.

import { h } from '../dom.js';
import { tx } from '../i18n.js';
import { orgLabel } from '../ui.js';

export const enc = encodeURIComponent;
export const canPropose = (user) => user?.role === 'delegate' || user?.role === 'secretariat';
export const isSecretariat = (user) => user?.role === 'secretariat';

const STATUSES = ['open', 'voting', 'passed', 'rejected', 'adopted', 'withdrawn'];
const KINDS = ['amend', 'add', 'delete', 'general'];

export const statusBadge = (status) => h('span', {
  class: `badge status-${STATUSES.includes(status) ? status : 'other'}`,
  'data-test': 'status',
  'data-status': status,
  t: STATUSES.includes(status) ? [`status.${status}`] : null,
  text: STATUSES.includes(status) ? null : status,
});

export const kindProps = (kind) => (KINDS.includes(kind) ? { t: [`kind.${kind}`] } : { text: kind ?? '' });

/** "Artículo 3. Naturaleza" / "Capítulo 1" as translation props. */
export function sectionProps(section) {
  if (!section) return { t: ['charter.unknown_section'] };
  const kind = section.kind === 'chapter' ? 'chapter' : 'article';
  return section.title
    ? { t: [`charter.${kind}_titled`, { n: String(section.number), title: section.title }] }
    : { t: [`charter.${kind}_number`, { n: String(section.number) }] };
}

/** A line of a proposal list: link, status, kind, organization. */
export function proposalItem(p) {
  return h('li', { class: 'prop-item', 'data-test': 'proposal-item', 'data-proposal-id': p.id },
    h('a', { href: `/propuestas/${enc(p.id)}`, text: p.title }), ' ',
    statusBadge(p.status),
    h('span', { class: 'meta' }, ' ', h('span', kindProps(p.kind)), ' · ', orgLabel(p.organization)));
}

/** Word diff ops -> <ins>/<del>/text, all as text. */
export function renderDiff(ops, node = h('div', { class: 'diff' })) {
  const parts = [];
  for (const op of ops || []) {
    const text = String(op.text ?? '');
    if (op.op === 'insert') parts.push(h('ins', { text }));
    else if (op.op === 'delete') parts.push(h('del', { text }));
    else parts.push(text);
  }
  node.replaceChildren(...parts);
  if (!parts.length) node.append(h('span', { class: 'hint', t: ['diff.empty'] }));
  return node;
}

/** A legend that says what <ins> and <del> mean, for those who cannot see colours. */
export const diffLegend = () => h('p', { class: 'hint legend' },
  h('ins', { t: ['diff.legend_ins'] }), ' ', h('del', { t: ['diff.legend_del'] }));

/** HTML from the server (sanitized there): the one place HTML goes in. */
export function prose(html, attrs = {}) {
  const div = h('div', { class: 'prose', ...attrs });
  div.innerHTML = typeof html === 'string' ? html : '';
  return div;
}

/**
 * "Viendo ahora: Ana (FE), Beto (RC)" and "Ana está escribiendo…" for a
 * topic; handle(message) takes the live messages.
 */
export function presenceLines(me) {
  const viewing = h('p', { id: 'presence', class: 'presence', 'data-test': 'presence' });
  const typing = h('p', { id: 'typing', class: 'typing', 'aria-live': 'polite', 'data-test': 'typing' });
  const typers = new Map(); // user id -> {name, timer}
  const label = (u) => (u.organization ? `${u.display_name} (${u.organization})` : u.display_name);

  let said = '';
  const showTyping = () => {
    const names = [...typers.values()].map((x) => x.name);
    // Said again only when it changes: a screen reader hears it once.
    const now = names.join('\n');
    if (now === said) return;
    said = now;
    if (!names.length) {
      typing.replaceChildren();
      typing.removeAttribute('data-i18n');
    } else if (names.length === 1) tx(typing, 'presence.typing_one', { name: names[0] });
    else if (names.length === 2) tx(typing, 'presence.typing_two', { a: names[0], b: names[1] });
    else tx(typing, 'presence.typing_many', { n: String(names.length) });
  };

  function handle(message) {
    if (message.type === 'presence' && Array.isArray(message.users)) {
      const others = message.users.filter((u) => u && u.id !== me?.id);
      if (!others.length) tx(viewing, 'presence.alone');
      else tx(viewing, 'presence.viewing', { names: others.map(label).join(', ') });
      viewing.dataset.count = String(others.length);
    } else if (message.type === 'typing' && message.user && message.user.id !== me?.id) {
      const { id } = message.user;
      clearTimeout(typers.get(id)?.timer);
      const timer = setTimeout(() => { typers.delete(id); showTyping(); }, 6000);
      typers.set(id, { name: message.user.display_name, timer });
      showTyping();
    }
  }

  /** Someone who commented stopped typing. */
  function stopped(id) {
    if (!typers.has(id)) return;
    clearTimeout(typers.get(id).timer);
    typers.delete(id);
    showTyping();
  }

  function stop() {
    for (const x of typers.values()) clearTimeout(x.timer);
    typers.clear();
  }
  return { viewing, typing, handle, stopped, stop };
}

