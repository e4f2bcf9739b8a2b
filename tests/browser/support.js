// Shared helpers for the browser tests: Chromium through playwright-core (the
// system Chromium, never a downloaded one), accounts and fixtures through the
// `minga invite` CLI and the REST API, and a watcher that fails a test on
// console errors, uncaught exceptions, CSP violations, server errors and
// requests that leave the origin.
//
// tests/browser/run starts the server and sets MINGA_BASE_URL, MINGA_BIN,
// MINGA_DATABASE_URL and MINGA_PUBLIC_URL.

import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const run = promisify(execFile);

export const BASE = (process.env.MINGA_BASE_URL || '').replace(/\/+$/, '');
export const BIN = process.env.MINGA_BIN || '';
if (!BASE || !BIN) {
  throw new Error('MINGA_BASE_URL and MINGA_BIN are not set: run the tests with `bash tests/browser/run`');
}

/** Generous but bounded wait for anything the UI does. */
export const WAIT = 10_000;
export const PASSWORD = 'contraseña-segura-123';

// ---------------------------------------------------------------------------
// Browser

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    headless: true,
  });
}

/** Reports CSP violations (also those Chromium would only count) as console errors. */
const CSP_PROBE = `
document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)') +
    ' at ' + e.sourceFile + ':' + e.lineNumber);
});`;

/**
 * A fresh context and page, watched. `user` (from createUser) signs it in by
 * cookie. Returns {context, page, watch}; call `await watch.check()` (or
 * `closeClean`) at the end of the test to fail on what it saw.
 */
export async function openPage(browser, { user, viewport, locale = 'es-EC' } = {}) {
  const context = await browser.newContext({
    viewport: viewport || { width: 1280, height: 900 },
    locale,
    timezoneId: 'America/Guayaquil',
    serviceWorkers: 'block',
  });
  context.setDefaultTimeout(WAIT);
  context.setDefaultNavigationTimeout(WAIT * 2);
  await context.addInitScript(CSP_PROBE);
  if (user) await signInByCookie(context, user);
  const page = await context.newPage();
  const watch = watchPage(page);
  return { context, page, watch };
}

export async function signInByCookie(context, user) {
  const url = new URL(BASE);
  await context.addCookies([{
    name: 'minga_session', value: user.token, domain: url.hostname, path: '/',
    httpOnly: true, sameSite: 'Lax', secure: false,
  }]);
}

/**
 * Collects problems on a page: console errors, page errors, CSP violations,
 * 5xx answers, failed requests (other than aborted ones), off-origin
 * requests. A browser's "Failed to load resource" line for a 4xx API answer
 * is normal app behaviour (401 on /api/v1/me when signed out, a wrong
 * password) and is not counted; a 4xx on anything else is.
 */
export function watchPage(page) {
  const problems = [];
  const requests = [];
  const allowed = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    const where = msg.location()?.url || '';
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(text)
      && new URL(where || BASE, BASE).pathname.startsWith('/api/')) return;
    if (allowed.some((re) => re.test(text))) return;
    problems.push(`console error: ${text}${where ? ` (${where})` : ''}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
  page.on('request', (request) => {
    const url = request.url();
    requests.push(url);
    if (!url.startsWith(`${BASE}/`) && url !== BASE && !url.startsWith('data:') && !url.startsWith('blob:')) {
      problems.push(`request left the origin: ${request.method()} ${url}`);
    }
  });
  page.on('websocket', (ws) => {
    const url = ws.url();
    requests.push(url);
    const expected = BASE.replace(/^http/, 'ws');
    if (!url.startsWith(`${expected}/`)) problems.push(`websocket left the origin: ${url}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 500) problems.push(`server error ${response.status()} on ${response.request().method()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText || '';
    // Navigations and superseded fetches are aborted on purpose.
    if (/ERR_ABORTED|NS_BINDING_ABORTED/.test(failure)) return;
    problems.push(`request failed: ${request.method()} ${request.url()} (${failure})`);
  });
  return {
    problems,
    requests,
    /** Lets an expected console error pass (a RegExp on its text). */
    allow(re) { allowed.push(re); },
    async check() {
      // Late console messages arrive asynchronously.
      await page.waitForTimeout(50).catch(() => {});
      assert.deepEqual(problems, [], `problems on the page:\n  ${problems.join('\n  ')}`);
    },
  };
}

/** Checks the watcher, then closes the context (also on failure). */
export async function closeClean({ context, watch }) {
  try {
    await watch.check();
  } finally {
    await context.close().catch(() => {});
  }
}

/** The page has no horizontal scroll (the layout fits the viewport). */
export async function horizontalOverflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scroll = document.documentElement.scrollWidth;
    const culprits = [];
    if (scroll > width) {
      for (const el of document.querySelectorAll('body *')) {
        const box = el.getBoundingClientRect();
        if (box.right > width + 0.5 && box.width > 0) {
          culprits.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} (right ${Math.round(box.right)})`);
          if (culprits.length >= 5) break;
        }
      }
    }
    return { width, scroll, culprits };
  });
}

