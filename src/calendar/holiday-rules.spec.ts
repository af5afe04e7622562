/*
 * Expected dates, and where they come from:
 * - Mainland 2027 by rule (全国年节及纪念日放假办法 art. 2 as amended in 2024): 元旦 1/1 (Fri);
 *   春节 2/5 (除夕, Fri) – 2/8 (初三, Mon), 初一 being 2/6 (Sat); 清明 4/5 (Mon); 劳动节 5/1 (Sat),
 *   5/2 (Sun); 端午 6/9 (Wed); 中秋 9/15 (Wed); 国庆 10/1 (Fri) – 10/3 (Sun). The lunar and
 *   solar-term dates agree with the Hong Kong Observatory's 2027 calendar (Lunar New Year 2/6,
 *   Ching Ming 4/5, Tuen Ng 6/9, day following Mid-Autumn 9/16).
 *   Art. 6 make-up days (补假): 初一 and 初二 fall on Sat/Sun → 2/9, 2/10; 5/1 and 5/2 → 5/3, 5/4;
 *   10/2 and 10/3 → 10/4, 10/5.
 * - The official Mainland calendars for 2025 (国办发明电〔2024〕12号) and 2026 (the State Council
 *   notice of 4 Nov 2025), as held by chinese-days: every day the rule gives off must be off there.
 * - Hong Kong 2027 by the General Holidays Ordinance (Cap. 149): Lunar New Year's Day 2/6 (Sat),
 *   the 2nd day is a Sunday so the 4th day 2/9 replaces it, the 3rd day 2/8.
 * - Macao 2020, the official table (二零二零年度公眾假期、公共行政工作人員獲豁免上班及補假日的日期表):
 *   public holidays 1/1, 1/25–1/27, 4/4, 4/10, 4/11, 4/30, 5/1, 6/25, 10/1, 10/2 (two holidays),
 *   10/25, 11/2, 12/8, 12/20, 12/21, 12/24, 12/25; compensatory days (補假) 1/28, 1/29, 4/6,
 *   4/13, 10/26, 12/22; full-day exemption 10/5; half days 1/24 and 12/31 (not days off).
 */
import Holidays from 'date-holidays';
import chineseDaysData from 'chinese-days/dist/chinese-days.json';
import { daysOffByRule, isDayOffByRule, substitutesForRestDays } from './holiday-rules';

const datesOf = (side: 'MAINLAND' | 'HONG_KONG' | 'MACAO', year: number, kind?: string): string[] =>
  daysOffByRule(side, year)
    .filter((d) => kind === undefined || d.kind === kind)
    .map((d) => d.date);

describe('Mainland statutory holidays by rule', () => {
  it('lists the 2024 measures for 2027: 13 days and 6 make-up days', () => {
    expect(datesOf('MAINLAND', 2027, 'HOLIDAY')).toEqual([
      '2027-01-01',
      '2027-02-05',
      '2027-02-06',
      '2027-02-07',
      '2027-02-08',
      '2027-04-05',
      '2027-05-01',
      '2027-05-02',
      '2027-06-09',
      '2027-09-15',
      '2027-10-01',
      '2027-10-02',
      '2027-10-03',
    ]);
    expect(datesOf('MAINLAND', 2027, 'SUBSTITUTE')).toEqual(['2027-02-09', '2027-02-10', '2027-05-03', '2027-05-04', '2027-10-04', '2027-10-05']);
  });

  it.each([2025, 2026])('gives off only days the official %i calendar gives off', (year) => {
    const official = new Set(Object.keys((chineseDaysData as { holidays: Record<string, string> }).holidays));
    const ruleOnly = datesOf('MAINLAND', year).filter((d) => !official.has(d));
    expect(ruleOnly).toEqual([]);
    expect(datesOf('MAINLAND', year).length).toBeGreaterThanOrEqual(13);
  });
});

describe('Hong Kong general holidays by rule (Cap. 149)', () => {
  it('returns only general holidays: every HK day date-holidays lists is of type public', () => {
    const types = new Set(new Holidays('HK').getHolidays(2027).map((h) => h.type));
    expect([...types]).toEqual(['public']);
  });

  it('replaces the 2nd day of the 2027 Lunar New Year, a Sunday, with the 4th', () => {
    const february = datesOf('HONG_KONG', 2027).filter((d) => d.startsWith('2027-02'));
    expect(february).toEqual(['2027-02-06', '2027-02-08', '2027-02-09']);
    expect(isDayOffByRule('HONG_KONG', '2027-02-07')).toBe(false);
  });
});

describe('Macao public holidays (Executive Order 60/2000) and compensatory days', () => {
  it('reproduces the official 2020 table', () => {
    expect(datesOf('MACAO', 2020, 'HOLIDAY')).toEqual([
      '2020-01-01',
      '2020-01-25',
      '2020-01-26',
      '2020-01-27',
      '2020-04-04',
      '2020-04-10',
      '2020-04-11',
      '2020-04-30',
      '2020-05-01',
      '2020-06-25',
      '2020-10-01',
      '2020-10-02',
      '2020-10-02',
      '2020-10-25',
      '2020-11-02',
      '2020-12-08',
      '2020-12-20',
      '2020-12-21',
      '2020-12-24',
      '2020-12-25',
    ]);
    expect(datesOf('MACAO', 2020, 'SUBSTITUTE')).toEqual(['2020-01-28', '2020-01-29', '2020-04-06', '2020-04-13', '2020-10-26', '2020-12-22']);
    expect(datesOf('MACAO', 2020, 'EXEMPTION')).toEqual(['2020-10-05']);
    // Half-day exemptions are working days.
    expect(isDayOffByRule('MACAO', '2020-01-24')).toBe(false);
    expect(isDayOffByRule('MACAO', '2020-12-31')).toBe(false);
  });

  it('keeps the Macao-only holidays the other sides do not have', () => {
    // All Souls' Day and the Immaculate Conception (2027: Tuesday and Wednesday).
    expect(isDayOffByRule('MACAO', '2027-11-02')).toBe(true);
    expect(isDayOffByRule('MACAO', '2027-12-08')).toBe(true);
    expect(isDayOffByRule('HONG_KONG', '2027-11-02')).toBe(false);
    expect(isDayOffByRule('MAINLAND', '2027-12-08')).toBe(false);
    // Winter Solstice (冬至) 2027 is 22 December.
    expect(isDayOffByRule('MACAO', '2027-12-22')).toBe(true);
  });
});

describe('substitutesForRestDays', () => {
  it('gives each weekend holiday the next free weekday, in order', () => {
    // Sat and Sun holidays followed by a Monday holiday: Tuesday and Wednesday.
    const subs = substitutesForRestDays([
      { date: '2020-01-25', name: 'a' },
      { date: '2020-01-26', name: 'b' },
      { date: '2020-01-27', name: 'c' },
    ]);
    expect(subs.map((s) => s.date)).toEqual(['2020-01-28', '2020-01-29']);
  });

  it('may cross into the next year', () => {
    // 2022-12-31 is a Saturday.
    expect(substitutesForRestDays([{ date: '2022-12-31', name: 'x' }]).map((s) => s.date)).toEqual(['2023-01-02']);
  });

  it('gives two substitutes to two holidays on the same weekend day', () => {
    expect(
      substitutesForRestDays([
        { date: '2022-10-02', name: 'x' },
        { date: '2022-10-02', name: 'y' },
      ]).map((s) => s.date),
    ).toEqual(['2022-10-03', '2022-10-04']);
  });
});
