import { createHash } from 'node:crypto';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { QueryInteger } from './query-integer';
import { ErrorCode, DomainError } from './errors';

export class PageQuery {
  @ApiPropertyOptional({ type: Number, minimum: 1, maximum: 1000, default: 50 })
  @IsOptional()
  @QueryInteger(1, 1000)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The list and filters a cursor belongs to: the list's name (with the parent's id for a contract's
 * history, incidents or documents) and every query parameter but `limit` and `cursor`. A cursor
 * replayed with other filters would resume a different list at a row of the first one, skipping or
 * repeating rows without a word, so it is refused instead (`decodeCursor`).
 */
export function cursorScope(list: string, query: object = {}): string {
  const filters = Object.entries(query)
    .filter(([name, value]) => name !== 'limit' && name !== 'cursor' && value !== undefined && value !== null && value !== '')
    .map(([name, value]) => [name, String(value)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify([list, filters]))
    .digest('base64url')
    .slice(0, 22);
}

/** Opaque keyset cursors: base64url JSON of the last row's sort key and the `cursorScope` it was issued for. */
export function encodeCursor(key: unknown[], scope: string): string {
  return Buffer.from(JSON.stringify({ k: key, s: scope })).toString('base64url');
}

/**
 * `accepts` checks the decoded values before they reach SQL: a hand-made cursor whose values
 * PostgreSQL cannot cast must be a 400, not a 500. A cursor issued for another list or other
 * filters (`scope`) is a 400 naming `cursor` too.
 */
export function decodeCursor(cursor: string | undefined, arity: number, accepts: (key: unknown[]) => boolean, scope: string): unknown[] | null {
  if (!cursor) return null;
  let decoded: { k?: unknown; s?: unknown } | null = null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) decoded = parsed;
  } catch {
    // refused below
  }
  const key: unknown = decoded?.k;
  if (!Array.isArray(key) || key.length !== arity || !accepts(key) || typeof decoded?.s !== 'string') {
    throw cursorError('cursor is not one this server issued');
  }
  if (decoded.s !== scope) throw cursorError('cursor was issued for another list or other filters: repeat the filters it came with, or start again without it');
  const checked: unknown[] = key;
  return checked;
}

function cursorError(message: string): DomainError {
  return new DomainError(ErrorCode.VALIDATION_FAILED, 'The request is not valid', {
    detail: message,
    errors: [{ field: 'cursor', rule: 'cursor', message }],
  });
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** For `(created_at, id)` keyset cursors. */
export const isInstantAndUuid = (key: unknown[]): boolean =>
  typeof key[0] === 'string' && ISO_INSTANT.test(key[0]) && !Number.isNaN(Date.parse(key[0])) && typeof key[1] === 'string' && UUID.test(key[1]);

/** A bigint primary key, as digits that fit PostgreSQL's int8. */
export const isBigintKey = (value: unknown): boolean => (typeof value === 'string' || typeof value === 'number') && /^\d{1,18}$/.test(String(value));

/** For `(id)` keyset cursors over a bigint id. */
export const isBigint = (key: unknown[]): boolean => isBigintKey(key[0]);

/** For `(instant, bigint)` keyset cursors such as `(occurred_at, leaf_index)`. */
export const isInstantAndBigint = (key: unknown[]): boolean =>
  typeof key[0] === 'string' && ISO_INSTANT.test(key[0]) && !Number.isNaN(Date.parse(key[0])) && isBigintKey(key[1]);
