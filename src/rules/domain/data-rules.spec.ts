import { gatedParties } from '../../rollout/sector-gate';
import { AMENDMENT_FIELD_PATHS, CHANGE_KINDS, RULE_SETTINGS, settingsFor, triggerProblems } from './data-rules';

describe('rule settings (docs/rules.md#rules-as-data)', () => {
  it('defaults to the first allowed value of each setting when no row is stored', () => {
    expect(settingsFor([], 'GBA_MAINLAND_HK')).toEqual({ STORAGE_LOCATION: 'REFUSE', PIPIA_BEFORE: 'FIRST_TRANSFER', SECTOR_GATE_PARTY: 'PROCESSOR' });
  });

  it("takes the regime's own row over the row for every regime, and ignores values the code does not know", () => {
    const rows = [
      { code: 'SECTOR_GATE_PARTY', regime: '*', value: 'BOTH' },
      { code: 'SECTOR_GATE_PARTY', regime: 'GBA_MAINLAND_MACAO', value: 'RECIPIENT' },
      { code: 'STORAGE_LOCATION', regime: '*', value: 'SOMETIMES' },
      { code: 'PIPIA_BEFORE', regime: 'GBA_MAINLAND_HK', value: 'EFFECTIVE_DATE' },
    ];
    expect(settingsFor(rows, 'GBA_MAINLAND_MACAO')).toEqual({ STORAGE_LOCATION: 'REFUSE', PIPIA_BEFORE: 'FIRST_TRANSFER', SECTOR_GATE_PARTY: 'RECIPIENT' });
    expect(settingsFor(rows, 'GBA_MAINLAND_HK')).toEqual({ STORAGE_LOCATION: 'REFUSE', PIPIA_BEFORE: 'EFFECTIVE_DATE', SECTOR_GATE_PARTY: 'BOTH' });
  });

  it('names its rule for each setting', () => {
    expect(Object.fromEntries(Object.entries(RULE_SETTINGS).map(([code, s]) => [code, s.rule]))).toEqual({
      STORAGE_LOCATION: 'R5',
      PIPIA_BEFORE: 'R6',
      SECTOR_GATE_PARTY: 'R15',
    });
  });
});

describe('R15 [A]: whose sector the rollout gate checks', () => {
  it('follows SECTOR_GATE_PARTY', () => {
    expect(gatedParties('PROCESSOR')).toEqual(['processor']);
    expect(gatedParties('RECIPIENT')).toEqual(['recipient']);
    expect(gatedParties('BOTH')).toEqual(['processor', 'recipient']);
  });
});

describe('R12 trigger vocabulary', () => {
  it('accepts a field with a kind of change it can undergo', () => {
    expect(triggerProblems('annex.purposes', 'REMOVED')).toEqual([]);
    expect(triggerProblems('annex.retentionPeriod.to', 'EXTENDED')).toEqual([]);
  });

  it('refuses an unknown field, and a kind of change the field cannot undergo, naming the field', () => {
    expect(triggerProblems('annex.colour', 'ADDED')).toEqual([expect.objectContaining({ field: 'field', rule: 'R12' })]);
    expect(triggerProblems('annex.transferMethod', 'ADDED')).toEqual([
      expect.objectContaining({ field: 'change', rule: 'R12', message: 'a change of annex.transferMethod is one of CHANGED' }),
    ]);
    expect(AMENDMENT_FIELD_PATHS.length).toBeGreaterThan(0);
    expect(CHANGE_KINDS).toContain('EXTENDED');
  });
});
