/*
 * Expected dates are worked out by hand from the official calendars, not from the packages:
 * - Mainland 2024: 国务院办公厅关于2024年部分节假日安排的通知 国办发明电〔2023〕7号
 *   春节 2/10–2/17 off, 2/4 (Sun) and 2/18 (Sun) worked; 国庆 10/1–10/7 off, 9/29 (Sun) and
 *   10/12 (Sat) worked; 元旦 1/1.
 * - Mainland 2025: 国务院办公厅关于2025年部分节假日安排的通知 国办发明电〔2024〕12号
 *   元旦 1/1; 春节 1/28–2/4 off, 1/26 (Sun) and 2/8 (Sat) worked; 清明 4/4–4/6;
 *   国庆中秋 10/1–10/8 off, 9/28 (Sun) and 10/11 (Sat) worked.
 * - Hong Kong general holidays 2024 (https://www.gov.hk/en/about/abouthk/holiday/2024.htm):
 *   1/1; 2/10 (Sat), 2/12, 2/13 Lunar New Year (2nd day on Sunday, so the 4th day); 3/29, 3/30,
 *   4/1 Easter; 4/4; 5/1; 5/15; 6/10; 7/1; 9/18; 10/1; 10/11; 12/25; 12/26.
 * - Hong Kong general holidays 2025 (https://www.gov.hk/en/about/abouthk/holiday/2025.htm):
 *   1/1; 1/29–1/31; 4/4 Ching Ming; 4/18, 4/19, 4/21 Easter; 5/1; 5/5; 5/31; 7/1; 10/1;
 *   10/7 (day following Mid-Autumn); 10/29; 12/25; 12/26.
 */
import { CalendarOverride, CalendarValidationError, addCalendarDays, deadline, isWorkingDay, publishedYears } from './working-days';

function validationErrorOf(fn: () => unknown): CalendarValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CalendarValidationError) return error;
    throw error;
  }
  throw new Error('expected a CalendarValidationError');
}

describe('published years', () => {
  it('covers 2024 and 2025 on the Mainland and in Hong Kong, and not a far-future year', () => {
    for (const j of ['MAINLAND', 'HONG_KONG'] as const) {
      expect(publishedYears(j)).toEqual(expect.arrayContaining([2024, 2025]));
      expect(publishedYears(j)).not.toContain(2099);
      expect([...publishedYears(j)]).toEqual([...publishedYears(j)].sort((a, b) => a - b));
    }
  });

  it('holds no official Macao table but 2020 yet', () => {
    expect(publishedYears('MACAO')).toEqual([2020]);
  });
});

describe('isWorkingDay', () => {
  it.each([
    // 国办发明电〔2023〕7号: 9/29 Sunday and 10/12 Saturday are make-up working days
    ['MAINLAND', '2024-09-29', true],
    ['MAINLAND', '2024-10-12', true],
    ['MAINLAND', '2024-10-01', false],
    ['MAINLAND', '2024-10-07', false],
    ['MAINLAND', '2024-09-28', false],
    // 国办发明电〔2024〕12号: 2/8 Saturday worked, 2/4 Tuesday off
    ['MAINLAND', '2025-02-08', true],
    ['MAINLAND', '2025-02-04', false],
    // HK 2024: Lunar New Year 2/12 and 2/13 (Mon, Tue) are general holidays; 2/14 is not
    ['HONG_KONG', '2024-02-12', false],
    ['HONG_KONG', '2024-02-13', false],
    ['HONG_KONG', '2024-02-14', true],
    // HK 2025: Ching Ming 4/4 (Fri)
    ['HONG_KONG', '2025-04-04', false],
    // HK: Saturdays are off even when the Mainland works them
    ['HONG_KONG', '2024-10-12', false],
    // HK 2025: 10/6 (the Mid-Autumn Festival itself) is a working day, 10/7 is the holiday
    ['HONG_KONG', '2025-10-06', true],
    ['HONG_KONG', '2025-10-07', false],
  ] as const)('%s %s → %s', (j, date, expected) => {
    expect(isWorkingDay(j, date, [])).toBe(expected);
  });

  it('matches the full 2024 and 2025 Hong Kong weekday general holidays', () => {
    const weekdayHolidays = [
      // 2024 gazette (weekday ones; 2/10 and 3/30 fall on Saturday)
      '2024-01-01',
      '2024-02-12',
      '2024-02-13',
      '2024-03-29',
      '2024-04-01',
      '2024-04-04',
      '2024-05-01',
      '2024-05-15',
      '2024-06-10',
      '2024-07-01',
      '2024-09-18',
      '2024-10-01',
      '2024-10-11',
      '2024-12-25',
      '2024-12-26',
      // 2025 gazette (4/19 and 5/31 fall on Saturday)
      '2025-01-01',
      '2025-01-29',
      '2025-01-30',
      '2025-01-31',
      '2025-04-04',
      '2025-04-18',
      '2025-04-21',
      '2025-05-01',
      '2025-05-05',
      '2025-07-01',
      '2025-10-01',
      '2025-10-07',
      '2025-10-29',
      '2025-12-25',
      '2025-12-26',
    ];
    const found: string[] = [];
    for (let d = '2024-01-01'; d <= '2025-12-31'; d = addCalendarDays(d, 1)) {
      const dow = new Date(`${d}T00:00:00Z`).getUTCDay();
      if (dow !== 0 && dow !== 6 && !isWorkingDay('HONG_KONG', d)) found.push(d);
    }
    expect(found).toEqual(weekdayHolidays);
  });

  it('counts public holidays by rule in an unpublished year', () => {
    // 2030 is in neither package: National Day 2030-10-01 (Tuesday) is a holiday on every side
    // by rule, as are the Mainland's 10/2 and 10/3; 10/4 (Friday) is a working day.
    for (const j of ['MAINLAND', 'HONG_KONG', 'MACAO'] as const) expect(isWorkingDay(j, '2030-10-01')).toBe(false);
    expect(isWorkingDay('MAINLAND', '2030-10-03')).toBe(false);
    expect(isWorkingDay('HONG_KONG', '2030-10-03')).toBe(true);
    expect(isWorkingDay('MAINLAND', '2030-10-04')).toBe(true);
    expect(isWorkingDay('MAINLAND', '2030-10-05')).toBe(false);
    // Mainland 2027-01-01 (Friday, 元旦) and the Spring Festival Eve 2027-02-05 (Friday).
    expect(isWorkingDay('MAINLAND', '2027-01-01')).toBe(false);
    expect(isWorkingDay('MAINLAND', '2027-02-05')).toBe(false);
    expect(isWorkingDay('HONG_KONG', '2027-02-05')).toBe(true);
  });
});

