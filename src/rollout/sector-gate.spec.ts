import { isIsoDate, isSectorOpen, openingPhase, PhaseRule, RegimeRule, sectorOpensOn } from './sector-gate';

// The seeded data (migration Rollout…): R15 as published on 2023-12-13 and extended from 2024-11-01.
const GBA_MAINLAND_HK: RegimeRule = { code: 'GBA_MAINLAND_HK', opensOn: '2023-12-13' };
const PHASES: PhaseRule[] = [
  { number: 1, opensOn: '2023-12-13', allSectors: false, sectors: ['BANKING', 'CREDIT_REFERENCING', 'HEALTHCARE'] },
  { number: 2, opensOn: '2024-11-01', allSectors: true, sectors: [] },
];

describe('isSectorOpen (R15)', () => {
  it('opens the first-phase sectors on 2023-12-13, not the day before', () => {
    for (const sector of ['BANKING', 'CREDIT_REFERENCING', 'HEALTHCARE']) {
      expect(isSectorOpen(GBA_MAINLAND_HK, PHASES, sector, '2023-12-12')).toBe(false);
      expect(isSectorOpen(GBA_MAINLAND_HK, PHASES, sector, '2023-12-13')).toBe(true);
      expect(isSectorOpen(GBA_MAINLAND_HK, PHASES, sector, '2024-06-01')).toBe(true);
    }
  });

  it('opens every other sector on 2024-11-01', () => {
    expect(isSectorOpen(GBA_MAINLAND_HK, PHASES, 'RETAIL', '2024-10-31')).toBe(false);
    expect(isSectorOpen(GBA_MAINLAND_HK, PHASES, 'RETAIL', '2024-11-01')).toBe(true);
    // "all sectors" covers a sector code nobody had thought of when the phase was added.
    expect(isSectorOpen(GBA_MAINLAND_HK, PHASES, 'AVIATION', '2025-01-01')).toBe(true);
  });

  it('opens nothing under an unknown regime or a regime without phases', () => {
    expect(isSectorOpen(null, PHASES, 'BANKING', '2025-01-01')).toBe(false);
    expect(isSectorOpen({ code: 'GBA_MAINLAND_MACAO', opensOn: '2024-09-10' }, [], 'BANKING', '2025-01-01')).toBe(false);
  });

  it('never opens a sector before its regime, even if a phase says so (R16)', () => {
    const macao: RegimeRule = { code: 'GBA_MAINLAND_MACAO', opensOn: '2024-09-10' };
    const early: PhaseRule[] = [{ number: 1, opensOn: '2024-01-01', allSectors: true, sectors: [] }];
    expect(isSectorOpen(macao, early, 'RETAIL', '2024-09-09')).toBe(false);
    expect(isSectorOpen(macao, early, 'RETAIL', '2024-09-10')).toBe(true);
  });

  it('rejects a date that is not YYYY-MM-DD', () => {
    expect(() => isSectorOpen(GBA_MAINLAND_HK, PHASES, 'BANKING', '2024-2-1')).toThrow(RangeError);
    expect(() => isSectorOpen(GBA_MAINLAND_HK, PHASES, 'BANKING', '2024-02-30')).toThrow(RangeError);
  });
});

describe('sectorOpensOn / openingPhase', () => {
  it('names the phase and date a sector opened', () => {
    expect(sectorOpensOn(GBA_MAINLAND_HK, PHASES, 'HEALTHCARE')).toBe('2023-12-13');
    expect(sectorOpensOn(GBA_MAINLAND_HK, PHASES, 'RETAIL')).toBe('2024-11-01');
    expect(openingPhase(PHASES, 'BANKING')?.number).toBe(1);
    expect(openingPhase(PHASES, 'RETAIL')?.number).toBe(2);
    expect(openingPhase(PHASES.slice(0, 1), 'RETAIL')).toBeNull();
    expect(sectorOpensOn(GBA_MAINLAND_HK, PHASES.slice(0, 1), 'RETAIL')).toBeNull();
  });

  it('picks the earliest covering phase whatever the order of the list', () => {
    expect(openingPhase([...PHASES].reverse(), 'BANKING')?.number).toBe(1);
  });
});

describe('isIsoDate', () => {
  it.each([
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['2024-13-01', false],
    ['2024-1-01', false],
    ['20240101', false],
    [20240101, false],
  ])('%p → %p', (value, ok) => expect(isIsoDate(value)).toBe(ok));
});
