// The whole drafting process of a statute (issue 14), through the UI, in
// Spanish: the secretariat (1280x800) opens the amendments phase with a
// deadline in the console, and two delegates see the banner and its
// countdown live (Ana at 1280x800, Beto on a 360x740 phone). They propose
// rival amendments to one article in the proposal form; Ana's also renames
// the article and invites Beto's organization to co-sponsor it, which Beto
// accepts on the proposal page. The secretariat moves to deliberation, then
// voting; the delegates mark their stances on the process page (Beto objects
// to another article, with a reason). From the process page the secretariat
// opens a ranked ballot over the two rivals and the status quo: three
// organizations rank it on /votaciones/<id> (Ana by the buttons, Beto by
// keyboard on the phone, Carla by a drag on a third page), it is closed, the
// winner shown and adopted from its proposal page (the article takes its new
// title). Then a block of the uncontested articles (the contested one
// excluded) and the approval of the whole text, both voted yes and closed:
// the charter shows the final text with the SHA-256 the API gives, the
// banner says final and proposing is gone.
// axe (WCAG 2.1 A/AA) at 1280 and 360 px and no sideways scroll at 360 px on
// the key screens, each saved as target/screenshots/statute-<step>-<width>.png.
// Other files run beside this one and open ballots and change phases of
// their documents (which notify everyone) and make member organizations
// (which every ballot counts): no global count is assumed, quorums are 0.
//
// The steps are tests of their own, run in order on the same pages (each
// within the runner's per-test timeout); once one fails the rest are skipped.

import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  BASE, api, createCharter, createUser, expectConnected, launch, secretariat,
} from './support.js';
import {
  PHONE, REPO_ROOT, accessibleAtBothSizes, ecuadorLocal, markDocument, pageOpener, sameDocument, stepper,
} from './support-extra.js';

const SHOTS = join(REPO_ROOT, 'target', 'screenshots');

const STATUTE_MD = `## De la naturaleza del Foro

### Naturaleza
El Foro Permanente por la Movilidad Humana es un espacio de articulación de organizaciones de la sociedad civil.

### Domicilio
El Foro tiene su domicilio en la ciudad de Quito.

## De los miembros y la asamblea

### Miembros
Son miembros las organizaciones que suscriben este estatuto.

### Asamblea
La asamblea de las organizaciones miembros se reúne una vez al año.
`;

let browser;
const open = pageOpener(() => browser);

// What the steps share.
const s = {};
before(async () => {
  browser = await launch();
  mkdirSync(SHOTS, { recursive: true });
  s.sec = await secretariat();
  [s.ana, s.beto, s.carla] = await Promise.all([
    createUser({ role: 'delegate', displayName: 'Ana Quishpe' }),
    createUser({ role: 'delegate', displayName: 'Beto Ruiz' }),
    createUser({ role: 'delegate', displayName: 'Carla Yánez' }),
  ]);
  s.doc = await createCharter({ markdown: STATUTE_MD });
  // The charter was drafted: the secretariat is still alone on it.
  await api('PATCH', `/api/v1/documents/${s.doc.id}`, { token: s.sec.token, body: { phase: 'drafting' } });
  s.articles = s.doc.sections.filter((x) => x.kind === 'article');
  assert.equal(s.articles.length, 4);
  [s.naturaleza, s.domicilio, s.miembros, s.asamblea] = s.articles;
  s.docUrl = `${BASE}/documentos/${s.doc.id}`;
  s.processUrl = `${s.docUrl}/proceso`;
  s.secTab = await open(s.sec);
  s.anaTab = await open(s.ana);
  s.betoTab = await open(s.beto, PHONE);
});
after(() => open.closeAll());

const step = stepper();

/** A key screen: accessible at 1280 and 360 px, and photographed at both. */
const keyScreen = (page, name) =>
  accessibleAtBothSizes(page, name, { shot: (width) => join(SHOTS, `statute-${name}-${width}.png`) });

const phaseText = (page) => page.locator('[data-test="phase-text"]');
const articleBox = (page, section) => page.locator(`[data-test="article"][data-section-id="${section.id}"]`);
const idFrom = (page) => new URL(page.url()).pathname.split('/').pop();
const orgLabel = (o) => `${o.name}${o.short_name && o.short_name !== o.name ? ` (${o.short_name})` : ''}`;
// A ballot opens for every member organization of the shared server (the
// other files make dozens, each notified): its page may take longer than
// WAIT to appear while the suite runs. Not a speed check.
const OPENING = { timeout: 30_000 };
const ballotApi = (id, user = s.sec) => api('GET', `/api/v1/ballots/${id}`, { token: user.token });

