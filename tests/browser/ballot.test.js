// Voting on a proposal: the secretariat opens a ballot, a delegate votes in
// the ballot panel and sees the confirmation, everyone sees it live.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, api, closeClean, createCharter, createProposal, createUser, expectConnected, launch, openBallot, openPage,
  secretariat,
} from './support.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function openProposal(user, proposal) {
  const tab = await openPage(browser, { user });
  await tab.page.goto(`${BASE}/propuestas/${proposal.id}`);
  await tab.page.getByRole('heading', { level: 1, name: proposal.title }).waitFor();
  await expectConnected(tab.page);
  return tab;
}

// The chosen button reads "✓ A favor" (a CSS ::before mark), hence the pattern.
const voteButton = (page, name) => page.locator('#ballot-vote').getByRole('button', { name: new RegExp(`^(✓ )?${name}$`) });

test('a delegate casts a vote in the ballot panel and sees the confirmation; the vote is kept', async () => {
  const doc = await createCharter();
  const delegate = await createUser({ role: 'delegate' });
  const proposal = await createProposal(delegate, doc, { title: 'Quito como domicilio' });
  const opened = await openBallot(proposal, { majority: 'simple', quorum: 0, secret: false, live_results: true });
  const tab = await openProposal(delegate, proposal);
  const { page } = tab;
  try {
    const panel = page.locator('#ballot-panel');
    await panel.getByRole('heading', { level: 2, name: 'Votación Abierta' }).waitFor();
    await panel.getByText('Mayoría simple: se aprueba con más votos a favor que en contra.').waitFor();
    await page.locator('#my-vote').getByText('Su organización aún no ha votado.').waitFor();

    await voteButton(page, 'A favor').click();
    await page.locator('#my-vote').getByText('Su organización votó: A favor').waitFor();
    assert.equal(await voteButton(page, 'A favor').getAttribute('aria-pressed'), 'true');
    assert.equal(await voteButton(page, 'En contra').getAttribute('aria-pressed'), 'false');
    await panel.locator('[data-test="participation"]').getByText(/^Han votado 1 de \d+ organizaciones\.$/).waitFor();
    await panel.locator('[data-test="tally"] [data-choice="yes"] dd').getByText('1', { exact: true }).waitFor();

    // A change of mind: the last choice counts.
    await voteButton(page, 'Abstención').click();
    await page.locator('#my-vote').getByText('Su organización votó: Abstención').waitFor();
    assert.equal(await voteButton(page, 'A favor').getAttribute('aria-pressed'), 'false');
    assert.equal(await voteButton(page, 'Abstención').getAttribute('aria-pressed'), 'true');
    await panel.locator('[data-test="participation"]').getByText(/^Han votado 1 de \d+ organizaciones\.$/).waitFor();

    // After a reload the organization's vote is still shown.
    await page.reload();
    await page.locator('#my-vote').getByText('Su organización votó: Abstención').waitFor();
    const ballot = await api('GET', `/api/v1/ballots/${opened.id}`, { token: delegate.token });
    assert.equal(ballot.my_vote, 'abstain');
  } finally {
    await closeClean(tab);
  }
});

test('the secretariat opens and closes a ballot on screen while a delegate watches and votes, live', async () => {
  const doc = await createCharter();
  const sec = await secretariat();
  const delegate = await createUser({ role: 'delegate', displayName: 'Lucía Andrango' });
  const proposal = await createProposal(delegate, doc, { title: 'Derecho a voz y voto' });
  const secTab = await openProposal(sec, proposal);
  const delTab = await openProposal(delegate, proposal);
  const s = secTab.page;
  const d = delTab.page;
  try {
    await d.locator('#presence').getByText(/^Viendo ahora: .*Secretaría de Pruebas/).waitFor();
    assert.equal(await d.locator('#ballot-panel').count(), 0, 'no ballot yet');

    // The secretariat opens the ballot with the form on the proposal.
    await s.getByText('Abrir una votación', { exact: true }).click();
    await s.getByLabel('Mayoría requerida').selectOption('simple');
    await s.getByLabel('Quórum (%)').fill('0');
    await s.getByLabel('Mostrar resultados en vivo').check();
    await s.getByRole('button', { name: 'Abrir la votación' }).click();
    await s.locator('#ballot-panel').getByRole('heading', { level: 2, name: 'Votación Abierta' }).waitFor();

    // The delegate's page shows the ballot without a reload, and the vote goes through.
    await d.evaluate(() => { window.__sameDocument = true; });
    await d.locator('#ballot-panel').getByRole('heading', { level: 2, name: 'Votación Abierta' }).waitFor();
    await voteButton(d, 'En contra').click();
    await d.locator('#my-vote').getByText('Su organización votó: En contra').waitFor();

    // The secretariat sees the participation and the live tally move.
    await s.locator('#ballot-panel [data-test="participation"]').getByText(/^Han votado 1 de \d+ organizaciones\.$/).waitFor();
    await s.locator('#ballot-panel [data-test="tally"] [data-choice="no"] dd').getByText('1', { exact: true }).waitFor();

    // The secretariat closes it (after confirming); both see the result.
    s.once('dialog', (dialog) => dialog.accept());
    await s.getByRole('button', { name: 'Cerrar la votación' }).click();
    for (const page of [s, d]) {
      await page.locator('#ballot-panel').getByRole('heading', { level: 2, name: 'Votación Cerrada' }).waitFor();
      await page.locator('#ballot-panel [data-test="result"]').getByText('Rechazada', { exact: true }).waitFor();
    }
    await d.locator('#my-vote').getByText('Voto de su organización: En contra').waitFor();
    assert.equal(await voteButton(d, 'A favor').isVisible(), false, 'no voting once closed');
    assert.equal(await d.evaluate(() => window.__sameDocument), true, 'the delegate page was not reloaded');
  } finally {
    await closeClean(delTab);
    await closeClean(secTab);
  }
});
