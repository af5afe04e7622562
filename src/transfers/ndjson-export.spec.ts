import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { BinaryCopyWriter } from '../database/binary-copy';
import { NdjsonFromLeafCopy } from './ndjson-export';

/** What the export used to build in SQL for one row, written out plainly. */
function expectedLine(leafIndex: number, sector: string, leaf: Buffer): string {
  return `{"leafIndex":${leafIndex},"sector":${JSON.stringify(sector)},"leaf":"${leaf.toString('base64')}",${leaf.subarray(1).toString('utf8')}\n`;
}

async function run(payload: Buffer, cuts: number[]): Promise<string> {
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < payload.length)].sort((a, b) => a - b)) {
    chunks.push(payload.subarray(from, cut));
    from = cut;
  }
  chunks.push(payload.subarray(from));
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks.filter((c) => c.length > 0)),
    new NdjsonFromLeafCopy(),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk);
        callback();
      },
    }),
  );
  return Buffer.concat(out).toString('utf8');
}

describe('NdjsonFromLeafCopy', () => {
  const rowArb = fc.record({
    leafIndex: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
    sector: fc.constantFrom('BANKING', 'HEALTHCARE', 'INSURANCE'),
    reference: fc.string({ unit: 'grapheme', maxLength: 40 }),
  });

  it('writes the same lines as the SQL it replaces, however the COPY stream is chunked', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 12 }), fc.array(fc.nat({ max: 4000 }), { maxLength: 20 }), async (rows, cuts) => {
        const writer = new BinaryCopyWriter(64);
        let expected = '';
        for (const row of rows) {
          const leaf = Buffer.from(JSON.stringify({ externalReference: row.reference, schema: 'gba-registry.transfer-record.v1' }), 'utf8');
          writer.tuple(3).int8(row.leafIndex).text(row.sector).bytea(leaf);
          expected += expectedLine(row.leafIndex, row.sector, leaf);
        }
        expect(await run(writer.finish(), cuts)).toBe(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a stream cut off in the middle of a row', async () => {
    const writer = new BinaryCopyWriter(64);
    writer.tuple(3).int8(7).text('BANKING').bytea(Buffer.from('{"a":1}'));
    const whole = writer.finish();
    await expect(run(whole.subarray(0, whole.length - 5), [])).rejects.toThrow(/middle of a row/);
  });
});
