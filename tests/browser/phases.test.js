// The drafting process on screen: the secretariat sets a document's phase
// and the amendments deadline in the console; the delegate's document page
// shows the phase banner with its countdown, live, and stops offering to
// propose when the phase does not take proposals. Moving an article
// renumbers it and the cross-references to it; deleting a referenced article
// first lists what would break, then "Eliminar de todos modos" deletes it.
// axe and the 360 px layout are checked on both screens.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, api, closeClean, createCharter, createProposal, createUser, expectConnected, launch,
  secretariat,
} from './support.js';
import { accessibleAtBothSizes, ecuadorLocal, markDocument, openPageWith, sameDocument } from './support-extra.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// bypassCSP only so that axe can be injected; reduced motion so that no
// colour transition is caught half-way by the contrast rule.
const open = (user) => openPageWith(browser, { user, bypassCSP: true, reducedMotion: 'reduce' });

const focused = (locator) => locator.evaluate((el) => el === document.activeElement);

test('the secretariat opens amendments with a deadline, then deliberation; the delegate\'s banner and propose actions follow live', async () => {
  const doc = await createCharter();
  const sec = await secretariat();
  const delegate = await createUser({ role: 'delegate' });
  const secTab = await open(sec);
  const delTab = await open(delegate);
  const console_ = secTab.page;
  const page = delTab.page;
  try {
    // A new document is in amendments with no deadline.
    await page.goto(`${BASE}/documentos/${doc.id}`);
    const banner = page.locator('[data-test="phase-banner"]');
    const text = page.locator('[data-test="phase-text"]');
    const countdown = page.locator('[data-test="phase-countdown"]');
    await text.filter({ hasText: 'Fase de propuestas de enmienda: su organización puede presentar propuestas.' }).waitFor();
    assert.equal(await banner.getAttribute('role'), 'status');
    assert.equal(await countdown.isVisible(), false, 'no deadline, no countdown');
    await expectConnected(page);
    await page.locator('#presence[data-count]').waitFor({ state: 'attached' }); // subscribed to the document
    await markDocument(page);

    await console_.goto(`${BASE}/secretaria/carta?documento=${doc.id}`);
    const form = console_.locator('#phase-form');
    await console_.locator('#phase-current').filter({ hasText: 'Fase actual: Propuestas de enmienda.' }).waitFor();
    const deadline = form.getByLabel('Fecha límite para presentar propuestas (hora de Ecuador)');
    const save = form.getByRole('button', { name: 'Guardar la fase' });

    // A deadline in the past: the server refuses, and its detail is shown.
    await deadline.fill(ecuadorLocal(Date.now() - 86_400_000));
    await save.click();
    const alert = form.getByRole('alert');
    await alert.getByText('Revise la fecha límite: debe ser futura y solo se fija en la fase de propuestas de enmienda.').waitFor();
    await alert.getByText(/^Detalle: .*future/).waitFor();
    assert.equal(await focused(deadline), true, 'the deadline is focused');

    // Two days, three hours and a half from now (to the minute), in Ecuador time.
    const closeMs = Math.floor((Date.now() + (2 * 86_400 + 3 * 3_600 + 30 * 60) * 1000) / 60_000) * 60_000;
    await deadline.fill(ecuadorLocal(closeMs));
    await save.click();
    await console_.locator('[data-test="phase-saved"]').getByText(
      /^Se guardó: el documento está en la fase «Propuestas de enmienda», con plazo hasta el .+ \(hora de Ecuador\)\.$/,
    ).waitFor();
    assert.equal((await form.locator('.alert').textContent()).trim(), '', 'the refusal is gone');
    const saved = await api('GET', `/api/v1/documents/${doc.id}`, { token: sec.token });
    assert.equal(saved.phase, 'amendments');
    assert.equal(Date.parse(saved.amendments_close_at), closeMs, 'the local time was read as Ecuador time');

    // The delegate's banner follows without a reload: the date and the countdown.
    const [hour, minute] = ecuadorLocal(closeMs).slice(11).split(':');
    await text.filter({ hasText: /^Fase de propuestas de enmienda: su organización puede presentar propuestas hasta el .+ \(hora de Ecuador\)\.$/ }).waitFor();
    assert.ok((await text.textContent()).includes(`${Number(hour)}:${minute}`), `the deadline's time: ${await text.textContent()}`);
    await countdown.filter({ hasText: /^Quedan 2 días y 3 horas\.$/ }).waitFor();
    assert.equal(await countdown.getAttribute('aria-live'), 'off', 'the ticking is not announced');
    assert.equal(await page.locator('#new-proposal').isVisible(), true);
    assert.equal(await page.locator('[data-test="propose-change"]:visible').count(), 5);
    assert.equal(await page.locator('[data-test="propose-closed"]').isVisible(), false);
    // ... and the server takes the delegate's proposal, which shows up live.
    const inTime = await createProposal(delegate, doc, { title: 'Dentro del plazo' });
    await page.locator(`#proposals-${inTime.section_id}`).getByText('1 propuesta en curso').waitFor();
    await accessibleAtBothSizes(page, 'the document with the phase banner');

    // When the deadline passes (the browser's clock moved on, in another tab
    // of the delegate's), the last hour counts seconds, then the banner says
    // the period ended and proposing closes, without a reload. (The clock of
    // a page, not a phase change on the server: every phase change mails
    // every organization, and other test files run beside this one.)
    const later = await open(delegate);
    try {
      await later.context.clock.install();
      await later.page.goto(`${BASE}/documentos/${doc.id}`);
      const laterCountdown = later.page.locator('[data-test="phase-countdown"]');
      await laterCountdown.filter({ hasText: /^Quedan 2 días y 3 horas\.$/ }).waitFor();
      await later.page.clock.fastForward(closeMs - Date.now() - 30 * 60_000);
      const ticking = laterCountdown.filter({ hasText: /^Quedan (29|30) minutos y \d+ segundos\.$/ });
      await ticking.waitFor();
      const first = await ticking.textContent();
      await later.page.waitForFunction((was) => document.querySelector('[data-test="phase-countdown"]').textContent !== was, first);
      await later.page.clock.fastForward(31 * 60_000);
      await later.page.locator('[data-test="phase-text"]')
        .filter({ hasText: /^Fase de propuestas de enmienda: el plazo terminó el .+ \(hora de Ecuador\)\.$/ }).waitFor();
      await laterCountdown.waitFor({ state: 'hidden' });
      await later.page.locator('[data-test="propose-closed"]').filter({ hasText: 'El plazo para presentar propuestas terminó.' }).waitFor();
      assert.equal(await later.page.locator('#new-proposal').isVisible(), false);
      assert.equal(await later.page.locator('[data-test="propose-change"]:visible').count(), 0);
    } finally {
      await closeClean(later);
    }

    // Deliberation: the deadline field is disabled, the phase is saved.
    await form.getByLabel('Fase', { exact: true }).selectOption({ label: 'Deliberación' });
    assert.equal(await deadline.isDisabled(), true, 'a deadline belongs to the amendments phase');
    await save.click();
    await console_.locator('[data-test="phase-saved"]')
      .getByText('Se guardó: el documento está en la fase «Deliberación».', { exact: true }).waitFor();
    await console_.locator('#phase-current').filter({ hasText: 'Fase actual: Deliberación.' }).waitFor();
    await accessibleAtBothSizes(console_, 'the charter console with the phase form');

    // The delegate: the banner changes live and proposing is gone, with the reason.
    await text.filter({ hasText: 'Fase de deliberación: se discuten y revisan las propuestas presentadas; no se reciben nuevas.' }).waitFor();
    await countdown.waitFor({ state: 'hidden' });
    await page.locator('#new-proposal').waitFor({ state: 'hidden' });
    assert.equal(await page.locator('[data-test="propose-change"]:visible').count(), 0);
    await page.locator('[data-test="propose-closed"]').filter({
      hasText: 'No se reciben propuestas nuevas; su organización puede revisar las que ya presentó.',
    }).waitFor();
    assert.equal(await sameDocument(page), true, 'the page was not reloaded');
    await assert.rejects(createProposal(delegate, doc, { title: 'Fuera de plazo' }),
      (err) => err.status === 409 && /deliberation/.test(err.body?.detail), 'the server refuses it too');

    // The same after a reload.
    await page.reload();
    await text.filter({ hasText: 'Fase de deliberación:' }).waitFor();
    assert.equal(await page.locator('#new-proposal').isVisible(), false);
    await page.locator('[data-test="propose-closed"]').waitFor();
  } finally {
    await closeClean(delTab);
    await closeClean(secTab);
  }
});

