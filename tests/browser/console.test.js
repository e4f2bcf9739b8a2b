// The secretariat's console (/secretaria): its sections open, an invitation
// made there works, and nobody else gets in.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, PASSWORD, api, closeClean, createOrganization, createUser, expectSignedIn, invite, launch, openPage,
  secretariat,
} from './support.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const TABS = [
  ['organizaciones', 'Organizaciones'],
  ['personas', 'Personas'],
  ['invitaciones', 'Invitaciones'],
  ['correo', 'Correo'],
  ['votaciones', 'Votaciones'],
  ['moderacion', 'Moderación'],
  ['carta', 'Editor de la carta'],
];

test('the secretariat reaches the console from the menu and every section opens', async () => {
  const sec = await secretariat();
  const tab = await openPage(browser, { user: sec });
  const { page } = tab;
  try {
    await page.goto(`${BASE}/`);
    await page.locator('#user-menu summary').click();
    await page.locator('#user-menu').getByRole('link', { name: 'Consola de la secretaría' }).click();
    await page.waitForURL(`${BASE}/secretaria`);
    await page.getByRole('heading', { level: 1, name: 'Consola de la secretaría' }).waitFor();
    for (const [path, name] of TABS) {
      await page.locator('#console-nav').getByRole('link', { name, exact: true }).click();
      await page.waitForURL(`${BASE}/secretaria/${path}`);
      await page.locator('h2.tab-title').getByText(name, { exact: true }).waitFor();
      assert.equal(await page.locator('#console-nav').getByRole('link', { name, exact: true }).getAttribute('aria-current'), 'page');
      assert.equal(await page.title(), `${name} · Secretaría · Minga`);
    }
  } finally {
    await closeClean(tab);
  }
});

test('an invitation made in the console works in another browser', async () => {
  const org = await createOrganization({ kind: 'member', name: `Red de Apoyo ${Date.now()}`, shortName: 'RDA' });
  const sec = await secretariat();
  const tab = await openPage(browser, { user: sec });
  const { page } = tab;
  const email = `invitada-${Date.now()}@example.org`;
  let guest;
  try {
    await page.goto(`${BASE}/secretaria/invitaciones`);
    await page.locator('h2.tab-title').getByText('Invitaciones', { exact: true }).waitFor();
    await page.getByLabel('Correo electrónico de la persona invitada').fill(email);
    await page.getByLabel('Organización', { exact: true }).selectOption({ label: `${org.name} (RDA)` });
    await page.getByLabel('Rol', { exact: true }).selectOption({ label: 'Delegado/a' });
    await page.getByRole('button', { name: 'Crear la invitación' }).click();
    await page.getByText(`Invitación para ${email}. Envíele este enlace:`).waitFor();
    const url = await page.locator('#invite-url').inputValue();
    assert.ok(url.startsWith(`${BASE}/invitations/`), `an invitation link: ${url}`);
    assert.equal(await page.getByLabel('Correo electrónico de la persona invitada').inputValue(), '', 'the form is emptied');

    // The invited person opens the link in their own browser.
    guest = await openPage(browser);
    await guest.page.goto(url);
    await guest.page.getByText(`Ha sido invitado/a a Minga como Delegado/a de ${org.name}.`).waitFor();
    await guest.page.getByLabel('Nombre para mostrar').fill('Delegada Invitada');
    await guest.page.getByLabel('Contraseña', { exact: true }).fill(PASSWORD);
    await guest.page.getByLabel('Confirme la contraseña').fill(PASSWORD);
    await guest.page.getByRole('button', { name: 'Aceptar la invitación' }).click();
    await expectSignedIn(guest.page, 'Delegada Invitada');
  } finally {
    if (guest) await closeClean(guest);
    await closeClean(tab);
  }
});

test('the secretariat revokes one invitation and sends another again, and sees the mail it made', async () => {
  const withdrawn = await invite({ role: 'delegate' });
  const again = await invite({ role: 'delegate' });
  const sec = await secretariat();
  const all = await api('GET', '/api/v1/invitations?status=pending', { token: sec.token });
  for (const inv of [withdrawn, again]) inv.id = all.find((i) => i.email === inv.email).id;
  const tab = await openPage(browser, { user: sec });
  const { page } = tab;
  page.on('dialog', (dialog) => dialog.accept());
  try {
    await page.goto(`${BASE}/secretaria/invitaciones`);
    await page.getByRole('heading', { level: 3, name: 'Invitaciones hechas' }).waitFor();
    const card = (inv) => page.locator(`[data-test="invitation"][data-invitation-id="${inv.id}"]`);
    await card(withdrawn).locator('[data-test="invite-status"]').getByText('Pendiente').waitFor();
    await card(withdrawn).getByRole('button', { name: 'Revocar' }).click();
    await card(withdrawn).locator('[data-test="invite-status"]').getByText('Revocada').waitFor();
    assert.equal(await card(withdrawn).getByRole('button', { name: 'Revocar' }).count(), 0, 'nothing left to do');
    const gone = await fetch(`${BASE}/api/v1/invitations/${withdrawn.token}`);
    assert.equal(gone.status, 410, 'its link answers 410');

    await card(again).getByRole('button', { name: 'Reenviar con un enlace nuevo' }).click();
    await page.getByText(`Invitación para ${again.email}. Envíele este enlace:`).waitFor();
    const url = await page.locator('#invite-url').inputValue();
    assert.notEqual(url, again.url, 'a new link');
    assert.equal((await fetch(`${BASE}/api/v1/invitations/${again.token}`)).status, 404, 'the old link died');

    await page.goto(`${BASE}/secretaria/correo`);
    await page.locator('#mail-delivery').getByText('El correo se envía por el servidor de correo configurado.').waitFor();
    await page.locator('[data-test="mail"]').filter({ hasText: again.email }).first().waitFor();
  } finally {
    await closeClean(tab);
  }
});

test('a delegate who opens the console is told it is for the secretariat only', async () => {
  const delegate = await createUser({ role: 'delegate' });
  const tab = await openPage(browser, { user: delegate });
  const { page } = tab;
  try {
    await page.goto(`${BASE}/secretaria`);
    await page.getByRole('heading', { level: 1, name: 'Consola de la secretaría' }).waitFor();
    await page.getByText('Esta sección es solo para la secretaría técnica.').waitFor();
    assert.equal(await page.locator('#console-nav').count(), 0);
    await page.locator('#user-menu summary').click();
    assert.equal(await page.locator('#user-menu').getByRole('link', { name: 'Consola de la secretaría' }).count(), 0);
  } finally {
    await closeClean(tab);
  }
});
