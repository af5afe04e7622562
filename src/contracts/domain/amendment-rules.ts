// What an amendment may not do (docs/rules.md#r12, #r16), as refusals a filer reads. Each answers the
// 422 naming the rule, or null when the amendment passes it.
import { DomainError, ErrorCode } from '../../common/errors';
import type { AmendmentAnalysis } from './amendment';
import type { IsoDate } from './contract-rules';

/** R16: a contract stays under its regime; a contract under another regime is a new contract. */
export function regimeChangeRefusal(contractRegime: string, proposedRegime: string): DomainError | null {
  if (proposedRegime === contractRegime) return null;
  return new DomainError(ErrorCode.RULE_VIOLATION, 'An amendment cannot change the regime', {
    rule: 'R16',
    detail: `the contract is under ${contractRegime}; a contract under another regime is a new contract`,
    errors: [{ field: 'regime', rule: 'R16', message: `must be ${contractRegime}` }],
  });
}

/**
 * R12: a version takes effect after the one it amends, never before it: a backdated version would
 * change which terms governed transfers already logged (and the flags they were given). An impossible
 * date is left to the date checks (400).
 */
export function backdatingRefusal(previous: { version: number; effectiveDate: IsoDate }, effectiveDate: IsoDate): DomainError | null {
  if (effectiveDate >= previous.effectiveDate) return null;
  return new DomainError(ErrorCode.AMENDMENT_BACKDATED, 'An amendment cannot take effect before the version it amends', {
    rule: 'R12',
    detail: `version ${previous.version} takes effect on ${previous.effectiveDate}; an amendment must take effect on or after that date, not ${effectiveDate}`,
    errors: [{ field: 'effectiveDate', rule: 'R12', message: `must be on or after ${previous.effectiveDate}` }],
    extensions: { previousVersion: previous.version, previousEffectiveDate: previous.effectiveDate },
  });
}

/** R12: an amendment is a change of terms; one that changes nothing is refused. */
export function unchangedRefusal(previousVersion: number, analysis: Pick<AmendmentAnalysis, 'changedFields'>): DomainError | null {
  if (analysis.changedFields.length) return null;
  return new DomainError(ErrorCode.RULE_VIOLATION, 'The amendment changes nothing', {
    rule: 'R12',
    detail: `the terms are the same as version ${previousVersion}`,
  });
}
