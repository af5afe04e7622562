// Identifiers for the demo's organisations (docs/rules.md#r17), made here rather than imported from
// src/ so the demo stays a plain API client.
//
// - GB 32100-2015 Unified Social Credit Code: [1] registration authority, [2] organisation type,
//   [3–8] administrative division code (GB/T 2260), [9–17] organisation code (GB 11714, its 9th
//   character a check), [18] check character over the first 17 in base 31 (alphabet without
//   I, O, S, V, Z; weights 3^(i−1) mod 31).
// - GB 11714-1997 organisation code: 8 body characters (0-9 → 0..9, A-Z → 10..35), weights
//   3,7,9,10,5,8,4,2; check = 11 − Σ mod 11, written X for 10 and 0 for 11.
// - Hong Kong Business Registration Number: 8 digits, no published checksum.

export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORGANISATION_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** GB/T 2260 codes of the nine Mainland GBA cities (city level). */
export const DIVISION_CODES: Readonly<Record<string, string>> = {
  GUANGZHOU: '440100',
  SHENZHEN: '440300',
  ZHUHAI: '440400',
  FOSHAN: '440600',
  JIANGMEN: '440700',
  ZHAOQING: '441200',
  HUIZHOU: '441300',
  DONGGUAN: '441900',
  ZHONGSHAN: '442000',
};

export function usccCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) {
    const value = USCC_ALPHABET.indexOf(first17[i]);
    if (value < 0) throw new RangeError(`'${first17[i]}' is not a USCC character`);
    sum += value * USCC_WEIGHTS[i];
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

export function organisationCodeCheck(body: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i += 1) {
    const c = body[i];
    const value = /[0-9]/.test(c) ? Number(c) : c.charCodeAt(0) - 55;
    sum += value * ORGANISATION_CODE_WEIGHTS[i];
  }
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

/**
 * A valid USCC. `kind` picks the first two characters: an enterprise registered with market
 * regulation (91) or a public institution registered with the staffing authority (12, e.g. a
 * public hospital). `body` is the 8-character organisation-code body, from the USCC alphabet.
 */
export function makeUscc(city: string, kind: 'ENTERPRISE' | 'INSTITUTION', body: string): string {
  const division = DIVISION_CODES[city];
  if (!division) throw new RangeError(`${city} is not a Mainland GBA city`);
  if (!/^[0-9A-HJ-NPQRTUWXY]{8}$/.test(body)) throw new RangeError(`bad organisation-code body ${body}`);
  const first17 = `${kind === 'ENTERPRISE' ? '91' : '12'}${division}${body}${organisationCodeCheck(body)}`;
  return first17 + usccCheck(first17);
}
