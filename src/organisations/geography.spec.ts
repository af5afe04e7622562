// The sides as data (docs/rules.md#r16): the pure functions over a Geography, and a scheme's format (docs/rules.md#r17).
import { directionOf, Geography, organisationSchemesOf, schemesOfSide, SEEDED_GEOGRAPHY, sideOfCity } from './geography';
import { validateByFormat, validateParty } from './party-rules';

const labels = { en: 'Atlantis', 'zh-Hant': '亞特蘭蒂斯', 'zh-Hans': '亚特兰蒂斯' };
const WITH_ATLANTIS: Geography = {
  jurisdictions: new Map([...SEEDED_GEOGRAPHY.jurisdictions, ['ATLANTIS', { code: 'ATLANTIS', directionCode: 'ATL', labels, source: null }]]),
  cities: new Map([...SEEDED_GEOGRAPHY.cities, ['POSEIDONIA', { code: 'POSEIDONIA', jurisdiction: 'ATLANTIS', labels }]]),
  schemes: new Map([
    ...SEEDED_GEOGRAPHY.schemes,
    ['AT_REG', { code: 'AT_REG', partyType: 'ORGANISATION', jurisdiction: 'ATLANTIS', format: 'AT[0-9]{6}', labels, source: null }],
  ]),
};

describe('the seeded geography (R1, R2, R17)', () => {
  it('has the sides, cities, direction codes and schemes gba.ts lists', () => {
    expect([...SEEDED_GEOGRAPHY.jurisdictions.keys()]).toEqual(['MAINLAND', 'HONG_KONG', 'MACAO']);
    expect(sideOfCity(SEEDED_GEOGRAPHY, 'ZHUHAI')).toBe('MAINLAND');
    expect(sideOfCity(SEEDED_GEOGRAPHY, 'MACAO')).toBe('MACAO');
    expect(sideOfCity(SEEDED_GEOGRAPHY, 'BEIJING')).toBeNull();
    expect(directionOf(SEEDED_GEOGRAPHY, 'MAINLAND', 'HONG_KONG')).toBe('MAINLAND_TO_HK');
    expect(directionOf(SEEDED_GEOGRAPHY, 'MACAO', 'MAINLAND')).toBe('MACAO_TO_MAINLAND');
    expect(organisationSchemesOf(SEEDED_GEOGRAPHY, 'HONG_KONG')).toEqual(['HK_BRN']);
    expect(schemesOfSide(SEEDED_GEOGRAPHY, 'MACAO')).toEqual(['MO_CRN', 'HKID', 'PRC_RESIDENT_ID', 'PASSPORT']);
  });
});

describe('a side added as data (R16)', () => {
  it('places its city, derives its direction and lists its scheme', () => {
    expect(sideOfCity(WITH_ATLANTIS, 'POSEIDONIA')).toBe('ATLANTIS');
    expect(directionOf(WITH_ATLANTIS, 'MAINLAND', 'ATLANTIS')).toBe('MAINLAND_TO_ATL');
    expect(directionOf(WITH_ATLANTIS, 'MAINLAND', 'LEMURIA')).toBeNull();
    expect(organisationSchemesOf(WITH_ATLANTIS, 'ATLANTIS')).toEqual(['AT_REG']);
  });

  it('checks an identifier against its scheme’s format, whole and after trimming and upper-casing', () => {
    expect(validateByFormat('AT[0-9]{6}', ' at123456 ')).toEqual({ ok: true, normalised: 'AT123456' });
    expect(validateByFormat('AT[0-9]{6}', 'AT1234567')).toEqual({ ok: false, rule: 'FORMAT' });
    expect(validateByFormat('AT[0-9]{6}', 'XAT123456')).toEqual({ ok: false, rule: 'FORMAT' });
    expect(validateByFormat('(', 'anything')).toEqual({ ok: false, rule: 'FORMAT' });
  });

  it('registers a party there with its scheme and refuses another side’s', () => {
    const party = {
      legalName: 'Poseidonia Trading',
      jurisdiction: 'ATLANTIS',
      city: 'POSEIDONIA',
      identifierType: 'AT_REG',
      identifier: 'at123456',
      sector: 'RETAIL',
    };
    expect(validateParty(party, WITH_ATLANTIS)).toMatchObject({ identifier: 'AT123456' });
    expect(() => validateParty({ ...party, identifierType: 'HK_BRN', identifier: '12345678' }, WITH_ATLANTIS)).toThrow();
    expect(() => validateParty(party)).toThrow();
  });
});
