// Sources: docs/rules.md#r1 (nine Mainland cities + Hong Kong; Macao outside this regime), docs/rules.md#r15.
import { CITY_LABELS, GBA_CITIES, JURISDICTION_LABELS, SECTORS, SECTOR_LABELS, gbaReference, isGbaCity, isSector, jurisdictionOfCity } from './gba';
import { SEEDED_GEOGRAPHY } from './geography';

const seeded = () =>
  gbaReference({
    jurisdictions: SEEDED_GEOGRAPHY.jurisdictions.values(),
    cities: SEEDED_GEOGRAPHY.cities.values(),
    schemes: SEEDED_GEOGRAPHY.schemes.values(),
  });

describe('jurisdictionOfCity (R1)', () => {
  it.each(['GUANGZHOU', 'SHENZHEN', 'ZHUHAI', 'FOSHAN', 'HUIZHOU', 'DONGGUAN', 'ZHONGSHAN', 'JIANGMEN', 'ZHAOQING'])('%s is on the Mainland side', (city) => {
    expect(jurisdictionOfCity(city)).toBe('MAINLAND');
  });

  it('HONG_KONG is on the Hong Kong side', () => {
    expect(jurisdictionOfCity('HONG_KONG')).toBe('HONG_KONG');
  });

  it('Macao is in the Greater Bay Area, on its own side (R1, R16)', () => {
    expect(jurisdictionOfCity('MACAO')).toBe('MACAO');
    expect(isGbaCity('MACAO')).toBe(true);
  });

  it.each(['MACAU', 'SHANTOU', 'BEIJING', 'shenzhen', ' SHENZHEN', 'HONGKONG', ''])('%p is outside', (city) => {
    expect(jurisdictionOfCity(city)).toBeNull();
    expect(isGbaCity(city)).toBe(false);
  });

  it('null and undefined are outside', () => {
    expect(jurisdictionOfCity(null)).toBeNull();
    expect(jurisdictionOfCity(undefined)).toBeNull();
  });

  it('has exactly nine Mainland cities, Hong Kong and Macao', () => {
    expect(GBA_CITIES).toHaveLength(11);
    expect(GBA_CITIES.filter((c) => jurisdictionOfCity(c) === 'MAINLAND')).toHaveLength(9);
  });
});

describe('sectors', () => {
  it('lists the eleven sector codes', () => {
    expect(SECTORS).toHaveLength(11);
    expect(isSector('CREDIT_REFERENCING')).toBe(true);
    expect(isSector('banking')).toBe(false);
    expect(isSector(null)).toBe(false);
  });
});

describe('labels and reference', () => {
  const allLabels = [...Object.values(CITY_LABELS), ...Object.values(SECTOR_LABELS), ...Object.values(JURISDICTION_LABELS)];

  it('every city, sector and jurisdiction has three non-empty labels', () => {
    expect(Object.keys(CITY_LABELS).sort()).toEqual([...GBA_CITIES].sort());
    expect(Object.keys(SECTOR_LABELS).sort()).toEqual([...SECTORS].sort());
    for (const labels of allLabels) {
      expect(labels.en.trim()).not.toBe('');
      expect(labels['zh-Hant']).toMatch(/^\p{Script=Han}+$/u);
      expect(labels['zh-Hans']).toMatch(/^\p{Script=Han}+$/u);
    }
  });

  it('uses Traditional and Simplified forms where they differ', () => {
    expect(CITY_LABELS.GUANGZHOU).toEqual({ en: 'Guangzhou', 'zh-Hant': '廣州', 'zh-Hans': '广州' });
    expect(CITY_LABELS.ZHAOQING['zh-Hant']).toBe('肇慶');
    expect(SECTOR_LABELS.HEALTHCARE['zh-Hans']).toBe('医疗');
    expect(JURISDICTION_LABELS.MAINLAND['zh-Hant']).toBe('內地');
  });

  it('gbaReference lists every code once, cities with their side, first-phase sectors flagged', () => {
    const reference = seeded();
    expect(reference.jurisdictions.map((j) => j.code)).toEqual(['MAINLAND', 'HONG_KONG', 'MACAO']);
    expect(reference.cities.map((c) => c.code)).toEqual([...GBA_CITIES]);
    expect(reference.cities.find((c) => c.code === 'HONG_KONG')?.jurisdiction).toBe('HONG_KONG');
    expect(reference.cities.find((c) => c.code === 'FOSHAN')?.jurisdiction).toBe('MAINLAND');
    expect(reference.sectors.filter((s) => s.firstPhase).map((s) => s.code)).toEqual(['BANKING', 'CREDIT_REFERENCING', 'HEALTHCARE']);
  });

  it('gbaReference returns copies, so a caller cannot change the shared labels', () => {
    seeded().cities[0].labels.en = 'changed';
    expect(CITY_LABELS.GUANGZHOU.en).toBe('Guangzhou');
  });
});
