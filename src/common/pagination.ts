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

/** Opaque keyset cursors: base64url JSON of the last row's sort key. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * `accepts` checks the decoded values before they reach SQL: a hand-made cursor whose values
 * PostgreSQL cannot cast must be a 400, not a 500.
 */
export function decodeCursor(cursor: string | undefined, arity: number, accepts: (key: unknown[]) => boolean): unknown[] | null {
  if (!cursor) return null;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity && accepts(key)) return key as unknown[];
  } catch {
    // fall through
  }
  throw new DomainError(ErrorCode.VALIDATION_FAILED, 'The request is not valid', {
    detail: 'cursor is not one this server issued',
    errors: [{ field: 'cursor', rule: 'cursor', message: 'cursor is not one this server issued' }],
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
