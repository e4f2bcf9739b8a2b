// The language switch: Spanish first, English on request, remembered.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, PASSWORD, closeClean, createUser, expectSignedIn, launch, openPage } from './support.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const pressed = (page, name) => page.getByRole('button', { name, exact: true }).getAttribute('aria-pressed');

test('switching to English is applied at once, kept after a reload, and switching back restores Spanish', async () => {
  const user = await createUser({ role: 'delegate', displayName: 'Rosa Chalá' });
  // An English-speaking browser still starts in Spanish: Spanish is the default.
  const tab = await openPage(browser, { locale: 'en-US' });
  const { page } = tab;
  try {
    await page.goto(`${BASE}/ingresar`);
    await page.getByRole('heading', { level: 1, name: 'Ingresar' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'es');
    assert.equal(await pressed(page, 'Español'), 'true');
    assert.equal(await pressed(page, 'English'), 'false');

    // Something typed and an error shown, then the switch.
    await page.getByLabel('Correo electrónico', { exact: true }).fill(user.email);
    await page.getByLabel('Contraseña', { exact: true }).fill('no-es-la-clave-1');
    await page.getByRole('button', { name: 'Ingresar', exact: true }).click();
    await page.getByRole('alert').getByText('Correo o contraseña incorrectos.').waitFor();

    await page.getByRole('button', { name: 'English', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await pressed(page, 'English'), 'true');
    assert.equal(await pressed(page, 'Español'), 'false');
    assert.equal(await page.title(), 'Sign in · Minga');
    await page.getByRole('alert').getByText('Incorrect email or password.').waitFor();
    await page.getByText('Minga: collective work for the common good.').waitFor();
    assert.equal(await page.getByRole('group').first().getAttribute('aria-label'), 'Language');
    // The typed email survived the switch.
    assert.equal(await page.getByLabel('Email address', { exact: true }).inputValue(), user.email);

    // Remembered after a reload.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await pressed(page, 'English'), 'true');

    // Signed in, the next screen is in English too.
    await page.getByLabel('Email address', { exact: true }).fill(user.email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Founding charter' }).waitFor();
    await page.getByText('Welcome, Rosa Chalá (').waitFor();
    await expectSignedIn(page, 'Rosa Chalá');
    assert.equal(await page.title(), 'Founding charter · Minga');
    await page.locator('#connection-state').getByText('Connected', { exact: true }).waitFor();
    await page.locator('#user-menu summary').click();
    await page.locator('#user-menu').getByText('Delegate', { exact: true }).waitFor();
    await page.locator('#user-menu').getByRole('button', { name: 'Sign out', exact: true }).waitFor();

    // Back to Spanish, on the spot and after a reload.
    await page.getByRole('button', { name: 'Español', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Carta fundacional' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'es');
    await page.getByText('Bienvenido/a, Rosa Chalá (').waitFor();
    await page.locator('#connection-state').getByText('Conectado', { exact: true }).waitFor();
    assert.equal(await page.title(), 'Carta fundacional · Minga');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Carta fundacional' }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'es');
    assert.equal(await pressed(page, 'Español'), 'true');
    await page.getByText('Minga: trabajo colectivo por el bien común.').waitFor();
  } finally {
    await closeClean(tab);
  }
});
