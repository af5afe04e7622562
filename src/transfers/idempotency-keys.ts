// Idempotency-Key of POST /transfers (docs/api.md#idempotency): the first answer for a key is stored with the
// records it placed, in the same transaction, and given again for the same body; another body is refused (409).
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, hash as oneShotHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCode } from '../common/errors';
import { sqlArray } from '../database/sql-literals';
import type { TransferRecordInput } from './domain/transfer-records';
import type { CreateTransfersResponse } from './transfer.dto';

/** Keys are kept at least this long (docs/api.md promises at least 24 hours); older ones are purged. */
export const IDEMPOTENCY_RETENTION_HOURS = 48;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** A request's key, and the hash of its validated records. */
export interface RequestKey {
  key: string;
  requestHash: Buffer;
}

/** A stored Idempotency-Key row (bigint as text). */
export interface StoredKey {
  request_hash: Buffer;
  first_leaf_index: string;
  flags: string[][];
}

/** A key to store with the answer it gave: its organisation, its first leaf index and each record's flags. */
export interface KeyToStore extends RequestKey {
  organisationId: string;
  firstLeafIndex: number;
  flags: string[][];
}

/** The key of a request, or undefined without the header; 400 when the header is not 1 to 255 printable ASCII characters. */
export function requestKey(header: string | undefined, records: readonly TransferRecordInput[]): RequestKey | undefined {
  if (header === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'The request is not valid', {
      detail: 'Idempotency-Key must be 1 to 255 printable ASCII characters',
      errors: [{ field: 'header.Idempotency-Key', rule: 'format', message: 'Idempotency-Key must be 1 to 255 printable ASCII characters' }],
    });
  }
  return { key: header, requestHash: recordsHash(records) };
}

/** Records serialised per call to JSON.stringify (`recordsHash`). */
const HASHED_BLOCK = 64;

/**
 * SHA-256 of JSON.stringify(records): validated records have a fixed member order, so the same body in any member
 * order is the same request. The text is hashed block by block of HASHED_BLOCK records, not made whole first (one
 * string of several megabytes for 10,000 records): `[`, the blocks' JSON without their brackets joined by `,`, and
 * `]` are the same bytes as JSON.stringify of the whole array. One call per block, not one per record, as
 * JSON.stringify's own loop over an array is the fast one (0.7 µs less per record, measured alternating). A body of
 * one block is hashed in one `crypto.hash` call, without a Hash object (README, Performance).
 */
export function recordsHash(records: readonly TransferRecordInput[]): Buffer {
  if (records.length <= HASHED_BLOCK) return oneShotHash('sha256', JSON.stringify(records), 'buffer');
  const hash = createHash('sha256');
  for (let from = 0; from < records.length; from += HASHED_BLOCK) {
    const block = JSON.stringify(records.slice(from, from + HASHED_BLOCK));
    hash.update(from === 0 ? block.slice(0, -1) : `,${block.slice(1, -1)}`);
  }
  return hash.update(']').digest();
}

/** The first response for a stored key, or 409 when the key was used for another body. */
export function storedAnswer(row: StoredKey, requestHash: Buffer): CreateTransfersResponse {
  if (!row.request_hash.equals(requestHash)) {
    throw new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'Idempotency key reused', {
      detail: 'this Idempotency-Key was already used with a different request body',
    });
  }
  const first = Number(row.first_leaf_index);
  return { records: row.flags.map((flags, i) => ({ leafIndex: first + i, flags })) };
}

/** PostgreSQL refused a key because the same organisation already stored it (unique_violation on its primary key). */
export function isIdempotencyKeyConflict(error: unknown): boolean {
  const e = ((error as { driverError?: unknown } | null)?.driverError ?? error) as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === 'pk_transfer_idempotency_keys';
}

/** The statements on transfer_idempotency_keys. */
@Injectable()
export class IdempotencyKeys {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The first response for this key, or 409 when the key was used for another body; null when it is not stored. */
  async replay(organisationId: string, { key, requestHash }: RequestKey): Promise<CreateTransfersResponse | null> {
    const rows: StoredKey[] = await this.dataSource.query(
      `SELECT request_hash, first_leaf_index, flags FROM transfer_idempotency_keys WHERE organisation_id = $1 AND idempotency_key = $2`,
      [organisationId, key],
    );
    return rows.length === 0 ? null : storedAnswer(rows[0], requestHash);
  }

  /** Drops the keys past their retention; returns how many. */
  async purge(): Promise<number> {
    const result = await this.dataSource.query<unknown>(`DELETE FROM transfer_idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`, [
      IDEMPOTENCY_RETENTION_HOURS,
    ]);
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }
}

/**
 * Stores a group's keys in its transaction, as SQL text with the values written in (the group's statements go
 * together, src/database/one-message.ts); null without keys. No ON CONFLICT: under the ledger lock no other writer
 * can hold these keys; if one did, the unique violation sends every request of the group again alone (GroupCommit),
 * and that caller replays.
 */
export function keysInsertSql(keys: readonly KeyToStore[]): string | null {
  if (keys.length === 0) return null;
  const column = (pick: (k: KeyToStore) => string | number | Buffer, type: string) => sqlArray(keys.map(pick), type);
  const columns = [
    column((k) => k.organisationId, 'uuid'),
    column((k) => k.key, 'text'),
    column((k) => k.requestHash, 'bytea'),
    column((k) => k.firstLeafIndex, 'bigint'),
    column((k) => JSON.stringify(k.flags), 'text'),
  ];
  return `INSERT INTO transfer_idempotency_keys (organisation_id, idempotency_key, request_hash, first_leaf_index, flags)
       SELECT o, k, h, f, r::jsonb FROM unnest(${columns.join(', ')}) AS u(o, k, h, f, r)`;
}

/**
 * The stored rows of these (organisation, key) pairs, as SQL text with the pairs written in (read in the group's
 * first round trip, under the ledger lock); `storedKeysFromRows` reads its rows.
 */
export function storedKeysSql(keys: ReadonlyArray<{ organisationId: string; key: string }>): string {
  const [organisations, names] = keyArrays(keys);
  return `SELECT k.organisation_id, k.idempotency_key, k.request_hash, k.first_leaf_index, k.flags
         FROM transfer_idempotency_keys k JOIN unnest(${organisations}, ${names}) AS u(o, k2) ON k.organisation_id = u.o AND k.idempotency_key = u.k2`;
}

/**
 * An SQL condition: none of `keys` is stored (src/database/expectations.ts); a call of `transfer_keys_none_stored`
 * (migration 1795689300000), one primary-key probe per key with a plan kept for the session.
 */
export function noStoredKeysSql(keys: ReadonlyArray<{ organisationId: string; key: string }>): string {
  const [organisations, names] = keyArrays(keys);
  return `transfer_keys_none_stored(${organisations}, ${names})`;
}

/** The keys' organisations and names as two SQL array literals, in the same order. */
function keyArrays(keys: ReadonlyArray<{ organisationId: string; key: string }>): [string, string] {
  return [
    sqlArray(
      keys.map((k) => k.organisationId),
      'uuid',
    ),
    sqlArray(
      keys.map((k) => k.key),
      'text',
    ),
  ];
}

type StoredKeyRow = { organisation_id: string; idempotency_key: string } & StoredKey;

/** Rows of storedKeysSql by `${organisationId}\0${key}`. */
export function storedKeysFromRows(rows: readonly StoredKeyRow[]): Map<string, StoredKey> {
  return new Map(rows.map((row) => [`${row.organisation_id}\u0000${row.idempotency_key}`, row]));
}
