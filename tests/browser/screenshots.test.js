// Screenshots of every main screen, on a laptop (1280x800) and a phone
// (360x740), saved as target/screenshots/<screen>-<width>.png (full page;
// target/ is git-ignored) for a person to look at. The test checks that
// each file was written now and is a non-empty PNG.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASE, api, closeClean, createCharter, createProposal, createUser, expectConnected, invite, launch, openBallot, openPage,
  postComment, secretariat,
} from './support.js';
import { DESKTOP, PHONE, REPO_ROOT } from './support-extra.js';

const SHOTS = join(REPO_ROOT, 'target', 'screenshots');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const CONSOLE_TABS = ['organizaciones', 'personas', 'invitaciones', 'correo', 'votaciones', 'moderacion', 'carta'];

let browser;
let fixtures;
before(async () => {
  browser = await launch();
  mkdirSync(SHOTS, { recursive: true });
  // What the screens show: a charter, a proposal with a discussion and an
  // open ballot (one organization has voted), another still open (to
  // revise), a reported comment (for the moderation queue), an invitation.
  const sec = await secretariat();
  const doc = await createCharter();
  const delegate = await createUser({ role: 'delegate', displayName: 'Ana Quishpe' });
  const other = await createUser({ role: 'delegate', displayName: 'Beto Ruiz' });
  const articles = doc.sections.filter((s) => s.kind === 'article');
  const proposal = await createProposal(delegate, doc, {
    section: articles[1], title: 'Domicilio en Quito y Guayaquil',
    body: 'El Foro tiene su domicilio en las ciudades de Quito y Guayaquil.',
    rationale: 'Las organizaciones de la Costa también deben acogerlo.',
  });
  const first = await postComment(other, proposal, 'Estamos de acuerdo, pero ¿quién decide dónde se reúne la asamblea?');
  await api('POST', `/api/v1/proposals/${proposal.id}/comments`, {
    token: delegate.token, body: { body: 'La asamblea, cada año.', parent_id: first.id },
  });
  const rude = await postComment(other, proposal, 'Un comentario fuera de tema que alguien reportará.');
  await api('POST', `/api/v1/comments/${rude.id}/flag`, { token: delegate.token, body: { reason: 'Fuera de tema.' } });
  const ballot = await openBallot(proposal, { quorum: 0.5, live_results: true });
  await api('PUT', `/api/v1/ballots/${ballot.id}/vote`, { token: other.token, body: { choice: 'yes' } });
  const open = await createProposal(delegate, doc, { section: articles[0], title: 'Sin fines de lucro' });
  fixtures = { sec, doc, delegate, proposal, open, invitation: await invite({ role: 'delegate' }) };
});
after(async () => { await browser?.close(); });

/** The screens: [name, who ('anon' | 'delegate' | 'sec'), path, ready(page)]. */
function screens() {
  const { doc, proposal, open, invitation } = fixtures;
  const h1 = (name) => (page) => page.getByRole('heading', { level: 1, name }).waitFor();
  const list = [
    ['signin', 'anon', '/ingresar', h1('Ingresar')],
    ['invitation', 'anon', `/invitations/${invitation.token}`, h1('Invitación a Minga')],
    ['home', 'delegate', '/', (page) => page.getByRole('link', { name: doc.title, exact: true }).waitFor()],
    ['charter', 'delegate', `/documentos/${doc.id}`, (page) => page.locator('[data-test="article"]').nth(4).waitFor()],
    ['proposal', 'delegate', `/propuestas/${proposal.id}`, async (page) => {
      await page.locator('#ballot-panel [data-test="participation"]').waitFor();
      await page.locator('#proposal-diff ins').first().waitFor();
      await page.locator('#comment-list [data-test="comment"]').nth(2).waitFor();
    }],
    ['new-proposal', 'delegate', `/documentos/${doc.id}/proponer?tipo=amend&seccion=${open.section_id}`,
      (page) => page.locator('#proposal-form').waitFor()],
    ['revise', 'delegate', `/propuestas/${open.id}/revisar`, (page) => page.locator('#revise-form').waitFor()],
    ['history', 'delegate', `/documentos/${doc.id}/historial`, (page) => page.locator('#comparison table').waitFor()],
    ['console', 'sec', '/secretaria', h1('Consola de la secretaría')],
  ];
  for (const tab of CONSOLE_TABS) {
    list.push([`console-${tab}`, 'sec', `/secretaria/${tab}`, (page) => page.locator(`#console-tab[data-tab="${tab}"]`).waitFor()]);
  }
  return list;
}

/** A full-page shot of a long screen can take longer than Playwright's 10 s
 * when the two-core CI machine also runs other test files; the picture is for
 * a person, not a speed check, so it gets more time and one more try. */
async function shoot(page, file) {
  try {
    await page.screenshot({ path: file, fullPage: true, animations: 'disabled', timeout: 30000 });
  } catch (err) {
    if (err.name !== 'TimeoutError') throw err;
    await page.screenshot({ path: file, fullPage: true, animations: 'disabled', timeout: 30000 });
  }
}

async function shootAll(viewport) {
  const width = viewport.width;
  const started = Date.now();
  const tabs = {
    anon: await openPage(browser, { viewport }),
    delegate: await openPage(browser, { viewport, user: fixtures.delegate }),
    sec: await openPage(browser, { viewport, user: fixtures.sec }),
  };
  const written = [];
  try {
    for (const [name, who, path, ready] of screens()) {
      const { page } = tabs[who];
      await page.goto(`${BASE}${path}`);
      await ready(page);
      if (who !== 'anon') await expectConnected(page);
      await page.waitForLoadState('networkidle');
      await page.evaluate(() => document.fonts.ready);
      const file = join(SHOTS, `${name}-${width}.png`);
      await shoot(page, file);
      written.push(file);
    }
  } finally {
    for (const tab of Object.values(tabs)) await closeClean(tab);
  }
  for (const file of written) {
    const stat = statSync(file);
    assert.ok(stat.size > 1000, `${file} is ${stat.size} bytes`);
    assert.ok(stat.mtimeMs >= started - 1000, `${file} was written by this run`);
    assert.deepEqual(readFileSync(file).subarray(0, 8), PNG, `${file} is a PNG`);
  }
  assert.equal(written.length, screens().length);
  return written;
}

// Sixteen full-page pictures each: a loaded 2-core machine took 61 s for
// the wide ones, and more than the runner's 90 s for the narrow ones. They
// are for a person to look at, not a speed check.
const PICTURES = { timeout: 240_000 };

test('every main screen is photographed at 1280x800', PICTURES, async (t) => {
  const files = await shootAll(DESKTOP);
  t.diagnostic(`screenshots: ${files.map((f) => f.slice(REPO_ROOT.length)).join(' ')}`);
});

test('every main screen is photographed at 360x740', PICTURES, async (t) => {
  const files = await shootAll(PHONE);
  t.diagnostic(`screenshots: ${files.map((f) => f.slice(REPO_ROOT.length)).join(' ')}`);
});
