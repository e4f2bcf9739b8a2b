// Minga web client: a small router over location.pathname, the header
// (session menu, connection state), and the screens that work signed out
// (sign-in, invitation). The other screens are modules under screens/,
// loaded on first use. No framework, no globals.

import * as api from './api.js';
import { ApiError, NetworkError } from './api.js';
import { init as initI18n, getLang, relocalize, setLang, setTitle, t, tx } from './i18n.js';
import { h, nextId } from './dom.js';
import * as live from './live.js';
import {
  ROLES, charCount, clearAllDrafts, describeError, field, fillAlert, makeForm, orgLabel, roleProps, setBusy,
  setDraftOwner, setUnauthenticatedHandler, statusOf,
} from './ui.js';

const main = document.getElementById('main');
const sessionArea = document.getElementById('session-area');
const connection = document.getElementById('connection-state');

let navSeq = 0;
let navController = null;
let loadingTimer = 0;
let leaving = [];
let user = null; // the signed-in user, once known
let flash = null; // message key for the next screen ("you signed out")
const RETURN_KEY = 'minga.return';

// ---- routing

const lazy = (module, name) => async (ctx, ...params) => {
  let screen;
  try {
    screen = await import(`./screens/${module}.js`);
  } catch (err) {
    console.error(err);
    // Offline, most likely. A failed module load may stay failed in this
    // page, so "Reintentar" reloads the page.
    throw Object.assign(new NetworkError(false), { reload: true });
  }
  return screen[name](ctx, ...params);
};

// [pattern, view, public?]
const routes = [
  [/^\/$/, lazy('charter', 'listView')],
  [/^\/documentos\/([^/]+)\/?$/, lazy('charter', 'documentView')],
  [/^\/documentos\/([^/]+)\/historial\/?$/, lazy('history', 'historyView')],
  [/^\/documentos\/([^/]+)\/proponer\/?$/, lazy('propose', 'newView')],
  [/^\/documentos\/([^/]+)\/proceso\/?$/, lazy('process', 'processView')],
  [/^\/votaciones\/([^/]+)\/?$/, lazy('document-ballot', 'documentBallotView')],
  [/^\/propuestas\/([^/]+)\/?$/, lazy('proposal', 'proposalView')],
  [/^\/propuestas\/([^/]+)\/revisar\/?$/, lazy('propose', 'reviseView')],
  [/^\/secretaria(?:\/([a-z]+))?\/?$/, lazy('console', 'consoleView')],
  [/^\/avisos\/?$/, lazy('inbox', 'inboxView')],
  [/^\/sesiones\/?$/, lazy('sessions', 'sessionsView')],
  [/^\/sesiones\/([^/]+)\/?$/, lazy('session', 'sessionView')],
  [/^\/pantalla\/([^/]+)\/?$/, lazy('projector', 'projectorView')],
  [/^\/representantes\/?$/, lazy('representatives', 'representativesView')],
  [/^\/preferencias\/?$/, lazy('preferences', 'preferencesView')],
  [/^\/baja\/?$/, lazy('preferences', 'unsubscribeView'), true],
  [/^\/ingresar\/?$/, signInView, true],
  [/^\/invitations\/([^/]+)\/?$/, invitationView, true],
  [/^\/olvide\/?$/, lazy('recovery', 'forgotView'), true],
  [/^\/restablecer\/([^/]+)\/?$/, lazy('recovery', 'resetView'), true],
];

