// An automated accessibility check: axe-core (tests/browser's devDependency,
// never fetched at run time) is injected into every main screen and run
// with the WCAG 2.0/2.1 A and AA rules; any violation fails the test. The
// app's CSP forbids injected scripts, so these contexts (and only these)
// are made with bypassCSP.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import {
  BASE, closeClean, createCharter, createProposal, createUser, expectConnected, invite, launch, openBallot,
  postComment, secretariat,
} from './support.js';
import { openPageWith } from './support-extra.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Reduced motion: no colour transition is caught half-way by the contrast rule.
const open = (user) => openPageWith(browser, { user, bypassCSP: true, reducedMotion: 'reduce' });

/** Runs axe on the page as it is: {violations (described), passed (how many rules passed)}. */
async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ content: AXE });
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return {
      passed: result.passes.length,
      violations: result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ').trim()}`),
      })),
    };
  }, TAGS);
}

/** The screen has no WCAG 2.1 A/AA violation (all screens are checked before failing). */
function collect(found) {
  return async (page, screen) => {
    await page.waitForLoadState('networkidle');
    const { violations, passed } = await axe(page);
    // axe really ran: a screen passes a good number of rules.
    assert.ok(passed >= 10, `${screen}: axe passed only ${passed} rules`);
    for (const v of violations) {
      found.push(`${screen}: [${v.impact}] ${v.id} (${v.help})\n      ${v.nodes.join('\n      ')}`);
    }
  };
}

const report = (found) => assert.deepEqual(found, [], `accessibility violations:\n  ${found.join('\n  ')}`);

test('the signed-out screens (sign-in with errors, invitation, password recovery) have no WCAG 2.1 A/AA violations', async () => {
  const invitation = await invite({ role: 'delegate' });
  const tab = await open();
  const { page } = tab;
  const found = [];
  const check = collect(found);
  try {
    await page.goto(`${BASE}/ingresar`);
    await page.getByRole('heading', { level: 1, name: 'Ingresar' }).waitFor();
    await check(page, 'sign-in');
    await page.getByRole('button', { name: 'Ingresar', exact: true }).click();
    await page.getByRole('alert').getByText('Ingrese su correo electrónico.').waitFor();
    await check(page, 'sign-in with errors');

    await page.goto(`${BASE}/invitations/${invitation.token}`);
    await page.getByRole('heading', { level: 1, name: 'Invitación a Minga' }).waitFor();
    await check(page, 'invitation');
    await page.getByRole('button', { name: 'Aceptar la invitación' }).click();
    await page.getByRole('alert').getByText('Ingrese un nombre para mostrar.').waitFor();
    await check(page, 'invitation with errors');

    await page.goto(`${BASE}/olvide`);
    await page.getByRole('heading', { level: 1, name: 'Recuperar el acceso' }).waitFor();
    await check(page, 'forgotten password');
    await page.goto(`${BASE}/restablecer/un-enlace-cualquiera`);
    await page.getByRole('heading', { level: 1, name: 'Elegir una contraseña nueva' }).waitFor();
    await page.getByRole('button', { name: 'Guardar la contraseña' }).click();
    await page.getByRole('alert').getByText('La contraseña debe tener al menos 10 caracteres.').waitFor();
    await check(page, 'new password with errors');
    report(found);
  } finally {
    await closeClean(tab);
  }
});

test('a delegate\'s screens (home, charter, proposal with comments and ballot, new proposal, history) have no WCAG 2.1 A/AA violations', async () => {
  const doc = await createCharter();
  const delegate = await createUser({ role: 'delegate' });
  const other = await createUser({ role: 'delegate' });
  const proposal = await createProposal(delegate, doc, { title: 'Precisar la naturaleza del Foro' });
  const first = await postComment(other, proposal, 'Estamos de acuerdo, con un matiz.');
  await postComment(delegate, proposal, 'Gracias por el matiz.');
  await openBallot(proposal, { quorum: 0.5, live_results: true });
  const tab = await open(delegate);
  const { page } = tab;
  const found = [];
  const check = collect(found);
  try {
    await page.goto(`${BASE}/`);
    await page.getByRole('heading', { level: 1, name: 'Carta fundacional' }).waitFor();
    await expectConnected(page);
    await check(page, 'home');
    await page.locator('#user-menu summary').click();
    await page.locator('#user-menu').getByRole('button', { name: 'Cerrar sesión', exact: true }).waitFor();
    await check(page, 'home with the session menu open');

    await page.goto(`${BASE}/documentos/${doc.id}`);
    await page.locator('[data-test="article"]').nth(4).waitFor();
    await page.locator(`#proposals-${proposal.section_id} summary`).click();
    await check(page, 'charter');

    await page.goto(`${BASE}/propuestas/${proposal.id}`);
    await page.locator('#ballot-panel [data-test="participation"]').waitFor();
    await page.locator('#proposal-diff ins').first().waitFor();
    await page.getByRole('heading', { level: 2, name: 'Comentarios (2)' }).waitFor();
    await check(page, 'proposal with comments and an open ballot');
    await page.locator('#ballot-panel [data-test="vote-yes"]').click();
    await page.locator('#my-vote').getByText('Su organización votó: A favor').waitFor();
    await page.locator(`#comment-${first.id}`).getByRole('button', { name: 'Responder', exact: true }).click();
    await page.getByLabel('Su respuesta').waitFor();
    await check(page, 'proposal after voting, with a reply form open');

    await page.goto(`${BASE}/documentos/${doc.id}/proponer?tipo=amend&seccion=${proposal.section_id}`);
    await page.locator('#proposal-form').waitFor();
    await check(page, 'new proposal');
    await page.locator('#proposal-title-input').fill('');
    await page.getByRole('button', { name: 'Enviar la propuesta' }).click();
    await page.getByRole('alert').first().waitFor();
    await check(page, 'new proposal with errors');

    await page.goto(`${BASE}/documentos/${doc.id}/historial`);
    await page.locator('#comparison table').waitFor();
    await check(page, 'history');
    report(found);
  } finally {
    await closeClean(tab);
  }
});

test('the secretariat\'s console tabs and its ballot controls have no WCAG 2.1 A/AA violations', async () => {
  const sec = await secretariat();
  const doc = await createCharter();
  const delegate = await createUser({ role: 'delegate' });
  const voting = await createProposal(delegate, doc, { title: 'Asamblea anual ordinaria' });
  await openBallot(voting, { quorum: 0 });
  await createProposal(delegate, doc, { title: 'Quórum de las asambleas', section: doc.sections.filter((s) => s.kind === 'article')[2] });
  const tab = await open(sec);
  const { page } = tab;
  const found = [];
  const check = collect(found);
  try {
    await page.goto(`${BASE}/secretaria`);
    await page.getByRole('heading', { level: 1, name: 'Consola de la secretaría' }).waitFor();
    await check(page, 'console');
    for (const name of ['organizaciones', 'personas', 'invitaciones', 'correo', 'votaciones', 'moderacion', 'carta']) {
      await page.locator('#console-nav').locator(`a[data-tab="${name}"]`).click();
      await page.waitForURL((url) => url.pathname === `/secretaria/${name}`);
      await page.locator(`#console-tab[data-tab="${name}"]`).waitFor();
      await check(page, `console: ${name}`);
    }
    await page.goto(`${BASE}/propuestas/${voting.id}`);
    await page.locator('#close-ballot').waitFor();
    await check(page, 'proposal (secretariat, open ballot)');
    report(found);
  } finally {
    await closeClean(tab);
  }
});
