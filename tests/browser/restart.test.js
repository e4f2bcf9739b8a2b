// The server restarts mid-session. This file runs a server of its own (its
// own port, temp dir and SQLite database; MINGA_JWT_SECRET set so sessions
// survive the restart): a delegate has a proposal open, the server stops
// (SIGTERM) and starts again, another person comments right after the
// restart, before the page is back; the page says it is reconnecting, then
// recovers on its own and shows the comment made meanwhile, without a reload.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WAIT, launch, signInByCookie } from './support.js';
import { OwnServer, markDocument, sameDocument, unique, watchAt } from './support-extra.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const STATUTE = `# Estatuto de prueba

## Del Foro

### Naturaleza
El Foro es un espacio de articulación de organizaciones de la sociedad civil.

### Domicilio
El Foro tiene su domicilio en la ciudad de Quito.
`;

/** Waits for `predicate()` to be true, polling (bounded). */
async function until(predicate, what, timeout = WAIT) {
  const end = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => { setTimeout(resolve, 20); });
  }
}

test('after a server restart the page reconnects by itself and shows the comment made meanwhile', async (t) => {
  const server = await OwnServer.create();
  let context;
  try {
    await server.start();
    const id = unique();
    // Accounts: the first secretariat with the CLI, the rest through the API.
    const sec = await server.accept(
      await server.cliInvite({ email: `secretaria-${id}@example.org`, organization: 'Secretaría Técnica del Foro', shortName: 'STF' }),
      'Secretaría de Pruebas');
    const org = (name, short) => server.api('POST', '/api/v1/organizations',
      { token: sec.token, body: { name, short_name: short, kind: 'member' } });
    const delegate = async (organization, name) => {
      const invitation = await server.api('POST', '/api/v1/invitations', {
        token: sec.token, body: { email: `${name.split(' ')[0].toLowerCase()}-${id}@example.org`, organization_id: organization.id, role: 'delegate' },
      });
      return server.accept(invitation.url, name);
    };
    const ana = await delegate(await org('Fundación Esperanza', 'FE'), 'Ana Quishpe');
    const beto = await delegate(await org('Red de Mujeres Migrantes', 'RMM'), 'Beto Ruiz');
    const doc = await server.api('POST', '/api/v1/documents', { token: sec.token, body: { title: 'Estatuto de prueba' } });
    await server.api('POST', `/api/v1/documents/${doc.id}/import`, { token: sec.token, body: STATUTE, contentType: 'text/markdown' });
    const full = await server.api('GET', `/api/v1/documents/${doc.id}`, { token: sec.token });
    const article = full.sections.find((s) => s.kind === 'article');
    const proposal = await server.api('POST', `/api/v1/documents/${doc.id}/proposals`, {
      token: ana.token,
      body: { kind: 'amend', section_id: article.id, title: 'Precisar la naturaleza del Foro', body: `${article.body} Sin fines de lucro.`, rationale: 'Claridad.' },
    });
    const before = 'Un comentario de antes del reinicio.';
    await server.api('POST', `/api/v1/proposals/${proposal.id}/comments`, { token: ana.token, body: { body: before } });

    // Ana has the proposal open.
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'es-EC', timezoneId: 'America/Guayaquil', serviceWorkers: 'block' });
    context.setDefaultTimeout(WAIT);
    await signInByCookie(context, ana); // the cookie is for 127.0.0.1, whatever the port
    const page = await context.newPage();
    const watch = watchAt(page, server.base);
    const sockets = [];
    page.on('websocket', (ws) => {
      const entry = { ws, at: Date.now(), closed: false };
      ws.on('close', () => { entry.closed = true; });
      ws.on('socketerror', () => { entry.closed = true; });
      sockets.push(entry);
    });
    await page.goto(`${server.base}/propuestas/${proposal.id}`);
    await page.getByRole('heading', { level: 1, name: proposal.title }).waitFor();
    const state = page.locator('#connection-state');
    await state.getByText('Conectado', { exact: true }).waitFor();
    assert.equal(await state.getAttribute('data-state'), 'connected');
    // Subscribed to the proposal (presence comes after the subscription).
    await page.locator('#presence').getByText('Nadie más está viendo esta página ahora.').waitFor();
    await page.getByRole('heading', { level: 2, name: 'Comentarios (1)' }).waitFor();
    await markDocument(page);

    // ---- The server stops.
    watch.outage(true);
    const socketsBefore = sockets.length;
    const stoppedAt = Date.now();
    assert.equal(await server.stop(), 0, 'the server exits 0 on SIGTERM');
    await page.locator('#connection-state:is([data-state="reconnecting"], [data-state="offline"])').waitFor();
    assert.match(await state.textContent(), /^(Reconectando…|Sin conexión)$/);
    // The page tries again about 1 s later and fails: the next try is at least 1.5 s away.
    await until(() => sockets.slice(socketsBefore).some((s) => s.closed), 'a failed reconnection attempt', 5000);
    const downFor = Date.now() - stoppedAt;

    // ---- The server starts again; Beto comments at once, before the page is back.
    const startup = await server.start();
    const text = 'Comentario publicado mientras la página se reconectaba.';
    const comment = await server.api('POST', `/api/v1/proposals/${proposal.id}/comments`, { token: beto.token, body: { body: text } });
    const stateAtPost = await state.getAttribute('data-state');
    assert.notEqual(stateAtPost, 'connected',
      `the comment should be posted before the page reconnects (server down ${downFor} ms, start-up ${startup} ms)`);

    // ---- The page recovers on its own and shows the comment, without a reload.
    await state.getByText('Conectado', { exact: true }).waitFor({ timeout: 20_000 });
    const reconnectedIn = Date.now() - stoppedAt;
    assert.ok(reconnectedIn < 15_000, `reconnected ${reconnectedIn} ms after the stop`);
    const arrived = page.locator(`#comment-${comment.id}`);
    await arrived.getByText(text).waitFor();
    await arrived.getByText('Beto Ruiz', { exact: true }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Comentarios (2)' }).waitFor();
    assert.equal(await page.locator('#comment-list [data-test="comment"]').count(), 2, 'each comment once');
    assert.equal(await sameDocument(page), true, 'the page was not reloaded');
    // Still signed in (the session survived the restart) and live again:
    // a comment posted now arrives too.
    watch.outage(false);
    const later = await server.api('POST', `/api/v1/proposals/${proposal.id}/comments`, { token: beto.token, body: { body: 'Y uno más, ya reconectados.' } });
    await page.locator(`#comment-${later.id}`).getByText('Y uno más, ya reconectados.').waitFor();
    await page.getByRole('heading', { level: 2, name: 'Comentarios (3)' }).waitFor();
    t.diagnostic(`restart: down ${downFor} ms, start-up ${startup} ms, state at post ${stateAtPost}, reconnected after ${reconnectedIn} ms`);
    await watch.check();
  } catch (err) {
    throw new Error(`${err.message}\n---- own server log:\n${server.logText()}`, { cause: err });
  } finally {
    await context?.close().catch(() => {});
    await server.cleanup();
  }
});
