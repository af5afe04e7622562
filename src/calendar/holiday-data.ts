/*
 * Public holidays as data, in the rule grammar of the `date-holidays` package (its parser,
 * `date-holidays-parser`, reads any country given in this shape: the "holidays.yaml
 * specification" that date-holidays' README links to). Sources and confidence are in
 * docs/rules.md#r9; the code that reads this file is holiday-rules.ts.
 *
 * Grammar used here:
 * - `MM-DD`: a fixed Gregorian date.
 * - `chinese MM-L-DD`: a date of the Chinese lunisolar calendar (month, leap flag 0 = not a leap
 *   month, day); day `00` of month 1 is the last day of the old year (除夕).
 * - `chinese T-01 solarterm`: the first day of solar term T, counted from 立春 = 1; 清明 is 5,
 *   冬至 is 22.
 * - `easter ±N`: N days from Western Easter Sunday.
 * Every rule here is of type `public` (the package's default). Substitute days are not written in
 * this grammar: holiday-rules.ts computes them (their rule differs per side and is cited there).
 */

export interface HolidayRuleData {
  name: { en: string; zh: string };
  /** Why the day is listed; shown in docs/rules.md, never used to count. */
  note?: string;
}

/** The shape `date-holidays-parser` reads: `{ holidays: { <code>: { names, zones, days } } }`. */
export interface HolidayCountryData {
  holidays: Record<
    string,
    {
      names: { en: string; zh: string };
      zones: string[];
      /** No weekday is a weekly day off in this data; weekends are counted by working-days.ts. */
      dayoff: '';
      days: Record<string, HolidayRuleData>;
    }
  >;
}

/**
 * Mainland statutory holidays for all citizens (全体公民放假的节日), 《全国年节及纪念日放假办法》
 * art. 2 as amended by 国务院令第795号 (2024-11-10, in force 2025-01-01): 元旦 1 day, 春节 4 days
 * (农历除夕, 正月初一至初三), 清明节 1 day (农历清明当日), 劳动节 2 days (5月1日、2日), 端午节 1 day,
 * 中秋节 1 day, 国庆节 3 days (10月1日至3日). The 调休 make-up working days and the placement of 补假
 * come only with each year's State Council General Office notice.
 */
export const MAINLAND_STATUTORY_HOLIDAYS: HolidayCountryData = {
  holidays: {
    CN: {
      names: { en: 'Mainland statutory holidays', zh: '全体公民放假的节日' },
      zones: ['Asia/Shanghai'],
      dayoff: '',
      days: {
        '01-01': { name: { en: "New Year's Day", zh: '元旦' } },
        'chinese 01-0-00': { name: { en: 'Spring Festival (Eve)', zh: '春节（农历除夕）' } },
        'chinese 01-0-01': { name: { en: 'Spring Festival (1st day)', zh: '春节（正月初一）' } },
        'chinese 01-0-02': { name: { en: 'Spring Festival (2nd day)', zh: '春节（正月初二）' } },
        'chinese 01-0-03': { name: { en: 'Spring Festival (3rd day)', zh: '春节（正月初三）' } },
        'chinese 5-01 solarterm': { name: { en: 'Qingming Festival', zh: '清明节' } },
        '05-01': { name: { en: 'Labour Day', zh: '劳动节' } },
        '05-02': { name: { en: 'Labour Day (2nd day)', zh: '劳动节' } },
        'chinese 05-0-05': { name: { en: 'Dragon Boat Festival', zh: '端午节' } },
        'chinese 08-0-15': { name: { en: 'Mid-Autumn Festival', zh: '中秋节' } },
        '10-01': { name: { en: 'National Day', zh: '国庆节' } },
        '10-02': { name: { en: 'National Day (2nd day)', zh: '国庆节' } },
        '10-03': { name: { en: 'National Day (3rd day)', zh: '国庆节' } },
      },
    },
  },
};

const MANDATORY = 'mandatory holiday, Law 7/2008 (Labour Relations Law) art. 44 (強制性假日)';

