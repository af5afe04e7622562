import fc from 'fast-check';
import { addToCells, figureSources, hongKongMonthOf, type FigureCell, type FigureSource } from './figures';

const source = (overrides: Partial<FigureSource> = {}): FigureSource => ({
  occurredAt: '2025-01-25T03:00:00Z',
  direction: 'MAINLAND_TO_HK',
  recordCount: 10,
  dataSubjectCount: 2,
  flags: [],
  sector: 'BANKING',
  processorJurisdiction: 'MAINLAND',
  recipientJurisdiction: 'HONG_KONG',
  ...overrides,
});

describe('monthly transfer figures', () => {
  it('reads the month in Hong Kong time (UTC+8)', () => {
    expect(hongKongMonthOf('2025-01-31T15:59:59Z')).toBe('2025-01');
    expect(hongKongMonthOf('2025-01-31T16:00:00Z')).toBe('2025-02');
    expect(hongKongMonthOf('2025-02-01T00:30:00+08:00')).toBe('2025-02');
    expect(hongKongMonthOf('2024-12-31T23:00:00-02:00')).toBe('2025-01');
  });

  it('adds records to one cell per month, sector, direction and sides, counting flagged records', () => {
    const cells = addToCells(new Map<string, FigureCell>(), [
      source(),
      source({ flags: ['PIPIA_MISSING', 'FILING_OVERDUE'], recordCount: 5, dataSubjectCount: 1 }),
      source({ occurredAt: '2025-02-01T00:00:00Z' }),
      source({ direction: 'HK_TO_MAINLAND' }),
      source({ recipientJurisdiction: 'MACAO', direction: 'MAINLAND_TO_MACAO' }),
    ]);
    expect([...cells.values()]).toEqual([
      expect.objectContaining({
        month: '2025-01',
        direction: 'MAINLAND_TO_HK',
        recipientJurisdiction: 'HONG_KONG',
        transfers: 2,
        records: 15,
        dataSubjects: 3,
        flaggedTransfers: 1,
      }),
      expect.objectContaining({ month: '2025-02', direction: 'MAINLAND_TO_HK', transfers: 1, flaggedTransfers: 0 }),
      expect.objectContaining({ month: '2025-01', direction: 'HK_TO_MAINLAND', transfers: 1 }),
      expect.objectContaining({ month: '2025-01', direction: 'MAINLAND_TO_MACAO', recipientJurisdiction: 'MACAO', transfers: 1 }),
    ]);
  });

  it('gives each record to its cell whatever the order of the records, repeats and returns to a cell included', () => {
    const pick = <T>(values: readonly T[]) => fc.integer({ min: 0, max: values.length - 1 }).map((i) => values[i]);
    const record = fc.record({
      occurredAt: pick(['2025-01-31T15:59:59.000Z', '2025-01-31T16:00:00.000Z', '2025-03-10T01:00:00.000Z']),
      direction: pick(['MAINLAND_TO_HK', 'HK_TO_MAINLAND']),
      recordCount: fc.integer({ min: 0, max: 100 }),
      dataSubjectCount: fc.integer({ min: 0, max: 100 }),
      flagged: fc.boolean(),
      contractId: pick(['c1', 'c2', 'c3']),
    });
    const contracts = new Map([
      ['c1', { bundle: { processorSector: 'BANKING', processorJurisdiction: 'MAINLAND', recipientJurisdiction: 'HONG_KONG' } }],
      ['c2', { bundle: { processorSector: 'INSURANCE', processorJurisdiction: 'MAINLAND', recipientJurisdiction: 'HONG_KONG' } }],
      ['c3', { bundle: { processorSector: 'BANKING', processorJurisdiction: 'HONG_KONG', recipientJurisdiction: 'MAINLAND' } }],
    ]);
    fc.assert(
      fc.property(fc.array(record, { maxLength: 60 }), (records) => {
        const flags = records.map((r) => (r.flagged ? ['PIPIA_MISSING'] : []));
        const cells = addToCells(new Map<string, FigureCell>(), figureSources(records, contracts, flags));
        // Each record alone, into its own map, then summed: what the cells must hold.
        const expected = new Map<string, FigureCell>();
        records.forEach((r, i) => {
          for (const [key, cell] of addToCells(new Map<string, FigureCell>(), figureSources([r], contracts, [flags[i]]))) {
            const sum = expected.get(key);
            if (!sum) expected.set(key, cell);
            else {
              sum.transfers += cell.transfers;
              sum.records += cell.records;
              sum.dataSubjects += cell.dataSubjects;
              sum.flaggedTransfers += cell.flaggedTransfers;
            }
          }
        });
        expect(new Map([...cells].sort())).toEqual(new Map([...expected].sort()));
      }),
      { numRuns: 200 },
    );
  });
});
