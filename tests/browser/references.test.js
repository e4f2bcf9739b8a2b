// Cross-references picked, not typed: the secretariat's section editor and a
// delegate's proposal form each insert `[[ref:<id>]]` with the picker, and
// the text shows the current label of the section it points at, as a link.
// axe and the 360 px layout are checked on the proposal form.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, api, closeClean, createCharter, createUser, horizontalOverflow, launch, secretariat } from './support.js';
import { PHONE, axeCheck, openPageWith } from './support-extra.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the section editor and the proposal form insert a reference that reads as the article it points at', async () => {
  const doc = await createCharter();
  const sec = await secretariat();
  const ana = await createUser({ role: 'delegate', displayName: 'Ana Quishpe' });
  const articles = doc.sections.filter((s) => s.kind === 'article');
  const [first, second, third] = articles;

  const secTab = await openPageWith(browser, { user: sec });
  try {
    const page = secTab.page;
    await page.goto(`${BASE}/secretaria/carta?documento=${doc.id}`);
    const card = page.locator(`[data-test="editor-section"][data-section-id="${second.id}"]`);
    await card.locator('summary').click();
    const body = card.getByLabel('Texto', { exact: true });
    await body.fill('Según ');
    await card.getByLabel('Referencia a otro artículo o capítulo').selectOption(first.id);
    await card.getByRole('button', { name: 'Insertar la referencia' }).click();
    assert.equal(await body.inputValue(), `Según [[ref:${first.id}]]`, 'inserted at the cursor');
    await body.press('End');
    await body.pressSequentially(', la asamblea decide.');
    const saving = page.waitForResponse((r) => r.url().includes(`/api/v1/sections/${second.id}`) && r.request().method() === 'PATCH');
    await card.getByRole('button', { name: 'Guardar', exact: true }).click();
    assert.equal((await saving).status(), 200);
    const saved = await api('GET', `/api/v1/documents/${doc.id}`, { token: sec.token });
    assert.equal(saved.sections.find((s) => s.id === second.id).body, `Según [[ref:${first.id}]], la asamblea decide.`);

    await page.goto(`${BASE}/documentos/${doc.id}`);
    const link = page.locator(`[data-test="article"][data-section-id="${second.id}"] .prose a`);
    await link.filter({ hasText: `artículo ${first.number}` }).waitFor();
    assert.equal(await link.getAttribute('href'), `/documentos/${doc.id}#sec-${first.id}`);
  } finally {
    await closeClean(secTab);
  }

  const tab = await openPageWith(browser, { user: ana, viewport: PHONE, bypassCSP: true });
  try {
    const { page } = tab;
    await page.goto(`${BASE}/documentos/${doc.id}/proponer?tipo=amend&seccion=${third.id}`);
    await page.getByRole('heading', { level: 1, name: 'Nueva propuesta' }).waitFor();
    await page.getByLabel('Título de la propuesta').fill('Remitir al artículo 1');
    const body = page.locator('#proposal-body');
    await body.fill('Conforme al ');
    await page.getByLabel('Referencia a otro artículo o capítulo').selectOption(first.id);
    await page.getByRole('button', { name: 'Insertar la referencia' }).click();
    assert.equal(await body.inputValue(), `Conforme al [[ref:${first.id}]]`);
    const overflow = await horizontalOverflow(page);
    assert.ok(overflow.scroll <= overflow.width, `the form fits a 360 px phone: ${overflow.culprits}`);
    const { violations } = await axeCheck(page);
    assert.deepEqual(violations, [], 'no WCAG 2.1 A/AA violation on the proposal form with the picker');
    await page.getByRole('button', { name: 'Enviar la propuesta' }).click();
    await page.getByRole('heading', { level: 1, name: 'Remitir al artículo 1' }).waitFor();
    const cited = page.locator('[data-test="revision-body"] a');
    await cited.filter({ hasText: `artículo ${first.number}` }).waitFor();
    assert.equal(await cited.getAttribute('href'), `/documentos/${doc.id}#sec-${first.id}`);
  } finally {
    await closeClean(tab);
  }
});
