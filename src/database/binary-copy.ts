// PostgreSQL COPY … FROM STDIN (FORMAT binary) rows built in one Buffer
// (PostgreSQL docs, COPY "Binary Format"; the per-type wire formats are the
// types' send/recv functions). For the transfer log's throughput (README, Performance):
// PostgreSQL skips every text input function (uuid, timestamptz, arrays, hex
// bytea), and the caller can build a whole batch before it takes the ledger
// lock and patch fixed-width fields (the leaf index) in place afterwards. The payload is
// sent with its COPY statement in one message (./one-message.ts, copyAmong).

import { instantMs } from '../common/instant-ms';

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
const TWO_32 = 2 ** 32;
/** Texts up to this many UTF-16 code units are tried as ASCII first (`BinaryCopyWriter.text`). */
const SHORT_TEXT = 64;
/** How many recent UUIDs a writer remembers (`BinaryCopyWriter.uuid`). */
const RECENT_UUIDS = 6;

/**
 * Writes the 16 bytes of a UUID in its canonical text form (8-4-4-4-12 hex digits, either case) at
 * `offset`, checking every character as it goes; a RangeError for anything else. Byte by byte into
 * the COPY buffer: one UUID per id column of every record, and a regular expression, a replace and a
 * Buffer.from per UUID were 7% of ingestion's CPU (README, Performance).
 */
export function writeUuid(value: string, target: Buffer, offset: number): void {
  // Dashes at 8, 13, 18 and 23 (8-4-4-4-12), checked without a closure per UUID.
  const dashes = value.length === 36 && value.charCodeAt(8) === 45 && value.charCodeAt(13) === 45 && value.charCodeAt(18) === 45 && value.charCodeAt(23) === 45;
  if (!dashes) throw new RangeError(`not a UUID: ${value}`);
  let at = offset;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) i++;
    const hi = HEX_VALUE[value.charCodeAt(i)] ?? -1;
    const lo = HEX_VALUE[value.charCodeAt(i + 1)] ?? -1;
    if (hi < 0 || lo < 0) throw new RangeError(`not a UUID: ${value}`);
    target[at++] = (hi << 4) | lo;
  }
}

/** Writes a safe integer as a big-endian int64 at `at`, as two 32-bit words (no BigInt per value). */
function writeInt64(target: Buffer, value: number, at: number): void {
  const hi = Math.floor(value / TWO_32);
  target.writeInt32BE(hi, at);
  target.writeUInt32BE(value - hi * TWO_32, at + 4);
}

/**
 * Writes `ms` (milliseconds since PostgreSQL's epoch, a safe integer) times 1,000 as a big-endian int64 at `at`.
 * The product can exceed 2^53, so it is formed exactly in two 32-bit words: ms = h·2^32 + l, ms·1000 = (1000h + c)·2^32 + r.
 */
function writeMicroseconds(target: Buffer, ms: number, at: number): void {
  const h = Math.floor(ms / TWO_32);
  const l = (ms - h * TWO_32) * 1000;
  const carry = Math.floor(l / TWO_32);
  target.writeInt32BE(h * 1000 + carry, at);
  target.writeUInt32BE(l - carry * TWO_32, at + 4);
}

function writeUtf8(value: string, target: Buffer, at: number): number {
  return at + target.write(value, at, 'utf8');
}

