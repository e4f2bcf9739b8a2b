// The approval process page (/documentos/<id>/proceso): two delegates say
// their organizations' stances through the UI (one objects, with a reason;
// the reason is required), the secretariat sees the objection map with the
// counts and the objection, opens a block ballot of the uncontested
// articles (the contested one shown excluded) and lands on the ballot, then
// an alternatives ballot over two rival proposals and the status quo. axe
// at 1280 and 360 px, and no sideways scroll on the phone. Other files run
// beside this one and make member organizations: the number of
// organizations that have not said is never assumed, only this document's
// counts.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, api, closeClean, createCharter, createProposal, createUser, launch, secretariat, untranslated,
} from './support.js';
import { DESKTOP, PHONE, accessibleAtBothSizes, openPageWith } from './support-extra.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// bypassCSP only so that axe can be injected; reduced motion so that no
// colour transition is caught half-way by the contrast rule.
const open = (user, viewport = DESKTOP) => openPageWith(browser, { user, viewport, bypassCSP: true, reducedMotion: 'reduce' });

const row = (page, section) => page.locator(`[data-test="stance-row"][data-section-id="${section.id}"]`);
const count = (page, section, kind) => row(page, section).locator(`[data-test="count-${kind}"]`).getAttribute('data-count');
const ownForm = (page, section) => page.locator(`[data-test="own-stance"][data-section-id="${section.id}"]`);

/** A delegate says their organization's stance on an article through the page. */
async function sayStance(page, section, stance, reason) {
  const item = ownForm(page, section);
  if (!(await item.locator('details').evaluate((d) => d.open))) await item.locator('summary').click();
  await item.getByRole('radio', { name: stance, exact: true }).check();
  if (reason !== undefined) await item.getByLabel('Razón de la objeción').fill(reason);
  await item.getByRole('button', { name: 'Guardar la posición' }).click();
  await item.locator('[data-test="own-saved"]')
    .filter({ hasText: `Se guardó la posición de su organización: ${stance}.` }).waitFor();
  await item.locator('[data-test="own-current"]').filter({ hasText: stance }).waitFor();
}

