/*
 * A contract's status on a day, defined once: each status with the condition that gives it, in
 * TypeScript for the views and in SQL for the list's filter (GET /contracts?contractStatus=), side by
 * side. The first status whose condition holds is the contract's. test/contracts/status-sql.e2e-spec.ts
 * evaluates both on a table of cases in PostgreSQL.
 *
 * Decision (docs/api.md#code-lists, docs/rules.md#r13): TERMINATED from the termination date (R13);
 * PENDING before version 1 takes effect; EXPIRED after the latest version's expiry date; otherwise EFFECTIVE.
 */
import type { IsoDate } from './contract-rules';

export const CONTRACT_STATUSES = ['PENDING', 'EFFECTIVE', 'EXPIRED', 'TERMINATED'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

/** What the status reads of a contract. */
export interface ContractStatusFacts {
  terminatedOn: IsoDate | null;
  /** Version 1's effective date. */
  firstEffectiveDate: IsoDate;
  /** The latest version's expiry date. */
  latestExpiryDate: IsoDate | null;
}

/** SQL expressions of the same facts, and of today's date. */
export type ContractStatusColumns = { [K in keyof ContractStatusFacts | 'today']: string };

interface StatusRule {
  status: ContractStatus;
  holds: (f: ContractStatusFacts, today: IsoDate) => boolean;
  sql: (c: ContractStatusColumns) => string;
}

const STATUS_RULES: readonly StatusRule[] = [
  {
    status: 'TERMINATED',
    holds: (f, today) => f.terminatedOn !== null && today >= f.terminatedOn,
    sql: (c) => `(${c.terminatedOn} IS NOT NULL AND ${c.terminatedOn} <= ${c.today})`,
  },
  { status: 'PENDING', holds: (f, today) => today < f.firstEffectiveDate, sql: (c) => `(${c.firstEffectiveDate} > ${c.today})` },
  {
    status: 'EXPIRED',
    holds: (f, today) => f.latestExpiryDate !== null && today > f.latestExpiryDate,
    sql: (c) => `(${c.latestExpiryDate} IS NOT NULL AND ${c.latestExpiryDate} < ${c.today})`,
  },
  { status: 'EFFECTIVE', holds: () => true, sql: () => 'TRUE' },
];

export function contractStatus(facts: ContractStatusFacts, today: IsoDate): ContractStatus {
  return STATUS_RULES.find((rule) => rule.holds(facts, today))!.status;
}

/** The SQL condition under which a contract has `status`: its own rule, and none of those before it. */
export function contractStatusCondition(status: ContractStatus, columns: ContractStatusColumns): string {
  const at = STATUS_RULES.findIndex((rule) => rule.status === status);
  const before = STATUS_RULES.slice(0, at).map((rule) => `NOT ${rule.sql(columns)}`);
  return `(${[...before, STATUS_RULES[at].sql(columns)].join(' AND ')})`;
}