/** Appends binary COPY tuples to a growing buffer; header and trailer included by finish(). */
export class BinaryCopyWriter {
  private buffer: Buffer;
  private offset = 0;
  /** The last instant text parsed by timestamptz, and its milliseconds (every row of a batch has the same recordedAt). */
  private lastInstant = '';
  private lastMs = 0;
  /**
   * The last UUIDs written and where their 16 bytes are: a batch's rows repeat the same few (contract, parties,
   * submitter), whose bytes are copied instead of parsed again from their text.
   */
  private readonly recentUuids: string[] = [];
  private readonly recentUuidAt: number[] = [];
  private nextRecentUuid = 0;

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
    writeInt64(this.buffer, value, this.offset + 4);
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
    if (value.length <= SHORT_TEXT && this.ascii(value)) return this;
    const length = Buffer.byteLength(value, 'utf8');
    this.ensure(4 + length);
    this.buffer.writeInt32BE(length, this.offset);
    this.buffer.write(value, this.offset + 4, length, 'utf8');
    this.offset += 4 + length;
    return this;
  }

  /**
   * A short text of ASCII characters only (its UTF-8 bytes are its character codes) written byte by byte: cheaper
   * than measuring and encoding it in native code for the codes, flags and references of every row. False, with
   * nothing written, when the text has any other character.
   */
  private ascii(value: string): boolean {
    const length = value.length;
    this.ensure(4 + length);
    const buffer = this.buffer;
    const start = this.offset + 4;
    for (let i = 0; i < length; i++) {
      const c = value.charCodeAt(i);
      if (c > 0x7f) return false;
      buffer[start + i] = c;
    }
    buffer.writeInt32BE(length, this.offset);
    this.offset = start + length;
    return true;
  }

  /**
   * A bytea field written in place by `write(value, buffer, at, end)`, which returns where its bytes end (not past
   * `end`, `maxBytes` after `at`), or -1 to write nothing (then this returns null and the writer is unchanged).
   * Returns `digest` of the byte `prefix` followed by the bytes, computed in place over the buffer (the last byte of
   * the field's length word holds `prefix` while `digest` runs): the bytes are neither copied nor prefixed by a copy.
   */
  writtenBytea<T>(
    maxBytes: number,
    write: (value: T, target: Buffer, at: number, end: number) => number,
    value: T,
    prefix: number,
    digest: (prefixed: Buffer) => Buffer,
  ): Buffer | null {
    this.ensure(4 + maxBytes);
    const start = this.offset + 4;
    const end = write(value, this.buffer, start, start + maxBytes);
    if (end < 0) return null;
    if (end < start || end > start + maxBytes) throw new RangeError(`a bytea writer ended at ${end}, outside ${start}–${start + maxBytes}`);
    this.buffer[start - 1] = prefix;
    const hash = digest(this.buffer.subarray(start - 1, end));
    this.buffer.writeInt32BE(end - start, this.offset);
    this.offset = end;
    return hash;
  }

  /** `writtenBytea` of the UTF-8 bytes of a text. */
  textBytea(value: string, prefix: number, digest: (prefixed: Buffer) => Buffer): Buffer {
    // A UTF-16 code unit is at most 3 bytes of UTF-8 (a lone surrogate becomes U+FFFD, 3 bytes; a pair, 4 bytes for 2 units).
    return this.writtenBytea(3 * value.length, writeUtf8, value, prefix, digest) as Buffer;
  }

  /** A bytea field of `bytes` bytes whose value is written later (`patchBytes`); returns where its value starts. */
  reserveBytea(bytes: number): number {
    this.ensure(4 + bytes);
    this.buffer.writeInt32BE(bytes, this.offset);
    this.offset += 4 + bytes;
    return this.offset - bytes;
  }

  /** Overwrites the bytes at `position` (a field reserved by `reserveBytea`). */
  patchBytes(position: number, value: Buffer): void {
    value.copy(this.buffer, position);
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
    const buffer = this.buffer;
    const at = this.offset + 4;
    const seen = this.recentUuids.indexOf(value);
    if (seen >= 0) {
      const from = this.recentUuidAt[seen];
      for (let i = 0; i < 16; i++) buffer[at + i] = buffer[from + i];
    } else {
      writeUuid(value, buffer, at);
      // Only a UUID written without error is remembered.
      this.recentUuids[this.nextRecentUuid] = value;
      this.recentUuidAt[this.nextRecentUuid] = at;
      this.nextRecentUuid = (this.nextRecentUuid + 1) % RECENT_UUIDS;
    }
    buffer.writeInt32BE(16, this.offset);
    this.offset = at + 16;
    return this;
  }

  /** timestamptz from an instant PostgreSQL would parse to the same microsecond (ISO 8601 with milliseconds). */
  timestamptz(value: string | Date): this {
    let ms: number;
    if (typeof value !== 'string') ms = value.getTime();
    else if (value === this.lastInstant) ms = this.lastMs;
    else {
      ms = instantMs(value);
      this.lastInstant = value;
      this.lastMs = ms;
    }
    if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${String(value)}`);
    this.ensure(12);
    this.buffer.writeInt32BE(8, this.offset);
    writeMicroseconds(this.buffer, ms - PG_EPOCH_MS, this.offset + 4);
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
    writeInt64(this.buffer, value, position + 4);
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