/** The secretariat saves a phase in the console and the console says so. */
async function savePhase(label, saved) {
  const c = s.secTab.page;
  const form = c.locator('#phase-form');
  await form.getByLabel('Fase', { exact: true }).selectOption({ label });
  await form.getByRole('button', { name: 'Guardar la fase' }).click();
  await c.locator('[data-test="phase-saved"]').getByText(saved, { exact: typeof saved === 'string' }).waitFor();
}

/** A delegate says their organization's stance on an article through the process page. */
async function sayStance(page, section, stance, reason) {
  const item = page.locator(`[data-test="own-stance"][data-section-id="${section.id}"]`);
  if (!(await item.locator('details').evaluate((d) => d.open))) await item.locator('summary').click();
  await item.getByRole('radio', { name: stance, exact: true }).check();
  if (reason !== undefined) await item.getByLabel('Razón de la objeción').fill(reason);
  await item.getByRole('button', { name: 'Guardar la posición' }).click();
  await item.locator('[data-test="own-saved"]').filter({ hasText: `Se guardó la posición de su organización: ${stance}.` }).waitFor();
  await item.locator('[data-test="own-current"]').filter({ hasText: stance }).waitFor();
}

/** Opens a document ballot's page and waits for its heading and the live connection. */
async function gotoBallot(page, id, heading) {
  await page.goto(`${BASE}/votaciones/${id}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await expectConnected(page);
}

/** Votes "A favor" on a yes/no ballot (a block or the approval). */
async function voteYes(page) {
  await page.locator('#ballot-vote').getByRole('button', { name: /^(✓ )?A favor$/ }).click();
  await page.locator('#my-vote').getByText('Su organización votó: A favor').waitFor();
}

/** The secretariat closes the ballot on its page once the three organizations voted. */
async function closeAfterThree(page) {
  await page.locator('[data-test="participation"]').getByText(/^Han votado 3 de \d+ organizaciones\.$/).waitFor();
  await page.getByRole('button', { name: 'Cerrar la votación' }).click();
  await page.locator('#ballot-status').getByText('Cerrada', { exact: true }).waitFor();
}

// ---------------------------------------------------------------------------

step('1. the secretariat opens the amendments phase with a deadline; the delegates see the banner and its countdown live', async () => {
  const a = s.anaTab.page;
  const b = s.betoTab.page;
  for (const page of [a, b]) {
    await page.goto(s.docUrl);
    await phaseText(page).filter({ hasText: 'Redacción: solo la secretaría edita el texto.' }).waitFor();
    await page.locator('[data-test="propose-closed"]')
      .filter({ hasText: 'La secretaría está redactando: aún no se reciben propuestas.' }).waitFor();
    assert.equal(await page.locator('#new-proposal').isVisible(), false, 'no proposing while drafting');
    await expectConnected(page);
    await page.locator('#presence[data-count]').waitFor({ state: 'attached' }); // subscribed to the document
    await markDocument(page);
  }

  const c = s.secTab.page;
  await c.goto(`${BASE}/secretaria/carta?documento=${s.doc.id}`);
  await c.locator('#phase-current').filter({ hasText: 'Fase actual: Redacción.' }).waitFor();
  const form = c.locator('#phase-form');
  await form.getByLabel('Fase', { exact: true }).selectOption({ label: 'Propuestas de enmienda' });
  // Three days, five hours and a half from now (to the minute), in Ecuador time.
  const closeMs = Math.floor((Date.now() + (3 * 86_400 + 5 * 3_600 + 30 * 60) * 1000) / 60_000) * 60_000;
  await form.getByLabel('Fecha límite para presentar propuestas (hora de Ecuador)').fill(ecuadorLocal(closeMs));
  await form.getByRole('button', { name: 'Guardar la fase' }).click();
  await c.locator('[data-test="phase-saved"]').getByText(
    /^Se guardó: el documento está en la fase «Propuestas de enmienda», con plazo hasta el .+ \(hora de Ecuador\)\.$/,
  ).waitFor();
  const saved = await api('GET', `/api/v1/documents/${s.doc.id}`, { token: s.sec.token });
  assert.equal(saved.phase, 'amendments');
  assert.equal(Date.parse(saved.amendments_close_at), closeMs, 'the deadline was read as Ecuador time');

  // Both delegates, without a reload: the phase, the deadline, the countdown, proposing open.
  for (const page of [a, b]) {
    await phaseText(page).filter({
      hasText: /^Fase de propuestas de enmienda: su organización puede presentar propuestas hasta el .+ \(hora de Ecuador\)\.$/,
    }).waitFor();
    await page.locator('[data-test="phase-countdown"]').filter({ hasText: /^Quedan 3 días y 5 horas\.$/ }).waitFor();
    await page.locator('#new-proposal').waitFor();
    assert.equal(await page.locator('[data-test="propose-change"]:visible').count(), 4, 'each article offers a change');
    assert.equal(await page.locator('[data-test="propose-closed"]').isVisible(), false);
    assert.equal(await sameDocument(page), true, 'the banner changed live');
  }
  await keyScreen(a, 'amendments');
  await keyScreen(c, 'console-phase');
});

step('2. two delegates propose rival amendments on one article; one renames it and gets a co-sponsor, who accepts', async () => {
  const a = s.anaTab.page;
  const b = s.betoTab.page;
  const betoOrg = s.beto.organization;

  // Ana, from the article on the charter: a new text and a new title, Beto's organization invited.
  await articleBox(a, s.domicilio).getByRole('link', { name: 'Proponer un cambio' }).click();
  await a.waitForURL(/\/documentos\/[0-9a-f-]+\/proponer\?/);
  await a.getByRole('heading', { level: 1, name: 'Nueva propuesta' }).waitFor();
  assert.equal(await a.locator('#proposal-section').inputValue(), s.domicilio.id, 'the article comes chosen');
  assert.equal(await a.locator('#proposal-body').inputValue(), s.domicilio.body, 'the text in force is the start');
  assert.equal(await a.locator('#kind-amend').isChecked(), true);
  s.titleA = 'Domicilio en Quito con sede en Guayaquil';
  s.newTitle = 'Domicilio y sedes';
  s.bodyA = 'El Foro tiene su domicilio en la ciudad de Quito y una sede en la ciudad de Guayaquil.';
  await a.locator('#proposal-title-input').fill(s.titleA);
  await a.getByLabel('Nuevo título del artículo o capítulo (opcional)').fill(s.newTitle);
  await a.locator('#proposal-body').fill(s.bodyA);
  await a.locator('#proposal-rationale-input').fill('Las organizaciones de la Costa también deben acoger al Foro.');
  const invite = a.locator(`#cosponsor-${betoOrg.id}`);
  assert.equal(await a.getByLabel(orgLabel(betoOrg), { exact: true }).count(), 1, 'the checkbox is named by the organization');
  await invite.check();
  await keyScreen(a, 'propose');
  await a.getByRole('button', { name: 'Enviar la propuesta' }).click();
  await a.waitForURL(/\/propuestas\/[0-9a-f-]+$/);
  s.idA = idFrom(a);
  await a.getByRole('heading', { level: 1, name: s.titleA }).waitFor();
  const panel = a.locator('#provenance');
  await panel.locator('#new-section-title').filter({ hasText: `Nuevo título del artículo o capítulo: «${s.newTitle}»` }).waitFor();
  await panel.locator('[data-test="invited-cosponsors"] li').filter({ hasText: orgLabel(betoOrg) }).waitFor();

  // Beto, on the phone: the proposal page says his organization was invited; he accepts.
  await b.goto(`${BASE}/propuestas/${s.idA}`);
  await b.getByRole('heading', { level: 1, name: s.titleA }).waitFor();
  await b.locator('#provenance').getByText('Su organización fue invitada a copatrocinar esta propuesta.', { exact: false }).waitFor();
  await b.locator('#accept-cosponsorship').click();
  await b.locator('#provenance [data-test="cosponsors"] li').filter({ hasText: orgLabel(betoOrg) }).waitFor();
  assert.equal(await b.locator('#accept-cosponsorship').count(), 0, 'accepted once');
  assert.equal(await b.locator('#provenance [data-test="invited-cosponsors"]').count(), 0, 'no invitation left');
  // A co-sponsor may revise it, at once.
  await b.locator('#revise-link').waitFor();
  await keyScreen(b, 'proposal');
  const proposalA = await api('GET', `/api/v1/proposals/${s.idA}`, { token: s.sec.token });
  assert.deepEqual(proposalA.cosponsors.map((o) => o.id), [betoOrg.id]);
  assert.equal(proposalA.revision.section_title, s.newTitle);
  assert.equal(proposalA.organization.id, s.ana.organization.id);

  // Beto proposes the rival on the same article, from the charter, on the phone.
  await b.goto(s.docUrl);
  await articleBox(b, s.domicilio).getByRole('link', { name: 'Proponer un cambio' }).click();
  await b.getByRole('heading', { level: 1, name: 'Nueva propuesta' }).waitFor();
  assert.equal(await b.locator('#proposal-section').inputValue(), s.domicilio.id);
  s.titleB = 'Domicilio rotativo';
  await b.locator('#proposal-title-input').fill(s.titleB);
  await b.locator('#proposal-body').fill('El Foro tiene su domicilio en la ciudad que elija la asamblea cada año.');
  await b.locator('#proposal-rationale-input').fill('Que el Foro recorra las regiones del país.');
  await b.getByRole('button', { name: 'Enviar la propuesta' }).click();
  await b.waitForURL(/\/propuestas\/[0-9a-f-]+$/);
  s.idB = idFrom(b);
  await b.getByRole('heading', { level: 1, name: s.titleB }).waitFor();

  // Ana's charter lists both on the article.
  await a.goto(s.docUrl);
  await a.locator(`#proposals-${s.domicilio.id}`).getByText('2 propuestas en curso').waitFor();
  await expectConnected(a);
  await a.locator('#presence[data-count]').waitFor({ state: 'attached' });
  await markDocument(a);
  await b.goto(s.docUrl);
  await expectConnected(b);
  await b.locator('#presence[data-count]').waitFor({ state: 'attached' });
  await markDocument(b);
});

