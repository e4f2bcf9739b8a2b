// The home page's "Pendiente para su organización" at 360 px (an open
// ballot, whether the organization voted, and the time left, on the first
// screen), the header's unread count updating live over the topic `me`,
// the notice preferences, an unsubscribe link that is not valid, and the
// `@` autocomplete of the comment box; axe-checked.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, api, closeClean, createCharter, createProposal, createUser, expectSignedIn, horizontalOverflow, launch,
  openBallot, postComment,
} from './support.js';
import { PHONE, axeCheck, openPageWith, unique } from './support-extra.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the home page says what waits for my organization on the first screen, and the unread count follows live', async () => {
  const doc = await createCharter();
  const ana = await createUser({ role: 'delegate', displayName: `Ana ${unique()}` });
  const beto = await createUser({ role: 'delegate', displayName: 'Beto Ruiz' });
  const title = `Plazo de convocatoria ${unique()}`;
  const proposal = await createProposal(ana, doc, { title });
  const first = await postComment(ana, proposal, '¿Quince días bastan?');
  const closesAt = new Date(Date.now() + 26 * 3600 * 1000).toISOString();
  const ballot = await openBallot(proposal, { closes_at: closesAt });

  const tab = await openPageWith(browser, { user: ana, viewport: PHONE, bypassCSP: true });
  const { page } = tab;
  try {
    await page.goto(`${BASE}/`);
    await expectSignedIn(page, ana.displayName);
    const item = page.locator('[data-test="pending-ballot"]', { hasText: title });
    await item.waitFor();
    assert.equal(await item.getAttribute('data-voted'), 'false');
    await item.getByText('Su organización aún no ha votado').waitFor();
    await item.getByText(/Faltan 1 día/).waitFor();
    // The soonest deadline (other test files' ballots may list before hers) is on the first screen.
    const box = await page.locator('[data-test="pending-ballot"]').first().boundingBox();
    assert.ok(box && box.y + box.height <= PHONE.height, `a ballot is on the first screen at 360 px: ${JSON.stringify(box)}`);
    const overflow = await horizontalOverflow(page);
    assert.ok(overflow.scroll <= overflow.width, `the home page fits a 360 px phone: ${overflow.culprits}`);
    assert.deepEqual((await axeCheck(page)).violations, [], 'no WCAG 2.1 A/AA violation on the home page');

    // A reply while the page is open: the count goes up without a reload
    // (the page asks at most every 30 s by itself; this is the topic `me`).
    await page.locator('#unread-count').waitFor({ state: 'attached' });
    await page.waitForFunction(() => document.getElementById('unread-count')?.dataset.count !== undefined);
    const before = Number(await page.locator('#unread-count').getAttribute('data-count'));
    await api('POST', `/api/v1/proposals/${proposal.id}/comments`, { token: beto.token, body: { body: 'Mejor treinta.', parent_id: first.id } });
    // At least one more: ballots opened by test files running beside this one notify her too.
    await page.waitForFunction((n) => Number(document.getElementById('unread-count')?.dataset.count) > n, before, { timeout: 10_000 });

    await api('PUT', `/api/v1/ballots/${ballot.id}/vote`, { token: ana.token, body: { choice: 'yes' } });
    await page.reload();
    await item.getByText('Su organización ya votó: A favor').waitFor();
    assert.equal(await item.getAttribute('data-voted'), 'true');
  } finally {
    await closeClean(tab);
  }
});

test('notice preferences are saved, and an unsubscribe link that is not valid says so', async () => {
  const ana = await createUser({ role: 'delegate', displayName: `Ana ${unique()}` });
  const tab = await openPageWith(browser, { user: ana, viewport: PHONE, bypassCSP: true });
  const { page } = tab;
  try {
    await page.goto(`${BASE}/preferencias`);
    await page.getByRole('heading', { level: 1, name: 'Preferencias de avisos' }).waitFor();
    const replies = page.getByLabel('Respuestas a sus comentarios');
    assert.equal(await replies.inputValue(), 'digest', 'replies come in the digest by default');
    await replies.selectOption('app');
    await page.getByRole('button', { name: 'Guardar preferencias' }).click();
    await page.locator('#prefs-saved').getByText('Sus preferencias se guardaron.').waitFor();
    const saved = await api('GET', '/api/v1/me/preferences', { token: ana.token });
    assert.equal(saved.notifications['comment.reply'], 'app');
    assert.equal(saved.notifications['ballot.opened'], 'email', 'the others kept');
    assert.deepEqual((await axeCheck(page)).violations, [], 'no WCAG 2.1 A/AA violation on /preferencias');

    await page.goto(`${BASE}/baja?token=no-es-un-enlace`);
    await page.locator('#unsub-invalid').getByText('no es válido o ha caducado').waitFor();
  } finally {
    await closeClean(tab);
  }
});

test('typing @ and the start of a name offers the people, and Enter puts the whole name in', async () => {
  const doc = await createCharter();
  const named = `Wilma${unique()}`;
  await createUser({ role: 'delegate', displayName: `${named} Andrade` });
  const ana = await createUser({ role: 'delegate', displayName: `Ana ${unique()}` });
  const proposal = await createProposal(ana, doc);
  const tab = await openPageWith(browser, { user: ana, viewport: PHONE });
  const { page } = tab;
  try {
    await page.goto(`${BASE}/propuestas/${proposal.id}`);
    const box = page.locator('#comment-body');
    await box.waitFor();
    await box.pressSequentially(`Hola @${named.slice(0, 9)}`);
    const option = page.locator('[data-test="mention-option"]', { hasText: `${named} Andrade` });
    await option.waitFor();
    assert.equal(await box.getAttribute('aria-activedescendant'), await page.locator('[data-test="mention-option"]').first().getAttribute('id'));
    await box.press('Enter');
    assert.equal(await box.inputValue(), `Hola @${named} Andrade `);
    assert.equal(await page.locator('.mention-list').isHidden(), true, 'the list closes');
  } finally {
    await closeClean(tab);
  }
});
