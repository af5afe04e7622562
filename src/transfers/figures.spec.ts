import { addToCells, hongKongMonthOf, type FigureCell, type FigureSource } from './figures';

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
});
