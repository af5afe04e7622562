// PostgreSQL COPY … FROM STDIN (FORMAT binary) rows built in one Buffer
// (PostgreSQL docs, COPY "Binary Format"; the per-type wire formats are the
// types' send/recv functions). For the transfer log's throughput (README, Performance):
// PostgreSQL skips every text input function (uuid, timestamptz, arrays, hex
// bytea), and the caller can build a whole batch before it takes the ledger
// lock and patch fixed-width fields (the leaf index) in place afterwards.
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** Signature, flags (no OIDs) and header extension length (0). */
const HEADER_LENGTH = SIGNATURE.length + 8;
/** The file trailer: a 16-bit word of -1. */
const TRAILER = Buffer.from([0xff, 0xff]);
/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01T00:00:00Z). */
const PG_EPOCH_MS = 946_684_800_000;
const TEXT_OID = 25;
/** The value of each hexadecimal digit by character code, -1 for any other character. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX_VALUE[48 + c] = c;
for (let c = 0; c < 6; c++) HEX_VALUE[65 + c] = HEX_VALUE[97 + c] = 10 + c;
/** Where a UUID's 8-4-4-4-12 hex digits put their dashes. */
const UUID_DASHES = [8, 13, 18, 23];

/**
 * Writes the 16 bytes of a UUID in its canonical text form (8-4-4-4-12 hex digits, either case) at
 * `offset`, checking every character as it goes; a RangeError for anything else. Byte by byte into
 * the COPY buffer: one UUID per id column of every record, and a regular expression, a replace and a
 * Buffer.from per UUID were 7% of ingestion's CPU (README, Performance).
 */
export function writeUuid(value: string, target: Buffer, offset: number): void {
  if (value.length !== 36 || UUID_DASHES.some((i) => value.charCodeAt(i) !== 45)) throw new RangeError(`not a UUID: ${value}`);
  let at = offset;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) i++;
    const hi = HEX_VALUE[value.charCodeAt(i)] ?? -1;
    const lo = HEX_VALUE[value.charCodeAt(i + 1)] ?? -1;
    if (hi < 0 || lo < 0) throw new RangeError(`not a UUID: ${value}`);
    target[at++] = (hi << 4) | lo;
  }
}

/** Appends binary COPY tuples to a growing buffer; header and trailer included by finish(). */
export class BinaryCopyWriter {
  private buffer: Buffer;
  private offset = 0;

  constructor(initialBytes = 1 << 16) {
    this.buffer = Buffer.allocUnsafe(Math.max(64, initialBytes));
    this.raw(SIGNATURE);
    this.int32(0); // flags: no OIDs
    this.int32(0); // header extension length
  }

  /** Current write position: remember it before a fixed-width field to patch it later. */
  get position(): number {
    return this.offset;
  }

  private ensure(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.offset + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }

  private raw(bytes: Buffer): void {
    this.ensure(bytes.length);
    bytes.copy(this.buffer, this.offset);
    this.offset += bytes.length;
  }

  private int32(value: number): void {
    this.ensure(4);
    this.buffer.writeInt32BE(value, this.offset);
    this.offset += 4;
  }

  /** Starts a tuple of `fields` columns. */
  tuple(fields: number): this {
    this.ensure(2);
    this.buffer.writeInt16BE(fields, this.offset);
    this.offset += 2;
    return this;
  }

  null(): this {
    this.int32(-1);
    return this;
  }

  int2(value: number): this {
    this.ensure(6);
    this.buffer.writeInt32BE(2, this.offset);
    this.buffer.writeInt16BE(value, this.offset + 4);
    this.offset += 6;
    return this;
  }

  int4(value: number): this {
    this.ensure(8);
    this.buffer.writeInt32BE(4, this.offset);
    this.buffer.writeInt32BE(value, this.offset + 4);
    this.offset += 8;
    return this;
  }

  /** bigint from a safe integer. */
  int8(value: number): this {
    if (!Number.isSafeInteger(value)) throw new RangeError(`int8 needs a safe integer, got ${value}`);
    this.ensure(12);
    this.buffer.writeInt32BE(8, this.offset);
    this.buffer.writeBigInt64BE(BigInt(value), this.offset + 4);
    this.offset += 12;
    return this;
  }

  bool(value: boolean): this {
    this.ensure(5);
    this.buffer.writeInt32BE(1, this.offset);
    this.buffer[this.offset + 4] = value ? 1 : 0;
    this.offset += 5;
    return this;
  }

  text(value: string | null): this {
    if (value === null) return this.null();
    const length = Buffer.byteLength(value, 'utf8');
    this.ensure(4 + length);
    this.buffer.writeInt32BE(length, this.offset);
    this.buffer.write(value, this.offset + 4, length, 'utf8');
    this.offset += 4 + length;
    return this;
  }

  bytea(value: Buffer): this {
    this.ensure(4 + value.length);
    this.buffer.writeInt32BE(value.length, this.offset);
    value.copy(this.buffer, this.offset + 4);
    this.offset += 4 + value.length;
    return this;
  }

  uuid(value: string): this {
    this.ensure(20);
    writeUuid(value, this.buffer, this.offset + 4);
    this.buffer.writeInt32BE(16, this.offset);
    this.offset += 20;
    return this;
  }

  /** timestamptz from an instant PostgreSQL would parse to the same microsecond (ISO 8601 with milliseconds). */
  timestamptz(value: string | Date): this {
    const ms = typeof value === 'string' ? Date.parse(value) : value.getTime();
    if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${String(value)}`);
    this.ensure(12);
    this.buffer.writeInt32BE(8, this.offset);
    this.buffer.writeBigInt64BE(BigInt(ms - PG_EPOCH_MS) * 1000n, this.offset + 4);
    this.offset += 12;
    return this;
  }

  /** text[] (one dimension, lower bound 1, no NULL elements). */
  textArray(values: readonly string[]): this {
    const start = this.offset;
    this.int32(0); // length, patched below
    this.int32(values.length === 0 ? 0 : 1); // dimensions
    this.int32(0); // has nulls
    this.int32(TEXT_OID);
    if (values.length > 0) {
      this.int32(values.length);
      this.int32(1);
      for (const value of values) this.text(value);
    }
    this.buffer.writeInt32BE(this.offset - start - 4, start);
    return this;
  }

  /** Overwrites the bigint field written at `position` (its length word included). */
  patchInt8(position: number, value: number): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`int8 needs a safe integer, got ${value}`);
    this.buffer.writeBigInt64BE(BigInt(value), position + 4);
  }

  /** The tuples written so far, without header or trailer (a view of the writer's buffer): see `joinTuples`. */
  tuples(): Buffer {
    return this.buffer.subarray(HEADER_LENGTH, this.offset);
  }

  /** The COPY data so far plus the trailer; the writer's buffer is shared, so patch before sending. */
  finish(): Buffer {
    this.ensure(2);
    this.buffer.writeInt16BE(-1, this.offset);
    return this.buffer.subarray(0, this.offset + 2);
  }
}

/** One COPY payload of the tuples of several writers, in order (the header once, the trailer once). */
export function joinTuples(runs: readonly Buffer[]): Buffer {
  const header = Buffer.alloc(HEADER_LENGTH);
  SIGNATURE.copy(header);
  return Buffer.concat([header, ...runs, TRAILER]);
}

/** COPY a finished binary payload into a table on this client; resolves when PostgreSQL has it. */
export async function copyBinary(client: PoolClient, table: string, columns: readonly string[], payload: Buffer): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN (FORMAT binary)`));
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', resolve);
    stream.end(payload);
  });
}