// ---------------------------------------------------------------------------
// REST API

export class HttpError extends Error {
  constructor(method, path, status, body) {
    super(`${method} ${path} -> ${status}: ${typeof body === 'string' ? body : JSON.stringify(body)}`);
    this.status = status;
    this.body = body;
  }
}

/** Calls the API with a Bearer token; returns the parsed JSON (null for 204). */
export async function api(method, path, { token, body, contentType } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = contentType || 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const response = await fetch(`${BASE}${path}`, {
    method, headers, body: payload, signal: AbortSignal.timeout(WAIT * 2),
  });
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = text; }
  }
  if (!response.ok) throw new HttpError(method, path, response.status, data);
  return data;
}

const unique = () => randomUUID().slice(0, 8);

// ---------------------------------------------------------------------------
// Accounts

/** Runs `minga invite` on the server's database; returns the invitation URL. */
export async function cliInvite({ email, organization, role = 'secretariat', shortName }) {
  const args = ['invite', '--email', email, '--organization', organization, '--role', role];
  if (shortName) args.push('--short-name', shortName);
  args.push('--database-url', process.env.MINGA_DATABASE_URL, '--public-url', process.env.MINGA_PUBLIC_URL || BASE);
  const { stdout } = await run(BIN, args, {
    cwd: process.env.MINGA_TEST_TMP || undefined,
    env: { ...process.env, RUST_LOG: 'warn' },
    timeout: 30_000,
  });
  const url = stdout.split('\n').map((l) => l.trim()).find((l) => /^https?:\/\//.test(l));
  assert.ok(url, `no invitation URL in the output of minga invite:\n${stdout}`);
  return url;
}

export const tokenOf = (invitationUrl) => decodeURIComponent(new URL(invitationUrl).pathname.split('/').pop());

async function accept(invitationUrl, displayName, password = PASSWORD) {
  return api('POST', `/api/v1/invitations/${encodeURIComponent(tokenOf(invitationUrl))}/accept`,
    { body: { display_name: displayName, password } });
}

let secretariatPromise = null;

/**
 * The secretariat account of this test file (one per process), made with the
 * CLI: {token, user, email, password}.
 */
export function secretariat() {
  secretariatPromise ??= (async () => {
    const email = `secretaria-${unique()}@example.org`;
    const url = await cliInvite({ email, organization: 'Secretaría Técnica del Foro', role: 'secretariat', shortName: 'STF' });
    const { token, user } = await accept(url, 'Secretaría de Pruebas');
    return { token, user, email, password: PASSWORD };
  })();
  return secretariatPromise;
}

/** A new organization (member or observer), created by the secretariat. */
export async function createOrganization({ kind = 'member', name, shortName } = {}) {
  const sec = await secretariat();
  const id = unique();
  return api('POST', '/api/v1/organizations', {
    token: sec.token,
    body: { name: name || `Organización ${id}`, short_name: shortName || `O${id.slice(0, 5).toUpperCase()}`, kind },
  });
}

/** An invitation by the secretariat: {token, url, expires_at, email, organization}. */
export async function invite({ role = 'delegate', organization, email } = {}) {
  const sec = await secretariat();
  const org = organization || await createOrganization({ kind: role === 'observer' ? 'observer' : 'member' });
  const address = email || `${role}-${unique()}@example.org`;
  const created = await api('POST', '/api/v1/invitations', {
    token: sec.token, body: { email: address, organization_id: org.id, role },
  });
  return { ...created, email: address, organization: org };
}

/** A new user who accepted an invitation: {token, user, email, password, organization}. */
export async function createUser({ role = 'delegate', organization, displayName, password = PASSWORD } = {}) {
  const invitation = await invite({ role, organization });
  const name = displayName || `Persona ${unique()}`;
  const { token, user } = await accept(invitation.url, name, password);
  return { token, user, email: invitation.email, password, organization: invitation.organization, displayName: name };
}

// ---------------------------------------------------------------------------
// Charter, proposals, ballots

/** The charter's body (chapters and articles); createCharter adds the `# title` line. */
export const CHARTER_MD = `## De la naturaleza del Foro

### Naturaleza
El Foro Permanente por la Movilidad Humana es un espacio de articulación de organizaciones de la sociedad civil.

### Domicilio
El Foro tiene su domicilio en la ciudad de Quito.

## De los miembros

### Miembros
Son miembros las organizaciones que suscriben este estatuto.

### Derechos de los miembros
Cada organización miembro tiene derecho a voz y a un voto.

### Deberes de los miembros
Las organizaciones miembros participan en las asambleas.
`;

/**
 * A document with the charter above imported (its `# ` line is the title,
 * unique unless given): the document as GET returns it.
 */
export async function createCharter({ title, markdown = CHARTER_MD } = {}) {
  const sec = await secretariat();
  const name = title || `Estatuto del Foro ${unique()}`;
  const doc = await api('POST', '/api/v1/documents', { token: sec.token, body: { title: name } });
  await api('POST', `/api/v1/documents/${doc.id}/import`, {
    token: sec.token, body: `# ${name}\n\n${markdown}`, contentType: 'text/markdown',
  });
  return api('GET', `/api/v1/documents/${doc.id}`, { token: sec.token });
}

/** An amendment to the document's first (or given) article. */
export async function createProposal(author, doc, { section, title, body, rationale } = {}) {
  const article = section || doc.sections.find((s) => s.kind === 'article');
  return api('POST', `/api/v1/documents/${doc.id}/proposals`, {
    token: author.token,
    body: {
      kind: 'amend',
      section_id: article.id,
      title: title || `Precisar el artículo ${article.number}`,
      body: body || `${article.body} Texto enmendado para la prueba.`,
      rationale: rationale || 'Para mayor claridad.',
    },
  });
}

export async function openBallot(proposal, options = {}) {
  const sec = await secretariat();
  return api('POST', `/api/v1/proposals/${proposal.id}/ballot`, {
    token: sec.token,
    body: { majority: 'simple', quorum: 0.5, secret: false, live_results: true, ...options },
  });
}

export async function postComment(user, proposal, body) {
  return api('POST', `/api/v1/proposals/${proposal.id}/comments`, { token: user.token, body: { body } });
}

// ---------------------------------------------------------------------------
// The signed-in UI

/** The header's session menu shows `name`: the page is signed in as them. */
export async function expectSignedIn(page, name) {
  await page.locator('#user-menu summary').getByText(name, { exact: true }).waitFor();
}

/** Signs out from the header's session menu ("Cerrar sesión"). */
export async function signOutFromMenu(page) {
  await page.locator('#user-menu summary').click();
  await page.locator('#user-menu').getByRole('button', { name: 'Cerrar sesión', exact: true }).click();
}

/** The header's connection state reads "Conectado" (the websocket is open). */
export async function expectConnected(page, text = 'Conectado') {
  const state = page.locator('#connection-state');
  await state.getByText(text, { exact: true }).waitFor();
}

/** Elements showing a translation key instead of its text (a key missing from the dictionaries). */
export async function untranslated(page) {
  return page.evaluate(() => [...document.querySelectorAll('[data-i18n]')]
    .filter((el) => el.textContent.trim() === el.getAttribute('data-i18n'))
    .map((el) => el.getAttribute('data-i18n')));
}
