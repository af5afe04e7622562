import { PERSONAL_INFORMATION_CATEGORIES } from '../../src/contracts/domain/categories';
import { COMPLIANCE_FLAGS } from '../../src/transfers/domain/compliance-flags';
import { startTestApp, TestApp } from '../support/app';

describe('GET /reference', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('is public and lists every code with English, Traditional and Simplified Chinese labels', async () => {
    const response = await t.http.get('/reference');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.body as Record<string, { code: string; labels: Record<string, string> }[]>;

    expect(body.jurisdictions.map((j) => j.code)).toEqual(['MAINLAND', 'HONG_KONG', 'MACAO']);
    expect(body.cities.map((c) => c.code)).toEqual([
      'GUANGZHOU',
      'SHENZHEN',
      'ZHUHAI',
      'FOSHAN',
      'HUIZHOU',
      'DONGGUAN',
      'ZHONGSHAN',
      'JIANGMEN',
      'ZHAOQING',
      'HONG_KONG',
      'MACAO',
    ]);
    expect(body.sectors.map((s) => s.code)).toEqual([
      'BANKING',
      'CREDIT_REFERENCING',
      'HEALTHCARE',
      'INSURANCE',
      'SECURITIES',
      'RETAIL',
      'LOGISTICS',
      'TELECOMMUNICATIONS',
      'TECHNOLOGY',
      'EDUCATION',
      'OTHER',
    ]);
    expect(body.partyTypes.map((p) => p.code)).toEqual(['ORGANISATION', 'INDIVIDUAL']);
    expect(body.identifierTypes.map((i) => i.code)).toEqual(['USCC', 'HK_BRN', 'MO_CRN', 'HKID', 'PRC_RESIDENT_ID', 'PASSPORT']);
    expect(body.identifierTypes.find((i) => i.code === 'HKID')).toEqual({
      code: 'HKID',
      partyType: 'INDIVIDUAL',
      // An individual's document, on any side; checked by code (its check character), not by a format.
      jurisdiction: null,
      format: null,
      labels: { en: 'Hong Kong Identity Card', 'zh-Hant': '香港身份證', 'zh-Hans': '香港身份证' },
    });
    expect(body.identifierTypes.find((i) => i.code === 'MO_CRN')).toMatchObject({ partyType: 'ORGANISATION', jurisdiction: 'MACAO' });
    // The annex's categories and the transfer log's flags, in the registry's order: the console's filters and labels.
    expect(body.personalInformationCategories.map((c) => c.code)).toEqual([...PERSONAL_INFORMATION_CATEGORIES]);
    expect(body.complianceFlags.map((f) => f.code)).toEqual([...COMPLIANCE_FLAGS]);
    const lists = [
      body.jurisdictions,
      body.cities,
      body.sectors,
      body.partyTypes,
      body.identifierTypes,
      body.personalInformationCategories,
      body.complianceFlags,
    ];
    for (const entry of lists.flat()) {
      expect(Object.keys(entry.labels).sort()).toEqual(['en', 'zh-Hans', 'zh-Hant']);
      for (const label of Object.values(entry.labels)) expect(label.length).toBeGreaterThan(0);
    }
  });

  it('uses Hong Kong Traditional and Mainland Simplified forms', async () => {
    const { body } = await t.http.get('/reference');
    const city = (code: string) => body.cities.find((c: { code: string }) => c.code === code);
    const sector = (code: string) => body.sectors.find((s: { code: string }) => s.code === code);
    expect(body.jurisdictions[0].labels).toEqual({ en: 'Mainland', 'zh-Hant': '內地', 'zh-Hans': '内地' });
    expect(city('GUANGZHOU')).toEqual({ code: 'GUANGZHOU', jurisdiction: 'MAINLAND', labels: { en: 'Guangzhou', 'zh-Hant': '廣州', 'zh-Hans': '广州' } });
    expect(city('HONG_KONG').jurisdiction).toBe('HONG_KONG');
    expect(sector('CREDIT_REFERENCING')).toEqual({
      code: 'CREDIT_REFERENCING',
      firstPhase: true,
      labels: { en: 'Credit referencing', 'zh-Hant': '徵信', 'zh-Hans': '征信' },
    });
    expect(sector('TELECOMMUNICATIONS').labels).toMatchObject({ 'zh-Hant': '電訊', 'zh-Hans': '电信' });
    const flag = body.complianceFlags.find((f: { code: string }) => f.code === 'ONWARD_RECIPIENT_OUTSIDE_GBA');
    expect(flag.labels).toEqual({ en: 'Onward recipient outside the GBA', 'zh-Hant': '再提供的接收者在大灣區以外', 'zh-Hans': '再提供的接收者在大湾区以外' });
    const category = body.personalInformationCategories.find((c: { code: string }) => c.code === 'BASIC_PROFILE');
    expect(category.labels).toEqual({ en: 'Basic profile', 'zh-Hant': '基本資料', 'zh-Hans': '基本数据' });
    expect(body.sectors.filter((s: { firstPhase: boolean }) => s.firstPhase).map((s: { code: string }) => s.code)).toEqual([
      'BANKING',
      'CREDIT_REFERENCING',
      'HEALTHCARE',
    ]);
  });
});