step('3. the secretariat moves to deliberation, then to voting; the banners follow', async () => {
  const a = s.anaTab.page;
  const b = s.betoTab.page;
  await savePhase('Deliberación', 'Se guardó: el documento está en la fase «Deliberación».');
  await s.secTab.page.locator('#phase-current').filter({ hasText: 'Fase actual: Deliberación.' }).waitFor();
  await phaseText(a).filter({
    hasText: 'Fase de deliberación: se discuten y revisan las propuestas presentadas; no se reciben nuevas.',
  }).waitFor();
  await a.locator('[data-test="phase-countdown"]').waitFor({ state: 'hidden' });
  await a.locator('#new-proposal').waitFor({ state: 'hidden' });

  await savePhase('Votación', 'Se guardó: el documento está en la fase «Votación».');
  await s.secTab.page.locator('#phase-current').filter({ hasText: 'Fase actual: Votación.' }).waitFor();
  for (const page of [a, b]) {
    await phaseText(page).filter({ hasText: 'Fase de votación: se votan las propuestas; no se reciben nuevas.' }).waitFor();
    await page.locator('[data-test="propose-closed"]').filter({ hasText: 'No se reciben propuestas nuevas durante la votación.' }).waitFor();
    assert.equal(await page.locator('#new-proposal').isVisible(), false);
    assert.equal(await page.locator('[data-test="propose-change"]:visible').count(), 0);
    assert.equal(await sameDocument(page), true, 'the phases came live');
  }
  assert.equal((await api('GET', `/api/v1/documents/${s.doc.id}`, { token: s.ana.token })).phase, 'voting');
});

