// A ballot on a whole document (/votaciones/<id>): rival proposals ranked
// with the status quo (one delegate by the buttons and one drag, another on
// a 360 px phone by keyboard), closed by the secretariat on screen, the
// winner shown live; the approval of the whole text voted yes and, once
// closed, the final text's SHA-256; a block and an observer who follows
// read-only. axe-checked, no horizontal scroll at 360 px.
// Other files run beside this one: ballots count every member organization
// of the server, so the quorum is 0 and no count is assumed.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, api, closeClean, createCharter, createProposal, createUser, expectConnected, horizontalOverflow, launch,
  secretariat, untranslated,
} from './support.js';
import { PHONE, axeCheck, markDocument, openPageWith, sameDocument } from './support-extra.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function openBallotPage(user, ballot, { viewport, heading } = {}) {
  // bypassCSP only so that axe can be injected, as in a11y.test.js.
  const tab = await openPageWith(browser, { user, viewport, bypassCSP: true });
  await tab.page.goto(`${BASE}/votaciones/${ballot.id}`);
  await tab.page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await expectConnected(tab.page);
  return tab;
}

async function fitsAndPassesAxe(page, what) {
  const overflow = await horizontalOverflow(page);
  assert.ok(overflow.scroll <= overflow.width, `${what} fits a 360 px phone: ${overflow.culprits}`);
  const { passed, violations } = await axeCheck(page);
  assert.ok(passed >= 10, `axe passed only ${passed} rules`);
  assert.deepEqual(violations, [], `no WCAG 2.1 A/AA violation on ${what}`);
  assert.deepEqual(await untranslated(page), [], 'no raw translation key');
}

const open = async (doc, body) => api('POST', `/api/v1/documents/${doc.id}/ballots`, { token: (await secretariat()).token, body });
const articleLabel = (s) => `Artículo ${s.number}. ${s.title}`;

