// An incident report's facts (docs/rules.md#r14), checked against each other, the clock and the contract: each
// refusal names the field and the rule, as a 400 (problem+json `errors`).
import type { FieldError } from '../../common/errors';

export const INCIDENT_SEVERITIES = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

export interface AuthorityNotification {
  authority: string;
  /** An ISO instant. */
  notifiedAt: string;
}

export interface IncidentFacts {
  occurredAt: string;
  discoveredAt?: string | null;
  notifiedAuthorities?: readonly AuthorityNotification[];
}

/**
 * R14: an incident has happened (not in the future), was discovered after it occurred and by now, and each
 * authority notified is one of those supervising a side of the contract (`sideAuthorities`), notified once,
 * not in the future and not before the incident occurred. Empty when the facts hold.
 */
export function incidentFactErrors(facts: IncidentFacts, sideAuthorities: readonly string[], now: Date): FieldError[] {
  const errors: FieldError[] = [];
  const occurred = Date.parse(facts.occurredAt);
  const nowMs = now.getTime();
  if (occurred > nowMs) errors.push({ field: 'occurredAt', rule: 'R14', message: 'occurredAt must not be in the future' });
  if (facts.discoveredAt !== undefined && facts.discoveredAt !== null) {
    const discovered = Date.parse(facts.discoveredAt);
    if (discovered > nowMs) errors.push({ field: 'discoveredAt', rule: 'R14', message: 'discoveredAt must not be in the future' });
    else if (discovered < occurred) errors.push({ field: 'discoveredAt', rule: 'R14', message: 'discoveredAt must not be before occurredAt' });
  }
  const seen = new Set<string>();
  (facts.notifiedAuthorities ?? []).forEach((n, i) => {
    const at = `notifiedAuthorities[${i}]`;
    if (!sideAuthorities.includes(n.authority)) {
      errors.push({
        field: `${at}.authority`,
        rule: 'R14',
        message: `authority must be one of the contract's sides' authorities: ${sideAuthorities.join(', ')}`,
      });
    } else if (seen.has(n.authority)) {
      errors.push({ field: `${at}.authority`, rule: 'R14', message: `${n.authority} is listed more than once` });
    }
    seen.add(n.authority);
    const notified = Date.parse(n.notifiedAt);
    if (notified > nowMs) errors.push({ field: `${at}.notifiedAt`, rule: 'R14', message: 'notifiedAt must not be in the future' });
    else if (notified < occurred) errors.push({ field: `${at}.notifiedAt`, rule: 'R14', message: 'notifiedAt must not be before occurredAt' });
  });
  return errors;
}