step('4. the delegates mark their stances on the process page; one objects to another article, with a reason', async () => {
  const a = s.anaTab.page;
  const b = s.betoTab.page;
  // Ana, from the charter's link.
  await a.locator('#process-link').click();
  await a.waitForURL(/\/proceso$/);
  await a.getByRole('heading', { level: 1, name: 'Proceso de aprobación' }).waitFor();
  await a.locator('#process-phase').filter({ hasText: 'Fase actual del documento: Votación.' }).waitFor();
  await sayStance(a, s.naturaleza, 'De acuerdo');
  await sayStance(a, s.miembros, 'Puede vivir con ello');
  await sayStance(a, s.asamblea, 'De acuerdo');

  // Beto, on the phone: agrees with article 1; objects to article 4 (the reason is required).
  await b.goto(s.processUrl);
  await b.getByRole('heading', { level: 1, name: 'Proceso de aprobación' }).waitFor();
  await sayStance(b, s.naturaleza, 'De acuerdo');
  const objecting = b.locator(`[data-test="own-stance"][data-section-id="${s.asamblea.id}"]`);
  await objecting.locator('summary').click();
  await objecting.getByRole('radio', { name: 'Objeción', exact: true }).check();
  await objecting.getByRole('button', { name: 'Guardar la posición' }).click();
  await objecting.getByRole('alert').getByText('Indique por qué su organización objeta este artículo.').waitFor();
  s.reason = 'La asamblea debe reunirse al menos dos veces al año.';
  await sayStance(b, s.asamblea, 'Objeción', s.reason);
  await b.locator(`[data-test="stance-row"][data-section-id="${s.asamblea.id}"] [data-test="objection"]`)
    .filter({ hasText: s.reason }).waitFor();
  await keyScreen(b, 'process');

  // Carla's organization says its stances through the API.
  for (const section of [s.naturaleza, s.miembros]) {
    await api('PUT', `/api/v1/sections/${section.id}/stance`, { token: s.carla.token, body: { stance: 'agree' } });
  }

  // The secretariat's map: counts, the objection with its organization and reason.
  const c = s.secTab.page;
  await c.goto(s.processUrl);
  await c.getByRole('heading', { level: 1, name: 'Proceso de aprobación' }).waitFor();
  const row = (section) => c.locator(`[data-test="stance-row"][data-section-id="${section.id}"]`);
  const count = (section, kind) => row(section).locator(`[data-test="count-${kind}"]`).getAttribute('data-count');
  assert.equal(await count(s.naturaleza, 'agree'), '3');
  assert.deepEqual([await count(s.miembros, 'agree'), await count(s.miembros, 'can_live')], ['1', '1']);
  assert.deepEqual([await count(s.asamblea, 'agree'), await count(s.asamblea, 'object')], ['1', '1']);
  assert.equal((await row(s.asamblea).locator('[data-test="objection"]').textContent()).trim(),
    `${s.beto.organization.name}: ${s.reason}`);
  assert.match(await row(s.asamblea).getAttribute('class'), /contested/);
  assert.equal(await count(s.domicilio, 'object'), '0');
});

