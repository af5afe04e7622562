// Termination (docs/rules.md#r13), as refusals a party reads. Each answers the 422 naming the rule, or
// null when the termination passes it.
import { DomainError, ErrorCode } from '../../common/errors';
import type { IsoDate } from './contract-rules';

/** R13: a terminated contract cannot be amended or terminated again. */
export function terminatedRefusal(terminatedOn: IsoDate | null): DomainError | null {
  if (terminatedOn === null) return null;
  return new DomainError(ErrorCode.CONTRACT_TERMINATED, 'The contract has been terminated', {
    rule: 'R13',
    detail: `the contract was terminated with effect from ${terminatedOn}`,
  });
}

/**
 * R13: a contract ends after it began. Decision: a future date is accepted (notice given ahead); the
 * contract is EFFECTIVE until then and TERMINATED from that date (transfers after it are flagged).
 */
export function terminationDateRefusal(terminatedOn: IsoDate, firstEffectiveDate: IsoDate): DomainError | null {
  if (terminatedOn >= firstEffectiveDate) return null;
  return new DomainError(ErrorCode.TERMINATION_BEFORE_EFFECTIVE, 'A contract cannot be terminated before it took effect', {
    rule: 'R13',
    detail: `the contract takes effect on ${firstEffectiveDate}; terminatedOn ${terminatedOn} is before that`,
    errors: [{ field: 'terminatedOn', rule: 'R13', message: `must be on or after ${firstEffectiveDate}` }],
  });
}
