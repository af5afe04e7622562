// ndjson export lines from `COPY (SELECT leaf_index, sector, leaf …) TO STDOUT (FORMAT binary)`.
//
// Why not in SQL: building the line in PostgreSQL (encode(leaf, 'base64'),
// stripping its line breaks, convert_from, substr) costs the backend's CPU
// many times the read itself (README, Performance). PostgreSQL now sends the leaf's raw bytes and
// this transform writes each line with Node's native base64: the same bytes
// as before, in constant memory (one chunk in, one chunk out, backpressure
// through the pipe).
//
// Each input chunk is read twice: once to find its complete rows and the exact bytes of their
// lines, then to write those lines into one output buffer of that size. No Buffer per field and no
// BigInt per row (README, Performance): the leaf index's digits are written byte by byte, the
// sector's JSON string is copied from the COPY stream, the leaf's members are copied with it.
import { Transform, TransformCallback } from 'node:stream';

/** PGCOPY\n\377\r\n\0, int32 flags, int32 header-extension length. */
const HEADER_BYTES = 19;
/** A row's field count (int16) and its leaf_index (int32 length 8, int64): where the sector's length is. */
const SECTOR_LENGTH_AT = 14;

const LEAF_INDEX = Buffer.from('{"leafIndex":');
const SECTOR = Buffer.from(',"sector":');
const LEAF = Buffer.from(',"leaf":"');
/** `",` after the base64, and the line break after the leaf's members. */
const QUOTE = 0x22;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
/** Every line's bytes besides the leaf index's digits, the sector's JSON string, the base64 and the leaf's members. */
const FIXED_BYTES = LEAF_INDEX.length + SECTOR.length + LEAF.length + 3;
/** Leaf indexes below 2^53 (every one the registry can hold: int8 is written from a safe integer) are written from a Number. */
const SAFE_HIGH_WORD = 0x200000;
const TWO_TO_THE_32 = 0x1_0000_0000;

/**
 * One ndjson line per row: `{"leafIndex":N,"sector":"…","leaf":"<base64 of the exact leaf>",` followed by the
 * leaf's own members (the leaf is RFC 8785 JSON of the record, so it starts with `{` and holds no raw line break).
 * Input rows must be (leaf_index bigint, sector text, leaf bytea) in binary COPY format.
 */
export class NdjsonFromLeafCopy extends Transform {
  private pending: Buffer | null = null;
  private headerSeen = false;
  private finished = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const out = this.consume(this.pending ? Buffer.concat([this.pending, chunk]) : chunk);
      if (out) this.push(out);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (!this.finished || (this.pending && this.pending.length > 0)) {
      callback(new Error('export: the COPY stream ended in the middle of a row'));
      return;
    }
    callback();
  }

  private consume(buf: Buffer): Buffer | null {
    let pos = 0;
    if (!this.headerSeen) {
      const end = headerEnd(buf);
      if (end === null) {
        this.pending = buf;
        return null;
      }
      pos = end;
      this.headerSeen = true;
    }
    // First pass: the complete rows, and the bytes of their lines.
    let end = pos;
    let bytes = 0;
    let rows = 0;
    while (!this.finished && buf.length - end >= 2) {
      const fields = buf.readInt16BE(end);
      if (fields === -1) {
        this.finished = true;
        break;
      }
      if (fields !== 3) throw new Error(`export: expected 3 columns, got ${fields}`);
      const next = rowEnd(buf, end + 2);
      if (next < 0) break;
      bytes += lineBytes(buf, end);
      rows++;
      end = next;
    }
    // Second pass: the lines, written into one output chunk; a partial row is kept (copied, so the input chunk can be freed).
    let out: Buffer | null = null;
    if (rows > 0) {
      out = Buffer.allocUnsafe(bytes);
      let at = 0;
      for (let row = pos; row < end; row = rowEnd(buf, row + 2)) at = writeLine(buf, row, out, at);
    }
    if (this.finished) end += 2;
    this.pending = end < buf.length ? Buffer.from(buf.subarray(end)) : null;
    return out;
  }
}

/** Where the rows start, past the binary COPY header and its extension; null while the header is incomplete. */
function headerEnd(buf: Buffer): number | null {
  if (buf.length < HEADER_BYTES) return null;
  if (buf.toString('latin1', 0, 11) !== 'PGCOPY\n\xff\r\n\0') throw new Error('export: not a binary COPY stream');
  const extension = buf.readInt32BE(15);
  return buf.length < HEADER_BYTES + extension ? null : HEADER_BYTES + extension;
}

