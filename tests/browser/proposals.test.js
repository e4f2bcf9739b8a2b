// Proposing a change from the charter, and a passed proposal adopted into
// the charter and shown in its history.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, api, closeClean, createCharter, createProposal, createUser, expectConnected, launch, openBallot, openPage,
  secretariat,
} from './support.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a delegate proposes a change to an article from the charter screen', async () => {
  const doc = await createCharter();
  const domicilio = doc.sections.find((s) => s.kind === 'article' && s.title === 'Domicilio');
  const delegate = await createUser({ role: 'delegate', displayName: 'Pedro Guamán' });
  const tab = await openPage(browser, { user: delegate });
  const { page } = tab;
  try {
    await page.goto(`${BASE}/documentos/${doc.id}`);
    await page.locator(`#sec-${domicilio.id}`).getByRole('link', { name: 'Proponer un cambio' }).click();
    await page.getByRole('heading', { level: 1, name: 'Nueva propuesta' }).waitFor();
    // The form starts from the article and its text in force.
    assert.equal(await page.getByRole('radio', { name: 'Modificar un artículo' }).isChecked(), true);
    assert.equal(await page.getByLabel('Artículo', { exact: true }).inputValue(), domicilio.id);
    const body = page.getByLabel('Texto propuesto para el artículo');
    assert.equal(await body.inputValue(), domicilio.body);

    // Unchanged text is refused before sending.
    await page.getByLabel('Título de la propuesta').fill('Domicilio en Quito y Guayaquil');
    await page.getByRole('button', { name: 'Enviar la propuesta' }).click();
    await page.getByRole('alert').getByText('El texto propuesto es igual al vigente: cámbielo antes de enviar.').waitFor();

    await body.fill('El Foro tiene su domicilio en las ciudades de Quito y Guayaquil.');
    await page.getByLabel('Fundamentación').fill('Las organizaciones de la Costa también deben acogerlo.');
    await page.getByRole('button', { name: 'Enviar la propuesta' }).click();

    await page.waitForURL(/\/propuestas\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { level: 1, name: 'Domicilio en Quito y Guayaquil' }).waitFor();
    await page.locator('#proposal-meta [data-test="status"]').getByText('Abierta', { exact: true }).waitFor();
    await page.locator('#proposal-rationale').getByText('Las organizaciones de la Costa también deben acogerlo.').waitFor();
    await page.locator('#proposal-facts').getByText('Pedro Guamán', { exact: true }).waitFor();
    await page.locator('#proposal-facts').getByText('Artículo 2. Domicilio', { exact: true }).waitFor();
    // The word diff against the article in force.
    const diff = page.locator('#proposal-diff');
    await diff.locator('ins').first().waitFor();
    const inserted = (await diff.locator('ins').allTextContents()).join(' ');
    const deleted = (await diff.locator('del').allTextContents()).join(' ');
    assert.match(inserted, /Guayaquil/);
    assert.match(deleted, /ciudad/);
    await expectConnected(page);

    // Back on the charter, the article lists it.
    await page.getByRole('link', { name: 'Volver a la carta' }).click();
    await page.locator(`#proposals-${domicilio.id}`).getByText('1 propuesta en curso').waitFor();
  } finally {
    await closeClean(tab);
  }
});

test('the secretariat adopts a passed proposal and the history shows the new version', async () => {
  const doc = await createCharter();
  const sec = await secretariat();
  const delegate = await createUser({ role: 'delegate' });
  const article = doc.sections.find((s) => s.kind === 'article');
  const proposal = await createProposal(delegate, doc, {
    section: article, title: 'Sin fines de lucro',
    body: `${article.body} No persigue fines de lucro.`,
  });
  const ballot = await openBallot(proposal, { majority: 'simple', quorum: 0, live_results: false });
  await api('PUT', `/api/v1/ballots/${ballot.id}/vote`, { token: delegate.token, body: { choice: 'yes' } });
  await api('POST', `/api/v1/ballots/${ballot.id}/close`, { token: sec.token });

  const tab = await openPage(browser, { user: sec });
  const { page } = tab;
  try {
    await page.goto(`${BASE}/propuestas/${proposal.id}`);
    await page.locator('#proposal-meta [data-test="status"]').getByText('Aprobada', { exact: true }).waitFor();
    await page.locator('#ballot-panel [data-test="result"]').getByText('Aprobada', { exact: true }).waitFor();
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: 'Adoptar en la carta' }).click();
    const next = doc.version + 1;
    await page.getByText(`Propuesta adoptada: la carta pasó a la versión ${next}.`).waitFor();
    await page.locator('#proposal-meta [data-test="status"]').getByText('Adoptada', { exact: true }).waitFor();

    await page.goto(`${BASE}/documentos/${doc.id}`);
    await page.getByText(`Versión ${next}`, { exact: true }).waitFor();
    await page.locator(`#sec-${article.id}`).getByText('No persigue fines de lucro.').waitFor();

    await page.getByRole('link', { name: 'Historial y comparación' }).click();
    await page.waitForURL((url) => url.pathname === `/documentos/${doc.id}/historial`);
    await page.getByRole('heading', { level: 1, name: 'Historial de la carta' }).waitFor();
    // The comparison table opens on the last change.
    await page.locator('#comparison').getByText(`Cambios de la versión ${next - 1} a la ${next}`).waitFor();
    await page.locator('#comparison').getByText('Artículo 1 modificado').waitFor();
    const newest = page.locator(`[data-test="version"][data-version="${next}"]`);
    await newest.getByText(`Versión ${next}`, { exact: true }).waitFor();
    await newest.getByRole('link', { name: 'Ver la propuesta adoptada' }).waitFor();
    assert.equal(await page.locator('[data-test="version"]').count(), next);
  } finally {
    await closeClean(tab);
  }
});