function navigate(url, replace = false) {
  if (replace || url === location.pathname + location.search + location.hash) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

function render() {
  const id = ++navSeq;
  if (navController) navController.abort(); // a newer screen wins: drop older fetches
  navController = new AbortController();
  for (const fn of leaving.splice(0)) {
    try {
      fn();
    } catch (err) {
      console.error(err);
    }
  }
  closeMenu();
  const ctx = {
    signal: navController.signal,
    current: () => id === navSeq,
    shown: false,
    user,
    navigate,
    show: (title, ...nodes) => show(ctx, title, ...nodes),
    fail: (err) => showErrorScreen(ctx, err),
    /** fn runs when the user leaves this screen (unfollow topics, timers). */
    leave: (fn) => (id === navSeq ? leaving.push(fn) : fn()),
    refresh: render,
  };
  clearTimeout(loadingTimer);
  loadingTimer = setTimeout(() => {
    if (!ctx.current() || ctx.shown) return;
    main.setAttribute('aria-busy', 'true');
    main.replaceChildren(h('p', { class: 'loading', t: ['common.loading'] }));
  }, 300);

  let view = notFoundView;
  let params = [];
  let open = true;
  for (const [pattern, candidate, isPublic] of routes) {
    const match = pattern.exec(location.pathname);
    if (match) {
      [view, params, open] = [candidate, match.slice(1), Boolean(isPublic)];
      break;
    }
  }
  Promise.resolve()
    .then(() => (open ? null : ensureUser(ctx)))
    .then((ok) => {
      if (!ctx.current() || ok === false) return null;
      ctx.user = user;
      return view(ctx, ...params);
    })
    .catch((err) => {
      if (err?.name === 'AbortError') return;
      console.error(err);
      showErrorScreen(ctx, err);
    });
}

/** Loads the user once; false (and off to sign-in) when signed out. */
async function ensureUser(ctx) {
  if (user) return true;
  let me;
  try {
    me = await api.get('/api/v1/me', { signal: ctx.signal });
  } catch (err) {
    if (!ctx.current()) return false;
    if (statusOf(err) === 401) {
      rememberReturn();
      navigate('/ingresar', true);
      return false;
    }
    throw err;
  }
  if (!isUser(me)) throw new ApiError(500, null, null);
  signedIn(me);
  return true;
}

function rememberReturn() {
  try {
    const path = location.pathname + location.search + location.hash;
    if (path !== '/' && !path.startsWith('/ingresar')) sessionStorage.setItem(RETURN_KEY, path);
  } catch { /* storage disabled: back to the start */ }
}

/** show(ctx, 'key' | ['key', params], ...nodes): replaces the screen, focuses its h1. */
function show(ctx, title, ...nodes) {
  if (!ctx.current()) return;
  ctx.shown = true;
  clearTimeout(loadingTimer);
  main.removeAttribute('aria-busy');
  main.replaceChildren(...nodes.flat().filter(Boolean));
  if (user) import('./screens/inbox.js').then((inbox) => inbox.refreshUnread()).catch(() => {});
  const [key, params] = Array.isArray(title) ? title : [title];
  setTitle(key, params);
  if (location.hash) {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) {
      target.scrollIntoView();
      return;
    }
  }
  window.scrollTo(0, 0);
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

/** Same-origin links to screens navigate inside the app. */
function interceptLinks() {
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
    if (!(link instanceof HTMLAnchorElement)) return;
    if ((link.target && link.target !== '_self') || link.hasAttribute('download')) return;
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || /^\/api(\/|$)/.test(url.pathname)) return;
    if (/\.[a-z0-9]+$/i.test(url.pathname)) return; // a file, not a screen
    if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
  window.addEventListener('popstate', render);
}

// ---- errors

function showErrorScreen(ctx, err) {
  if (!ctx.current()) return;
  if (statusOf(err) === 401) {
    sessionEnded();
    return;
  }
  const info = describeError(err);
  show(ctx, 'error.title',
    h('h1', { t: ['error.title'] }),
    fillAlert(h('div', { class: 'alert' }), [info], info.detail),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'btn btn-primary', t: ['common.retry'], onclick: err?.reload ? () => location.reload() : render }),
      h('a', { href: '/', class: 'btn btn-secondary', t: ['common.home'] })));
}

function showMessageScreen(ctx, titleKey, textKey, signInLink = true) {
  show(ctx, titleKey,
    h('h1', { t: [titleKey] }),
    h('p', { class: 'lead', t: [textKey] }),
    h('p', { class: 'actions' },
      signInLink ? h('a', { href: '/ingresar', class: 'btn btn-primary', t: ['common.signin_link'] }) : null,
      h('a', { href: '/', class: 'btn btn-secondary', t: ['common.home'] })));
}

// ---- the session: header menu, live connection

const isUser = (v) => v !== null && typeof v === 'object' && typeof v.display_name === 'string';

function closeMenu() {
  const menu = document.getElementById('user-menu');
  if (menu) menu.open = false;
}

