// The first load stays small (an issue requirement: under 150 KB uncompressed)
// and nothing is fetched from anywhere but Minga's own origin.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, closeClean, createCharter, createProposal, createUser, launch, openBallot, openPage, postComment,
} from './support.js';

const BUDGET = 150 * 1024;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/**
 * Opens `path` in a fresh context (empty cache) and adds up the bodies of
 * every response (decoded bodies, i.e. uncompressed) until the first screen's h1 is shown and the network
 * is idle, so every module the screen loads lazily is counted.
 */
async function firstLoad(path, { user } = {}) {
  const tab = await openPage(browser, { user });
  const { page } = tab;
  const sizes = [];
  page.on('response', (response) => {
    sizes.push(response.body().then(
      (body) => ({ url: response.url(), status: response.status(), bytes: body.length }),
      () => ({ url: response.url(), status: response.status(), bytes: 0 }), // redirects have none
    ));
  });
  try {
    await page.goto(`${BASE}${path}`, { waitUntil: 'networkidle' });
    await page.locator('main h1').waitFor();
    await page.waitForLoadState('networkidle');
    const all = await Promise.all(sizes);
    const isApi = (r) => new URL(r.url).pathname.startsWith('/api/');
    // The budget is for the app itself (HTML, JS, CSS, dictionaries, icon);
    // the API's answers are the user's data, reported beside it.
    const total = all.filter((r) => !isApi(r)).reduce((sum, r) => sum + r.bytes, 0);
    const data = all.filter(isApi).reduce((sum, r) => sum + r.bytes, 0);
    return { total, data, all, tab };
  } catch (err) {
    await tab.context.close().catch(() => {});
    throw err;
  }
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

function report(t, label, { total, data, all }) {
  t.diagnostic(`first load of ${label}: ${total} bytes (${kb(total)}) of HTML/JS/CSS/i18n/icon, plus ${data} bytes of API data; ${all.length} responses`);
  for (const r of [...all].sort((a, b) => b.bytes - a.bytes)) {
    t.diagnostic(`  ${String(r.bytes).padStart(7)}  ${r.status}  ${r.url.slice(BASE.length)}`);
  }
}

test('the first load is under 150 KB uncompressed (signed out, sign-in screen)', async (t) => {
  const load = await firstLoad('/ingresar');
  try {
    report(t, '/ingresar', load);
    const paths = load.all.map((r) => new URL(r.url).pathname);
    for (const needed of ['/ingresar', '/app.js', '/style.css', '/i18n/es.json']) {
      assert.ok(paths.includes(needed), `${needed} was fetched (got ${paths.join(', ')})`);
    }
    assert.ok(load.total < BUDGET, `first load is ${kb(load.total)}, over the ${kb(BUDGET)} budget`);
  } finally {
    await closeClean(load.tab);
  }
});

test('the first load is under 150 KB uncompressed (signed in, home screen)', async (t) => {
  const user = await createUser({ role: 'delegate' });
  const load = await firstLoad('/', { user });
  try {
    report(t, '/ (signed in)', load);
    await load.tab.page.getByRole('heading', { level: 1, name: 'Carta fundacional' }).waitFor();
    assert.ok(load.total < BUDGET, `first load is ${kb(load.total)}, over the ${kb(BUDGET)} budget`);
  } finally {
    await closeClean(load.tab);
  }
});

test('a first load straight into the charter or a proposal is under 150 KB too', async (t) => {
  const doc = await createCharter();
  const user = await createUser({ role: 'delegate' });
  const proposal = await createProposal(user, doc);
  await postComment(user, proposal, 'Un comentario.');
  await openBallot(proposal, { quorum: 0 });
  for (const [path, ready] of [
    [`/documentos/${doc.id}`, (page) => page.locator('[data-test="article"]').first().waitFor()],
    [`/propuestas/${proposal.id}`, (page) => page.locator('#ballot-panel [data-test="participation"]').waitFor()],
  ]) {
    const load = await firstLoad(path, { user });
    try {
      await ready(load.tab.page);
      report(t, path.replace(/[0-9a-f-]{36}/, '<id>'), load);
      assert.ok(load.total < BUDGET, `first load of ${path} is ${kb(load.total)}, over the ${kb(BUDGET)} budget`);
    } finally {
      await closeClean(load.tab);
    }
  }
});

test('the Spanish dictionary is fetched once on the first load', async () => {
  const load = await firstLoad('/ingresar');
  try {
    const fetched = load.all.filter((r) => new URL(r.url).pathname === '/i18n/es.json');
    assert.equal(fetched.length, 1, `es.json fetched ${fetched.length} times`);
    assert.ok(!load.all.some((r) => new URL(r.url).pathname === '/i18n/en.json'),
      'English is not loaded until asked for');
  } finally {
    await closeClean(load.tab);
  }
});

test('no request leaves the origin, on any screen, signed out or in, in either language', async () => {
  const user = await createUser({ role: 'delegate' });
  const tab = await openPage(browser);
  const { page, watch } = tab;
  try {
    for (const path of ['/', '/ingresar', '/no-existe', '/invitations/desconocida']) {
      await page.goto(`${BASE}${path}`, { waitUntil: 'networkidle' });
      await page.locator('main h1').waitFor();
    }
    await page.getByRole('button', { name: 'English', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Invitation not found' }).waitFor();
    await page.goto(`${BASE}/ingresar`, { waitUntil: 'networkidle' });
    await page.getByLabel('Email address', { exact: true }).fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Founding charter' }).waitFor();
    await page.waitForLoadState('networkidle');
    await page.getByRole('button', { name: 'Español', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Carta fundacional' }).waitFor();

    assert.ok(watch.requests.length > 5, 'requests were seen');
    const outside = watch.requests.filter((url) => !url.startsWith(`${BASE}/`) && !url.startsWith(`${BASE.replace(/^http/, 'ws')}/`));
    assert.deepEqual(outside, [], 'every request stays on the origin');
  } finally {
    await closeClean(tab);
  }
});
