// The flow's key screens in English: after the switch to English, the
// charter, a proposal with comments and an open ballot (its vote buttons
// too), a new proposal, the history and the secretariat's console show the
// texts of web/i18n/en*.json, and no Spanish is left in their headings,
// buttons, labels and links.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, api, closeClean, createCharter, createProposal, createUser, launch, openBallot, openPage, postComment,
  secretariat,
} from './support.js';
import { dictionary, templateRe } from './support-extra.js';

const en = dictionary('en');
const es = dictionary('es');

// Spanish templates that are not also the English ones, with enough literal
// text to be recognised (not "{title}").
const spanishOnly = Object.entries(es)
  .filter(([key, value]) => en[key] !== value && value.replace(/\{\w+\}/g, '').replace(/[\s\p{P}]/gu, '').length >= 2)
  .map(([key, value]) => [key, templateRe(value)]);

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Switches the page to English with the header's button. */
async function toEnglish(page) {
  await page.getByRole('button', { name: 'English', exact: true }).click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await page.getByRole('button', { name: 'English', exact: true }).getAttribute('aria-pressed'), 'true');
}

/**
 * Every translated element shows its English text (its key is in en*.json
 * and the text fits the English template), translated attributes are in
 * English, and no heading, button, label, link, summary, legend, table
 * header, option or badge reads like a Spanish text of the dictionaries.
 */
async function assertEnglish(page, screen) {
  assert.equal(await page.locator('html').getAttribute('lang'), 'en', `${screen}: <html lang>`);
  const found = await page.evaluate(() => {
    const visible = (el) => !el.closest('[hidden]');
    const translated = [...document.querySelectorAll('[data-i18n]')]
      .map((el) => ({ key: el.getAttribute('data-i18n'), text: el.textContent }));
    const attrs = [...document.querySelectorAll('[data-i18n-attr]')].map((el) => {
      const [attr, key] = el.getAttribute('data-i18n-attr').split(':');
      return { key, text: el.getAttribute(attr) };
    });
    const chrome = [...document.querySelectorAll(
      'h1, h2, h3, h4, button, label, summary, legend, th, dt, a, option, caption, .badge, [role="status"], [role="alert"] p, p.hint, p.lead',
    )].filter((el) => visible(el) && !el.closest('.prose, [data-test="comment-body"], [data-test="revision-body"]'))
      .map((el) => el.textContent.replace(/\s+/g, ' ').trim()).filter(Boolean);
    return { translated, attrs, chrome, title: document.title };
  });
  const problems = [];
  for (const { key, text } of [...found.translated, ...found.attrs]) {
    if (!(key in en)) problems.push(`key ${key} is not in en*.json (shows "${text}")`);
    else if (!templateRe(en[key]).test(text)) problems.push(`${key} shows "${text}", not the English "${en[key]}"`);
  }
  for (const text of new Set(found.chrome)) {
    const spanish = spanishOnly.find(([key, re]) => re.test(text) && !(en[key] && templateRe(en[key]).test(text)));
    if (spanish) problems.push(`"${text}" is Spanish (${spanish[0]}: "${es[spanish[0]]}")`);
  }
  if (!templateRe(en['title.format']).test(found.title)) problems.push(`title "${found.title}"`);
  assert.deepEqual(problems, [], `${screen}: not in English:\n  ${problems.join('\n  ')}`);
  assert.ok(found.translated.length > 5, `${screen}: some translated texts were checked`);
}

const fill = (template, params) => template.replace(/\{(\w+)\}/g, (_, name) => String(params[name]));