function signedIn(me) {
  user = me;
  setDraftOwner(me.id);
  buildSessionMenu();
  connection.hidden = false;
  live.start(sessionEnded);
}

/** Forgets the session here: no socket, no menu (drafts stay for a sign-in again). */
function forgetSession() {
  user = null;
  setDraftOwner(null);
  live.stop();
  sessionArea.replaceChildren();
  sessionArea.hidden = true;
  connection.hidden = true;
}

/** The server ended the session (or the socket keeps failing: check). */
async function sessionEnded(maybe) {
  if (maybe) {
    try {
      await api.get('/api/v1/me');
      return; // still signed in: the network is the problem
    } catch (err) {
      if (statusOf(err) !== 401) return;
    }
  }
  if (!user) return;
  rememberReturn();
  forgetSession();
  flash = 'signin.session_ended';
  navigate('/ingresar', true);
}

function buildSessionMenu() {
  const alert = h('div', { class: 'alert', role: 'alert' });
  const logout = h('button', { type: 'button', id: 'logout', class: 'btn btn-primary', t: ['home.logout'] });
  const logoutAll = h('button', { type: 'button', id: 'logout-all', class: 'btn btn-secondary', t: ['home.logout_all'] });
  const buttons = [logout, logoutAll];
  const signOut = async (button, path, message) => {
    alert.replaceChildren();
    setBusy(buttons, button, true);
    try {
      await api.post(path);
    } catch (err) {
      // A 401 means the session had already ended: what was wanted.
      if (statusOf(err) !== 401) {
        setBusy(buttons, button, false);
        const info = describeError(err);
        fillAlert(alert, [info], info.detail);
        button.focus();
        return;
      }
    }
    forgetSession();
    clearAllDrafts(); // signed out on purpose: nothing typed stays behind
    flash = message;
    navigate('/ingresar', true);
  };
  logout.addEventListener('click', () => signOut(logout, '/api/v1/auth/logout', 'signin.signed_out'));
  logoutAll.addEventListener('click', () => signOut(logoutAll, '/api/v1/auth/logout-all', 'signin.signed_out_all'));

  const menu = h('details', { id: 'user-menu', class: 'menu' },
    h('summary', null,
      h('span', { class: 'who', text: user.display_name }),
      h('span', { class: 'who-org', text: user.organization?.short_name ?? '' })),
    h('div', { class: 'menu-panel' },
      h('p', { class: 'menu-name', t: ['home.welcome', { name: user.display_name }] }),
      h('dl', { class: 'facts' },
        h('div', null, h('dt', { t: ['home.organization'] }), h('dd', { text: orgLabel(user.organization) })),
        h('div', null, h('dt', { t: ['home.role'] }), h('dd', roleProps(user.role))),
        h('div', null, h('dt', { t: ['home.email'] }), h('dd', { text: user.email ?? '' }))),
      h('nav', { 'aria-label': t('nav.label'), 'data-i18n-attr': 'aria-label:nav.label', class: 'menu-nav' },
        h('ul', null,
          h('li', null, h('a', { href: '/', id: 'nav-charter', t: ['nav.charter'] })),
          h('li', null, h('a', { href: '/sesiones', id: 'nav-sessions', t: ['nav.sessions'] })),
          h('li', null, h('a', { href: '/preferencias', id: 'nav-preferences', t: ['nav.preferences'] })),
          user.role === 'secretariat' && h('li', null, h('a', { href: '/secretaria', id: 'nav-console', t: ['nav.console'] })))),
      h('p', { class: 'hint', t: ['home.logout_all_hint'] }),
      alert,
      h('div', { class: 'actions' }, buttons)));
  menu.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && menu.open) {
      menu.open = false;
      menu.querySelector('summary').focus();
    }
  });
  const inbox = h('a', { href: '/avisos', id: 'inbox-link', class: 'inbox-link' },
    h('span', { t: ['inbox.link'] }), ' ',
    h('span', { id: 'unread-count', class: 'badge', hidden: true, 'aria-live': 'polite' }));
  sessionArea.replaceChildren(inbox, menu);
  sessionArea.hidden = false;
  import('./screens/inbox.js').then((inboxScreen) => inboxScreen.followInbox()).catch(() => {});
}

