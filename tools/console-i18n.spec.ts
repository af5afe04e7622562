/*
 * The console speaks three languages (the README section "Regulators' console"): every string and every
 * code label exists in English, 繁體中文 and 简体中文, and every code the API can send has a label, so no
 * regulator sees a bare code such as `SENSITIVE_NOT_IN_SCOPE`. The labels of sectors, sides, the annex's categories
 * and the compliance flags are the registry's (GET /reference, typed complete per code in src/organisations/gba.ts,
 * src/contracts/domain/categories.ts and src/transfers/domain/flag-labels.ts): the console keeps no copy of them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { FILING_STATUSES } from '../src/contracts/domain/filing-lifecycle';
import { SENSITIVE_CATEGORIES } from '../src/contracts/domain/categories';
import { DOCUMENT_KINDS } from '../src/contracts/document.entity';
import { DIRECTIONS, FILING_AUTHORITIES, GBA_CITIES } from '../src/organisations/gba';

type Dictionary = Record<string, string>;
type Codes = Record<string, Record<string, Record<string, string>>>;

const LANGUAGES = ['en', 'zh-Hant', 'zh-Hans'] as const;

/**
 * A console module as one script: each `import { … } from './x.js'` replaced by that module's source (once), `export`
 * dropped. The console's i18n files import plain names from plain modules, so this runs them as the browser links them.
 */
function asScript(file: string, included = new Set<string>()): string {
  if (included.has(file)) return '';
  included.add(file);
  return fs
    .readFileSync(file, 'utf8')
    .replace(/^import \{[^}]*\} from '\.\/([a-z0-9-]+\.js)';$/gm, (_, name: string) => asScript(path.join(path.dirname(file), name), included))
    .replace(/^export /gm, '');
}

/** The console's dictionaries, read from its own files as the browser would run them (no window: English). */
function consoleDictionaries(): { strings: Record<(typeof LANGUAGES)[number], Dictionary>; codes: Codes } {
  const source = asScript(path.join(__dirname, '..', 'src', 'console', 'public', 'i18n.js'));
  const found = vm.runInNewContext(`${source}\n;({ dictionaries, codes })`, { Intl, Date, Number, String, Object, Set }) as {
    dictionaries: Record<(typeof LANGUAGES)[number], Dictionary>;
    codes: Codes;
  };
  return { strings: found.dictionaries, codes: found.codes };
}

const { strings, codes } = consoleDictionaries();

describe('the console in three languages', () => {
  it.each(['zh-Hant', 'zh-Hans'] as const)('%s has every string English has, and no other', (language) => {
    expect(Object.keys(strings[language]).sort()).toEqual(Object.keys(strings.en).sort());
  });

  it.each(LANGUAGES)('%s: no string is empty, and every {placeholder} of the English string is kept', (language) => {
    const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
    for (const [key, english] of Object.entries(strings.en)) {
      const text = strings[language][key];
      expect({ key, empty: text.trim() === '' }).toEqual({ key, empty: false });
      expect({ key, placeholders: placeholders(text) }).toEqual({ key, placeholders: placeholders(english) });
    }
  });

  it('the Chinese strings are written in Chinese, not left in English', () => {
    // Allowed to stay Latin: names of standards, codes and units a regulator writes as they are.
    const untranslated = (language: 'zh-Hant' | 'zh-Hans') =>
      Object.entries(strings[language]).filter(
        ([key, text]) => text === strings.en[key] && /[a-z]{4,}/.test(text) && !/^(RFC|C2SP|Ed25519|SHA-256|JSON|CSV|NDJSON|URL|API)\b/.test(text),
      );
    expect(untranslated('zh-Hant').map(([key]) => key)).toEqual([]);
    expect(untranslated('zh-Hans').map(([key]) => key)).toEqual([]);
  });

  // Every code the API sends whose labels GET /reference does not serve, by the console's label kind.
  const apiCodes: Record<string, readonly string[]> = {
    city: GBA_CITIES,
    direction: DIRECTIONS,
    authority: FILING_AUTHORITIES,
    filingStatus: FILING_STATUSES,
    sensitive: SENSITIVE_CATEGORIES,
    documentKind: DOCUMENT_KINDS,
  };

  it.each(LANGUAGES)('%s keeps no copy of the labels GET /reference serves', (language) => {
    const served = ['sector', 'jurisdiction', 'category', 'flag'];
    expect(Object.keys(codes[language]).filter((kind) => served.includes(kind))).toEqual([]);
  });

  it.each(LANGUAGES)('%s labels every code the API sends', (language) => {
    const missing = Object.entries(apiCodes).flatMap(([kind, values]) =>
      values.filter((value) => !codes[language][kind]?.[value]).map((value) => `${kind}.${value}`),
    );
    expect(missing).toEqual([]);
  });

  it.each(['zh-Hant', 'zh-Hans'] as const)('%s labels the same codes as English', (language) => {
    const keys = (c: Codes[string]) =>
      Object.entries(c)
        .flatMap(([kind, labels]) => Object.keys(labels).map((value) => `${kind}.${value}`))
        .sort();
    expect(keys(codes[language])).toEqual(keys(codes.en));
  });
});