test('moving an article renumbers it and the reference to it; deleting it lists what would break, then deletes anyway', async () => {
  const doc = await createCharter();
  const sec = await secretariat();
  const delegate = await createUser({ role: 'delegate' });
  const articles = doc.sections.filter((s) => s.kind === 'article');
  const deberes = articles[4]; // Artículo 5. Deberes de los miembros
  const last = doc.sections[doc.sections.length - 1];
  await api('POST', `/api/v1/documents/${doc.id}/sections`, {
    token: sec.token,
    body: {
      kind: 'article', title: 'Remisión', after_section_id: last.id,
      body: `Según el [[ref:${deberes.id}]], las organizaciones participan en las asambleas.`,
    },
  });
  const withRemision = await api('GET', `/api/v1/documents/${doc.id}`, { token: sec.token });
  const remision = withRemision.sections.find((s) => s.title === 'Remisión');
  assert.equal(remision.number, 6);
  const citing = await createProposal(delegate, doc, {
    section: articles[0], title: 'Citar los deberes', body: `${articles[0].body} Véase el [[ref:${deberes.id}]].`,
  });

  const secTab = await open(sec);
  const delTab = await open(delegate);
  const console_ = secTab.page;
  const page = delTab.page;
  let dialogText = '';
  console_.on('dialog', async (dialog) => {
    dialogText = dialog.message();
    await dialog.accept();
  });
  try {
    // The reference reads as the current label of the article it points at.
    await page.goto(`${BASE}/documentos/${doc.id}`);
    const citingArticle = page.locator(`[data-test="article"][data-section-id="${remision.id}"]`);
    const ref = citingArticle.locator('.prose a');
    await ref.filter({ hasText: 'artículo 5' }).waitFor();
    assert.equal(await ref.getAttribute('href'), `/documentos/${doc.id}#sec-${deberes.id}`);
    await expectConnected(page);
    await page.locator('#presence[data-count]').waitFor({ state: 'attached' });

    // The secretariat moves article 5 to the start.
    await console_.goto(`${BASE}/secretaria/carta?documento=${doc.id}`);
    const card = console_.locator(`[data-test="editor-section"][data-section-id="${deberes.id}"]`);
    await card.locator('summary').filter({ hasText: 'Artículo 5. Deberes de los miembros' }).click();
    const where = card.getByLabel('Mover después de');
    assert.equal(await where.inputValue(), doc.sections[doc.sections.length - 2].id, 'it starts at its place');
    await where.selectOption({ label: 'Al inicio del documento' });
    await card.getByRole('button', { name: 'Mover', exact: true }).click();
    const flash = console_.locator('#editor-flash');
    await flash.filter({ hasText: 'Se movió la sección: ahora es Artículo 1. Deberes de los miembros.' }).waitFor();
    assert.equal(await focused(flash), true, 'the result is focused');
    const moved = await api('GET', `/api/v1/documents/${doc.id}`, { token: sec.token });
    assert.equal(moved.sections[0].id, deberes.id);
    assert.equal(moved.sections[0].number, 1);

    // The delegate is told of the new version; in it the numbers and the reference follow.
    await page.getByText(/^Se publicó la versión \d+ del texto\.$/).waitFor();
    await page.getByRole('button', { name: 'Mostrar la versión nueva' }).click();
    const headings = page.locator('[data-test="article"] :is(h2, h3)');
    await headings.first().filter({ hasText: 'Artículo 1. Deberes de los miembros' }).waitFor();
    assert.deepEqual((await headings.allTextContents()).slice(0, 3),
      ['Artículo 1. Deberes de los miembros', 'Artículo 2. Naturaleza', 'Artículo 3. Domicilio']);
    await ref.filter({ hasText: 'artículo 1' }).waitFor();
    assert.equal((await ref.textContent()).trim(), 'artículo 1');

    // Deleting it: confirmed first, then refused with what would break.
    await card.locator('summary').filter({ hasText: 'Artículo 1. Deberes de los miembros' }).click();
    await card.getByRole('button', { name: 'Eliminar', exact: true }).click();
    const breaks = card.locator('[data-test="delete-breaks"]');
    const intro = breaks.getByText('No se eliminó Artículo 1. Deberes de los miembros: 2 referencias quedarían rotas.');
    await intro.waitFor();
    assert.match(dialogText, /^¿Eliminar Artículo 1\. Deberes de los miembros\?/);
    assert.equal(await focused(intro), true, 'the list of what would break is focused');
    const items = breaks.locator('[data-test="break"]');
    assert.deepEqual((await items.allTextContents()).sort(), [
      'Artículo 6. Remisión: su texto cita esta sección',
      `${citing.title}: propuesta en curso cuyo texto cita esta sección`,
    ].sort());
    assert.equal(await items.filter({ hasText: 'Remisión' }).getByRole('link').getAttribute('href'),
      `/documentos/${doc.id}#sec-${remision.id}`);
    assert.equal(await items.filter({ hasText: citing.title }).getByRole('link').getAttribute('href'), `/propuestas/${citing.id}`);
    assert.ok((await api('GET', `/api/v1/documents/${doc.id}`, { token: sec.token })).sections.some((s) => s.id === deberes.id),
      'nothing was deleted yet');
    await accessibleAtBothSizes(console_, 'the charter console with what a deletion would break');

    await breaks.getByRole('button', { name: 'Eliminar de todos modos' }).click();
    await flash.filter({ hasText: 'Se eliminó Artículo 1. Deberes de los miembros.' }).waitFor();
    assert.equal(await card.count(), 0);
    const after_ = await api('GET', `/api/v1/documents/${doc.id}`, { token: sec.token });
    assert.ok(!after_.sections.some((s) => s.id === deberes.id), 'deleted');

    // The delegate's page: the reference is now broken.
    await page.getByText(/^Se publicó la versión \d+ del texto\.$/).waitFor();
    await page.getByRole('button', { name: 'Mostrar la versión nueva' }).click();
    await citingArticle.getByText('(referencia rota)', { exact: false }).waitFor();
    assert.equal(await ref.count(), 0, 'no link left');
  } finally {
    await closeClean(delTab);
    await closeClean(secTab);
  }
});
