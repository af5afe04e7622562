import fc from 'fast-check';
import { instantMs } from './instant-ms';

describe('instantMs', () => {
  it('is Date.parse for every instant toISOString writes with a four-digit year', () => {
    const instant = fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });
    fc.assert(
      fc.property(instant, (date) => {
        const text = date.toISOString();
        expect(instantMs(text)).toBe(Date.parse(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('is Date.parse on month ends, leap days, year ends and the edges of the day', () => {
    const texts: string[] = [];
    for (const year of [0, 1, 4, 100, 1600, 1900, 1969, 1970, 2000, 2024, 2025, 2100, 9999]) {
      for (let month = 1; month <= 12; month++) {
        for (const day of [1, 28, 29, 30, 31, 32]) {
          for (const time of ['00:00:00.000', '23:59:59.999', '24:00:00.000', '12:60:00.000', '12:00:60.000']) {
            texts.push(`${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${time}Z`);
          }
        }
      }
    }
    for (const text of texts) expect([text, instantMs(text)]).toEqual([text, Date.parse(text)]);
  });

  it('is Date.parse on text near the form: other separators, signs, offsets, lengths, non-digits', () => {
    const near = fc
      .tuple(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        fc.nat(23),
        fc.constantFrom('', ' ', '+', '-', 'x', '0', '/', ':', 'z', '٣'),
      )
      .map(([date, at, put]) => {
        const text = date.toISOString();
        return text.slice(0, at) + put + text.slice(at + 1);
      });
    const odd = fc.constantFrom(
      '',
      'Z',
      '2025-01-01',
      '2025-01-01T00:00:00Z',
      '2025-01-01T00:00:00.000+08:00',
      '+002025-01-01T00:00:00.000Z',
      '2025-00-10T00:00:00.000Z',
    );
    fc.assert(
      fc.property(fc.oneof(near, odd, fc.string({ minLength: 24, maxLength: 24 })), (text) => {
        expect(Object.is(instantMs(text), Date.parse(text)) || (Number.isNaN(instantMs(text)) && Number.isNaN(Date.parse(text)))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });
});
