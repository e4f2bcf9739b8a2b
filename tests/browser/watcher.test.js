// The page watcher in support.js really catches what it is meant to, so that a
// passing browser test means "no console errors, no CSP violations, nothing
// fetched from elsewhere", not "nothing was looked at".

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, openPage } from './support.js';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function withPage(fn) {
  const tab = await openPage(browser);
  try {
    await tab.page.goto(`${BASE}/ingresar`);
    await tab.page.locator('main h1').waitFor();
    await fn(tab);
  } finally {
    await tab.context.close();
  }
}

test('the watcher passes a clean page and ignores 4xx answers of the API', async () => {
  await withPage(async ({ page, watch }) => {
    await page.evaluate(() => fetch('/api/v1/me').then((r) => r.status));
    await watch.check();
  });
});

test('the watcher fails on a console error, an uncaught exception and a missing file', async () => {
  await withPage(async ({ page, watch }) => {
    await page.evaluate(() => {
      console.error('algo falló');
      setTimeout(() => { throw new Error('sin atrapar'); }, 0);
      return fetch('/no-existe.js').then((r) => r.status);
    });
    await page.waitForTimeout(200);
    await assert.rejects(watch.check(), (err) => {
      assert.match(err.message, /console error: algo falló/);
      assert.match(err.message, /uncaught exception: sin atrapar/);
      assert.match(err.message, /status of 404.*no-existe\.js/);
      return true;
    });
  });
});

test('the watcher fails on a CSP violation', async () => {
  await withPage(async ({ page, watch }) => {
    await page.evaluate(() => {
      const meta = document.createElement('meta');
      meta.httpEquiv = 'Content-Security-Policy';
      meta.content = "img-src 'none'";
      document.head.append(meta);
      const img = document.createElement('img');
      img.src = '/favicon.svg?csp-probe';
      document.body.append(img);
    });
    await page.waitForTimeout(300);
    await assert.rejects(watch.check(), /CSP violation|Content Security Policy/);
  });
});

test('the watcher fails on a request that leaves the origin (intercepted, never sent)', async () => {
  await withPage(async ({ page, watch }) => {
    // Minga's CSP blocks fetches elsewhere before any request is made, so
    // the probe is a navigation, answered by the test itself.
    await page.route('http://192.0.2.1/**', (route) => route.fulfill({ contentType: 'text/plain', body: 'x' }));
    await page.goto('http://192.0.2.1/rastreo');
    await assert.rejects(watch.check(), /request left the origin: GET http:\/\/192\.0\.2\.1\/rastreo/);
  });
});