function setupConnectionState() {
  setUnauthenticatedHandler(() => sessionEnded());
  document.addEventListener('click', (event) => {
    const menu = document.getElementById('user-menu');
    if (menu?.open && !menu.contains(event.target)) menu.open = false;
  });
  live.onStatus((state) => {
    connection.dataset.state = state;
    tx(connection, `live.${state}`);
  });
}

// ---- screens that work signed out

function signInView(ctx) {
  const notice = flash;
  flash = null;
  const email = field({
    name: 'email', label: 'signin.email', type: 'email', autocomplete: 'email',
    attrs: { maxlength: 254, autocapitalize: 'none', spellcheck: 'false' },
  });
  const password = field({
    name: 'password', label: 'signin.password', type: 'password', autocomplete: 'current-password',
    attrs: { maxlength: 200 },
  });
  const [toggle, hidePassword] = passwordToggle([password.input], 'signin.show_password');

  const form = makeForm(ctx, {
    submitKey: 'signin.submit',
    children: [email.wrap, password.wrap, toggle],
    check() {
      const problems = [];
      const value = email.input.value.trim();
      if (!value) problems.push({ input: email.input, key: 'signin.email_required' });
      else if (!/^[^\s@]+@[^\s@]+$/.test(value)) problems.push({ input: email.input, key: 'signin.email_invalid' });
      if (!password.input.value) problems.push({ input: password.input, key: 'signin.password_required' });
      return problems;
    },
    send() {
      hidePassword();
      return api.post('/api/v1/auth/login', { email: email.input.value.trim(), password: password.input.value });
    },
    done: enter,
    fail: (err) => statusOf(err) === 401 && ['signin.bad_credentials', password.input],
  });
  form.id = 'signin-form';

  show(ctx, 'signin.title',
    h('h1', { t: ['signin.title'] }),
    notice && h('p', { class: 'notice', role: 'status', t: [notice] }),
    h('p', { class: 'lead', t: ['signin.intro'] }),
    form,
    h('p', null, h('a', { href: '/olvide', id: 'forgot-link', t: ['signin.forgot'] })),
    h('p', { class: 'hint', t: ['signin.no_account'] }));
}

/** After login or accepting an invitation: into the app (or back where one was). */
function enter(data) {
  if (user) forgetSession(); // another account on this tab
  if (data && isUser(data.user)) signedIn(data.user);
  let target = '/';
  try {
    target = sessionStorage.getItem(RETURN_KEY) || '/';
    sessionStorage.removeItem(RETURN_KEY);
  } catch { /* back to the start */ }
  navigate(target.startsWith('/') && !target.startsWith('//') ? target : '/', true);
}

/** "Show password" checkbox; returns its element and a reset (hide again). */
function passwordToggle(inputs, labelKey) {
  const id = nextId('show');
  const box = h('input', { type: 'checkbox', id });
  const apply = () => inputs.forEach((input) => { input.type = box.checked ? 'text' : 'password'; });
  box.addEventListener('change', apply);
  const reset = () => { box.checked = false; apply(); };
  return [h('div', { class: 'check' }, box, h('label', { for: id, t: [labelKey] })), reset];
}

