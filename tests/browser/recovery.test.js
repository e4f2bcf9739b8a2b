// "¿Olvidó su contraseña?" end to end: from the sign-in screen to a mail
// received by a real SMTP server (aiosmtpd, started by tests/browser/run),
// following the mailed link, setting a new password and signing in with it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, WAIT, closeClean, createUser, expectSignedIn, launch, openPage } from './support.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const MAILDIR = process.env.MINGA_TEST_MAILDIR || '';

/** A mail's text as written, quoted-printable soft breaks undone, base64 parts decoded. */
function readable(raw) {
  const unfolded = raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
  const decoded = [...raw.matchAll(/Content-Transfer-Encoding: base64\r?\n\r?\n([A-Za-z0-9+/=\r\n]+)/g)]
    .map((m) => Buffer.from(m[1].replace(/\s+/g, ''), 'base64').toString('utf8'));
  return [unfolded, ...decoded].join('\n');
}

/** The reset link mailed to `email`, once it has arrived. */
async function mailedLink(email) {
  assert.ok(MAILDIR, 'MINGA_TEST_MAILDIR is set by tests/browser/run');
  const deadline = Date.now() + WAIT * 2;
  for (;;) {
    let files = [];
    try {
      files = readdirSync(join(MAILDIR, 'new'));
    } catch { /* no mail yet */ }
    for (const name of files) {
      const text = readable(readFileSync(join(MAILDIR, 'new', name), 'utf8'));
      const match = /\/restablecer\/([A-Za-z0-9_-]+)/.exec(text);
      if (match && text.includes(`To: ${email}`)) return `${BASE}/restablecer/${match[1]}`;
    }
    assert.ok(Date.now() < deadline, `no reset mail for ${email}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a delegate who forgot the password gets a link by mail, sets a new one and signs in with it', async () => {
  const person = await createUser({ role: 'delegate' });
  const tab = await openPage(browser, { viewport: { width: 360, height: 740 } });
  const { page } = tab;
  const fresh = 'una contraseña nueva y larga';
  try {
    await page.goto(`${BASE}/ingresar`);
    await page.getByRole('link', { name: '¿Olvidó su contraseña?' }).click();
    await page.getByRole('heading', { level: 1, name: 'Recuperar el acceso' }).waitFor();
    await page.getByRole('button', { name: 'Enviar el enlace' }).click();
    await page.getByRole('alert').getByText('Ingrese su correo electrónico.').waitFor();
    await page.getByLabel('Correo electrónico', { exact: true }).fill(person.email);
    await page.getByRole('button', { name: 'Enviar el enlace' }).click();
    await page.getByRole('status').getByText(`Si hay una cuenta activa con la dirección ${person.email}`).waitFor();

    const link = await mailedLink(person.email);
    await page.goto(link);
    await page.getByRole('heading', { level: 1, name: 'Elegir una contraseña nueva' }).waitFor();
    await page.getByLabel('Contraseña nueva').fill(fresh);
    await page.getByLabel('Confirme la contraseña').fill('otra cosa distinta');
    await page.getByRole('button', { name: 'Guardar la contraseña' }).click();
    await page.getByRole('alert').getByText('Las contraseñas no coinciden.').waitFor();
    await page.getByLabel('Confirme la contraseña').fill(fresh);
    await page.getByRole('button', { name: 'Guardar la contraseña' }).click();
    await page.getByText('Su contraseña fue cambiada. Ya puede ingresar con ella.').waitFor();

    // The link worked once: opened again, it is refused with a way out.
    await page.goto(link);
    await page.getByLabel('Contraseña nueva').fill(fresh);
    await page.getByLabel('Confirme la contraseña').fill(fresh);
    await page.getByRole('button', { name: 'Guardar la contraseña' }).click();
    await page.getByRole('alert').getByText('Este enlace ya no sirve').waitFor();
    await page.getByRole('link', { name: 'Pedir un enlace nuevo' }).waitFor();

    await page.goto(`${BASE}/ingresar`);
    await page.getByLabel('Correo electrónico', { exact: true }).fill(person.email);
    await page.getByLabel('Contraseña', { exact: true }).fill(fresh);
    await page.getByRole('button', { name: 'Ingresar', exact: true }).click();
    await expectSignedIn(page, person.displayName);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'fits a 360 px phone');
  } finally {
    await closeClean(tab);
  }
});
