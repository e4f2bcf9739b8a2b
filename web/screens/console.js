// The secretariat's console (/secretaria/<tab>): a menu of tabs, each a
// module loaded on first use.

import { h, nextId } from '../dom.js';
import { loadPart } from '../i18n.js';
import { isSecretariat } from './shared.js';

// path segment -> [module, function]
const TABS = {
  organizaciones: ['console-people', 'organizationsTab'],
  personas: ['console-people', 'peopleTab'],
  invitaciones: ['console-people', 'invitationsTab'],
  correo: ['console-mail', 'mailTab'],
  votaciones: ['console-votes', 'ballotsTab'],
  moderacion: ['console-votes', 'moderationTab'],
  carta: ['console-charter', 'charterTab'],
};

export async function consoleView(ctx, tab) {
  await Promise.all([loadPart('console'), loadPart('pages')]); // the charter tab shares the proposal form's words
  if (!isSecretariat(ctx.user)) {
    ctx.show('console.title',
      h('h1', { t: ['console.title'] }),
      h('p', { class: 'notice', id: 'console-forbidden', t: ['console.forbidden'] }),
      h('p', null, h('a', { href: '/', class: 'btn btn-secondary', t: ['common.home'] })));
    return;
  }
  if (tab && !TABS[tab]) {
    ctx.navigate('/secretaria', true);
    return;
  }
  const nav = h('nav', { class: 'tabs', id: 'console-nav', 'aria-labelledby': 'console-nav-label' },
    h('p', { id: 'console-nav-label', class: 'visually-hidden', t: ['console.nav'] }),
    h('ul', null, Object.keys(TABS).map((name) => h('li', null, h('a', {
      href: `/secretaria/${name}`, 'data-tab': name, 'aria-current': name === tab ? 'page' : null, t: [`console.tab_${name}`],
    })))));
  const root = h('div', { id: 'console-tab', 'data-tab': tab || 'inicio' });
  if (!tab) {
    const headingId = nextId('intro');
    root.append(h('section', { 'aria-labelledby': headingId },
      h('h2', { id: headingId, class: 'visually-hidden', t: ['console.overview'] }),
      h('ul', { class: 'cards' }, Object.keys(TABS).map((name) => h('li', { class: 'panel' },
        h('h3', null, h('a', { href: `/secretaria/${name}`, t: [`console.tab_${name}`] })),
        h('p', { class: 'hint', t: [`console.about_${name}`] }))))));
    ctx.show('console.title', h('h1', { t: ['console.title'] }), nav, root);
    return;
  }
  const [module, name] = TABS[tab];
  const screen = await import(`./${module}.js`);
  // The tab fills `root`, then the screen appears whole.
  await screen[name](ctx, root);
  ctx.show(['console.tab_title', { tab: { key: `console.tab_${tab}` } }],
    h('h1', { t: ['console.title'] }), nav,
    h('h2', { class: 'tab-title', t: [`console.tab_${tab}`] }), root);
}