describe('deadline', () => {
  it('counts over the Mainland National Day make-up working days (2024-09-29 Sun, 2024-10-12 Sat)', () => {
    // 9/29 (1), 9/30 (2), [10/1–10/7 off], 10/8–10/11 (3–6), 10/12 Sat (7), 10/14–10/16 (8–10)
    expect(deadline('MAINLAND', '2024-09-27', 10, [])).toEqual({ deadline: '2024-10-16', provisional: false, provisionalYears: [] });
  });

  it('gives the two sides different deadlines from the same effective date', () => {
    // HK: 9/30 (1), [10/1], 10/2–10/4 (2–4), 10/7–10/10 (5–8), [10/11 Chung Yeung], 10/14 (9), 10/15 (10)
    expect(deadline('HONG_KONG', '2024-09-27', 10, [])).toEqual({ deadline: '2024-10-15', provisional: false, provisionalYears: [] });
    // 2025 Golden Week: Mainland 10/9, 10/10, 10/11 Sat, 10/13–10/17, 10/20, 10/21
    expect(deadline('MAINLAND', '2025-09-30', 10).deadline).toBe('2025-10-21');
    // HK: 10/2, 10/3, 10/6, [10/7], 10/8–10/10, 10/13–10/16
    expect(deadline('HONG_KONG', '2025-09-30', 10).deadline).toBe('2025-10-16');
  });

  it('counts over Hong Kong weekday holidays (Lunar New Year 2024, Easter 2025)', () => {
    // 2/9 (1), [2/10–2/13], 2/14–2/16 (2–4), 2/19–2/23 (5–9), 2/26 (10)
    expect(deadline('HONG_KONG', '2024-02-08', 10).deadline).toBe('2024-02-26');
    // Mainland from the same day: 2/9 (1), [2/10–2/17], 2/18 Sun worked (2), 2/19–2/23, 2/26–2/28
    expect(deadline('MAINLAND', '2024-02-08', 10).deadline).toBe('2024-02-28');
    // 4/17 (1), [4/18 Good Friday, 4/19, 4/20, 4/21 Easter Monday], 4/22 (2), 4/23 (3)
    expect(deadline('HONG_KONG', '2025-04-16', 3).deadline).toBe('2025-04-23');
    expect(deadline('MAINLAND', '2025-04-16', 3).deadline).toBe('2025-04-21');
  });

  it('counts across a year boundary', () => {
    // HK: 12/23, 12/24, [12/25, 12/26], 12/27, 12/30, 12/31, [1/1], 1/2, 1/3, 1/6, 1/7, 1/8
    expect(deadline('HONG_KONG', '2024-12-20', 10)).toEqual({ deadline: '2025-01-08', provisional: false, provisionalYears: [] });
    // Mainland: 12/23–12/27, 12/30, 12/31, [1/1], 1/2, 1/3, 1/6
    expect(deadline('MAINLAND', '2024-12-20', 10)).toEqual({ deadline: '2025-01-06', provisional: false, provisionalYears: [] });
  });

  it('never lands on 1 January 2027 nor counts it, on any side', () => {
    // Mainland from Mon 2026-12-28: 12/29–12/31 (1–3), [1/1 元旦 by rule], 1/4–1/8 (4–8), 1/11, 1/12.
    expect(deadline('MAINLAND', '2026-12-28', 10)).toEqual({ deadline: '2027-01-12', provisional: true, provisionalYears: [2027] });
    // Every start from 2026-12-15 to 2026-12-31 and every count from 1 to 15.
    for (let from = '2026-12-15'; from <= '2026-12-31'; from = addCalendarDays(from, 1)) {
      for (let n = 1; n <= 15; n += 1) {
        for (const j of ['MAINLAND', 'HONG_KONG', 'MACAO'] as const) expect(deadline(j, from, n).deadline).not.toBe('2027-01-01');
      }
    }
  });

  it('counts Hong Kong across the 2027 Lunar New Year by the Ordinance', () => {
    // From Fri 2027-01-29: 2/1–2/5 (1–5), [2/6 Sat LNY, 2/7 Sun, 2/8 3rd day, 2/9 4th day], 2/10–2/12 (6–8), 2/15, 2/16.
    expect(deadline('HONG_KONG', '2027-01-29', 10)).toEqual({ deadline: '2027-02-16', provisional: true, provisionalYears: [2027] });
    // Mainland from the same day: [2/5 除夕 – 2/8 初三, 2/9 and 2/10 补假] → 2/1–2/4 (1–4), 2/11, 2/12, 2/15–2/18 (10).
    expect(deadline('MAINLAND', '2027-01-29', 10).deadline).toBe('2027-02-18');
  });

  it('counts Macao by its public holidays and compensatory days', () => {
    // From Fri 2026-12-18: [12/21 補假 for 12/20 (Sun), 12/22 冬至, 12/24, 12/25], 12/23 (1),
    // 12/28–12/31 (2–5), [1/1], 1/4–1/8 (6–10).
    expect(deadline('MACAO', '2026-12-18', 10)).toEqual({ deadline: '2027-01-08', provisional: true, provisionalYears: [2026, 2027] });
    // 2020 is a published Macao year: its exemption day 10/5 counts as a day off.
    // From Wed 2020-09-30: [10/1, 10/2], [10/5 豁免上班], 10/6 (1).
    expect(deadline('MACAO', '2020-09-30', 1)).toEqual({ deadline: '2020-10-06', provisional: false, provisionalYears: [] });
  });

  it('can land on a Mainland make-up Saturday', () => {
    // 1/21–1/24 (1–4), 1/26 Sun worked (5), 1/27 (6), [1/28–2/4], 2/5–2/7 (7–9), 2/8 Sat worked (10)
    expect(deadline('MAINLAND', '2025-01-20', 10).deadline).toBe('2025-02-08');
  });

  it('day 0 is the effective date itself, even when it is a working day', () => {
    expect(deadline('HONG_KONG', '2024-09-30', 1).deadline).toBe('2024-10-02');
  });

  it('is provisional in a year with no published calendar, counting holidays by rule', () => {
    // 2099-06-01 is a Monday with no holiday until Dragon Boat on 6/23: 6/2–6/5, 6/8–6/12, 6/15
    expect(deadline('MAINLAND', '2099-06-01', 10)).toEqual({ deadline: '2099-06-15', provisional: true, provisionalYears: [2099] });
    expect(deadline('HONG_KONG', '2099-06-01', 10)).toEqual({ deadline: '2099-06-15', provisional: true, provisionalYears: [2099] });
    // Mainland National Day 2030 by rule: 10/1–10/3 (Tue–Thu), so from 9/30 the first working day is 10/4
    expect(deadline('MAINLAND', '2030-09-30', 1)).toEqual({ deadline: '2030-10-04', provisional: true, provisionalYears: [2030] });
  });

  it('is provisional when the count runs from a published year into an unpublished one', () => {
    const lastMainland = Math.max(...publishedYears('MAINLAND'));
    const from = `${lastMainland}-12-20`;
    const result = deadline('MAINLAND', from, 10);
    expect(result.deadline.slice(0, 4)).toBe(String(lastMainland + 1));
    expect(result.provisional).toBe(true);
    // …and not provisional when it stays inside the published year
    expect(deadline('MAINLAND', from, 1).provisional).toBe(false);
  });

  describe('overrides', () => {
    const blackRainstorm: CalendarOverride = {
      jurisdiction: 'HONG_KONG',
      date: '2024-10-08',
      kind: 'CLOSURE',
      reason: 'Black rainstorm warning',
    };

    it('a closure moves the deadline one working day later', () => {
      expect(deadline('HONG_KONG', '2024-09-27', 10, [blackRainstorm]).deadline).toBe('2024-10-16');
      expect(isWorkingDay('HONG_KONG', '2024-10-08', [blackRainstorm])).toBe(false);
    });

    it('a closure on one side does not touch the other side', () => {
      expect(deadline('MAINLAND', '2024-09-27', 10, [blackRainstorm]).deadline).toBe('2024-10-16');
      expect(deadline('MAINLAND', '2024-09-30', 3, [blackRainstorm]).deadline).toBe('2024-10-10');
    });

    it('a working-day override makes a Saturday count', () => {
      const saturday: CalendarOverride = {
        jurisdiction: 'HONG_KONG',
        date: '2024-10-12',
        kind: 'WORKING_DAY',
        reason: 'Registry open',
      };
      expect(deadline('HONG_KONG', '2024-09-27', 10, [saturday]).deadline).toBe('2024-10-14');
    });

    it('a closure wins over a working-day override on the same date', () => {
      const open: CalendarOverride = { ...blackRainstorm, kind: 'WORKING_DAY', reason: 'opened' };
      expect(isWorkingDay('HONG_KONG', '2024-10-08', [open, blackRainstorm])).toBe(false);
    });

    it('overrides work in unpublished years but the answer stays provisional', () => {
      const closure: CalendarOverride = { jurisdiction: 'MAINLAND', date: '2099-06-02', kind: 'CLOSURE', reason: 'x' };
      expect(deadline('MAINLAND', '2099-06-01', 10, [closure])).toEqual({ deadline: '2099-06-16', provisional: true, provisionalYears: [2099] });
    });

    it('rejects a malformed override naming its index', () => {
      const bad = { ...blackRainstorm, date: '2024-13-01' };
      expect(validationErrorOf(() => deadline('HONG_KONG', '2024-09-27', 10, [bad]))).toMatchObject({
        field: 'overrides[0].date',
        rule: 'DATE_INVALID',
      });
      const badKind = { ...blackRainstorm, kind: 'HOLIDAY' } as unknown as CalendarOverride;
      expect(validationErrorOf(() => deadline('HONG_KONG', '2024-09-27', 10, [badKind]))).toMatchObject({
        field: 'overrides[0].kind',
        rule: 'OVERRIDE_KIND_UNKNOWN',
      });
    });
  });

  describe('validation', () => {
    it.each([
      ['2024-02-30', 'DATE_INVALID'],
      ['2023-02-29', 'DATE_INVALID'],
      ['2024-00-10', 'DATE_INVALID'],
      ['2024-1-1', 'DATE_FORMAT'],
      ['2024-01-01T00:00:00Z', 'DATE_FORMAT'],
      ['', 'DATE_FORMAT'],
      ['0099-01-01', 'DATE_OUT_OF_RANGE'],
    ])('rejects from=%s (%s)', (from, rule) => {
      const error = validationErrorOf(() => deadline('MAINLAND', from, 10));
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ field: 'from', rule });
    });

    it('accepts 29 February in a leap year', () => {
      expect(deadline('HONG_KONG', '2024-02-29', 1).deadline).toBe('2024-03-01');
    });

    it.each([0, 366, -1, 1.5, Number.NaN])('rejects workingDays=%p', (n) => {
      expect(validationErrorOf(() => deadline('MAINLAND', '2024-01-02', n))).toMatchObject({
        field: 'workingDays',
        rule: 'WORKING_DAYS_RANGE',
      });
    });

    it('accepts 365 working days', () => {
      expect(deadline('HONG_KONG', '2024-01-02', 365).provisional).toBe(false);
    });

    it('rejects an unknown jurisdiction', () => {
      expect(validationErrorOf(() => deadline('TAIWAN' as never, '2024-01-02', 10))).toMatchObject({ field: 'jurisdiction', rule: 'JURISDICTION_UNKNOWN' });
      expect(validationErrorOf(() => isWorkingDay('hong_kong' as never, '2024-01-02'))).toMatchObject({
        rule: 'JURISDICTION_UNKNOWN',
      });
      expect(validationErrorOf(() => publishedYears('X' as never))).toMatchObject({ rule: 'JURISDICTION_UNKNOWN' });
    });
  });
});