step('5. rival proposals: a ranked ballot with the status quo from the process page, ranked by three organizations, closed, the winner adopted', async () => {
  const c = s.secTab.page;
  const a = s.anaTab.page;
  const b = s.betoTab.page;
  // Every form of the secretariat open: the page checked as it is then.
  for (const id of ['alt-ballot', 'block-ballot', 'approval-ballot']) await c.locator(`#${id} > summary`).click();
  await keyScreen(c, 'process-secretariat');
  for (const id of ['block-ballot', 'approval-ballot']) await c.locator(`#${id} > summary`).click();

  const alt = c.locator('#alt-ballot');
  const section = alt.getByLabel('Artículo', { exact: true });
  assert.equal(await section.inputValue(), s.domicilio.id);
  assert.equal((await section.locator('option:checked').textContent()).trim(), 'Artículo 2. Domicilio (2 propuestas abiertas)');
  assert.equal(await alt.locator('[data-test="alt-rival"]').count(), 2);
  for (const title of [s.titleA, s.titleB]) {
    assert.equal(await alt.getByRole('checkbox', { name: new RegExp(`^${title} · `) }).isChecked(), true, `${title} is in`);
  }
  assert.equal(await alt.getByRole('checkbox', { name: 'Incluir «mantener el texto vigente» como opción' }).isChecked(), true);
  await alt.getByLabel('Método').selectOption('ranked');
  await alt.getByLabel('Quórum (%)').fill('0');
  await alt.getByRole('button', { name: 'Abrir la votación entre propuestas' }).click();
  await c.waitForURL(/\/votaciones\/[0-9a-f-]+$/);
  s.altId = idFrom(c);
  const heading = 'Propuestas rivales: Artículo 2. Domicilio';
  await c.getByRole('heading', { level: 1, name: heading }).waitFor(OPENING);
  const ballot = await ballotApi(s.altId);
  assert.equal(ballot.kind, 'alternatives');
  assert.equal(ballot.method, 'ranked');
  assert.equal(ballot.quorum, 0);
  const [keep, ...rivals] = ballot.options;
  assert.equal(keep.proposal_id ?? null, null, 'the status quo comes first');
  const optA = rivals.find((o) => o.proposal_id === s.idA);
  const optB = rivals.find((o) => o.proposal_id === s.idB);
  assert.ok(optA && optB, 'both rivals are options');
  const order = (page) => page.locator('[data-test="ranked"] [data-test="rank-item"]')
    .evaluateAll((els) => els.map((e) => e.dataset.option));

  // Ana, by the buttons: A, B, then the status quo.
  await gotoBallot(a, s.altId, heading);
  await a.getByText('Orden de preferencia (método de Schulze)').waitFor();
  await a.getByText('Sin quórum mínimo.').waitFor();
  await a.getByRole('button', { name: `Añadir al orden «${optA.label}»` }).click();
  await a.getByRole('button', { name: `Añadir al orden «${optB.label}»` }).click();
  await a.getByRole('button', { name: 'Añadir al orden «Mantener el texto vigente»' }).click();
  await a.locator('[data-test="rank-announce"]').getByText('«Mantener el texto vigente» está ahora en el puesto 3 de 3.').waitFor();
  assert.deepEqual(await order(a), [optA.id, optB.id, keep.id]);
  await a.getByRole('button', { name: 'Votar con este orden' }).click();
  await a.locator('#my-vote').getByText('Su organización votó con este orden:').waitFor();
  await markDocument(a);

  // Beto, on the phone, by keyboard only: A, then B, then B up; the status quo unranked.
  await gotoBallot(b, s.altId, heading);
  const press = async (name, key = 'Enter') => {
    await b.getByRole('button', { name }).focus();
    await b.keyboard.press(key);
  };
  await press(`Añadir al orden «${optA.label}»`);
  await press(`Añadir al orden «${optB.label}»`, ' ');
  await press(`Subir «${optB.label}»`);
  await b.locator('[data-test="rank-announce"]').getByText(`«${optB.label}» está ahora en el puesto 1 de 2.`).waitFor();
  assert.equal(await b.evaluate(() => document.activeElement?.textContent), `Bajar «${optB.label}»`,
    'at the top the focus stays on the option, on "Bajar"');
  assert.deepEqual(await order(b), [optB.id, optA.id]);
  await keyScreen(b, 'ranking');
  await press('Votar con este orden');
  await b.locator('#my-vote').getByText('Su organización votó con este orden:').waitFor();
  await b.locator('[data-test="my-ranking"] li').first().getByText(optB.label).waitFor();

  // Carla, on a third page: one drag puts A in the ranking; the rest tie last.
  const carlaTab = await open(s.carla);
  s.carlaTab = carlaTab;
  const k = carlaTab.page;
  await gotoBallot(k, s.altId, heading);
  await k.locator(`[data-test="unranked"] [data-option="${optA.id}"] [data-test="rank-handle"]`)
    .dragTo(k.locator('[data-zone="ranked"] h4'));
  await k.locator('[data-test="rank-announce"]').getByText(`«${optA.label}» está ahora en el puesto 1 de 1.`).waitFor();
  assert.deepEqual(await order(k), [optA.id]);
  await k.getByRole('button', { name: 'Votar con este orden' }).click();
  await k.locator('#my-vote').getByText('Su organización votó con este orden:').waitFor();
  assert.deepEqual((await ballotApi(s.altId, s.carla)).my_ranking, [optA.id]);

  // The secretariat closes on screen: A beats B 2 to 1 and the status quo 3 to 0.
  await closeAfterThree(c);
  const winner = `Ganó «${optA.label}»: la propuesta queda aprobada y las demás, rechazadas.`;
  for (const page of [c, a]) {
    await page.locator('[data-test="winner"]').getByText(winner).waitFor();
    await page.locator('#result-order li').first().getByText('Ganadora').waitFor();
  }
  assert.equal(await sameDocument(a), true, 'Ana saw the result live');
  await keyScreen(c, 'alternatives-result');
  assert.equal((await api('GET', `/api/v1/proposals/${s.idA}`, { token: s.sec.token })).status, 'passed');
  assert.equal((await api('GET', `/api/v1/proposals/${s.idB}`, { token: s.sec.token })).status, 'rejected');

  // The winner adopted from its page: the article takes its text and its new title.
  await c.goto(`${BASE}/propuestas/${s.idA}`);
  await c.getByRole('heading', { level: 1, name: s.titleA }).waitFor();
  await c.locator('#adopt').click();
  const note = c.locator('#proposal-action-note').getByText(/^Propuesta adoptada: la carta pasó a la versión \d+\.$/);
  await note.waitFor();
  const adopted = await api('GET', `/api/v1/documents/${s.doc.id}`, { token: s.sec.token });
  assert.equal((await note.textContent()).trim(), `Propuesta adoptada: la carta pasó a la versión ${adopted.version}.`);
  const domicilio = adopted.sections.find((x) => x.id === s.domicilio.id);
  assert.equal(domicilio.title, s.newTitle);
  assert.equal(domicilio.body.trim(), s.bodyA);
  await a.goto(s.docUrl);
  await articleBox(a, s.domicilio).getByRole('heading', { name: `Artículo 2. ${s.newTitle}` }).waitFor();
  await articleBox(a, s.domicilio).getByText(s.bodyA).waitFor();
});

