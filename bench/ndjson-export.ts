/**
 * What the ndjson export's own transform costs (src/transfers/ndjson-export.ts): rows per second of
 * NdjsonFromLeafCopy over a binary COPY stream of the export's statement, beside a pass-through Transform
 * over the same chunks (what the stream plumbing alone costs). No database, one process: the rows are
 * bench-like leaves (bench/rows.ts) encoded as PostgreSQL sends `(leaf_index, sector, leaf)`, cut into
 * 64 KiB chunks as pg-copy-streams hands them on. Rounds alternate the two; the best of each is printed.
 *
 *   node -r @swc-node/register bench/ndjson-export.ts
 *
 * Measures and prints; never asserts a time. BENCH_NDJSON_ROWS (default 200,000) rows, BENCH_NDJSON_ROUNDS
 * (default 7) rounds.
 */
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BinaryCopyWriter } from '../src/database/binary-copy';
import { NdjsonFromLeafCopy } from '../src/transfers/ndjson-export';
import { benchLeaf, transferRecord } from './rows';

const ROWS = Number(process.env.BENCH_NDJSON_ROWS || 200_000);
const ROUNDS = Number(process.env.BENCH_NDJSON_ROUNDS || 7);
/** What pg-copy-streams pushes per socket read, about. */
const CHUNK_BYTES = 64 * 1024;

/** The export's binary COPY stream for `rows` bench records over 50 contracts, cut into CHUNK_BYTES chunks. */
export function exportCopyChunks(rows: number): Buffer[] {
  const contracts = Array.from({ length: 50 }, () => ({ id: randomUUID(), processor: randomUUID(), recipient: randomUUID() }));
  const recordedAt = new Date().toISOString();
  const writer = new BinaryCopyWriter(rows * 1000);
  for (let i = 0; i < rows; i++) {
    const contract = contracts[Math.floor(i / 1000) % contracts.length];
    const flags = i % 50 === 0 ? ['CATEGORY_NOT_IN_SCOPE', 'SENSITIVE_WITHOUT_SEPARATE_CONSENT'] : [];
    const leaf = benchLeaf(contract.id, contract.processor, contract.recipient, transferRecord(contract.id, i), recordedAt, flags);
    writer.tuple(3).int8(i).text('BANKING').bytea(leaf);
  }
  const payload = writer.finish();
  const chunks: Buffer[] = [];
  for (let at = 0; at < payload.length; at += CHUNK_BYTES) chunks.push(payload.subarray(at, at + CHUNK_BYTES));
  return chunks;
}

/** Seconds to run the chunks through `transform` into a sink that drops them, and the bytes it received. */
export async function timeTransform(chunks: Buffer[], transform: Transform): Promise<{ seconds: number; bytes: number }> {
  let bytes = 0;
  const started = performance.now();
  await pipeline(
    Readable.from(chunks, { objectMode: false }),
    transform,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback();
      },
    }),
  );
  return { seconds: (performance.now() - started) / 1000, bytes };
}

function passThrough(): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      callback(null, chunk);
    },
  });
}

async function main(): Promise<void> {
  const chunks = exportCopyChunks(ROWS);
  const best = { ndjson: 0, passThrough: 0 };
  let ndjsonBytes = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const ndjson = await timeTransform(chunks, new NdjsonFromLeafCopy());
    const plain = await timeTransform(chunks, passThrough());
    ndjsonBytes = ndjson.bytes;
    best.ndjson = Math.max(best.ndjson, ROWS / ndjson.seconds);
    best.passThrough = Math.max(best.passThrough, ROWS / plain.seconds);
  }
  console.log(
    JSON.stringify({
      rows: ROWS,
      rounds: ROUNDS,
      inputMb: Math.round(chunks.reduce((n, c) => n + c.length, 0) / 1e5) / 10,
      outputMb: Math.round(ndjsonBytes / 1e5) / 10,
      ndjsonRowsPerSecond: Math.round(best.ndjson),
      passThroughRowsPerSecond: Math.round(best.passThrough),
      loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
    }),
  );
}

if (require.main === module) void main();