/**
 * Macao's public holidays (公眾假日 / feriados), Executive Order 60/2000 (第60/2000號行政命令, Ordem
 * Executiva n.º 60/2000, Boletim Oficial 40/2000, in force 2001-01-01) art. 1: the days government
 * offices close. The ten marked MANDATORY are also the mandatory holidays of private employment
 * (Law 7/2008 art. 44). Macao's filing authority (DSPDP) is a government office, so its calendar is
 * this list with Saturdays and Sundays as rest days.
 */
export const MACAO_PUBLIC_HOLIDAYS: HolidayCountryData = {
  holidays: {
    MO: {
      names: { en: 'Macao public holidays', zh: '澳門特別行政區公眾假日' },
      zones: ['Asia/Macau'],
      dayoff: '',
      days: {
        '01-01': { name: { en: "New Year's Day", zh: '元旦' }, note: MANDATORY },
        'chinese 01-0-01': { name: { en: 'Lunar New Year', zh: '農曆正月初一' }, note: MANDATORY },
        'chinese 01-0-02': { name: { en: 'The second day of Lunar New Year', zh: '農曆正月初二' }, note: MANDATORY },
        'chinese 01-0-03': { name: { en: 'The third day of Lunar New Year', zh: '農曆正月初三' }, note: MANDATORY },
        'chinese 5-01 solarterm': { name: { en: 'Ching Ming Festival', zh: '清明節' }, note: MANDATORY },
        'easter -2': { name: { en: 'Good Friday', zh: '耶穌受難日' } },
        'easter -1': { name: { en: 'The day before Easter', zh: '復活節前日' } },
        '05-01': { name: { en: 'Labour Day', zh: '勞動節' }, note: MANDATORY },
        'chinese 04-0-08': { name: { en: 'The Buddha’s Birthday', zh: '佛誕節' } },
        'chinese 05-0-05': { name: { en: 'Tuen Ng Festival', zh: '端午節' } },
        'chinese 08-0-16': { name: { en: 'The day following the Mid-Autumn Festival', zh: '中秋節翌日' }, note: MANDATORY },
        '10-01': { name: { en: 'National Day of the People’s Republic of China', zh: '中華人民共和國國慶日' }, note: MANDATORY },
        '10-02': { name: { en: 'The day following National Day', zh: '中華人民共和國國慶日翌日' } },
        'chinese 09-0-09': { name: { en: 'Chung Yeung Festival', zh: '重陽節' }, note: MANDATORY },
        '11-02': { name: { en: 'All Souls’ Day', zh: '追思節' } },
        '12-08': { name: { en: 'Feast of the Immaculate Conception', zh: '聖母無原罪瞻禮' } },
        '12-20': { name: { en: 'Macao SAR Establishment Day', zh: '澳門特別行政區成立紀念日' }, note: MANDATORY },
        'chinese 22-01 solarterm': { name: { en: 'Winter Solstice', zh: '冬至' } },
        '12-24': { name: { en: 'Christmas Eve', zh: '聖誕節前日' } },
        '12-25': { name: { en: 'Christmas Day', zh: '聖誕節' } },
      },
    },
  },
};

/**
 * Macao years whose official table (公眾假期、公共行政工作人員獲豁免上班及補假日的日期表, published each
 * year on the government portal gov.mo) has been checked against the rule, with the full days of
 * exemption from work (豁免上班) it adds: Decree-Law 7/97/M art. 4(4) makes a full day of exemption a
 * non-working day; the half days (農曆除夕下午, 除夕下午) remain working days. A year listed here is not
 * provisional. Add a year when its table is published.
 */
export const MACAO_PUBLISHED_YEARS: Readonly<Record<number, { source: string; exemptionDays: readonly string[] }>> = {
  2020: {
    source: '二零二零年度公眾假期、公共行政工作人員獲豁免上班及補假日的日期表 (gov.mo)',
    // 10-02 was both National Day's following day and the day after Mid-Autumn.
    exemptionDays: ['2020-10-05'],
  },
};