step('6. a block of the uncontested articles from the process page (the contested one excluded), voted yes, passed', async () => {
  const c = s.secTab.page;
  await c.goto(s.processUrl);
  await c.getByRole('heading', { level: 1, name: 'Proceso de aprobación' }).waitFor();
  await c.locator('#alt-none').filter({ hasText: 'Ningún artículo tiene propuestas abiertas' }).waitFor({ state: 'attached' });
  const block = c.locator('#block-ballot');
  await block.locator('summary').click();
  const item = (section) => block.locator(`[data-test="block-article"][data-section-id="${section.id}"]`);
  assert.equal(await item(s.asamblea).getByRole('checkbox').isDisabled(), true, 'the contested article cannot go in');
  assert.equal(await item(s.asamblea).getByRole('checkbox').isChecked(), false);
  assert.equal((await item(s.asamblea).locator('[data-test="block-excluded"]').textContent()).trim(),
    `Excluido: objeción de ${s.beto.organization.name}`);
  for (const section of [s.naturaleza, s.domicilio, s.miembros]) {
    assert.equal(await item(section).getByRole('checkbox').isChecked(), true, `${section.title} is preselected`);
  }
  // The article with the rivals was decided by its own ballot.
  await item(s.domicilio).getByRole('checkbox').uncheck();
  await block.getByLabel('Quórum (%)').fill('0');
  await block.getByRole('button', { name: 'Abrir la votación en bloque' }).click();
  await c.waitForURL(/\/votaciones\/[0-9a-f-]+$/);
  s.blockId = idFrom(c);
  const heading = 'Adopción en bloque de 2 artículos';
  await c.getByRole('heading', { level: 1, name: heading }).waitFor(OPENING);
  const opened = await ballotApi(s.blockId);
  assert.equal(opened.kind, 'block');
  assert.deepEqual([...opened.section_ids].sort(), [s.naturaleza.id, s.miembros.id].sort());
  for (const section of [s.naturaleza, s.miembros]) {
    await c.locator('#block-sections').getByRole('link', { name: `Artículo ${section.number}. ${section.title}` }).waitFor();
  }

  for (const page of [s.anaTab.page, s.betoTab.page, s.carlaTab.page]) {
    await gotoBallot(page, s.blockId, heading);
    await voteYes(page);
  }
  await closeAfterThree(c);
  for (const page of [c, s.betoTab.page]) {
    await page.locator('[data-test="result"]').getByText('Aprobada', { exact: true }).waitFor();
    await page.getByText('Los artículos incluidos quedan adoptados tal como están.').waitFor();
  }
  await keyScreen(s.betoTab.page, 'block-result');
  const closed = await ballotApi(s.blockId);
  assert.equal(closed.status, 'closed');
  assert.equal(closed.result.passed, true);
  assert.equal(closed.result.yes, 3);
});

