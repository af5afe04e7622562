import { ErrorCode } from '../../common/errors';
import { backdatingRefusal, regimeChangeRefusal, unchangedRefusal } from './amendment-rules';

describe('amendment refusals (R12, R16)', () => {
  it('R16: the regime stays; another regime is refused naming the field and the regime in force', () => {
    expect(regimeChangeRefusal('GBA_MAINLAND_HK', 'GBA_MAINLAND_HK')).toBeNull();
    const refusal = regimeChangeRefusal('GBA_MAINLAND_HK', 'GBA_MAINLAND_MACAO');
    expect(refusal).toMatchObject({ code: ErrorCode.RULE_VIOLATION, status: 422, options: { rule: 'R16' } });
    expect(refusal!.options.errors).toEqual([{ field: 'regime', rule: 'R16', message: 'must be GBA_MAINLAND_HK' }]);
  });

  it('R12: an amendment may take effect on the day of the version it amends or later, never before', () => {
    const previous = { version: 2, effectiveDate: '2025-03-01' };
    expect(backdatingRefusal(previous, '2025-03-01')).toBeNull();
    expect(backdatingRefusal(previous, '2025-03-02')).toBeNull();
    const refusal = backdatingRefusal(previous, '2025-02-28');
    expect(refusal).toMatchObject({ code: ErrorCode.AMENDMENT_BACKDATED, status: 422, options: { rule: 'R12' } });
    expect(refusal!.options.extensions).toEqual({ previousVersion: 2, previousEffectiveDate: '2025-03-01' });
    expect(refusal!.options.errors).toEqual([{ field: 'effectiveDate', rule: 'R12', message: 'must be on or after 2025-03-01' }]);
  });

  it('R12: an amendment that changes nothing is refused', () => {
    expect(unchangedRefusal(1, { changedFields: ['annex.purposes'] })).toBeNull();
    expect(unchangedRefusal(3, { changedFields: [] })).toMatchObject({
      code: ErrorCode.RULE_VIOLATION,
      options: { rule: 'R12', detail: 'the terms are the same as version 3' },
    });
  });
});
