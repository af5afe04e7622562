// ndjson export lines from `COPY (SELECT leaf_index, sector, leaf …) TO STDOUT (FORMAT binary)`.
//
// Why not in SQL: building the line in PostgreSQL (encode(leaf, 'base64'),
// stripping its line breaks, convert_from, substr) costs the backend's CPU
// many times the read itself (README, Performance). PostgreSQL now sends the leaf's raw bytes and
// this transform writes each line with Node's native base64: the same bytes
// as before, in constant memory (one chunk in, one chunk out, backpressure
// through the pipe).
import { Transform, TransformCallback } from 'node:stream';

/** PGCOPY\n\377\r\n\0, int32 flags, int32 header-extension length. */
const HEADER_BYTES = 19;

function jsonString(value: string): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

const LEAF_INDEX = Buffer.from('{"leafIndex":');
const SECTOR = Buffer.from(',"sector":');
const LEAF = Buffer.from(',"leaf":"');
const LEAF_END = Buffer.from('",');
const NEWLINE = Buffer.from('\n');

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
    const parts: Buffer[] = [];
    while (!this.finished && buf.length - pos >= 2) {
      const fields = buf.readInt16BE(pos);
      if (fields === -1) {
        this.finished = true;
        pos += 2;
        break;
      }
      if (fields !== 3) throw new Error(`export: expected 3 columns, got ${fields}`);
      const row = readRow(buf, pos + 2);
      if (!row) break;
      parts.push(...ndjsonLine(row));
      pos = row.next;
    }
    // The lines are copied into one output chunk; a partial row is kept (copied, so the input chunk can be freed).
    const out = parts.length ? Buffer.concat(parts) : null;
    this.pending = pos < buf.length ? Buffer.from(buf.subarray(pos)) : null;
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

interface ExportRow {
  leafIndex: bigint;
  sector: string;
  leaf: Buffer;
  /** Where the next row starts. */
  next: number;
}

/** The three fields of the row starting at `p` (after its field count); null when the row is not complete in this buffer. */
function readRow(buf: Buffer, p: number): ExportRow | null {
  if (buf.length - p < 12) return null;
  const indexLength = buf.readInt32BE(p);
  if (indexLength !== 8) throw new Error('export: leaf_index is not a bigint');
  const leafIndex = buf.readBigInt64BE(p + 4);
  p += 12;
  if (buf.length - p < 4) return null;
  const sectorLength = buf.readInt32BE(p);
  if (sectorLength < 0 || buf.length - p - 4 < sectorLength) return null;
  const sector = buf.toString('utf8', p + 4, p + 4 + sectorLength);
  p += 4 + sectorLength;
  if (buf.length - p < 4) return null;
  const leafLength = buf.readInt32BE(p);
  if (leafLength < 2) throw new Error('export: empty leaf');
  if (buf.length - p - 4 < leafLength) return null;
  return { leafIndex, sector, leaf: buf.subarray(p + 4, p + 4 + leafLength), next: p + 4 + leafLength };
}

/** One export line: the leaf index, the sector, the leaf in base64, then the leaf's own members. */
function ndjsonLine({ leafIndex, sector, leaf }: ExportRow): Buffer[] {
  return [
    LEAF_INDEX,
    Buffer.from(leafIndex.toString(), 'latin1'),
    SECTOR,
    jsonString(sector),
    LEAF,
    Buffer.from(leaf.toString('base64'), 'latin1'),
    LEAF_END,
    // The leaf's members after its opening brace, its closing brace included; then the line break.
    leaf.subarray(1),
    NEWLINE,
  ];
}
