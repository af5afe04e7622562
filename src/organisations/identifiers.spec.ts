/*
 * Sources: GB 32100-2015 (USCC, its worked example 91350100M000100Y43), GB 11714-1997
 * (organisation code), Business Registration Ordinance (Cap. 310) for the HK BRN.
 * The "published" codes below are as printed on public business-licence / annual-report pages;
 * the company names are given from memory as a reader's aid. Each code was kept only because it
 * passes both independent checks (a random string passes both with probability 1/341).
 * 911100001000128459, suggested in the task brief, fails the USCC check and was dropped.
 */
import {
  USCC_ALPHABET,
  computeHkidCheck,
  computeOrganisationCodeCheck,
  computePrcResidentIdCheck,
  computeUsccCheck,
  makeValidUscc,
  maskPersonalIdentifier,
  personalIdentifierDigest,
  validateHkBrn,
  validateHkid,
  validateMoCrn,
  validatePassport,
  validatePrcResidentId,
  validateUscc,
} from './identifiers';

const PUBLISHED_USCCS = [
  '91350100M000100Y43', // GB 32100-2015 worked example
  '914403001922038216', // 华为技术有限公司 (Shenzhen)
  '91440300192317458F', // 比亚迪股份有限公司 (Shenzhen)
  '91440300100012316L', // 中国平安保险（集团）股份有限公司 (Shenzhen)
  '9144030010001686XA', // 招商银行股份有限公司 (Shenzhen) — organisation-code check X
  '91440300708461136T', // 深圳市腾讯计算机系统有限公司
  '911000001000013428', // 中国银行股份有限公司
  '91100000100003962T', // 中国工商银行股份有限公司
  '91330100716105852F', // 阿里巴巴（中国）有限公司
  '91110108551385082Q', // 小米科技有限责任公司
];

describe('computeOrganisationCodeCheck (GB 11714-1997)', () => {
  it.each([
    // worked by hand: Σ = 3·1 + 8·1 + 4·2 + 2·3 = 25; 25 mod 11 = 3; 11 − 3 = 8
    ['10000123', '8'],
    // letters take values A=10 … Z=35: Σ = 3·22 (M) + 5·1 + 2·34 (Y) = 139; 139 mod 11 = 7; 11 − 7 = 4
    ['M000100Y', '4'],
    // 招商银行: Σ = 3·1 + 5·1 + 8·6 + 4·8 + 2·6 = 100; 100 mod 11 = 1; 11 − 1 = 10 → X
    ['10001686', 'X'],
    ['00000000', '0'], // Σ = 0 → 11 → written 0
  ])('%s → %s', (body, check) => {
    expect(computeOrganisationCodeCheck(body)).toBe(check);
  });

  it('rejects a body of the wrong length', () => {
    expect(() => computeOrganisationCodeCheck('1234567')).toThrow(RangeError);
  });
});

describe('computeUsccCheck (GB 32100-2015)', () => {
  it("reproduces the check character of the standard's example and published codes", () => {
    for (const code of PUBLISHED_USCCS) expect(computeUsccCheck(code.slice(0, 17))).toBe(code[17]);
  });

  it('rejects characters outside the USCC alphabet', () => {
    expect(() => computeUsccCheck('91350100M000100I4')).toThrow(RangeError);
  });
});

describe('validateUscc', () => {
  it.each(PUBLISHED_USCCS)('accepts published code %s', (code) => {
    expect(validateUscc(code)).toEqual({ ok: true, normalised: code });
  });

  it('accepts lower case and surrounding whitespace, returning the normalised code', () => {
    expect(validateUscc('  91350100m000100y43\n')).toEqual({ ok: true, normalised: '91350100M000100Y43' });
  });

  it('rejects a wrong USCC check character', () => {
    expect(validateUscc('91350100M000100Y44')).toEqual({ ok: false, rule: 'CHECK_CHARACTER' });
    // every other alphabet character in position 18 is wrong
    for (const char of USCC_ALPHABET) {
      if (char === '3') continue;
      expect(validateUscc(`91350100M000100Y4${char}`)).toEqual({ ok: false, rule: 'CHECK_CHARACTER' });
    }
  });

  it('rejects a wrong organisation-code check even when the USCC check is consistent', () => {
    // organisation code M000100Y with check 5 instead of 4, USCC check recomputed
    const first17 = '91350100M000100Y5';
    const code = first17 + computeUsccCheck(first17);
    expect(validateUscc(code)).toEqual({ ok: false, rule: 'ORGANISATION_CODE_CHECK' });
  });

  it('catches a single-character typo in the body', () => {
    expect(validateUscc('914403001922038226')).toMatchObject({ ok: false });
  });

  it.each(['I', 'O', 'S', 'V', 'Z'])('rejects the illegal letter %s', (letter) => {
    const code = `91350100M000100${letter}43`;
    expect(validateUscc(code)).toEqual({ ok: false, rule: 'ILLEGAL_CHARACTER' });
  });

  it('rejects punctuation and inner spaces', () => {
    expect(validateUscc('91350100-000100Y43')).toEqual({ ok: false, rule: 'ILLEGAL_CHARACTER' });
    expect(validateUscc('91350100 000100Y43')).toEqual({ ok: false, rule: 'ILLEGAL_CHARACTER' });
  });

  it.each(['', '91350100M000100Y4', '91350100M000100Y433', '123456789'])('rejects length of %p', (code) => {
    expect(validateUscc(code)).toEqual({ ok: false, rule: 'LENGTH' });
  });

  it('rejects a non-digit administrative division code (positions 3–8)', () => {
    const first17 = '913A0100M000100Y4';
    expect(validateUscc(first17 + computeUsccCheck(first17))).toEqual({ ok: false, rule: 'FORMAT' });
  });

  it('rejects a non-string', () => {
    expect(validateUscc(undefined as unknown as string)).toEqual({ ok: false, rule: 'FORMAT' });
  });
});

