import { ErrorCode } from '../../common/errors';
import { terminatedRefusal, terminationDateRefusal } from './termination';

describe('termination refusals (R13)', () => {
  it('a terminated contract is refused, naming the date it ended', () => {
    expect(terminatedRefusal(null)).toBeNull();
    expect(terminatedRefusal('2025-09-01')).toMatchObject({
      code: ErrorCode.CONTRACT_TERMINATED,
      status: 422,
      options: { rule: 'R13', detail: 'the contract was terminated with effect from 2025-09-01' },
    });
  });

  it('a contract ends on or after the day it took effect; a future date is accepted', () => {
    expect(terminationDateRefusal('2025-01-01', '2025-01-01')).toBeNull();
    expect(terminationDateRefusal('2099-01-01', '2025-01-01')).toBeNull();
    const refusal = terminationDateRefusal('2024-12-31', '2025-01-01');
    expect(refusal).toMatchObject({ code: ErrorCode.TERMINATION_BEFORE_EFFECTIVE, status: 422, options: { rule: 'R13' } });
    expect(refusal!.options.errors).toEqual([{ field: 'terminatedOn', rule: 'R13', message: 'must be on or after 2025-01-01' }]);
  });
});
