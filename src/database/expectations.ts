/*
 * A statement that fails its transaction unless a condition holds (the function of migration 1795689200000,
 * `registry_expect`). Sent ahead of writes in the same message (./one-message.ts), it lets a writer send writes
 * prepared from what it expects the database to hold, in one round trip, instead of reading first: when the
 * expectation is wrong, nothing after it runs, the transaction is left aborted, and the caller rolls back and
 * reads (docs/architecture.md#the-transfer-log).
 */
import { sqlLiteral } from './sql-literals';

/** The SQLSTATE of a failed expectation (a class of its own: PostgreSQL's classes are digits and A–Z letters, none "GB"). */
export const EXPECTATION_FAILED = 'GB001';

/** One statement: fails with EXPECTATION_FAILED unless every condition (SQL boolean expressions) is true; `what` names them in the error. */
export function expectationSql(conditions: readonly string[], what: string): string {
  if (conditions.length === 0) throw new RangeError('an expectation needs at least one condition');
  return `SELECT registry_expect(${conditions.map((c) => `(${c})`).join(' AND ')}, ${sqlLiteral(what)})`;
}

/** Whether `error` is PostgreSQL's answer to a failed expectation (and not another refusal). */
export function isExpectationFailure(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === EXPECTATION_FAILED;
}
