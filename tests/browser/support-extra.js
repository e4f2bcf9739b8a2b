// More helpers for the browser tests, beside support.js: a page opened with
// extra context options (bypassCSP for the axe check), a server of a test's
// own (to stop and start it), the API and a page watcher for that server,
// and the dictionaries of web/i18n.

import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BIN, PASSWORD, WAIT, closeClean, horizontalOverflow, signInByCookie, untranslated, watchPage } from './support.js';

const run = promisify(execFile);

export const unique = () => randomUUID().slice(0, 8);
export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };

/** The repository's root (tests/browser/../..). */
export const REPO_ROOT = new URL('../../', import.meta.url).pathname;

// ---------------------------------------------------------------------------
// Pages

/**
 * Like support.js's openPage, with more context options (`bypassCSP` for
 * a test that injects a script). Returns {context, page, watch}.
 */
export async function openPageWith(browser, { user, viewport, locale = 'es-EC', ...options } = {}) {
  const context = await browser.newContext({
    viewport: viewport || { width: 1280, height: 900 },
    locale,
    timezoneId: 'America/Guayaquil',
    serviceWorkers: 'block',
    ...options,
  });
  context.setDefaultTimeout(WAIT);
  context.setDefaultNavigationTimeout(WAIT * 2);
  if (user) await signInByCookie(context, user);
  const page = await context.newPage();
  const watch = watchPage(page);
  return { context, page, watch };
}

/** window.__sameDocument = true: later `sameDocument(page)` says whether the page was reloaded since. */
export const markDocument = (page) => page.evaluate(() => { window.__sameDocument = true; });
export const sameDocument = (page) => page.evaluate(() => window.__sameDocument === true);

// ---------------------------------------------------------------------------
// The dictionaries (web/i18n/*.json)

