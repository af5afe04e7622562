// Every string the console shows, in English, Traditional Chinese (Hong Kong usage) and Simplified Chinese (Guangdong usage),
// and the formatting of dates: instants in Hong Kong time, calendar dates as written.
// The strings are kept by console area, each area's file holding its three languages (i18n-*.js); the Simplified
// Chinese strings are the Traditional ones in Mainland characters and terms.
import { codes } from './i18n-codes.js';
import { contractStrings } from './i18n-contract.js';
import { ledgerStrings } from './i18n-ledger.js';
import { ledgerKeysStrings } from './i18n-ledger-keys.js';
import { orgStrings } from './i18n-org.js';
import { queueStrings } from './i18n-queue.js';
import { shellStrings } from './i18n-shell.js';
import { transfersStrings } from './i18n-transfers.js';

export const LANGUAGES = {
  en: { html: 'en', locale: 'en-HK', name: 'English', label: 'lang.toEn' },
  'zh-Hant': { html: 'zh-Hant-HK', locale: 'zh-HK', name: '繁體中文', label: 'lang.toHant' },
  'zh-Hans': { html: 'zh-Hans-CN', locale: 'zh-CN', name: '简体中文', label: 'lang.toHans' },
};
const AREAS = [shellStrings, orgStrings, queueStrings, contractStrings, transfersStrings, ledgerStrings, ledgerKeysStrings];
/** One dictionary a language, the areas' strings in the areas' order (keysUnder keeps each area's own order). */
const dictionaries = Object.fromEntries(Object.keys(LANGUAGES).map((name) => [name, Object.assign({}, ...AREAS.map((area) => area[name]))]));
const en = dictionaries.en;
const STORAGE_KEY = 'console.language';
let language = (() => {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    return saved && dictionaries[saved] ? saved : 'en';
  } catch {
    return 'en';
  }
})();
if (typeof document !== 'undefined') document.documentElement.lang = LANGUAGES[language].html;
const listeners = new Set();

export function getLanguage() {
  return language;
}

export function setLanguage(next) {
  if (!dictionaries[next] || next === language) return;
  language = next;
  try {
    window.localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // private windows may refuse storage; the choice then lasts for this page only
  }
  document.documentElement.lang = LANGUAGES[next].html;
  for (const listener of listeners) listener(next);
}

export function onLanguageChange(listener) {
  listeners.add(listener);
}

/** t('queue.intro', { authority: 'X' }); a missing key shows itself, so gaps are visible in review. */
export function t(key, params = {}) {
  const text = dictionaries[language][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (params[name] === undefined ? `{${name}}` : String(params[name])));
}

/** The names of the strings under a prefix, in the dictionary's order and without the prefix: keysUnder('annex.'), the annex's terms. */
export function keysUnder(prefix) {
  return Object.keys(en)
    .filter((key) => key.startsWith(prefix))
    .map((key) => key.slice(prefix.length));
}

/** The labels the registry serves (GET /reference: sectors, sides, categories, flags), by kind and code. */
const served = {};

/** Takes the labels of code lists the registry serves, e.g. { sector: [{ code, labels: { en, 'zh-Hant', 'zh-Hans' } }] }. */
export function useCodeLabels(lists) {
  for (const [kind, entries] of Object.entries(lists)) served[kind] = Object.fromEntries((entries ?? []).map((entry) => [entry.code, entry.labels]));
}

/** The label of an API code, e.g. code('sector', 'BANKING'): the registry's, else the console's; unknown codes are shown as they are. */
export function code(kind, value) {
  if (value === null || value === undefined || value === '') return '—';
  const labels = served[kind]?.[value];
  if (labels) return labels[language] ?? labels.en;
  return codes[language][kind]?.[value] ?? codes.en[kind]?.[value] ?? String(value);
}

/** A list in the language's own way: "a, b and c"; 「甲、乙及丙」; 「甲、乙和丙」. */
export function formatList(values) {
  return new Intl.ListFormat(LANGUAGES[language].locale, { style: 'long', type: 'conjunction' }).format(values.map(String));
}

function locale() {
  return LANGUAGES[language].locale;
}

/** An instant (ISO 8601 UTC) in Hong Kong time. */
export function formatInstant(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return (
    new Intl.DateTimeFormat(locale(), {
      timeZone: 'Asia/Hong_Kong',
      year: 'numeric',
      month: language === 'en' ? '2-digit' : 'long',
      day: language === 'en' ? '2-digit' : 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(date) + (language === 'en' ? ' HKT' : '')
  );
}

/** A calendar date (YYYY-MM-DD) is a day, not an instant: shown as that day, with no time-zone shift. */
export function formatDate(isoDate) {
  if (!isoDate) return '—';
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(isoDate));
  if (!match) return String(isoDate);
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return new Intl.DateTimeFormat(locale(), { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' }).format(date);
}

/** YYYY-MM of an instant, in Hong Kong time (for monthly figures). */
const HONG_KONG_MONTH = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Hong_Kong', year: 'numeric', month: '2-digit' });
export function hongKongMonth(iso) {
  const parts = HONG_KONG_MONTH.formatToParts(new Date(iso));
  return `${parts.find((p) => p.type === 'year').value}-${parts.find((p) => p.type === 'month').value}`;
}

/** Today's date in Hong Kong, YYYY-MM-DD. */
export function hongKongToday() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Hong_Kong', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** The separator of a list as the language writes it: 「、」 in Chinese, ", " in English. */
export function listSeparator() {
  return language === 'en' ? ', ' : '、';
}

export function formatNumber(n) {
  return typeof n === 'number' ? new Intl.NumberFormat(locale()).format(n) : (n ?? '—');
}
