// Translations: flat JSON dictionaries (/i18n/es.json, /i18n/en.json) with
// dotted keys; Spanish is the default and the fallback for a missing key.
// Text set with tx() remembers its key and params, so a language switch
// re-translates the page in place (typed form values survive). A param is a
// string, {key, params} (nested translation), {date: iso, short?} or
// {duration: s}.

const STORAGE_KEY = 'minga.lang';
const SUPPORTED = ['es', 'en'];
const dicts = {};
const loaded = new Set(); // "es", "es.console", …
const parts = new Set(); // extra dictionaries in use, such as "console"
const bindings = new WeakMap();
let lang = 'es';
let title = null;

/** Loads /i18n/<code>.json, or a part of it (/i18n/<code>.<part>.json). */
async function load(code, part) {
  const name = part ? `${code}.${part}` : code;
  if (loaded.has(name)) return;
  const response = await fetch(`/i18n/${name}.json`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`i18n ${name}: HTTP ${response.status}`);
  const more = await response.json();
  // Merged after the await: two parts loading at once must not drop each other's keys.
  dicts[code] = { ...dicts[code], ...more };
  loaded.add(name);
}

/** The strings of a screen few people open (the console), loaded on first use. */
export async function loadPart(part) {
  parts.add(part);
  await load('es', part);
  if (lang !== 'es') await load(lang, part);
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
  if ('date' in value) return formatDate(value.date, value.short);
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
export function formatDate(iso, short = false) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso ?? '');
  try {
    return new Intl.DateTimeFormat(lang, { dateStyle: short ? 'medium' : 'long', timeStyle: 'short', timeZone: 'America/Guayaquil' }).format(date);
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

const UNITS = [['days', 86400], ['hours', 3600], ['minutes', 60], ['seconds', 1]];

/** "2 minutos y 5 segundos", "3 días y 4 horas" from seconds: two units at most. */
export function formatDuration(total) {
  const seconds = Math.max(1, Math.ceil(Number(total) || 0));
  const i = UNITS.findIndex(([, size]) => seconds >= size);
  const [unit, size] = UNITS[i];
  const big = Math.floor(seconds / size);
  const next = UNITS[i + 1];
  const small = next ? Math.floor((seconds % size) / next[1]) : 0;
  if (!small) return plural(`time.${unit}`, big);
  return t('time.and', { a: plural(`time.${unit}`, big), b: plural(`time.${next[0]}`, small) });
}

/** Sets the text of `el` to a translation and keeps it translated. */
export function tx(el, key, params) {
  bindings.set(el, { key, params });
  el.setAttribute('data-i18n', key);
  el.textContent = t(key, params);
  return el;
}

/** document.title = "<page> · Minga", kept translated. */
export function setTitle(key, params) {
  title = key ? { key, params } : null;
  document.title = key ? t('title.format', { page: { key, params } }) : t('app.name');
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
  setTitle(title?.key, title?.params);
}

/** Switches language, remembers it, re-translates the page. */
export async function setLang(code) {
  if (!SUPPORTED.includes(code)) return;
  await load(code);
  for (const part of parts) await load(code, part);
  lang = code;
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch { /* not remembered, still switched */ }
  document.documentElement.lang = code;
  relocalize();
}