describe('validateHkBrn', () => {
  it.each(['12345678', ' 00000001 ', '31415926'])('accepts %p', (code) => {
    expect(validateHkBrn(code)).toEqual({ ok: true, normalised: code.trim() });
  });

  it.each([
    ['1234567', 'LENGTH'],
    ['123456789', 'LENGTH'],
    ['', 'LENGTH'],
    ['12345678-000-08-24-A', 'LENGTH'],
    ['1234567A', 'ILLEGAL_CHARACTER'],
    ['1234 678', 'ILLEGAL_CHARACTER'],
    ['１２３４５６７８', 'ILLEGAL_CHARACTER'], // full-width digits
  ])('rejects %p (%s)', (code, rule) => {
    expect(validateHkBrn(code)).toEqual({ ok: false, rule });
  });
});

describe('makeValidUscc', () => {
  it('is deterministic and always valid', () => {
    expect(makeValidUscc(42)).toBe(makeValidUscc(42));
    for (let seed = 0; seed < 500; seed += 1) {
      const code = makeValidUscc(seed);
      expect(validateUscc(code)).toEqual({ ok: true, normalised: code });
    }
  });

  it('gives distinct codes for distinct seeds', () => {
    const codes = new Set(Array.from({ length: 2000 }, (_, seed) => makeValidUscc(seed)));
    expect(codes.size).toBe(2000);
  });

  it('uses a GBA city division code', () => {
    expect(makeValidUscc(1).slice(2, 8)).toMatch(/^44\d{4}$/);
  });

  it('rejects a negative or fractional seed', () => {
    expect(() => makeValidUscc(-1)).toThrow(RangeError);
    expect(() => makeValidUscc(1.5)).toThrow(RangeError);
  });
});

describe('validateMoCrn (Macao commercial registration number, digits as issued [A])', () => {
  it.each(['1', '81234', ' 81234 ', '0000012345'])('accepts %p', (code) => {
    expect(validateMoCrn(code)).toEqual({ ok: true, normalised: code.trim() });
  });
  it.each([
    ['SO-123', 'ILLEGAL_CHARACTER'],
    ['12 345', 'ILLEGAL_CHARACTER'],
    ['１２３', 'ILLEGAL_CHARACTER'],
    ['', 'LENGTH'],
    ['12345678901', 'LENGTH'],
  ])('refuses %p (%s)', (code, rule) => {
    expect(validateMoCrn(code)).toEqual({ ok: false, rule });
  });
});

describe('computeHkidCheck (Cap. 177A: mod 11, weights 9..2, leading space 36)', () => {
  it.each([
    // worked by hand: 36·9 + 10·8 (A) + 1·7 + 2·6 + 3·5 + 4·4 + 5·3 + 6·2 = 481; 481 mod 11 = 8; 11 − 8 = 3
    ['A123456', '3'],
    // 36·9 + 16·8 (G) + 77 = 529; 529 mod 11 = 1; 11 − 1 = 10 → A
    ['G123456', 'A'],
    // two letters, no space: 10·9 + 11·8 + 9·7 + 8·6 + 7·5 + 6·4 + 5·3 + 4·2 = 371; 371 mod 11 = 8; → 3
    ['AB987654', '3'],
    // 36·9 + 25·8 (P) + 0 + 0 + 0 + 0 + 0 + 0 = 524; 524 mod 11 = 7; → 4
    ['P000000', '4'],
    // 36·9 + 11·8 (B) + 5·4 = 432; 432 mod 11 = 3; 11 − 3 = 8
    ['B000500', '8'],
    // 36·9 + 10·8 + 7·2 = 418 = 11·38; 11 − 0 = 11 → written 0
    ['A000007', '0'],
  ])('%s → %s', (body, check) => {
    expect(computeHkidCheck(body)).toBe(check);
  });

  it('rejects a malformed body', () => {
    expect(() => computeHkidCheck('123456')).toThrow(RangeError);
  });
});