test('delegates mark their stances, the secretariat sees the map and opens a block and an alternatives ballot from it', async () => {
  const doc = await createCharter();
  const sec = await secretariat();
  const ana = await createUser({ role: 'delegate', displayName: 'Ana Quishpe' });
  const beto = await createUser({ role: 'delegate', displayName: 'Beto Ruiz' });
  const articles = doc.sections.filter((s) => s.kind === 'article');
  const [naturaleza, domicilio, miembros] = articles;
  const first = await createProposal(ana, doc, { section: domicilio, title: 'Domicilio en Guayaquil' });
  const second = await createProposal(beto, doc, { section: domicilio, title: 'Domicilio rotativo' });
  const processUrl = `${BASE}/documentos/${doc.id}/proceso`;

  const anaTab = await open(ana, PHONE);
  const betoTab = await open(beto);
  const secTab = await open(sec);
  try {
    // Ana, on a phone: agrees with article 1, objects to article 3 (a reason is required).
    const a = anaTab.page;
    await a.goto(processUrl);
    await a.getByRole('heading', { level: 1, name: 'Proceso de aprobación' }).waitFor();
    await a.locator('#process-phase').filter({ hasText: 'Fase actual del documento: Propuestas de enmienda.' }).waitFor();
    await ownForm(a, naturaleza).locator('[data-test="own-current"]')
      .filter({ hasText: 'Su organización aún no se ha pronunciado' }).waitFor();
    await sayStance(a, naturaleza, 'De acuerdo');
    const objecting = ownForm(a, miembros);
    await objecting.locator('summary').click();
    await objecting.getByRole('radio', { name: 'Objeción', exact: true }).check();
    await objecting.getByRole('button', { name: 'Guardar la posición' }).click();
    await objecting.getByRole('alert').getByText('Indique por qué su organización objeta este artículo.').waitFor();
    const reason = objecting.getByLabel('Razón de la objeción');
    assert.equal(await reason.evaluate((el) => el === document.activeElement), true, 'the reason is focused');
    assert.equal(await reason.getAttribute('aria-invalid'), 'true');
    await sayStance(a, miembros, 'Objeción', 'Debe incluir a las organizaciones de base.');
    assert.equal((await objecting.locator('.alert').textContent()).trim(), '', 'the error is gone');
    // The map follows the saves at once.
    await row(a, miembros).locator('[data-test="objection"]').filter({ hasText: 'Debe incluir a las organizaciones de base.' }).waitFor();
    assert.equal(await count(a, naturaleza, 'agree'), '1');
    await accessibleAtBothSizes(a, 'the process page as a delegate');
    // In English too, the cards' column labels included.
    await a.getByRole('button', { name: 'English', exact: true }).click();
    await a.getByRole('heading', { level: 1, name: 'Approval process' }).waitFor();
    assert.equal(await row(a, miembros).locator('td.col-object').getAttribute('data-label'), 'Objection');
    assert.deepEqual(await untranslated(a), [], 'no raw key in English');
    await a.getByRole('button', { name: 'Español', exact: true }).click();
    await a.getByRole('heading', { level: 1, name: 'Proceso de aprobación' }).waitFor();

    // Beto, on a desktop: can live with article 1, agrees with article 3.
    const b = betoTab.page;
    await b.goto(processUrl);
    await b.getByRole('heading', { level: 1, name: 'Proceso de aprobación' }).waitFor();
    await sayStance(b, naturaleza, 'Puede vivir con ello');
    await sayStance(b, miembros, 'De acuerdo');
    const saved = await api('GET', `/api/v1/documents/${doc.id}/stances`, { token: sec.token });
    const onMiembros = saved.find((r) => r.section_id === miembros.id);
    assert.equal(onMiembros.by_organization[ana.organization.id], 'object');
    assert.equal(onMiembros.by_organization[beto.organization.id], 'agree');

    // The secretariat sees the map: counts, the objection with its organization and reason, who has not said.
    const s = secTab.page;
    await s.goto(processUrl);
    await s.getByRole('heading', { level: 1, name: 'Proceso de aprobación' }).waitFor();
    const table = s.getByRole('table', { name: 'Posición de las organizaciones miembro sobre cada artículo' });
    await table.waitFor();
    assert.deepEqual(await table.locator('thead th').allTextContents(),
      ['Artículo', '✓ De acuerdo', '≈ Puede vivir con ello', '✗ Objeción', '○ Sin pronunciarse']);
    assert.equal(await row(s, naturaleza).getByRole('rowheader').textContent(), 'Artículo 1. Naturaleza');
    assert.deepEqual([await count(s, naturaleza, 'agree'), await count(s, naturaleza, 'can_live'), await count(s, naturaleza, 'object')],
      ['1', '1', '0']);
    assert.deepEqual([await count(s, miembros, 'agree'), await count(s, miembros, 'object')], ['1', '1']);
    const objection = row(s, miembros).locator('[data-test="objection"]');
    assert.equal(await objection.count(), 1);
    assert.equal((await objection.textContent()).trim(), `${ana.organization.name}: Debe incluir a las organizaciones de base.`);
    assert.match(await row(s, miembros).getAttribute('class'), /contested/);
    const silent = row(s, domicilio).locator('[data-test="silent"]');
    await silent.locator('summary').click();
    const silentNames = await silent.locator('li').allTextContents();
    assert.ok(silentNames.includes(ana.organization.name) && silentNames.includes(beto.organization.name), `${silentNames}`);
    assert.ok(!(await row(s, naturaleza).locator('[data-test="silent"] li').allTextContents()).includes(ana.organization.name));
    assert.equal(await s.locator('#own-stance-section').count(), 0, 'the secretariat says no stance');
    await s.locator('#no-ballots').waitFor();

    // Every form open: axe and the phone on the secretariat's page.
    for (const id of ['alt-ballot', 'block-ballot', 'approval-ballot']) await s.locator(`#${id} > summary`).click();
    await accessibleAtBothSizes(s, 'the process page as the secretariat');

    // The block: every uncontested article preselected, the contested one excluded with why.
    const block = s.locator('#block-ballot');
    const excluded = block.locator(`[data-test="block-article"][data-section-id="${miembros.id}"]`);
    assert.equal(await excluded.getByRole('checkbox').isDisabled(), true);
    assert.equal(await excluded.getByRole('checkbox').isChecked(), false);
    assert.equal((await excluded.locator('[data-test="block-excluded"]').textContent()).trim(),
      `Excluido: objeción de ${ana.organization.name}`);
    for (const article of articles.filter((x) => x.id !== miembros.id)) {
      assert.equal(await block.locator(`[data-test="block-article"][data-section-id="${article.id}"]`).getByRole('checkbox').isChecked(),
        true, `${article.title} is preselected`);
    }
    // Domicilio has rival proposals: it goes to its own ballot.
    await block.locator(`[data-test="block-article"][data-section-id="${domicilio.id}"]`).getByRole('checkbox').uncheck();
    await block.getByLabel('Quórum (%)').fill('0');
    await block.getByRole('button', { name: 'Abrir la votación en bloque' }).click();
    await s.waitForURL(/\/votaciones\/[0-9a-f-]+$/);
    const blockId = new URL(s.url()).pathname.split('/').pop();
    await s.locator('h1').filter({ hasNotText: 'Proceso de aprobación' }).waitFor(); // the ballot's screen
    const opened = await api('GET', `/api/v1/ballots/${blockId}`, { token: sec.token });
    assert.equal(opened.kind, 'block');
    assert.deepEqual([...opened.section_ids].sort(),
      articles.filter((x) => x.id !== miembros.id && x.id !== domicilio.id).map((x) => x.id).sort());
    assert.equal(opened.quorum, 0);
    assert.equal(opened.majority, 'simple');

    // Back on the page: the ballot is listed; then the rivals on Domicilio and the status quo.
    await s.goto(processUrl);
    const listed = s.locator(`[data-test="document-ballot"][data-ballot-id="${blockId}"]`);
    await listed.getByText('En bloque', { exact: true }).waitFor();
    assert.equal(await listed.getByRole('link').getAttribute('href'), `/votaciones/${blockId}`);
    assert.equal((await listed.locator('[data-test="ballot-status"]').textContent()).trim(), 'Abierta');
    const alt = s.locator('#alt-ballot');
    await alt.locator('summary').click();
    const section = alt.getByLabel('Artículo', { exact: true });
    assert.equal(await section.inputValue(), domicilio.id);
    assert.equal((await section.locator('option:checked').textContent()).trim(), 'Artículo 2. Domicilio (2 propuestas abiertas)');
    const rivals = alt.locator('[data-test="alt-rival"]');
    assert.equal(await rivals.count(), 2);
    for (const p of [first, second]) assert.equal(await alt.getByRole('checkbox', { name: new RegExp(`^${p.title} · `) }).isChecked(), true);
    assert.equal(await alt.getByRole('checkbox', { name: 'Incluir «mantener el texto vigente» como opción' }).isChecked(), true);
    // With the status quo left out, one proposal is not a choice.
    await alt.getByRole('checkbox', { name: 'Incluir «mantener el texto vigente» como opción' }).uncheck();
    await alt.getByRole('checkbox', { name: new RegExp(`^${second.title} · `) }).uncheck();
    await alt.getByRole('button', { name: 'Abrir la votación entre propuestas' }).click();
    await alt.getByRole('alert').getByText(/^Elija al menos una propuesta/).waitFor();
    await alt.getByRole('checkbox', { name: 'Incluir «mantener el texto vigente» como opción' }).check();
    await alt.getByRole('checkbox', { name: new RegExp(`^${second.title} · `) }).check();
    await alt.getByLabel('Método').selectOption('ranked');
    await alt.getByRole('button', { name: 'Abrir la votación entre propuestas' }).click();
    await s.waitForURL(/\/votaciones\/[0-9a-f-]+$/);
    const altId = new URL(s.url()).pathname.split('/').pop();
    assert.notEqual(altId, blockId);
    await s.locator('h1').filter({ hasNotText: 'Proceso de aprobación' }).waitFor(); // the ballot's screen
    const rival = await api('GET', `/api/v1/ballots/${altId}`, { token: sec.token });
    assert.equal(rival.kind, 'alternatives');
    assert.equal(rival.method, 'ranked');
    assert.equal(rival.options.length, 3);
    assert.equal(rival.options[0].proposal_id ?? null, null, 'the status quo comes first');
    assert.deepEqual(rival.options.slice(1).map((o) => o.proposal_id).sort(), [first.id, second.id].sort());

    // Both ballots are listed, live for a delegate who had the page open.
    await a.locator(`[data-test="document-ballot"][data-ballot-id="${altId}"]`).getByText('Entre propuestas rivales').waitFor();
    await a.locator(`[data-test="document-ballot"][data-ballot-id="${blockId}"]`).waitFor();
  } finally {
    await closeClean(anaTab);
    await closeClean(betoTab);
    await closeClean(secTab);
  }
});