/** The language's main dictionary and every part of it (`<lang>.<part>.json`). */
export function dictionary(lang) {
  const dir = join(REPO_ROOT, 'web', 'i18n');
  const read = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
  const parts = readdirSync(dir).filter((name) => name.startsWith(`${lang}.`) && name !== `${lang}.json`).sort();
  return Object.assign(read(`${lang}.json`), ...parts.map(read));
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A translation template as a whole-text RegExp: "{n} of {of}" -> /^.+ of .+$/s. */
export function templateRe(template) {
  const parts = template.split(/\{\w+\}/);
  return new RegExp(`^${parts.map(escapeRe).join('.+?')}$`, 's');
}

// ---------------------------------------------------------------------------
// A server of the test's own

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const TEST_JWT_SECRET = 'browser-restart-test-secret-0123456789-abcdefghij';

/**
 * `minga serve` on a free port with its own temp dir and SQLite database,
 * and MINGA_JWT_SECRET set, so that sessions survive a restart.
 */
export class OwnServer {
  static async create() {
    const server = new OwnServer();
    server.dir = await mkdtemp(join(tmpdir(), 'minga-own-'));
    server.port = await freePort();
    server.base = `http://127.0.0.1:${server.port}`;
    server.dbUrl = `sqlite://${server.dir}/m.db`;
    server.log = createWriteStream(join(server.dir, 'server.log'), { flags: 'a' });
    return server;
  }

  env() {
    return {
      ...process.env,
      MINGA_DATABASE_URL: this.dbUrl,
      MINGA_PUBLIC_URL: this.base,
      MINGA_BIND: `127.0.0.1:${this.port}`,
      MINGA_JWT_SECRET: TEST_JWT_SECRET,
      MINGA_LOG_FORMAT: 'text',
      RUST_LOG: 'warn',
      NO_COLOR: '1',
    };
  }

  /** Starts the server and waits until /readyz answers 200 (30 s at most). Returns the ms it took. */
  async start() {
    assert.equal(this.child, undefined, 'the server is already running');
    const started = Date.now();
    const child = spawn(BIN, ['serve', '--bind', `127.0.0.1:${this.port}`, '--public-url', this.base,
      '--database-url', this.dbUrl], { cwd: this.dir, env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(this.log, { end: false });
    child.stderr.pipe(this.log, { end: false });
    this.child = child;
    this.exited = once(child, 'exit');
    // Never left behind, even if the test process is stopped mid-test.
    const kill = () => child.kill('SIGKILL');
    process.once('exit', kill);
    this.exited.then(() => process.off('exit', kill));
    let gone = false;
    this.exited.then(() => { gone = true; });
    while (Date.now() - started < 30_000) {
      if (gone) throw new Error(`the server exited during start-up; log:\n${this.logText()}`);
      try {
        const r = await fetch(`${this.base}/readyz`, { signal: AbortSignal.timeout(1000) });
        if (r.status === 200) return Date.now() - started;
      } catch { /* not up yet */ }
      await new Promise((resolve) => { setTimeout(resolve, 25); });
    }
    throw new Error(`the server did not answer /readyz within 30 s; log:\n${this.logText()}`);
  }

  /** SIGTERM, then waits for the exit (SIGKILL after 10 s). Returns the exit code. */
  async stop() {
    const { child } = this;
    if (!child) return null;
    this.child = undefined;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    return child.exitCode;
  }

  logText() {
    try {
      return readFileSync(join(this.dir, 'server.log'), 'utf8').split('\n').slice(-40).join('\n');
    } catch {
      return '(no log)';
    }
  }

  async cleanup() {
    await this.stop().catch(() => {});
    this.log.end();
    if (process.env.MINGA_BROWSER_KEEP === '1') console.log(`# kept ${this.dir}`);
    else await rm(this.dir, { recursive: true, force: true });
  }

  /** `minga invite` against this server's database: the invitation URL. */
  async cliInvite({ email, organization, role = 'secretariat', shortName }) {
    const args = ['invite', '--email', email, '--organization', organization, '--role', role];
    if (shortName) args.push('--short-name', shortName);
    args.push('--database-url', this.dbUrl, '--public-url', this.base);
    const { stdout } = await run(BIN, args, { cwd: this.dir, env: this.env(), timeout: 30_000 });
    const url = stdout.split('\n').map((l) => l.trim()).find((l) => /^https?:\/\//.test(l));
    assert.ok(url, `no invitation URL in the output of minga invite:\n${stdout}`);
    return url;
  }

  /** The API of this server (Bearer token); the parsed JSON, null for 204. */
  async api(method, path, { token, body, contentType } = {}) {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    let payload;
    if (body !== undefined) {
      headers['Content-Type'] = contentType || 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const response = await fetch(`${this.base}${path}`, { method, headers, body: payload, signal: AbortSignal.timeout(WAIT * 2) });
    const text = await response.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch { data = text; }
    }
    if (!response.ok) throw new Error(`${method} ${path} -> ${response.status}: ${text}`);
    return data;
  }

  /** Accepts an invitation URL: {token, user}. */
  accept(url, displayName, password = PASSWORD) {
    const token = decodeURIComponent(new URL(url).pathname.split('/').pop());
    return this.api('POST', `/api/v1/invitations/${encodeURIComponent(token)}/accept`,
      { body: { display_name: displayName, password } });
  }
}

/**
 * A watcher like support.js's, for a page on another origin (`base`). While
 * `outage(true)` is in force, what a stopped server causes (refused
 * connections of the websocket and of fetches) is expected and not counted.
 */
export function watchAt(page, base) {
  const problems = [];
  let down = false;
  const tolerated = [];
  const refused = /ERR_CONNECTION_REFUSED|ERR_CONNECTION_RESET|ERR_EMPTY_RESPONSE|ERR_CONNECTION_CLOSED|WebSocket connection to .* failed/;
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    const where = msg.location()?.url || '';
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(text)
      && new URL(where || base, base).pathname.startsWith('/api/')) return;
    if (down && refused.test(text)) {
      tolerated.push(text);
      return;
    }
    problems.push(`console error: ${text}${where ? ` (${where})` : ''}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught exception: ${err.message}`));
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${base}/`) && url !== base && !url.startsWith('data:') && !url.startsWith('blob:')) {
      problems.push(`request left the origin: ${request.method()} ${url}`);
    }
  });
  page.on('websocket', (ws) => {
    if (!ws.url().startsWith(`${base.replace(/^http/, 'ws')}/`)) problems.push(`websocket left the origin: ${ws.url()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 500) problems.push(`server error ${response.status()} on ${response.request().method()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText || '';
    if (/ERR_ABORTED/.test(failure)) return;
    if (down && refused.test(failure)) {
      tolerated.push(`${request.url()} ${failure}`);
      return;
    }
    problems.push(`request failed: ${request.method()} ${request.url()} (${failure})`);
  });
  return {
    problems,
    tolerated,
    outage(on) { down = on; },
    async check() {
      await page.waitForTimeout(50).catch(() => {});
      assert.deepEqual(problems, [], `problems on the page:\n  ${problems.join('\n  ')}`);
    },
  };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core on the page as it is (open it with bypassCSP): how many WCAG 2.1
 * A/AA rules passed, and each violation as "rule: targets".
 */
export async function axeCheck(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return { passed: result.passes.length, violations: result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`) };
  });
}