describe('validateHkid', () => {
  it('accepts the printed and the bracket-less form, lower case and spaces around, and normalises to A123456(3)', () => {
    expect(validateHkid('A123456(3)')).toEqual({ ok: true, normalised: 'A123456(3)' });
    expect(validateHkid(' a1234563 ')).toEqual({ ok: true, normalised: 'A123456(3)' });
    expect(validateHkid('AB987654(3)')).toEqual({ ok: true, normalised: 'AB987654(3)' });
    expect(validateHkid('G123456(A)')).toEqual({ ok: true, normalised: 'G123456(A)' });
  });

  it('rejects every wrong check character', () => {
    for (const check of '0124567 89A'.replace(' ', '')) {
      expect(validateHkid(`A123456(${check})`)).toEqual({ ok: false, rule: 'CHECK_CHARACTER' });
    }
  });

  it.each(['A12345(3)', '123456(3)', 'ABC123456(3)', 'A123456(B)', 'A123456-3', 'A 123456(3)', ''])('rejects the malformed %p', (code) => {
    expect(validateHkid(code)).toEqual({ ok: false, rule: 'FORMAT' });
  });
});

describe('computePrcResidentIdCheck (GB 11643-1999, ISO 7064 MOD 11-2)', () => {
  it.each([
    // GB 11643-1999's worked examples
    ['11010519491231002', 'X'],
    ['44052418800101001', '4'],
  ])('%s → %s', (first17, check) => {
    expect(computePrcResidentIdCheck(first17)).toBe(check);
  });

  it('rejects anything but 17 digits', () => {
    expect(() => computePrcResidentIdCheck('1101051949123100')).toThrow(RangeError);
  });
});

describe('validatePrcResidentId', () => {
  it("accepts the standard's examples, lower-case x upper-cased", () => {
    expect(validatePrcResidentId('11010519491231002X')).toEqual({ ok: true, normalised: '11010519491231002X' });
    expect(validatePrcResidentId('11010519491231002x')).toEqual({ ok: true, normalised: '11010519491231002X' });
    expect(validatePrcResidentId('440524188001010014')).toEqual({ ok: true, normalised: '440524188001010014' });
  });

  it('rejects a wrong check character, a wrong length, letters and an impossible birth date', () => {
    expect(validatePrcResidentId('110105194912310021')).toEqual({ ok: false, rule: 'CHECK_CHARACTER' });
    expect(validatePrcResidentId('44052418800101001')).toEqual({ ok: false, rule: 'LENGTH' });
    expect(validatePrcResidentId('4405241880010100A4')).toEqual({ ok: false, rule: 'ILLEGAL_CHARACTER' });
    const feb30 = '44052418800230001';
    expect(validatePrcResidentId(feb30 + computePrcResidentIdCheck(feb30))).toEqual({ ok: false, rule: 'FORMAT' });
  });
});

describe('validatePassport', () => {
  it('accepts A-Z and 0-9, 5 to 20 characters, upper-cased', () => {
    expect(validatePassport(' k12345678 ')).toEqual({ ok: true, normalised: 'K12345678' });
  });

  it('rejects other characters and lengths', () => {
    expect(validatePassport('K1234-678')).toEqual({ ok: false, rule: 'ILLEGAL_CHARACTER' });
    expect(validatePassport('K123')).toEqual({ ok: false, rule: 'LENGTH' });
    expect(validatePassport('K'.repeat(21))).toEqual({ ok: false, rule: 'LENGTH' });
  });
});

describe('maskPersonalIdentifier', () => {
  it('keeps the letters and three digits of an HKID, hiding the rest and the check character', () => {
    expect(maskPersonalIdentifier('HKID', 'A123456(3)')).toBe('A123***(*)');
    expect(maskPersonalIdentifier('HKID', 'AB987654(3)')).toBe('AB987***(*)');
  });

  it('keeps the last four characters of a resident ID and the last three of a passport number', () => {
    expect(maskPersonalIdentifier('PRC_RESIDENT_ID', '11010519491231002X')).toBe('**************002X');
    expect(maskPersonalIdentifier('PASSPORT', 'K12345678')).toBe('******678');
  });
});

describe('personalIdentifierDigest', () => {
  const key = 'k'.repeat(32);
  it('is HMAC-SHA256 over type and number: the same person gives the same digest, another key or type another', () => {
    const digest = personalIdentifierDigest(key, 'HKID', 'A123456(3)');
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(personalIdentifierDigest(key, 'HKID', 'A123456(3)')).toBe(digest);
    expect(personalIdentifierDigest('j'.repeat(32), 'HKID', 'A123456(3)')).not.toBe(digest);
    expect(personalIdentifierDigest(key, 'PASSPORT', 'A123456(3)')).not.toBe(digest);
    expect(digest).not.toContain('123456');
  });
});