test('a delegate sees the charter, a proposal with comments and a ballot, a new proposal and the history in English', async () => {
  const doc = await createCharter();
  const sec = await secretariat();
  const delegate = await createUser({ role: 'delegate', displayName: 'Rosa Chalá' });
  const other = await createUser({ role: 'delegate', displayName: 'Luis Tapia' });
  const article = doc.sections.find((s) => s.kind === 'article');
  // An adopted proposal, for the history.
  const adopted = await createProposal(other, doc, { section: doc.sections.filter((s) => s.kind === 'article')[1], title: 'Domicilio rotativo' });
  const done = await openBallot(adopted, { quorum: 0 });
  await api('PUT', `/api/v1/ballots/${done.id}/vote`, { token: other.token, body: { choice: 'yes' } });
  await api('POST', `/api/v1/ballots/${done.id}/close`, { token: sec.token });
  await api('POST', `/api/v1/proposals/${adopted.id}/adopt`, { token: sec.token });
  // The proposal on screen: revised, commented, being voted on.
  const proposal = await createProposal(delegate, doc, { section: article, title: 'Sin fines de lucro' });
  await api('POST', `/api/v1/proposals/${proposal.id}/revisions`, {
    token: delegate.token, body: { body: `${article.body} No persigue fines de lucro.`, note: 'Más breve.' },
  });
  const first = await postComment(other, proposal, 'Estamos de acuerdo con la propuesta.');
  await api('POST', `/api/v1/proposals/${proposal.id}/comments`, { token: delegate.token, body: { body: 'Gracias.', parent_id: first.id } });
  await openBallot(proposal, { quorum: 0.5, live_results: true });

  const tab = await openPage(browser, { user: delegate });
  const { page } = tab;
  try {
    // The start screen, switched to English.
    await page.goto(`${BASE}/`);
    await page.getByRole('heading', { level: 1, name: es['charter.list_title'] }).waitFor();
    await toEnglish(page);
    await page.getByRole('heading', { level: 1, name: en['charter.list_title'] }).waitFor();
    await page.locator('#connection-state').getByText(en['live.connected'], { exact: true }).waitFor();
    await assertEnglish(page, 'home');

    // The charter.
    await page.getByRole('link', { name: doc.title, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: doc.title }).waitFor();
    const version = doc.version + 1;
    await page.locator('#doc-version').getByText(fill(en['charter.version'], { n: version }), { exact: true }).waitFor();
    await page.getByRole('link', { name: en['charter.new_proposal'], exact: true }).waitFor();
    await page.getByRole('link', { name: en['charter.history_link'], exact: true }).waitFor();
    assert.equal(await page.locator('[data-test="propose-change"]').first().textContent(), en['charter.propose_change']);
    assert.deepEqual(await page.locator('[data-test="chapter"] h2').allTextContents(), [
      fill(en['charter.chapter_titled'], { n: 1, title: 'De la naturaleza del Foro' }),
      fill(en['charter.chapter_titled'], { n: 2, title: 'De los miembros' }),
    ]);
    assert.equal(await page.locator('[data-test="article"] h3').first().textContent(),
      fill(en['charter.article_titled'], { n: 1, title: article.title }));
    await page.locator(`#proposals-${article.id}`).getByText(en['charter.open_one']).waitFor();
    await assertEnglish(page, 'charter');

    // The proposal, with its comments and the ballot.
    await page.locator(`#proposals-${article.id} summary`).click();
    await page.locator(`#proposals-${article.id}`).getByRole('link', { name: proposal.title }).click();
    await page.getByRole('heading', { level: 1, name: proposal.title }).waitFor();
    await page.locator('#proposal-meta [data-test="status"]').getByText(en['status.voting'], { exact: true }).waitFor();
    const panel = page.locator('#ballot-panel');
    await panel.getByRole('heading', { level: 2, name: `${en['ballot.heading']} ${en['ballot.status_open']}` }).waitFor();
    await panel.getByText(en['ballot.majority_simple']).waitFor();
    await panel.getByRole('heading', { level: 3, name: en['ballot.your_vote'] }).waitFor();
    const buttons = panel.locator('#ballot-vote button');
    assert.deepEqual(await buttons.allTextContents(), [en['choice.yes'], en['choice.no'], en['choice.abstain']]);
    await page.locator('#my-vote').getByText(en['ballot.not_yet'], { exact: true }).waitFor();
    await page.getByRole('heading', { level: 2, name: fill(en['comments.heading'], { n: 2 }) }).waitFor();
    await page.getByRole('button', { name: en['comments.publish'], exact: true }).waitFor();
    await page.getByLabel(en['comments.new_label'], { exact: true }).waitFor();
    await page.locator('#revisions [data-test="revision"][data-revision="2"]')
      .getByText(fill(en['revisions.item'], { n: 2 })).waitFor();
    await assertEnglish(page, 'proposal');

    // Voting in English.
    await panel.locator('[data-test="vote-yes"]').click();
    await page.locator('#my-vote').getByText(fill(en['ballot.my_vote'], { choice: en['choice.yes'] }), { exact: true }).waitFor();
    await panel.locator('[data-test="participation"]').getByText(templateRe(en['ballot.participation'])).waitFor();
    await panel.locator('[data-test="tally"] [data-choice="yes"] dt').getByText(en['choice.yes'], { exact: true }).waitFor();
    // A reply form, opened.
    await page.locator(`#comment-${first.id}`).getByRole('button', { name: en['comments.reply'], exact: true }).first().click();
    await page.getByLabel(en['comments.reply_label']).waitFor();
    await assertEnglish(page, 'proposal after voting, with a reply form open');

    // A new proposal.
    await page.getByRole('link', { name: en['proposal.back'] }).click();
    await page.getByRole('link', { name: en['charter.new_proposal'], exact: true }).click();
    await page.getByRole('heading', { level: 1, name: en['propose.title'] }).waitFor();
    await page.getByRole('radio', { name: en['kind.amend'] }).waitFor();
    await page.getByLabel(en['propose.title_label']).waitFor();
    await page.getByRole('button', { name: en['propose.submit'] }).click();
    await page.getByRole('alert').getByText(en['propose.title_required']).first().waitFor();
    await assertEnglish(page, 'new proposal');

    // The history.
    await page.goto(`${BASE}/documentos/${doc.id}/historial`);
    await page.getByRole('heading', { level: 1, name: en['history.title'] }).waitFor();
    await page.locator('#comparison caption').getByText(fill(en['history.caption'], { from: version - 1, to: version })).waitFor();
    await page.getByRole('button', { name: en['history.compare'], exact: true }).waitFor();
    await page.locator(`[data-test="version"][data-version="${version}"]`).getByText(en['history.summary_proposal_adopted']).waitFor();
    await page.locator(`[data-test="version"][data-version="${version}"]`).getByRole('link', { name: en['history.from_proposal'] }).waitFor();
    await assertEnglish(page, 'history');
  } finally {
    await closeClean(tab);
  }
});

