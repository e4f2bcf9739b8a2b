// The charter screen (/documentos/<id>): chapters and articles, numbered by
// position, and the list of documents that leads there.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, api, closeClean, createCharter, createProposal, createUser, expectConnected, launch, openPage, secretariat,
} from './support.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the charter shows its chapters and articles with their numbers', async () => {
  const doc = await createCharter({ title: 'Estatuto del Foro (prueba de lectura)' });
  const reader = await createUser({ role: 'observer' });
  const tab = await openPage(browser, { user: reader });
  const { page } = tab;
  try {
    // From the list of documents to the document.
    await page.goto(`${BASE}/`);
    await page.getByRole('heading', { level: 1, name: 'Carta fundacional' }).waitFor();
    await page.getByRole('link', { name: doc.title, exact: true }).click();
    await page.waitForURL(`${BASE}/documentos/${doc.id}`);
    await page.getByRole('heading', { level: 1, name: doc.title }).waitFor();
    assert.equal(await page.title(), `${doc.title} · Minga`);

    const chapters = page.locator('[data-test="chapter"] h2');
    const articles = page.locator('[data-test="article"] :is(h2, h3)');
    await articles.nth(4).waitFor();
    assert.deepEqual(await chapters.allTextContents(), [
      'Capítulo 1. De la naturaleza del Foro',
      'Capítulo 2. De los miembros',
    ]);
    // Articles are numbered through the whole document, not per chapter.
    assert.deepEqual(await articles.allTextContents(), [
      'Artículo 1. Naturaleza',
      'Artículo 2. Domicilio',
      'Artículo 3. Miembros',
      'Artículo 4. Derechos de los miembros',
      'Artículo 5. Deberes de los miembros',
    ]);
    // Reading order: chapter 2 comes after article 2 and before article 3.
    const order = await page.locator('[data-test="chapter"] h2, [data-test="article"] :is(h2, h3)').allTextContents();
    assert.deepEqual(order.map((x) => x.split('.')[0]), [
      'Capítulo 1', 'Artículo 1', 'Artículo 2', 'Capítulo 2', 'Artículo 3', 'Artículo 4', 'Artículo 5',
    ]);
    await page.locator('[data-test="article"]').nth(1)
      .getByText('El Foro tiene su domicilio en la ciudad de Quito.').waitFor();
    await page.getByText(`Versión ${doc.version}`, { exact: true }).waitFor();
    await expectConnected(page);

    // An observer reads but does not propose.
    assert.equal(await page.getByRole('link', { name: 'Nueva propuesta' }).count(), 0);
    assert.equal(await page.locator('[data-test="propose-change"]').count(), 0);
  } finally {
    await closeClean(tab);
  }
});

test('a delegate sees the proposals in course under their article, and a new one appears live', async () => {
  const doc = await createCharter();
  const author = await createUser({ role: 'delegate' });
  const reader = await createUser({ role: 'delegate' });
  const domicilio = doc.sections.find((s) => s.kind === 'article' && s.title === 'Domicilio');
  const first = await createProposal(author, doc, { section: domicilio, title: 'Domicilio en Guayaquil' });
  const tab = await openPage(browser, { user: reader });
  const { page } = tab;
  try {
    await page.goto(`${BASE}/documentos/${doc.id}`);
    await page.getByRole('heading', { level: 1, name: doc.title }).waitFor();
    await expectConnected(page);
    // Delegates may propose: on the document and on each article.
    await page.getByRole('link', { name: 'Nueva propuesta' }).waitFor();
    assert.equal(await page.locator('[data-test="propose-change"]').count(), 5);

    const block = page.locator(`#proposals-${domicilio.id}`);
    await block.getByText('1 propuesta en curso').waitFor();
    await block.locator('summary').click();
    await block.getByRole('link', { name: first.title }).waitFor();

    // Another organization proposes on the same article: it shows up without a reload.
    await page.evaluate(() => { window.__sameDocument = true; });
    const second = await createProposal(author, doc, { section: domicilio, title: 'Domicilio rotativo' });
    await block.getByText('2 propuestas en curso').waitFor();
    await block.getByRole('link', { name: second.title }).waitFor();
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');

    // The link leads to the proposal.
    await block.getByRole('link', { name: second.title }).click();
    await page.waitForURL(`${BASE}/propuestas/${second.id}`);
    await page.getByRole('heading', { level: 1, name: second.title }).waitFor();
  } finally {
    await closeClean(tab);
  }
});

test('a new version of the text is announced live on the charter screen', async () => {
  const doc = await createCharter();
  const sec = await secretariat();
  const reader = await createUser({ role: 'observer' });
  const tab = await openPage(browser, { user: reader });
  const { page } = tab;
  try {
    await page.goto(`${BASE}/documentos/${doc.id}`);
    await page.getByRole('heading', { level: 1, name: doc.title }).waitFor();
    await expectConnected(page);
    // Give the subscription a moment to be in place on the server.
    await page.locator('#presence').waitFor({ state: 'attached' });
    const article = doc.sections.find((s) => s.kind === 'article');
    await api('PATCH', `/api/v1/sections/${article.id}`, { token: sec.token, body: { body: `${article.body} Texto nuevo.` } });
    const next = doc.version + 1;
    await page.getByText(`Se publicó la versión ${next} del texto.`).waitFor();
    await page.getByRole('button', { name: 'Mostrar la versión nueva' }).click();
    await page.getByText(`Versión ${next}`, { exact: true }).waitFor();
    await page.locator('[data-test="article"]').first().getByText('Texto nuevo.').waitFor();
  } finally {
    await closeClean(tab);
  }
});
