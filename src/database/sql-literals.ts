// Values written into SQL text, for statements sent without parameters (./one-message.ts): every value goes
// through one of these, never by concatenation. Strings are quoted by node-postgres's escapeLiteral (libpq's
// PQescapeLiteral: quotes doubled, backslashes doubled under E'…', whatever standard_conforming_strings is).
import { escapeLiteral } from 'pg';

export type SqlValue = string | number | Buffer;

/** One value as an SQL literal: a quoted string, a safe integer, or bytea from hexadecimal digits. */
export function sqlLiteral(value: SqlValue): string {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw new RangeError('an SQL string cannot hold a NUL character');
    return escapeLiteral(value);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`only safe integers are written as SQL literals, got ${value}`);
    return String(value);
  }
  if (Buffer.isBuffer(value)) return `decode('${value.toString('hex')}', 'hex')`;
  throw new TypeError(`no SQL literal for ${typeof value}`);
}

/** An array literal of `type` (a built-in type name, e.g. `uuid`, `bigint`, `text`): ARRAY[…]::type[]. */
export function sqlArray(values: readonly SqlValue[], type: string): string {
  if (!/^[a-z][a-z0-9_ ]*$/.test(type)) throw new RangeError(`not a type name: ${type}`);
  return `ARRAY[${values.map(sqlLiteral).join(',')}]::${type}[]`;
}

/**
 * Integers as PostgreSQL's array input text (`{1,2,3}`), for a parameter cast to `smallint[]` or `bigint[]`: one
 * string, where node-postgres would quote and concatenate each element of an array parameter (its `arrayString`),
 * which was the largest allocation of an inclusion proof (docs/scaling.md#read-tails).
 */
export function integerArrayText(values: readonly number[]): string {
  for (const value of values) if (!Number.isSafeInteger(value)) throw new RangeError(`only safe integers go into an integer array, got ${value}`);
  return `{${values.join(',')}}`;
}
