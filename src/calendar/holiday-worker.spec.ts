import { daysOffByRule, isListed, listedHolidays, RuleSide } from './holiday-rules';
import { listAhead, listInWorker } from './holiday-worker';

describe('holiday listings in a worker thread', () => {
  it('lists the same holidays as this thread', async () => {
    const wanted: Array<{ side: RuleSide; year: number }> = [
      { side: 'HONG_KONG', year: 2031 },
      { side: 'MACAO', year: 2031 },
      { side: 'MAINLAND', year: 2031 },
    ];
    const listings = await listInWorker(wanted);
    expect(listings).toEqual(wanted.map(({ side, year }) => listedHolidays(side, year)));
    // Lunar New Year 2031 falls on 23 January: the worker ran the lunisolar rules, not an empty list.
    expect(listings[0].map((h) => h.date)).toContain('2031-01-23');
  });

  it('lists ahead what the days off of a year read, and this thread then counts with them', async () => {
    expect(isListed('MACAO', 2040)).toBe(false);
    expect(isListed('MACAO', 2041)).toBe(false);
    await Promise.all([listAhead('MACAO', [2041]), listAhead('MACAO', [2041])]);
    // Macao's substitutes cross the new year: 2041 reads 2040 too.
    expect(isListed('MACAO', 2040)).toBe(true);
    expect(isListed('MACAO', 2041)).toBe(true);
    expect(daysOffByRule('MACAO', 2041).map((d) => d.date)).toContain('2041-02-01');
  });

  it('never throws: a listing the worker cannot make is left to this thread', async () => {
    await expect(listAhead('ATLANTIS' as RuleSide, [2030])).resolves.toBeUndefined();
    expect(isListed('ATLANTIS' as RuleSide, 2030)).toBe(false);
  });
});