/**
 * No axe violation at 1280 px and at 360 px, no sideways scroll on the phone,
 * no raw key; with `shot(width)`, a full-page screenshot at each width there.
 */
export async function accessibleAtBothSizes(page, label, { shot } = {}) {
  const was = page.viewportSize();
  try {
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      await page.waitForLoadState('networkidle');
      const { passed, violations } = await axeCheck(page);
      assert.ok(passed >= 10, `${label} at ${viewport.width}px: axe passed only ${passed} rules`);
      assert.deepEqual(violations, [], `${label} at ${viewport.width}px: accessibility violations`);
      if (viewport === PHONE) {
        const { scroll, culprits } = await horizontalOverflow(page);
        assert.ok(scroll <= PHONE.width, `${label}: ${scroll}px wide at ${PHONE.width}px; too wide: ${culprits.join(', ')}`);
      }
      if (shot) await page.screenshot({ path: shot(viewport.width), fullPage: true, animations: 'disabled' });
    }
    assert.deepEqual(await untranslated(page), [], `${label}: untranslated keys`);
  } finally {
    await page.setViewportSize(was);
  }
}

/** A moment as the value of a datetime-local input in Ecuador time ("2025-12-14T18:00"). */
export function ecuadorLocal(ms) {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: 'America/Guayaquil', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit',
  });
  const p = Object.fromEntries(format.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

// ---------------------------------------------------------------------------
// A flow: steps run in order on the same pages

/** step(name, fn): a test of its own, run in order; once one fails the rest are skipped. */
export function stepper() {
  let broken = false;
  return function step(name, fn) {
    test(name, async (t) => {
      if (broken) {
        t.skip('an earlier step failed');
        return;
      }
      try {
        await fn();
      } catch (err) {
        broken = true;
        throw err;
      }
    });
  };
}

/**
 * open(user, viewport): a signed-in page of `browserOf()`, with bypassCSP
 * (so that axe can be injected), reduced motion (no colour transition caught
 * half-way by the contrast rule) and every confirmation accepted.
 * open.closeAll() closes the pages (checking them clean), then the browser.
 */
export function pageOpener(browserOf) {
  const tabs = [];
  const open = async (user, viewport = DESKTOP) => {
    const tab = await openPageWith(browserOf(), { user, viewport, bypassCSP: true, reducedMotion: 'reduce' });
    tabs.push(tab);
    tab.page.on('dialog', (dialog) => dialog.accept().catch(() => {}));
    return tab;
  };
  open.closeAll = async () => {
    try {
      for (const tab of tabs) await closeClean(tab);
    } finally {
      await browserOf()?.close();
    }
  };
  return open;
}
