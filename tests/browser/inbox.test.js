// The inbox: a reply to one's comment shows on the header's "Avisos" link
// as an unread count, the inbox (/avisos) says who replied and links to the
// comment, and following it marks it read; axe-checked, and at 360 px.
// Other test files run beside this one and open ballots, which notify every
// member organization: so a delegate's inbox is never assumed empty, and the
// empty inbox is an observer's (observers belong to no organization).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, api, closeClean, createCharter, createProposal, createUser, expectSignedIn, horizontalOverflow, launch,
} from './support.js';
import { PHONE, axeCheck, openPageWith } from './support-extra.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a reply shows as an unread count, the inbox links to it, and following it marks it read', async () => {
  const doc = await createCharter();
  const ana = await createUser({ role: 'delegate', displayName: 'Ana Quishpe' });
  const beto = await createUser({ role: 'delegate', displayName: 'Beto Ruiz' });
  const proposal = await createProposal(ana, doc, { title: 'Plazo de convocatoria' });
  const first = await api('POST', `/api/v1/proposals/${proposal.id}/comments`, { token: ana.token, body: { body: '¿Quince días bastan?' } });

  const observer = await createUser({ role: 'observer', displayName: 'Olga Observa' });
  const quiet = await openPageWith(browser, { user: observer, viewport: PHONE });
  try {
    await quiet.page.goto(`${BASE}/avisos`);
    await expectSignedIn(quiet.page, 'Olga Observa');
    await quiet.page.locator('#inbox-empty').waitFor();
    assert.equal(await quiet.page.locator('#unread-count').isHidden(), true, 'nothing unread, no count');
  } finally {
    await closeClean(quiet);
  }

  // bypassCSP only so axe can be injected, as in a11y.test.js.
  const tab = await openPageWith(browser, { user: ana, viewport: PHONE, bypassCSP: true });
  const { page } = tab;
  try {
    await page.goto(`${BASE}/avisos`);
    await expectSignedIn(page, 'Ana Quishpe');
    await page.getByRole('heading', { level: 1, name: 'Avisos' }).waitFor();

    await api('POST', `/api/v1/proposals/${proposal.id}/comments`, {
      token: beto.token, body: { body: 'Mejor treinta.', parent_id: first.id },
    });
    await page.goto(`${BASE}/avisos`);
    const item = page.locator('[data-test="notification"]');
    await item.getByRole('link', { name: 'Beto Ruiz respondió a su comentario' }).waitFor();
    await page.locator('#unread-count:not([hidden])').waitFor();
    const count = Number(await page.locator('#unread-count').getAttribute('data-count'));
    assert.ok(count >= 1, `the reply is counted unread (${count})`);
    assert.equal(await page.locator('#inbox-link').getAttribute('aria-label'), `Avisos: ${count} sin leer`);
    const [reply] = (await api('GET', '/api/v1/me/notifications?unread=true', { token: ana.token }))
      .filter((n) => n.kind === 'comment.reply');
    assert.ok(reply, 'the reply is in the unread list');
    const overflow = await horizontalOverflow(page);
    assert.ok(overflow.scroll <= overflow.width, `the inbox fits a 360 px phone: ${overflow.culprits}`);
    const { passed, violations } = await axeCheck(page);
    assert.ok(passed >= 10, `axe passed only ${passed} rules`);
    assert.deepEqual(violations, [], 'no WCAG 2.1 A/AA violation on /avisos');

    await item.getByRole('link', { name: 'Beto Ruiz respondió a su comentario' }).click();
    await page.getByRole('heading', { level: 1, name: 'Plazo de convocatoria' }).waitFor();
    // Other files' ballots may notify Ana meanwhile, so the header is compared
    // with what the server counts now, not with `count - 1`.
    let left = [];
    let shown = null;
    for (let i = 0; i < 40; i += 1) {
      left = await api('GET', '/api/v1/me/notifications?unread=true&limit=100', { token: ana.token });
      shown = Number(await page.locator('#unread-count').getAttribute('data-count'));
      if (!left.some((n) => n.id === reply.id) && shown === left.length) break;
      await page.waitForTimeout(250);
    }
    assert.ok(!left.some((n) => n.id === reply.id), 'following it marked it read');
    assert.equal(shown, left.length, 'the header counts what is still unread');
  } finally {
    await closeClean(tab);
  }
});
