import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { BinaryCopyWriter } from '../database/binary-copy';
import { NdjsonFromLeafCopy } from './ndjson-export';

/** What the export used to build in SQL for one row, written out plainly. */
function expectedLine(leafIndex: number | bigint, sector: string, leaf: Buffer): string {
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

  it('writes the same lines whichever byte of a row the stream is cut at', async () => {
    // A sector that is not plain ASCII (quote, backslash, line break, CJK) and an empty one take the JSON.stringify path.
    const rows: Array<[number, string, string]> = [
      [0, 'BANKING', 'a'],
      [12_345_678, 'INSURANCE "x" \\ 信用\n', '信用評估'],
      [Number.MAX_SAFE_INTEGER, '', 'z'],
      [99, 'SAY "HI"', 'q'],
      [100, 'TAB\t', 'r'],
      [101, 'BACK\\SLASH', 's'],
    ];
    const writer = new BinaryCopyWriter(64);
    let expected = '';
    for (const [leafIndex, sector, reference] of rows) {
      const leaf = Buffer.from(JSON.stringify({ externalReference: reference }), 'utf8');
      writer.tuple(3).int8(leafIndex).text(sector).bytea(leaf);
      expected += expectedLine(leafIndex, sector, leaf);
    }
    const payload = writer.finish();
    for (let cut = 1; cut < payload.length; cut++) expect(await run(payload, [cut])).toBe(expected);
    expect(
      await run(
        payload,
        Array.from({ length: payload.length }, (_, i) => i),
      ),
    ).toBe(expected);
  });

  it('writes leaf indexes beyond 2^53 and below zero as PostgreSQL sends them', async () => {
    const indexes = [2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, -1n, -(2n ** 63n)];
    const writer = new BinaryCopyWriter(64);
    const at: number[] = [];
    let expected = '';
    const leaf = Buffer.from('{"a":1}');
    for (const index of indexes) {
      writer.tuple(3);
      at.push(writer.position + 4);
      writer.int8(0).text('BANKING').bytea(leaf);
      expected += expectedLine(index, 'BANKING', leaf);
    }
    const payload = writer.finish();
    indexes.forEach((index, i) => payload.writeBigInt64BE(index, at[i]));
    expect(await run(payload, [])).toBe(expected);
  });

  it('refuses a stream cut off in the middle of a row', async () => {
    const writer = new BinaryCopyWriter(64);
    writer.tuple(3).int8(7).text('BANKING').bytea(Buffer.from('{"a":1}'));
    const whole = writer.finish();
    await expect(run(whole.subarray(0, whole.length - 5), [])).rejects.toThrow(/middle of a row/);
  });
});