test('rival proposals: ranked by buttons, a drag and the keyboard on a phone; closed on screen; the winner live', async () => {
  const doc = await createCharter();
  const sec = await secretariat();
  const ana = await createUser({ role: 'delegate', displayName: 'Ana Quishpe' });
  const beto = await createUser({ role: 'delegate', displayName: 'Beto Ruiz' });
  const article = doc.sections.find((s) => s.kind === 'article');
  const first = await createProposal(ana, doc, { section: article, title: 'Sede en Quito' });
  const second = await createProposal(beto, doc, { section: article, title: 'Foro itinerante' });
  const ballot = await open(doc, {
    kind: 'alternatives', proposal_ids: [first.id, second.id], status_quo: true, method: 'ranked', quorum: 0,
  });
  const [keep, a, b] = ballot.options;
  assert.equal(keep.proposal_id, null, 'the status quo comes first');
  const heading = `Propuestas rivales: ${articleLabel(article)}`;

  const anaTab = await openBallotPage(ana, ballot, { heading });
  const secTab = await openBallotPage(sec, ballot, { heading });
  const p = anaTab.page;
  try {
    await p.getByRole('link', { name: doc.title, exact: true }).first().waitFor();
    await p.getByText('Orden de preferencia (método de Schulze)').waitFor();
    await p.getByText('Sin quórum mínimo.').waitFor();
    await p.locator('#my-vote').getByText('Su organización aún no ha votado.').waitFor();
    const unranked = p.locator('[data-test="unranked"]');
    const ranked = p.locator('[data-test="ranked"]');
    assert.equal(await unranked.locator('[data-test="rank-item"]').count(), 3, 'every option starts unranked');
    await unranked.getByText('Mantener el texto vigente', { exact: true }).waitFor();
    assert.equal(await unranked.locator('[data-test="rank-handle"]').first().evaluate((e) => getComputedStyle(e).touchAction),
      'none', 'the screen\'s own stylesheet (/votes.css) is applied');

    // By the buttons: A, then B, then B up.
    await p.getByRole('button', { name: `Añadir al orden «${a.label}»` }).click();
    await p.getByRole('button', { name: `Añadir al orden «${b.label}»` }).click();
    await p.getByRole('button', { name: `Subir «${b.label}»` }).click();
    await p.locator('[data-test="rank-announce"]').getByText(`«${b.label}» está ahora en el puesto 1 de 2.`).waitFor();
    assert.equal(await p.getByRole('button', { name: `Subir «${b.label}»` }).isDisabled(), true, 'the first cannot go up');
    // One drag: the status quo, by its handle, into the ranking (last).
    await unranked.locator(`[data-option="${keep.id}"] [data-test="rank-handle"]`)
      .dragTo(p.locator('[data-zone="ranked"] h4'));
    await p.locator('[data-test="rank-announce"]').getByText('«Mantener el texto vigente» está ahora en el puesto 3 de 3.').waitFor();
    assert.deepEqual(await ranked.locator('[data-test="rank-item"]').evaluateAll((els) => els.map((e) => e.dataset.option)),
      [b.id, a.id, keep.id]);
    await p.getByRole('button', { name: 'Votar con este orden' }).click();
    await p.locator('#my-vote').getByText('Su organización votó con este orden:').waitFor();
    await p.locator('[data-test="my-ranking"] li').nth(2).getByText('Mantener el texto vigente').waitFor();
    const mine = await api('GET', `/api/v1/ballots/${ballot.id}`, { token: ana.token });
    assert.deepEqual(mine.my_ranking, [b.id, a.id, keep.id]);
    // A reload shows the organization's ranking again.
    await p.reload();
    await p.locator('[data-test="my-ranking"] li').first().getByText(b.label).waitFor();
    assert.deepEqual(await ranked.locator('[data-test="rank-item"]').evaluateAll((els) => els.map((e) => e.dataset.option)),
      [b.id, a.id, keep.id], 'the widget starts from the vote cast');
    await markDocument(p);

    // Beto, on a phone, by keyboard only: B, then the status quo; A stays unranked (last).
    const betoTab = await openBallotPage(beto, ballot, { viewport: PHONE, heading });
    const q = betoTab.page;
    try {
      const press = async (name, key = 'Enter') => {
        await q.getByRole('button', { name }).focus();
        await q.keyboard.press(key);
      };
      await press(`Añadir al orden «${b.label}»`);
      await press('Añadir al orden «Mantener el texto vigente»', ' ');
      await press('Subir «Mantener el texto vigente»');
      // At the top "Subir" is off: the focus stays on the option, on "Bajar".
      assert.equal(await q.evaluate(() => document.activeElement?.textContent), 'Bajar «Mantener el texto vigente»');
      await q.keyboard.press('Enter');
      await q.locator('[data-test="rank-announce"]').getByText('«Mantener el texto vigente» está ahora en el puesto 2 de 2.').waitFor();
      await fitsAndPassesAxe(q, 'the ranking on a phone');
      await press('Votar con este orden');
      await q.locator('#my-vote').getByText('Su organización votó con este orden:').waitFor();
      await q.locator('[data-test="my-ranking"] li').first().getByText(b.label).waitFor();
      await q.locator('#my-vote').getByText(a.label).waitFor(); // under "Sin ordenar"
      await fitsAndPassesAxe(q, 'the ballot after voting');
    } finally {
      await closeClean(betoTab);
    }

    // The secretariat sees the participation move, then closes on screen.
    const s = secTab.page;
    await s.locator('[data-test="participation"]').getByText(/^Han votado 2 de \d+ organizaciones\.$/).waitFor();
    s.once('dialog', (dialog) => dialog.accept());
    await s.getByRole('button', { name: 'Cerrar la votación' }).click();
    const winner = `Ganó «${b.label}»: la propuesta queda aprobada y las demás, rechazadas.`;
    for (const page of [s, p]) {
      await page.locator('[data-test="winner"]').getByText(winner).waitFor();
      await page.locator('#ballot-status').getByText('Cerrada', { exact: true }).waitFor();
      await page.locator('#result-order li').first().getByText('Ganadora').waitFor();
      await page.getByRole('link', { name: 'Acta (Markdown)' }).waitFor();
    }
    assert.equal(await sameDocument(p), true, 'the delegate saw the close live, without a reload');
    assert.equal(await p.getByRole('button', { name: 'Votar con este orden' }).isVisible(), false, 'no voting once closed');
    await p.locator('#my-vote').getByText('Orden votado por su organización:').waitFor();
    const href = await p.getByRole('link', { name: 'Acta (Markdown)' }).getAttribute('href');
    const minutes = await (await fetch(`${BASE}${href}`, { headers: { Authorization: `Bearer ${ana.token}` } })).text();
    assert.match(minutes, /Comparación de cada par/, 'the minutes carry the pairwise matrix');
    assert.equal((await api('GET', `/api/v1/proposals/${second.id}`, { token: ana.token })).status, 'passed');
    const { violations } = await axeCheck(s);
    assert.deepEqual(violations, [], 'no WCAG 2.1 A/AA violation on the closed ballot');
  } finally {
    await closeClean(anaTab);
    await closeClean(secTab);
  }
});

