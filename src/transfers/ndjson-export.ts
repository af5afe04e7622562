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
      if (buf.length < HEADER_BYTES) {
        this.pending = buf;
        return null;
      }
      if (buf.toString('latin1', 0, 11) !== 'PGCOPY\n\xff\r\n\0') throw new Error('export: not a binary COPY stream');
      const extension = buf.readInt32BE(15);
      if (buf.length < HEADER_BYTES + extension) {
        this.pending = buf;
        return null;
      }
      pos = HEADER_BYTES + extension;
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
      // Locate the three fields; stop if the row is not complete in this buffer.
      let p = pos + 2;
      if (buf.length - p < 12) break;
      const indexLength = buf.readInt32BE(p);
      if (indexLength !== 8) throw new Error('export: leaf_index is not a bigint');
      const leafIndex = buf.readBigInt64BE(p + 4);
      p += 12;
      if (buf.length - p < 4) break;
      const sectorLength = buf.readInt32BE(p);
      if (sectorLength < 0 || buf.length - p - 4 < sectorLength) break;
      const sector = buf.toString('utf8', p + 4, p + 4 + sectorLength);
      p += 4 + sectorLength;
      if (buf.length - p < 4) break;
      const leafLength = buf.readInt32BE(p);
      if (leafLength < 2 || buf.length - p - 4 < leafLength) {
        if (leafLength < 2) throw new Error('export: empty leaf');
        break;
      }
      const leaf = buf.subarray(p + 4, p + 4 + leafLength);
      p += 4 + leafLength;
      parts.push(
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
      );
      pos = p;
    }
    // The lines are copied into one output chunk; a partial row is kept (copied, so the input chunk can be freed).
    const out = parts.length ? Buffer.concat(parts) : null;
    this.pending = pos < buf.length ? Buffer.from(buf.subarray(pos)) : null;
    return out;
  }
}
