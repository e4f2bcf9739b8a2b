// On a small phone (360x740) no screen scrolls sideways (and, on the way,
// no screen shows a raw translation key, in Spanish or English).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, closeClean, createCharter, createProposal, createUser, horizontalOverflow, invite, launch, openBallot, openPage,
  postComment, secretariat, untranslated,
} from './support.js';

const PHONE = { width: 360, height: 740 };

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function assertFits(page, label) {
  const { scroll, culprits } = await horizontalOverflow(page);
  assert.ok(scroll <= PHONE.width,
    `${label}: document is ${scroll}px wide at a ${PHONE.width}px viewport; too wide: ${culprits.join(', ')}`);
  // While every screen is visited: no translation key shows as such.
  assert.deepEqual(await untranslated(page), [], `${label}: untranslated keys`);
}

async function checkBothLanguages(page, label, ready) {
  await ready();
  await assertFits(page, `${label} (es)`);
  await page.getByRole('button', { name: 'English', exact: true }).click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await assertFits(page, `${label} (en)`);
  await page.getByRole('button', { name: 'Español', exact: true }).click();
  await page.waitForFunction(() => document.documentElement.lang === 'es');
}

test('signed-out screens fit a 360px-wide phone', async () => {
  const invitation = await invite({ role: 'delegate' });
  const tab = await openPage(browser, { viewport: PHONE });
  const { page } = tab;
  try {
    await page.goto(`${BASE}/ingresar`);
    await checkBothLanguages(page, '/ingresar', () => page.getByRole('heading', { level: 1, name: 'Ingresar' }).waitFor());

    // With every validation message showing.
    await page.getByRole('button', { name: 'Ingresar', exact: true }).click();
    await page.getByRole('alert').getByText('Ingrese su correo electrónico.').waitFor();
    await assertFits(page, '/ingresar with errors');

    await page.goto(`${BASE}/invitations/${invitation.token}`);
    await checkBothLanguages(page, '/invitations/<token>',
      () => page.getByRole('heading', { level: 1, name: 'Invitación a Minga' }).waitFor());
    await page.getByRole('button', { name: 'Aceptar la invitación' }).click();
    await page.getByRole('alert').getByText('Ingrese un nombre para mostrar.').waitFor();
    await assertFits(page, '/invitations/<token> with errors');

    await page.goto(`${BASE}/invitations/desconocida`);
    await checkBothLanguages(page, 'unknown invitation',
      () => page.getByRole('heading', { level: 1, name: 'Invitación no encontrada' }).waitFor());

    await page.goto(`${BASE}/una/pagina/que/no/existe`);
    await checkBothLanguages(page, 'not found',
      () => page.getByRole('heading', { level: 1, name: 'Página no encontrada' }).waitFor());
  } finally {
    await closeClean(tab);
  }
});

test('the home screen fits a 360px-wide phone, even with a long name and organization', async () => {
  const user = await createUser({
    role: 'delegate',
    displayName: 'María Fernanda de los Ángeles Guamán Tituaña',
  });
  const tab = await openPage(browser, { viewport: PHONE, user });
  const { page } = tab;
  try {
    await page.goto(`${BASE}/`);
    await checkBothLanguages(page, 'home',
      () => page.getByRole('heading', { level: 1, name: 'Carta fundacional' }).waitFor());
    // With the session menu open.
    await page.locator('#user-menu summary').click();
    await page.locator('#user-menu').getByRole('button', { name: 'Cerrar sesión', exact: true }).waitFor();
    await assertFits(page, 'home with the session menu open');
  } finally {
    await closeClean(tab);
  }
});

test('the charter and a proposal with its ballot and discussion fit a 360px-wide phone', async () => {
  const doc = await createCharter();
  const delegate = await createUser({ role: 'delegate', displayName: 'Juan Carlos Pilataxi Cachimuel' });
  const proposal = await createProposal(delegate, doc, {
    title: 'Reconocer la participación de las organizaciones comunitarias interculturales y plurinacionales',
    body: `${doc.sections.find((s) => s.kind === 'article').body} Incluye https://example.org/una/direccion/muy/larga/sin/espacios/para/ver/si/desborda y palabrasmuylargassinespaciosniguionesquenocabenenunapantallapequeña.`,
  });
  await postComment(delegate, proposal, 'Un comentario con un enlace largo: https://example.org/documentos/estatuto/capitulo-primero/articulo-tercero?version=2');
  await openBallot(proposal, { quorum: 0.5, live_results: true });
  const tab = await openPage(browser, { viewport: PHONE, user: delegate });
  const { page } = tab;
  try {
    await page.goto(`${BASE}/documentos/${doc.id}`);
    await checkBothLanguages(page, '/documentos/<id>',
      () => page.locator('[data-test="article"]').nth(4).waitFor());
    await page.locator(`#proposals-${proposal.section_id} summary`).click();
    await assertFits(page, '/documentos/<id> with proposals open');

    await page.goto(`${BASE}/propuestas/${proposal.id}`);
    await checkBothLanguages(page, '/propuestas/<id>',
      () => page.locator('#ballot-panel [data-test="participation"]').waitFor());
    await page.locator('#ballot-vote').getByRole('button', { name: 'A favor' }).click();
    await page.locator('#my-vote').getByText('Su organización votó: A favor').waitFor();
    await page.locator('[data-test="comment"]').first().getByRole('button', { name: 'Responder', exact: true }).click();
    await page.getByLabel('Su respuesta').waitFor();
    await assertFits(page, '/propuestas/<id> after voting, with a reply form open');

    await page.goto(`${BASE}/documentos/${doc.id}/proponer?tipo=amend&seccion=${proposal.section_id}`);
    await checkBothLanguages(page, '/documentos/<id>/proponer',
      () => page.locator('#proposal-form').waitFor());
    await page.getByRole('button', { name: 'Enviar la propuesta' }).click();
    await page.getByRole('alert').first().waitFor();
    await assertFits(page, '/documentos/<id>/proponer with errors');

    await page.goto(`${BASE}/documentos/${doc.id}/historial`);
    await checkBothLanguages(page, '/documentos/<id>/historial',
      () => page.locator('#comparison table, #comparison p').first().waitFor());
  } finally {
    await closeClean(tab);
  }
});

test('the secretariat console fits a 360px-wide phone', async () => {
  const sec = await secretariat();
  await createCharter();
  const tab = await openPage(browser, { viewport: PHONE, user: sec });
  const { page } = tab;
  try {
    await page.goto(`${BASE}/secretaria`);
    await checkBothLanguages(page, '/secretaria',
      () => page.getByRole('heading', { level: 1, name: 'Consola de la secretaría' }).waitFor());
    for (const path of ['organizaciones', 'personas', 'invitaciones', 'correo', 'votaciones', 'moderacion', 'carta']) {
      await page.goto(`${BASE}/secretaria/${path}`);
      await page.locator('h2.tab-title').waitFor();
      await page.waitForLoadState('networkidle');
      await assertFits(page, `/secretaria/${path}`);
    }
  } finally {
    await closeClean(tab);
  }
});
