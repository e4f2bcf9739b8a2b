// Two people on the same proposal (/propuestas/<id>), each in their own
// browser context: presence, typing, and comments arriving live without
// disturbing what the other is typing.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, closeClean, createCharter, createProposal, createUser, expectConnected, launch, openPage, postComment,
} from './support.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const label = (u) => `${u.displayName} (${u.organization.short_name})`;

async function openProposal(user, proposal) {
  const tab = await openPage(browser, { user });
  await tab.page.goto(`${BASE}/propuestas/${proposal.id}`);
  await tab.page.getByRole('heading', { level: 1, name: proposal.title }).waitFor();
  await expectConnected(tab.page);
  return tab;
}

test('a comment posted by one person appears live for the other, whose half-typed comment stays put', async () => {
  const doc = await createCharter();
  const ana = await createUser({ role: 'delegate', displayName: 'Ana Quishpe' });
  const beto = await createUser({ role: 'delegate', displayName: 'Beto Ruiz' });
  const proposal = await createProposal(ana, doc, { title: 'Naturaleza del Foro: precisar' });
  await postComment(ana, proposal, 'Primer comentario, antes de abrir la página.');

  const a = await openProposal(ana, proposal);
  const b = await openProposal(beto, proposal);
  try {
    // Both see the comment that was already there.
    for (const { page } of [a, b]) {
      await page.getByRole('heading', { level: 2, name: 'Comentarios (1)' }).waitFor();
      await page.locator('[data-test="comment"]').getByText('Primer comentario, antes de abrir la página.').waitFor();
    }

    // Presence: each sees the other.
    await a.page.locator('#presence').getByText(`Viendo ahora: ${label(beto)}`).waitFor();
    await b.page.locator('#presence').getByText(`Viendo ahora: ${label(ana)}`).waitFor();

    // Beto starts a comment and leaves it half typed; Ana is told he is typing.
    const half = 'Estoy de acuerdo en general, pero el segundo párrafo';
    await b.page.locator('#comment-body').click();
    await b.page.locator('#comment-body').pressSequentially(half.slice(0, 8));
    await b.page.locator('#comment-body').fill(half);
    await a.page.locator('#typing').getByText('Beto Ruiz está escribiendo…').waitFor();
    await b.page.evaluate(() => { window.__sameDocument = true; });

    // Ana publishes through the form.
    const text = 'Propongo añadir «sin fines de lucro» al final del artículo.';
    await a.page.getByLabel('Su comentario', { exact: true }).fill(text);
    await a.page.getByRole('button', { name: 'Publicar comentario' }).click();
    await a.page.getByText('Comentario publicado.').waitFor();
    assert.equal(await a.page.locator('#comment-body').inputValue(), '', 'the form is emptied after publishing');
    await a.page.getByRole('heading', { level: 2, name: 'Comentarios (2)' }).waitFor();

    // Beto sees it arrive, without a reload, by its author, as the last comment.
    const arrived = b.page.locator('#comment-list > [data-test="comment"]').last();
    await arrived.getByText(text).waitFor();
    await arrived.getByText('Ana Quishpe', { exact: true }).waitFor();
    await b.page.getByRole('heading', { level: 2, name: 'Comentarios (2)' }).waitFor();
    assert.equal(await b.page.evaluate(() => window.__sameDocument), true, 'the page was not reloaded');
    // ...and what he was typing is still there, untouched, with the focus.
    assert.equal(await b.page.locator('#comment-body').inputValue(), half);
    assert.equal(await b.page.evaluate(() => document.activeElement?.id), 'comment-body');
    // Screen readers are told who commented.
    await b.page.locator('#comments-live').getByText('Nuevo comentario de Ana Quishpe.').waitFor({ state: 'attached' });

    // Beto finishes and publishes; Ana sees it live too.
    await b.page.locator('#comment-body').pressSequentially(' debería decir «asamblea».');
    await b.page.getByRole('button', { name: 'Publicar comentario' }).click();
    await b.page.getByText('Comentario publicado.').waitFor();
    const reply = a.page.locator('#comment-list > [data-test="comment"]').last();
    await reply.getByText(`${half} debería decir «asamblea».`).waitFor();
    await reply.getByText('Beto Ruiz', { exact: true }).waitFor();
    await a.page.getByRole('heading', { level: 2, name: 'Comentarios (3)' }).waitFor();
    // Once he published, Ana is no longer told he is typing.
    await a.page.locator('#typing').getByText('Beto Ruiz está escribiendo…').waitFor({ state: 'detached' });

    // When Beto leaves, Ana sees that nobody else is there.
    await closeClean(b);
    await a.page.locator('#presence').getByText('Nadie más está viendo esta página ahora.').waitFor();
  } finally {
    await b.context.close().catch(() => {});
    await closeClean(a);
  }
});

test('a reply posted by one person appears live under its comment for the other', async () => {
  const doc = await createCharter();
  const ana = await createUser({ role: 'delegate', displayName: 'Ana Tenesaca' });
  const beto = await createUser({ role: 'observer', displayName: 'Beto Observador' });
  const proposal = await createProposal(ana, doc);
  const root = await postComment(ana, proposal, 'Comentario que recibirá una respuesta.');
  const a = await openProposal(ana, proposal);
  const b = await openProposal(beto, proposal);
  try {
    await b.page.locator('#presence').getByText(`Viendo ahora: ${label(ana)}`).waitFor();
    const comment = a.page.locator(`#comment-${root.id}`);
    await comment.getByRole('button', { name: 'Responder', exact: true }).click();
    await comment.getByLabel('Su respuesta').fill('Una respuesta en el mismo hilo.');
    await comment.locator('[data-test="reply-form"]').getByRole('button', { name: 'Responder', exact: true }).click();
    await comment.locator('.replies [data-test="comment"]').getByText('Una respuesta en el mismo hilo.').waitFor();

    await b.page.locator(`#comment-${root.id} .replies [data-test="comment"]`)
      .getByText('Una respuesta en el mismo hilo.').waitFor();
    await b.page.getByRole('heading', { level: 2, name: 'Comentarios (2)' }).waitFor();
  } finally {
    await closeClean(b);
    await closeClean(a);
  }
});