step('7. the approval of the whole text: voted yes, closed; the charter shows the final text with its SHA-256', async () => {
  const c = s.secTab.page;
  const a = s.anaTab.page;
  const b = s.betoTab.page;
  const current = await api('GET', `/api/v1/documents/${s.doc.id}`, { token: s.sec.token });
  await c.goto(s.processUrl);
  await c.getByRole('heading', { level: 1, name: 'Proceso de aprobación' }).waitFor();
  const approval = c.locator('#approval-ballot');
  await approval.locator('summary').click();
  await approval.locator('#approval-version')
    .filter({ hasText: `Se vota el texto completo en su versión actual (${current.version}).` }).waitFor();
  assert.equal(await approval.getByLabel('Mayoría requerida').inputValue(), 'two_thirds');
  await approval.getByLabel('Quórum (%)').fill('0');
  await approval.getByRole('button', { name: 'Abrir la votación del texto completo' }).click();
  await c.waitForURL(/\/votaciones\/[0-9a-f-]+$/);
  s.approvalId = idFrom(c);
  const heading = `Aprobación del texto completo de «${s.doc.title}» (versión ${current.version})`;
  await c.getByRole('heading', { level: 1, name: heading }).waitFor(OPENING);
  const opened = await ballotApi(s.approvalId);
  assert.equal(opened.kind, 'approval');
  assert.equal(opened.version, current.version);

  // Beto keeps the charter open on his phone: it turns final live.
  await b.goto(s.docUrl);
  await expectConnected(b);
  await b.locator('#presence[data-count]').waitFor({ state: 'attached' });
  await markDocument(b);
  for (const page of [a, s.carlaTab.page]) {
    await gotoBallot(page, s.approvalId, heading);
    await voteYes(page);
  }
  await api('PUT', `/api/v1/ballots/${s.approvalId}/vote`, { token: s.beto.token, body: { choice: 'yes' } });
  await closeAfterThree(c);

  let final = null;
  for (let i = 0; i < 40 && !final; i += 1) {
    const d = await api('GET', `/api/v1/documents/${s.doc.id}`, { token: s.ana.token });
    if (d.approval) final = d;
    else await new Promise((resolve) => { setTimeout(resolve, 250); });
  }
  assert.ok(final, 'the document became final');
  assert.equal(final.phase, 'final');
  assert.equal(final.approval.ballot_id, s.approvalId);
  assert.equal(final.approval.version, current.version);
  assert.match(final.approval.text_sha256, /^[0-9a-f]{64}$/);
  const hash = final.approval.text_sha256;
  for (const page of [c, a]) {
    await page.locator('[data-test="result"]').getByText('Aprobada', { exact: true }).waitFor();
    await page.locator('#final-hash').getByText(hash, { exact: true }).waitFor();
  }
  await keyScreen(c, 'approval-result');

  // The charter: the final note with the hash, the banner says final, no proposing.
  const checkFinal = async (page) => {
    const note = page.locator('#final-text');
    await note.getByText(`Texto final aprobado por la asamblea en la versión ${current.version}; ya no admite cambios.`).waitFor();
    assert.equal((await note.locator('[data-test="final-hash"]').textContent()).trim(), hash, 'the hash is the API\'s');
    assert.equal(await note.getByRole('link', { name: 'Ver la votación' }).getAttribute('href'), `/votaciones/${s.approvalId}`);
    await phaseText(page).filter({ hasText: 'Texto final aprobado: el texto está congelado.' }).waitFor();
    await page.locator('[data-test="propose-closed"]').filter({ hasText: 'El texto está aprobado: no se reciben propuestas.' }).waitFor();
    assert.equal(await page.locator('#new-proposal').isVisible(), false, 'no "Nueva propuesta"');
    assert.equal(await page.locator('[data-test="propose-change"]:visible').count(), 0, 'no "Proponer un cambio"');
    await articleBox(page, s.domicilio).getByRole('heading', { name: `Artículo 2. ${s.newTitle}` }).waitFor();
  };
  // Beto's open charter: the banner turns final and proposing closes live...
  await phaseText(b).filter({ hasText: 'Texto final aprobado: el texto está congelado.' }).waitFor();
  await b.locator('[data-test="propose-closed"]').filter({ hasText: 'El texto está aprobado: no se reciben propuestas.' }).waitFor();
  assert.equal(await b.locator('#new-proposal').isVisible(), false);
  assert.equal(await sameDocument(b), true, 'the final phase came live');
  // ... and the note with the hash follows, without a reload.
  await checkFinal(b);
  assert.equal(await sameDocument(b), true, 'the final note came live');
  await a.goto(s.docUrl);
  await checkFinal(a);
  await keyScreen(a, 'final');

  // The process page is frozen too.
  await c.goto(s.processUrl);
  await c.locator('#process-phase').filter({ hasText: 'Fase actual del documento: Texto final aprobado.' }).waitFor();
  await c.locator('#ballots-frozen').waitFor();
  assert.equal(await c.locator(`[data-test="document-ballot"]`).count(), 3, 'its three ballots are listed');
});
