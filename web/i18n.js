// Translations: flat JSON dictionaries (/i18n/es.json, /i18n/en.json) with
// dotted keys; Spanish is the default and the fallback for a missing key.
// Text set with tx() remembers its key and params, so a language switch
// re-translates the page in place (typed form values survive). A param is a
// string, {key, params} (nested translation), {date: iso} or {duration: s}.

const STORAGE_KEY = 'minga.lang';
const SUPPORTED = ['es', 'en'];
const dicts = {};
const bindings = new WeakMap();
let lang = 'es';
let title = null;

async function load(code) {
  if (dicts[code]) return;
  const response = await fetch(`/i18n/${code}.json`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`i18n ${code}: HTTP ${response.status}`);
  dicts[code] = await response.json();
}

/** Loads Spanish (always: the fallback) and the remembered language. */
export async function init() {
  let wanted = 'es';
  try {
    wanted = localStorage.getItem(STORAGE_KEY);
  } catch { /* storage disabled */ }
  await load('es');
  if (wanted !== 'es' && SUPPORTED.includes(wanted)) {
    try {
      await load(wanted);
      lang = wanted;
    } catch { /* stay in Spanish */ }
  }
  document.documentElement.lang = lang;
}

export const getLang = () => lang;

function lookup(key) {
  const text = dicts[lang]?.[key] ?? dicts.es?.[key];
  return typeof text === 'string' ? text : null;
}

function resolve(value) {
  if (value === null || typeof value !== 'object') return String(value ?? '');
  if ('key' in value) return t(value.key, value.params);
  if ('date' in value) return formatDate(value.date);
  if ('duration' in value) return formatDuration(value.duration);
  return '';
}

/** Translates `key`, filling {name} placeholders from `params`. */
export function t(key, params) {
  const template = lookup(key) ?? key;
  return params
    ? template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? resolve(params[name]) : whole))
    : template;
}

/** expires_at and the like, in Ecuador's time zone. */
export function formatDate(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso ?? '');
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short', timeZone: 'America/Guayaquil' }).format(date);
  } catch {
    return date.toISOString();
  }
}

function plural(base, n) {
  let category = 'other';
  try {
    category = new Intl.PluralRules(lang).select(n);
  } catch { /* old browser */ }
  return t(lookup(`${base}.${category}`) ? `${base}.${category}` : `${base}.other`, { n });
}

/** "2 minutos y 5 segundos" from seconds. */
export function formatDuration(total) {
  const seconds = Math.max(1, Math.ceil(Number(total) || 0));
  const [m, s] = [Math.floor(seconds / 60), seconds % 60];
  if (!m) return plural('time.seconds', s);
  if (!s) return plural('time.minutes', m);
  return t('time.and', { a: plural('time.minutes', m), b: plural('time.seconds', s) });
}

/** Sets the text of `el` to a translation and keeps it translated. */
export function tx(el, key, params) {
  bindings.set(el, { key, params });
  el.setAttribute('data-i18n', key);
  el.textContent = t(key, params);
  return el;
}

/** document.title = "<page> · Minga", kept translated. */
export function setTitle(key) {
  title = key;
  document.title = key ? t('title.format', { page: { key } }) : t('app.name');
}

/** Re-translates bound text, data-i18n-attr="attr:key" attributes, the title. */
export function relocalize(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    const binding = bindings.get(el) ?? { key: el.getAttribute('data-i18n') };
    el.textContent = t(binding.key, binding.params);
  }
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    const [attr, key] = el.getAttribute('data-i18n-attr').split(':');
    el.setAttribute(attr, t(key));
  }
  setTitle(title);
}

/** Switches language, remembers it, re-translates the page. */
export async function setLang(code) {
  if (!SUPPORTED.includes(code)) return;
  await load(code);
  lang = code;
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch { /* not remembered, still switched */ }
  document.documentElement.lang = code;
  relocalize();
}