/** Where the row whose fields start at `p` (after its field count) ends; -1 while the row is not complete in this buffer. */
function rowEnd(buf: Buffer, p: number): number {
  if (buf.length - p < 12) return -1;
  const indexLength = buf.readInt32BE(p);
  if (indexLength !== 8) throw new Error('export: leaf_index is not a bigint');
  p += 12;
  if (buf.length - p < 4) return -1;
  const sectorLength = buf.readInt32BE(p);
  if (sectorLength < 0 || buf.length - p - 4 < sectorLength) return -1;
  p += 4 + sectorLength;
  if (buf.length - p < 4) return -1;
  const leafLength = buf.readInt32BE(p);
  if (leafLength < 2) throw new Error('export: empty leaf');
  if (buf.length - p - 4 < leafLength) return -1;
  return p + 4 + leafLength;
}

/** The bytes of the line of the complete row at `row` (its field count), its line break included. */
function lineBytes(buf: Buffer, row: number): number {
  const sectorLength = buf.readInt32BE(row + SECTOR_LENGTH_AT);
  const sectorAt = row + SECTOR_LENGTH_AT + 4;
  const leafLength = buf.readInt32BE(sectorAt + sectorLength);
  const sector = plainAscii(buf, sectorAt, sectorLength) ? sectorLength + 2 : Buffer.byteLength(sectorJson(buf, sectorAt, sectorLength));
  return FIXED_BYTES + indexDigits(buf, row + 6) + sector + 4 * Math.ceil(leafLength / 3) + leafLength - 1;
}

/**
 * Writes the line of the complete row at `row` at `at` in `out`: the leaf index, the sector, the leaf in base64, then the
 * leaf's own members after its opening brace, its closing brace included; then the line break. Returns where it ended.
 */
function writeLine(buf: Buffer, row: number, out: Buffer, at: number): number {
  at = writeBytes(LEAF_INDEX, out, at);
  at = writeIndex(buf, row + 6, out, at);
  at = writeBytes(SECTOR, out, at);
  const sectorLength = buf.readInt32BE(row + SECTOR_LENGTH_AT);
  const sectorAt = row + SECTOR_LENGTH_AT + 4;
  if (plainAscii(buf, sectorAt, sectorLength)) {
    out[at++] = QUOTE;
    for (let i = sectorAt; i < sectorAt + sectorLength; i++) out[at++] = buf[i];
    out[at++] = QUOTE;
  } else {
    at += out.write(sectorJson(buf, sectorAt, sectorLength), at, 'utf8');
  }
  at = writeBytes(LEAF, out, at);
  const leafAt = sectorAt + sectorLength + 4;
  const leafEnd = leafAt + buf.readInt32BE(leafAt - 4);
  at += out.write(buf.toString('base64', leafAt, leafEnd), at, 'latin1');
  out[at++] = QUOTE;
  out[at++] = COMMA;
  at += buf.copy(out, at, leafAt + 1, leafEnd);
  out[at++] = NEWLINE;
  return at;
}

/** A few constant bytes, copied one by one (cheaper than Buffer.prototype.copy's checks at this size). */
function writeBytes(bytes: Buffer, out: Buffer, at: number): number {
  for (let i = 0; i < bytes.length; i++) out[at++] = bytes[i];
  return at;
}

/** The count of the decimal digits of the int8 at `p`, as `BigInt.prototype.toString` writes them. */
function indexDigits(buf: Buffer, p: number): number {
  const high = buf.readInt32BE(p);
  if (high >= 0 && high < SAFE_HIGH_WORD) return decimalDigits(high * TWO_TO_THE_32 + buf.readUInt32BE(p + 4));
  return buf.readBigInt64BE(p).toString().length;
}

/** Writes the decimal digits of the int8 at `p` at `at` in `out`; returns where they end. */
function writeIndex(buf: Buffer, p: number, out: Buffer, at: number): number {
  const high = buf.readInt32BE(p);
  if (high < 0 || high >= SAFE_HIGH_WORD) return at + out.write(buf.readBigInt64BE(p).toString(), at, 'latin1');
  let n = high * TWO_TO_THE_32 + buf.readUInt32BE(p + 4);
  const end = at + decimalDigits(n);
  let i = end;
  do {
    out[--i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  } while (n > 0);
  return end;
}

/** Digits of a non-negative integer below 2^53 (at most 16). */
function decimalDigits(n: number): number {
  let digits = 1;
  for (let power = 10; digits < 16 && n >= power; power *= 10) digits++;
  return digits;
}

/** True when the bytes are printable ASCII without `"` or `\`: their JSON string is the bytes between two quotes. */
function plainAscii(buf: Buffer, at: number, length: number): boolean {
  for (let i = at; i < at + length; i++) {
    const byte = buf[i];
    if (byte < 0x20 || byte > 0x7e || byte === QUOTE || byte === 0x5c) return false;
  }
  return true;
}

/** The sector as a JSON string, for any sector that is not plain ASCII. */
function sectorJson(buf: Buffer, at: number, length: number): string {
  return JSON.stringify(buf.toString('utf8', at, at + length));
}
