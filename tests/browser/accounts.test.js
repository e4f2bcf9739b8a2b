// Accounts in the browser: accepting an invitation, signing out, signing in.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, PASSWORD, WAIT, api, closeClean, cliInvite, createUser, expectConnected, expectSignedIn, invite, launch,
  openPage, secretariat, signOutFromMenu,
} from './support.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Signed in, on the start screen: the charter list and the session menu. */
async function expectHome(page, name) {
  await page.waitForURL(`${BASE}/`);
  await page.getByRole('heading', { level: 1, name: 'Carta fundacional' }).waitFor();
  await page.getByText(`Bienvenido/a, ${name} (`).waitFor();
  await expectSignedIn(page, name);
}

async function fillSignIn(page, email, password) {
  await page.getByLabel('Correo electrónico', { exact: true }).fill(email);
  await page.getByLabel('Contraseña', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Ingresar', exact: true }).click();
}

test('a delegate accepts an invitation, signs out, and signs in again (wrong then right password)', async () => {
  const invitation = await invite({ role: 'delegate' });
  const tab = await openPage(browser);
  const { page } = tab;
  try {
    await page.goto(`${BASE}/invitations/${invitation.token}`);
    await page.getByRole('heading', { level: 1, name: 'Invitación a Minga' }).waitFor();
    await page.getByText(`Ha sido invitado/a a Minga como Delegado/a de ${invitation.organization.name}.`).waitFor();
    await page.getByText(invitation.email, { exact: true }).waitFor();

    await page.getByLabel('Nombre para mostrar').fill('Ana Quishpe');
    await page.getByLabel('Contraseña', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirme la contraseña').fill(PASSWORD);
    await page.getByRole('button', { name: 'Aceptar la invitación' }).click();

    // Signed in, on the start screen.
    await expectHome(page, 'Ana Quishpe');
    assert.equal(await page.title(), 'Carta fundacional · Minga');
    await page.locator('#user-menu summary').click();
    const menu = page.locator('#user-menu');
    await menu.getByText('Bienvenido/a, Ana Quishpe').waitFor();
    await menu.getByText('Delegado/a', { exact: true }).waitFor();
    await menu.getByText(invitation.email, { exact: true }).waitFor();
    await menu.getByText(invitation.organization.name, { exact: false }).waitFor();
    const cookies = await tab.context.cookies(BASE);
    const session = cookies.find((c) => c.name === 'minga_session');
    assert.ok(session, 'the session cookie is set');
    assert.equal(session.httpOnly, true, 'the session cookie is HttpOnly');
    await expectConnected(page);

    // Still signed in after a reload.
    await page.reload();
    await expectHome(page, 'Ana Quishpe');

    // Sign out.
    await signOutFromMenu(page);
    await page.waitForURL(`${BASE}/ingresar`);
    await page.getByRole('heading', { level: 1, name: 'Ingresar' }).waitFor();
    await page.getByRole('status').getByText('Ha cerrado la sesión.').waitFor();
    assert.equal(await page.locator('#user-menu').count(), 0, 'no session menu once signed out');
    assert.equal(await page.locator('#connection-state').isVisible(), false, 'no connection state once signed out');
    // The start screen now sends to the sign-in screen.
    await page.goto(`${BASE}/`);
    await page.waitForURL(`${BASE}/ingresar`);
    await page.getByRole('heading', { level: 1, name: 'Ingresar' }).waitFor();

    // Wrong password: an error, still on the sign-in screen.
    await fillSignIn(page, invitation.email, 'esta-no-es-la-clave');
    await page.getByRole('alert').getByText('Correo o contraseña incorrectos.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/ingresar');
    assert.equal(await page.getByLabel('Contraseña', { exact: true }).getAttribute('aria-invalid'), null);

    // Right password: signed in.
    await page.getByLabel('Contraseña', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Ingresar', exact: true }).click();
    await expectHome(page, 'Ana Quishpe');
  } finally {
    await closeClean(tab);
  }
});

test('the first secretariat accepts the invitation printed by `minga invite`', async () => {
  const email = `coordinacion-${Date.now()}@example.org`;
  const url = await cliInvite({ email, organization: 'Secretaría Técnica del Foro', role: 'secretariat' });
  assert.ok(url.startsWith(`${BASE}/invitations/`), `the CLI prints a link on the public URL: ${url}`);
  const tab = await openPage(browser);
  const { page } = tab;
  try {
    await page.goto(url);
    await page.getByText('Ha sido invitado/a a Minga como Secretaría técnica de Secretaría Técnica del Foro.').waitFor();
    await page.getByLabel('Nombre para mostrar').fill('Coordinación');
    await page.getByLabel('Contraseña', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirme la contraseña').fill(PASSWORD);
    await page.getByRole('button', { name: 'Aceptar la invitación' }).click();
    await expectHome(page, 'Coordinación');
    // The secretariat has its console in the menu.
    await page.locator('#user-menu summary').click();
    await page.locator('#user-menu').getByText('Secretaría técnica', { exact: true }).waitFor();
    await page.locator('#user-menu').getByRole('link', { name: 'Consola de la secretaría' }).waitFor();
  } finally {
    await closeClean(tab);
  }
});

test('the invitation form checks the passwords before sending, and a used invitation is refused', async () => {
  const invitation = await invite({ role: 'observer' });
  const tab = await openPage(browser);
  const { page } = tab;
  const accepts = [];
  page.on('request', (r) => { if (r.url().endsWith('/accept')) accepts.push(r.url()); });
  try {
    await page.goto(`${BASE}/invitations/${invitation.token}`);
    await page.getByText(`Ha sido invitado/a a Minga como Observador/a de ${invitation.organization.name}.`).waitFor();

    await page.getByLabel('Nombre para mostrar').fill('Observadora');
    await page.getByLabel('Contraseña', { exact: true }).fill('corta');
    await page.getByLabel('Confirme la contraseña').fill('corta');
    await page.getByRole('button', { name: 'Aceptar la invitación' }).click();
    await page.getByRole('alert').getByText('La contraseña debe tener al menos 10 caracteres.').waitFor();

    await page.getByLabel('Contraseña', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirme la contraseña').fill(`${PASSWORD}x`);
    await page.getByRole('button', { name: 'Aceptar la invitación' }).click();
    await page.getByRole('alert').getByText('Las contraseñas no coinciden.').waitFor();
    assert.equal(await page.getByLabel('Confirme la contraseña').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(accepts, [], 'nothing is sent while the form has problems');

    // Someone else uses the link first: the form reports it.
    await api('POST', `/api/v1/invitations/${encodeURIComponent(invitation.token)}/accept`,
      { body: { display_name: 'Otra persona', password: PASSWORD } });
    await page.getByLabel('Confirme la contraseña').fill(PASSWORD);
    await page.getByRole('button', { name: 'Aceptar la invitación' }).click();
    await page.getByRole('alert')
      .getByText('Esta invitación ya fue usada o expiró. Pida una nueva a la secretaría técnica.').waitFor();

    // Opening the used link again shows the "not available" screen.
    await page.goto(`${BASE}/invitations/${invitation.token}`);
    await page.getByRole('heading', { level: 1, name: 'Invitación no disponible' }).waitFor();
    await page.goto(`${BASE}/invitations/no-existe-${Date.now()}`);
    await page.getByRole('heading', { level: 1, name: 'Invitación no encontrada' }).waitFor();
  } finally {
    await closeClean(tab);
  }
});

test('signing in by email and password from a fresh browser', async () => {
  const user = await createUser({ role: 'delegate', displayName: 'Jorge Cevallos' });
  const tab = await openPage(browser);
  const { page } = tab;
  try {
    await page.goto(`${BASE}/`);
    await page.waitForURL(`${BASE}/ingresar`, { timeout: WAIT });
    // Client-side checks first.
    await page.getByRole('button', { name: 'Ingresar', exact: true }).click();
    await page.getByRole('alert').getByText('Ingrese su correo electrónico.').waitFor();
    await fillSignIn(page, 'no-es-un-correo', PASSWORD);
    await page.getByRole('alert').getByText('Revise el correo electrónico: debe tener la forma nombre@dominio.').waitFor();
    // An unknown email gets the same answer as a wrong password.
    await fillSignIn(page, `nadie-${Date.now()}@example.org`, PASSWORD);
    await page.getByRole('alert').getByText('Correo o contraseña incorrectos.').waitFor();
    // Then the real account, with the email in another case and spaces around it.
    await fillSignIn(page, `  ${user.email.toUpperCase()} `, PASSWORD);
    await expectHome(page, 'Jorge Cevallos');
  } finally {
    await closeClean(tab);
  }
});

test('signing in from a deep link comes back to that page', async () => {
  const user = await createUser({ role: 'delegate', displayName: 'Carmen Yépez' });
  const sec = await secretariat();
  const doc = await api('POST', '/api/v1/documents', { token: sec.token, body: { title: `Reglamento ${Date.now()}` } });
  const tab = await openPage(browser);
  const { page } = tab;
  try {
    await page.goto(`${BASE}/documentos/${doc.id}`);
    await page.waitForURL(`${BASE}/ingresar`);
    await fillSignIn(page, user.email, PASSWORD);
    await page.waitForURL(`${BASE}/documentos/${doc.id}`);
    await page.getByRole('heading', { level: 1, name: doc.title }).waitFor();
    await expectSignedIn(page, 'Carmen Yépez');
  } finally {
    await closeClean(tab);
  }
});

test('an unknown page shows "Página no encontrada"', async () => {
  const tab = await openPage(browser);
  const { page } = tab;
  try {
    const response = await page.goto(`${BASE}/no/existe/esta/pagina`);
    assert.equal(response.status(), 200, 'screens are routed on the client');
    await page.getByRole('heading', { level: 1, name: 'Página no encontrada' }).waitFor();
    await page.getByRole('link', { name: 'Ir al inicio' }).waitFor();
  } finally {
    await closeClean(tab);
  }
});