async function invitationView(ctx, rawToken) {
  let token = '';
  try {
    token = decodeURIComponent(rawToken);
  } catch { /* a malformed escape is an unknown invitation */ }
  const path = `/api/v1/invitations/${encodeURIComponent(token)}`;
  const gone = (status) => (status === 404 ? 'invite.not_found' : status === 410 ? 'invite.gone' : null);
  let invitation;
  try {
    if (!token) throw new ApiError(404, null, null);
    invitation = await api.get(path, { signal: ctx.signal });
  } catch (err) {
    const key = gone(statusOf(err));
    if (key) showMessageScreen(ctx, `${key}_title`, key);
    else showErrorScreen(ctx, err);
    return;
  }
  if (!invitation || typeof invitation.email !== 'string') throw new ApiError(500, null, null);

  const name = field({
    name: 'display_name', label: 'invite.display_name', autocomplete: 'name', hint: 'invite.display_name_hint',
    attrs: { maxlength: 100 },
  });
  const password = field({
    name: 'password', label: 'invite.password', type: 'password', autocomplete: 'new-password',
    hint: 'invite.password_hint', attrs: { minlength: 10, maxlength: 200 },
  });
  const confirm = field({
    name: 'password_confirm', label: 'invite.password_confirm', type: 'password', autocomplete: 'new-password',
    attrs: { maxlength: 200 },
  });
  const [toggle, hidePasswords] = passwordToggle([password.input, confirm.input], 'invite.show_passwords');
  const headingId = nextId('create');

  const form = makeForm(ctx, {
    submitKey: 'invite.submit',
    children: [
      h('h2', { id: headingId, t: ['invite.form_heading'] }),
      // Lets password managers file the new password under the right account.
      h('input', { type: 'email', name: 'username', autocomplete: 'username', value: invitation.email, hidden: true, readonly: true }),
      name.wrap, password.wrap, confirm.wrap, toggle,
    ],
    check() {
      const problems = [];
      const display = name.input.value.trim();
      const secret = password.input.value;
      if (!display) problems.push({ input: name.input, key: 'invite.name_required' });
      else if (charCount(display) > 100) problems.push({ input: name.input, key: 'invite.name_too_long' });
      else if (/[\u0000-\u001f\u007f-\u009f]/.test(display)) problems.push({ input: name.input, key: 'invite.name_invalid' });
      if (charCount(secret) < 10) problems.push({ input: password.input, key: 'invite.password_too_short' });
      else if (charCount(secret) > 200) problems.push({ input: password.input, key: 'invite.password_too_long' });
      else if (confirm.input.value !== secret) problems.push({ input: confirm.input, key: 'invite.password_mismatch' });
      return problems;
    },
    send() {
      hidePasswords();
      return api.post(`${path}/accept`, { display_name: name.input.value.trim(), password: password.input.value });
    },
    done: enter,
    fail(err) {
      const status = statusOf(err);
      const key = status === 409 ? 'invite.conflict' : gone(status);
      return key && [key];
    },
  });
  form.setAttribute('aria-labelledby', headingId);

  const expires = invitation.expires_at;
  show(ctx, 'invite.title',
    h('h1', { t: ['invite.title'] }),
    h('p', { class: 'lead', t: ['invite.summary', {
      role: ROLES.includes(invitation.role) ? { key: `role.${invitation.role}` } : String(invitation.role ?? ''),
      organization: String(invitation.organization?.name ?? ''),
    }] }),
    h('dl', { class: 'facts' },
      h('div', null, h('dt', { t: ['invite.email'] }), h('dd', { text: invitation.email })),
      expires && h('div', null, h('dt', { t: ['invite.expires'] }),
        h('dd', null, h('time', { datetime: expires, t: ['invite.expires_value', { date: { date: expires } }] })))),
    form);
}

function notFoundView(ctx) {
  showMessageScreen(ctx, 'notfound.title', 'notfound.text', false);
}

// ---- start

function setupLanguageSwitch() {
  const buttons = [...document.querySelectorAll('button[data-lang]')];
  const sync = () => buttons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.lang === getLang())));
  for (const button of buttons) {
    button.addEventListener('click', async () => {
      if (button.dataset.lang === getLang()) return;
      buttons.forEach((b) => { b.disabled = true; });
      try {
        await setLang(button.dataset.lang);
      } catch (err) {
        console.error(err); // not loaded: keep the current language
      }
      buttons.forEach((b) => { b.disabled = false; });
      sync();
      document.dispatchEvent(new CustomEvent('minga:lang'));
      button.focus();
    });
  }
  sync();
}

async function start() {
  try {
    await initI18n();
  } catch (err) {
    // No dictionary, so this one message is written here, in Spanish.
    console.error(err);
    main.removeAttribute('aria-busy');
    main.replaceChildren(
      h('h1', { text: 'Minga' }),
      h('div', { class: 'alert', role: 'alert' }, h('p', { text: 'No se pudo conectar con el servidor.' })),
      h('button', { type: 'button', class: 'btn btn-primary', text: 'Reintentar', onclick: () => location.reload() }));
    return;
  }
  if ('scrollRestoration' in history) history.scrollRestoration = 'manual';
  relocalize();
  setupLanguageSwitch();
  setupConnectionState();
  interceptLinks();
  render();
}

start();
