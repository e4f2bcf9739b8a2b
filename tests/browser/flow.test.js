// The whole flow, in three browsers, through the UI wherever the UI offers
// it: the secretariat creates two member organizations and invites one
// delegate of each in its console; the delegates accept in their own
// browsers (one of them on a 360x740 phone); the secretariat creates a
// document and imports a short statute in the charter editor; delegate A
// proposes an amendment from the charter, comments (B sees it live) and
// revises it; the secretariat opens a ballot, both delegates vote, the
// secretariat closes it and adopts the proposal; the charter shows the new
// text and version.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, PASSWORD, closeClean, expectConnected, expectSignedIn, horizontalOverflow, launch, openPage, secretariat,
} from './support.js';
import { PHONE, markDocument, sameDocument, unique } from './support-extra.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const STATUTE = (title) => `# ${title}

## Del Foro

### Naturaleza
El Foro es un espacio de articulación de organizaciones de la sociedad civil.

### Domicilio
El Foro tiene su domicilio en la ciudad de Quito.

## De los miembros

### Miembros
Son miembros las organizaciones que suscriben este estatuto.
`;

/** The secretariat creates a member organization in the console's form. */
async function createOrganizationInConsole(page, name, shortName) {
  const form = page.locator('#org-create-form');
  await form.getByLabel('Nombre', { exact: true }).fill(name);
  await form.getByLabel('Sigla', { exact: true }).fill(shortName);
  await form.getByLabel('Tipo', { exact: true }).selectOption('member');
  await form.getByRole('button', { name: 'Crear la organización' }).click();
  await page.locator('#org-status').getByText(`Se creó ${name}.`, { exact: true }).waitFor();
  await page.locator('#org-list [data-test="org"]').filter({ hasText: `${name} (${shortName})` }).waitFor();
}

/** The secretariat invites a delegate in the console's form: the link. */
async function inviteInConsole(page, email, orgLabel) {
  await page.getByLabel('Correo electrónico de la persona invitada').fill(email);
  await page.getByLabel('Organización', { exact: true }).selectOption({ label: orgLabel });
  await page.getByLabel('Rol', { exact: true }).selectOption({ label: 'Delegado/a' });
  await page.getByRole('button', { name: 'Crear la invitación' }).click();
  await page.getByText(`Invitación para ${email}. Envíele este enlace:`).waitFor();
  const url = await page.locator('#invite-url').inputValue();
  assert.ok(url.startsWith(`${BASE}/invitations/`), `an invitation link: ${url}`);
  return url;
}

/** The invited person accepts in their own browser and lands on the start screen. */
async function acceptInvitation(page, url, name, orgName) {
  await page.goto(url);
  await page.getByText(`Ha sido invitado/a a Minga como Delegado/a de ${orgName}.`).waitFor();
  await page.getByLabel('Nombre para mostrar').fill(name);
  await page.getByLabel('Contraseña', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirme la contraseña').fill(PASSWORD);
  await page.getByRole('button', { name: 'Aceptar la invitación' }).click();
  await page.waitForURL(`${BASE}/`);
  await page.getByRole('heading', { level: 1, name: 'Carta fundacional' }).waitFor();
  await expectSignedIn(page, name);
}

const article = (page, heading) => page.locator('[data-test="article"]').filter({
  has: page.getByRole('heading', { name: heading, exact: true }),
});

test('secretariat and two delegates (one on a phone) go from invitations to an adopted amendment', async () => {
  const id = unique();
  const sec = await secretariat();
  const s = await openPage(browser, { user: sec });
  const a = await openPage(browser);
  const b = await openPage(browser, { viewport: PHONE });
  const orgA = { name: `Cooperativa Andina ${id}`, short: `CA${id.slice(0, 4).toUpperCase()}` };
  const orgB = { name: `Red Costeña ${id}`, short: `RC${id.slice(0, 4).toUpperCase()}` };
  const nameA = `Ana Caiza ${id.slice(0, 4)}`;
  const nameB = `Beto Mina ${id.slice(0, 4)}`;
  const title = `Estatuto del flujo ${id}`;
  const proposalTitle = 'Domicilio en Quito y Guayaquil';
  const proposedText = 'El Foro tiene su domicilio en las ciudades de Quito y Guayaquil.';
  const revisedText = 'El Foro tiene su domicilio en las ciudades de Quito, Guayaquil y Cuenca.';
  try {
    // ---- 1. The secretariat's console: two member organizations, two invitations.
    await s.page.goto(`${BASE}/secretaria`);
    await s.page.locator('#console-nav').getByRole('link', { name: 'Organizaciones', exact: true }).click();
    await s.page.locator('h2.tab-title').getByText('Organizaciones', { exact: true }).waitFor();
    await createOrganizationInConsole(s.page, orgA.name, orgA.short);
    await createOrganizationInConsole(s.page, orgB.name, orgB.short);

    await s.page.locator('#console-nav').getByRole('link', { name: 'Invitaciones', exact: true }).click();
    await s.page.waitForURL(`${BASE}/secretaria/invitaciones`);
    await s.page.locator('h2.tab-title').getByText('Invitaciones', { exact: true }).waitFor();
    const urlA = await inviteInConsole(s.page, `ana-${id}@example.org`, `${orgA.name} (${orgA.short})`);
    const urlB = await inviteInConsole(s.page, `beto-${id}@example.org`, `${orgB.name} (${orgB.short})`);
    assert.notEqual(urlA, urlB);

    // ---- 2. Each delegate accepts in their own browser.
    await Promise.all([
      acceptInvitation(a.page, urlA, nameA, orgA.name),
      acceptInvitation(b.page, urlB, nameB, orgB.name),
    ]);

    // ---- 3. The secretariat creates the document and imports the statute.
    await s.page.locator('#console-nav').getByRole('link', { name: 'Editor de la carta', exact: true }).click();
    await s.page.locator('h2.tab-title').getByText('Editor de la carta', { exact: true }).waitFor();
    const newDoc = s.page.locator('#new-document');
    if (await newDoc.getAttribute('open') === null) await newDoc.locator('summary').click();
    await s.page.locator('#new-doc-title').fill(title);
    await newDoc.getByRole('button', { name: 'Crear el documento' }).click();
    await s.page.waitForURL(/\/secretaria\/carta\?documento=[0-9a-f-]{36}$/);
    const docId = new URL(s.page.url()).searchParams.get('documento');
    // The editor shows the new document (not the one it showed before).
    await s.page.locator(`#editor-version a[href="/documentos/${docId}"]`).waitFor();
    assert.equal(await s.page.locator('#editor-document').inputValue(), docId);
    assert.equal(await s.page.locator('#editor-sections').count(), 0, 'a new document has no sections');
    const versionText = await s.page.locator('#editor-version span').first().textContent();
    const created = Number(/^Versión (\d+)$/.exec(versionText)?.[1]);
    assert.ok(created >= 0, `the new document's version: ${versionText}`);
    await s.page.locator('#import-text').fill(STATUTE(title));
    await s.page.locator('#import-form').getByRole('button', { name: 'Importar', exact: true }).click();
    const imported = created + 1;
    await s.page.locator('#editor-version').getByText(`Versión ${imported}`, { exact: true }).waitFor();
    await s.page.locator('#editor-sections [data-test="editor-section"]').nth(4).waitFor();
    assert.equal(await s.page.locator('#editor-sections [data-test="editor-section"]').count(), 5);

    // ---- 4. Both delegates open the charter from their start screen.
    for (const { page } of [a, b]) {
      await page.reload(); // the start screen lists the document created meanwhile
      await page.getByRole('link', { name: title, exact: true }).click();
      await page.waitForURL(`${BASE}/documentos/${docId}`);
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      await page.locator('#doc-version').getByText(`Versión ${imported}`, { exact: true }).waitFor();
      await article(page, 'Artículo 2. Domicilio').getByText('El Foro tiene su domicilio en la ciudad de Quito.').waitFor();
      await expectConnected(page);
    }
    await markDocument(b.page);

    // ---- 5. Delegate A proposes an amendment from the article.
    await article(a.page, 'Artículo 2. Domicilio').locator('[data-test="propose-change"]').click();
    await a.page.getByRole('heading', { level: 1, name: 'Nueva propuesta' }).waitFor();
    await a.page.getByLabel('Título de la propuesta').fill(proposalTitle);
    await a.page.getByLabel('Texto propuesto para el artículo').fill(proposedText);
    await a.page.getByLabel('Fundamentación').fill('Las organizaciones de la Costa también deben acogerlo.');
    await a.page.getByRole('button', { name: 'Enviar la propuesta' }).click();
    await a.page.waitForURL(/\/propuestas\/[0-9a-f-]{36}$/);
    const proposalId = new URL(a.page.url()).pathname.split('/').pop();
    await a.page.getByRole('heading', { level: 1, name: proposalTitle }).waitFor();
    await a.page.locator('#proposal-meta [data-test="status"]').getByText('Abierta', { exact: true }).waitFor();

    // B, on the phone, sees it appear under the article without a reload, and opens it.
    const blockB = article(b.page, 'Artículo 2. Domicilio').locator('[data-test="article-proposals"]');
    await blockB.getByText('1 propuesta en curso').waitFor();
    assert.equal(await sameDocument(b.page), true, 'the charter was not reloaded');
    await blockB.locator('summary').click();
    await blockB.getByRole('link', { name: proposalTitle }).click();
    await b.page.waitForURL(`${BASE}/propuestas/${proposalId}`);
    await b.page.getByRole('heading', { level: 1, name: proposalTitle }).waitFor();
    await expectConnected(b.page);
    await expectConnected(a.page);
    await b.page.locator('#presence').getByText(new RegExp(`Viendo ahora: .*${nameA}`)).waitFor();
    await markDocument(b.page);

    // ---- 6. A comments; B's page shows it live.
    const comment = 'Propongo sumar Guayaquil para acoger a las organizaciones de la Costa.';
    await a.page.getByLabel('Su comentario', { exact: true }).fill(comment);
    await a.page.getByRole('button', { name: 'Publicar comentario' }).click();
    await a.page.getByText('Comentario publicado.').waitFor();
    const arrived = b.page.locator('#comment-list > [data-test="comment"]').last();
    await arrived.getByText(comment).waitFor();
    await arrived.getByText(nameA, { exact: true }).waitFor();
    await b.page.getByRole('heading', { level: 2, name: 'Comentarios (1)' }).waitFor();

    // ---- 7. A revises the proposal; B sees the new revision live.
    await a.page.locator('#revise-link').click();
    await a.page.waitForURL(`${BASE}/propuestas/${proposalId}/revisar`);
    const revise = a.page.locator('#revise-form');
    await revise.waitFor();
    assert.equal(await a.page.locator('#revise-body').inputValue(), proposedText);
    await a.page.locator('#revise-body').fill(revisedText);
    await a.page.locator('#revise-note').fill('Se suma Cuenca, como se pidió en la discusión.');
    await revise.getByRole('button', { name: 'Publicar la revisión' }).click();
    await a.page.waitForURL(`${BASE}/propuestas/${proposalId}`);
    await a.page.locator('#revisions [data-test="revision"][data-revision="2"]').waitFor();
    await a.page.locator('[data-test="revision-body"]').getByText(revisedText).waitFor();
    await b.page.locator('[data-test="revision-body"]').getByText(revisedText).waitFor();
    await b.page.locator('#revisions [data-test="revision"][data-revision="2"]').waitFor();

    // ---- 8. The secretariat opens the ballot from the proposal (reached from the console).
    await s.page.locator('#console-nav').getByRole('link', { name: 'Votaciones', exact: true }).click();
    await s.page.locator('h2.tab-title').getByText('Votaciones', { exact: true }).waitFor();
    await s.page.locator(`#console-open [data-proposal-id="${proposalId}"]`).getByRole('link', { name: proposalTitle }).click();
    await s.page.waitForURL(`${BASE}/propuestas/${proposalId}`);
    await s.page.getByRole('heading', { level: 1, name: proposalTitle }).waitFor();
    await expectConnected(s.page);
    const openBallot = s.page.locator('#open-ballot');
    await openBallot.locator('summary').click();
    await s.page.locator('#ballot-majority').selectOption('simple');
    await s.page.locator('#ballot-quorum').fill('0'); // many organizations share this server
    await s.page.locator('#ballot-live').check();
    await openBallot.getByRole('button', { name: 'Abrir la votación' }).click();
    await s.page.locator('#ballot-panel').getByRole('heading', { level: 2, name: 'Votación Abierta' }).waitFor();

    // ---- 9. Both delegates vote Yes, in the panel that appeared live.
    for (const { page } of [a, b]) {
      await page.locator('#ballot-panel').getByRole('heading', { level: 2, name: 'Votación Abierta' }).waitFor();
      await page.locator('#ballot-panel [data-test="vote-yes"]').click();
      await page.locator('#my-vote').getByText('Su organización votó: A favor', { exact: true }).waitFor();
      assert.equal(await page.locator('#ballot-panel [data-test="vote-yes"]').getAttribute('aria-pressed'), 'true');
    }
    const panel = s.page.locator('#ballot-panel');
    await panel.locator('[data-test="participation"]').getByText(/^Han votado 2 de \d+ organizaciones\.$/).waitFor();
    await panel.locator('[data-test="tally"] [data-choice="yes"] dd').getByText('2', { exact: true }).waitFor();

    // ---- 10. The secretariat closes the ballot; everyone sees it passed.
    s.page.once('dialog', (dialog) => dialog.accept());
    await s.page.locator('#close-ballot').click();
    for (const { page } of [s, a, b]) {
      await page.locator('#ballot-panel').getByRole('heading', { level: 2, name: 'Votación Cerrada' }).waitFor();
      await page.locator('#ballot-panel [data-test="result"]').getByText('Aprobada', { exact: true }).waitFor();
    }
    await s.page.locator('#proposal-meta [data-test="status"]').getByText('Aprobada', { exact: true }).waitFor();

    // A goes back to the charter before the adoption, to see it announced there.
    await a.page.getByRole('link', { name: 'Volver a la carta' }).click();
    await a.page.waitForURL((url) => url.pathname === `/documentos/${docId}`);
    await a.page.locator('#doc-version').getByText(`Versión ${imported}`, { exact: true }).waitFor();
    await expectConnected(a.page);
    await a.page.locator('#presence').waitFor({ state: 'attached' });

    // ---- 11. The secretariat adopts it.
    const adopted = imported + 1;
    s.page.once('dialog', (dialog) => dialog.accept());
    await s.page.locator('#adopt').click();
    await s.page.getByText(`Propuesta adoptada: la carta pasó a la versión ${adopted}.`).waitFor();
    await s.page.locator('#proposal-meta [data-test="status"]').getByText('Adoptada', { exact: true }).waitFor();

    // ---- 12. The charter shows the new text and version number.
    await a.page.getByText(`Se publicó la versión ${adopted} del texto.`).waitFor();
    await a.page.getByRole('button', { name: 'Mostrar la versión nueva' }).click();
    for (const { page } of [a, b]) {
      if (page === b.page) {
        assert.equal(await sameDocument(b.page), true, 'the proposal page was not reloaded during the flow');
        await b.page.locator('#proposal-meta [data-test="status"]').getByText('Adoptada', { exact: true }).waitFor();
        await b.page.getByRole('link', { name: 'Volver a la carta' }).click();
      }
      await page.waitForURL((url) => url.pathname === `/documentos/${docId}`);
      await page.locator('#doc-version').getByText(`Versión ${adopted}`, { exact: true }).waitFor();
      const domicilio = article(page, 'Artículo 2. Domicilio');
      await domicilio.getByText(revisedText).waitFor();
      assert.equal(await domicilio.getByText('El Foro tiene su domicilio en la ciudad de Quito.').count(), 0);
      assert.equal(await domicilio.locator('[data-test="article-proposals"]').getByText(/en curso/).count(), 0,
        'no proposal in course on the article any more');
    }
    // The phone's charter fits its screen.
    const { scroll, culprits } = await horizontalOverflow(b.page);
    assert.ok(scroll <= PHONE.width, `the charter is ${scroll}px wide on a ${PHONE.width}px phone: ${culprits.join(', ')}`);
  } finally {
    await closeClean(b);
    await closeClean(a);
    await closeClean(s);
  }
});
