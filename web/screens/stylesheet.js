// Stylesheets of screens few people open (/process.css, /votes.css), added
// on first use: outside style.css, so the first load of the app stays within
// its budget. A failed load leaves the screen unstyled but working, and the
// next visit tries again.

import { h } from '../dom.js';

const loading = new Map();

/** Resolves once `href` is applied (or has failed). */
export function loadStylesheet(href) {
  if (!loading.has(href)) {
    loading.set(href, new Promise((resolve) => {
      const link = h('link', { rel: 'stylesheet', href });
      link.addEventListener('load', resolve);
      link.addEventListener('error', () => {
        link.remove();
        loading.delete(href);
        resolve();
      });
      document.head.append(link);
    }));
  }
  return loading.get(href);
}