test('the approval of the whole text: voted yes, closed on screen, then final with the SHA-256 of the text', async () => {
  const doc = await createCharter();
  const sec = await secretariat();
  const ana = await createUser({ role: 'delegate', displayName: 'Ana Tenemaza' });
  const ballot = await open(doc, { kind: 'approval', version: doc.version, majority: 'simple', quorum: 0, live_results: true });
  const heading = `Aprobación del texto completo de «${doc.title}» (versión ${doc.version})`;
  const anaTab = await openBallotPage(ana, ballot, { viewport: PHONE, heading });
  const secTab = await openBallotPage(sec, ballot, { heading });
  const p = anaTab.page;
  const s = secTab.page;
  try {
    await p.getByText('Mayoría simple: se aprueba con más votos a favor que en contra.').waitFor();
    await p.locator('#my-vote').getByText('Su organización aún no ha votado.').waitFor();
    await fitsAndPassesAxe(p, 'an approval ballot');
    await markDocument(p);
    await p.locator('#ballot-vote').getByRole('button', { name: /^(✓ )?A favor$/ }).click();
    await p.locator('#my-vote').getByText('Su organización votó: A favor').waitFor();
    await s.locator('[data-test="tally"] [data-choice="yes"] dd').getByText(/^[1-9]\d*$/).waitFor();

    s.once('dialog', (dialog) => dialog.accept());
    await s.getByRole('button', { name: 'Cerrar la votación' }).click();
    const frozen = await (async () => {
      for (let i = 0; i < 40; i += 1) {
        const d = await api('GET', `/api/v1/documents/${doc.id}`, { token: ana.token });
        if (d.approval) return d;
        await new Promise((resolve) => { setTimeout(resolve, 250); });
      }
      throw new Error('the document never became final');
    })();
    assert.equal(frozen.phase, 'final');
    assert.match(frozen.approval.text_sha256, /^[0-9a-f]{64}$/);
    for (const page of [s, p]) {
      await page.locator('[data-test="result"]').getByText('Aprobada', { exact: true }).waitFor();
      await page.locator('[data-test="final-text"]').getByText(`El documento tiene ahora su texto final (versión ${frozen.approval.version}): queda congelado.`).waitFor();
      await page.locator('#final-hash').getByText(frozen.approval.text_sha256, { exact: true }).waitFor();
    }
    assert.equal(await sameDocument(p), true, 'the final state came live');
    await p.locator('#my-vote').getByText('Voto de su organización: A favor').waitFor();
    await fitsAndPassesAxe(p, 'the final text');
  } finally {
    await closeClean(anaTab);
    await closeClean(secTab);
  }
});

test('a block lists its articles; an observer follows it read-only and is told why', async () => {
  const doc = await createCharter();
  const observer = await createUser({ role: 'observer', displayName: 'Olga Observa' });
  const articles = doc.sections.filter((s) => s.kind === 'article').slice(1, 3);
  const ballot = await open(doc, { kind: 'block', section_ids: articles.map((s) => s.id), majority: 'simple', quorum: 0 });
  const tab = await openBallotPage(observer, ballot, { viewport: PHONE, heading: 'Adopción en bloque de 2 artículos' });
  const { page } = tab;
  try {
    for (const s of articles) await page.locator('#block-sections').getByRole('link', { name: articleLabel(s) }).waitFor();
    await page.locator('#vote-readonly').getByText(/^Usted sigue esta votación como observador/).waitFor();
    assert.equal(await page.locator('#ballot-vote').isVisible(), false, 'no vote controls');
    assert.equal(await page.getByRole('button', { name: 'Cerrar la votación' }).count(), 0, 'no secretariat controls');
    await fitsAndPassesAxe(page, 'a block ballot');
  } finally {
    await closeClean(tab);
  }
});