test('the secretariat sees its console and the ballot controls in English', async () => {
  const sec = await secretariat();
  const doc = await createCharter();
  const delegate = await createUser({ role: 'delegate' });
  const voting = await createProposal(delegate, doc, { title: 'Asamblea anual ordinaria' });
  await openBallot(voting, { quorum: 0 });
  await createProposal(delegate, doc, { title: 'Quórum de las asambleas', section: doc.sections.filter((s) => s.kind === 'article')[2] });
  const tab = await openPage(browser, { user: sec });
  const { page } = tab;
  try {
    await page.goto(`${BASE}/secretaria`);
    await page.getByRole('heading', { level: 1, name: es['console.title'] }).waitFor();
    await toEnglish(page);
    await page.getByRole('heading', { level: 1, name: en['console.title'] }).waitFor();
    await assertEnglish(page, 'console');
    for (const tabName of ['organizaciones', 'personas', 'invitaciones', 'correo', 'votaciones', 'moderacion', 'carta']) {
      const name = en[`console.tab_${tabName}`];
      await page.locator('#console-nav').getByRole('link', { name, exact: true }).click();
      await page.waitForURL((url) => url.pathname === `/secretaria/${tabName}`);
      await page.locator('h2.tab-title').getByText(name, { exact: true }).waitFor();
      assert.equal(await page.title(), fill(en['title.format'], { page: fill(en['console.tab_title'], { tab: name }) }));
      await page.waitForLoadState('networkidle');
      await assertEnglish(page, `console: ${tabName}`);
    }
    // The charter editor's import form, and the ballots tab's buttons.
    await page.getByRole('button', { name: en['editor.import_submit'], exact: true }).waitFor();
    await page.locator('#console-nav').getByRole('link', { name: en['console.tab_votaciones'], exact: true }).click();
    const card = page.locator(`[data-test="console-proposal"][data-proposal-id="${voting.id}"]`);
    await card.getByRole('button', { name: en['ballot.close'], exact: true }).waitFor();
    await card.getByRole('button', { name: en['proposal.lock'], exact: true }).waitFor();

    // The proposal seen by the secretariat: the ballot's controls.
    await card.getByRole('link', { name: voting.title }).click();
    await page.getByRole('heading', { level: 1, name: voting.title }).waitFor();
    await page.locator('#ballot-panel').getByRole('heading', { level: 3, name: en['ballot.admin_heading'] }).waitFor();
    await page.locator('#close-ballot').getByText(en['ballot.close'], { exact: true }).waitFor();
    await page.locator('#cancel-ballot').getByText(en['ballot.cancel_open'], { exact: true }).waitFor();
    await page.locator('#lock-toggle').getByText(en['proposal.lock'], { exact: true }).waitFor();
    await assertEnglish(page, 'proposal (secretariat)');
  } finally {
    await closeClean(tab);
  }
});
