import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { BinaryCopyWriter, joinTuples, writeUuid } from './binary-copy';

describe('joinTuples', () => {
  it('joins the tuples of several writers into the payload one writer of all of them would send', () => {
    const write = (w: BinaryCopyWriter, n: number) => w.tuple(2).int8(n).text(`row ${n}`);
    const one = new BinaryCopyWriter();
    [1, 2, 3].forEach((n) => write(one, n));
    const first = new BinaryCopyWriter();
    write(first, 1);
    const second = new BinaryCopyWriter();
    write(second, 2);
    write(second, 3);
    expect(joinTuples([first.tuples(), second.tuples()]).equals(one.finish())).toBe(true);
  });

  it('with no tuples is a valid empty payload (header and trailer)', () => {
    expect(joinTuples([]).equals(new BinaryCopyWriter().finish())).toBe(true);
  });
});

describe('writeUuid', () => {
  const bytesOf = (uuid: string) => {
    const out = Buffer.alloc(18, 0xee);
    writeUuid(uuid, out, 1);
    return out;
  };

  it('writes the 16 bytes of the hex digits, in either case, and nothing around them', () => {
    for (let n = 0; n < 200; n++) {
      const uuid = n % 2 ? randomUUID() : randomUUID().toUpperCase();
      const expected = Buffer.concat([Buffer.from([0xee]), Buffer.from(uuid.replace(/-/g, ''), 'hex'), Buffer.from([0xee])]);
      expect(bytesOf(uuid).equals(expected)).toBe(true);
    }
    expect(bytesOf('00000000-0000-0000-0000-000000000000').subarray(1, 17).equals(Buffer.alloc(16))).toBe(true);
    expect(bytesOf('ffffffff-FFFF-ffff-FFFF-ffffffffffff').subarray(1, 17).equals(Buffer.alloc(16, 0xff))).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['too short', '123e4567-e89b-12d3-a456-42661417400'],
    ['too long', '123e4567-e89b-12d3-a456-4266141740000'],
    ['no dashes', '123e4567e89b12d3a45642661417400000'],
    ['a dash moved', '123e456-7e89b-12d3-a456-426614174000'],
    ['a letter past f', '123e4567-e89b-12d3-a456-42661417400g'],
    ['a non-ASCII digit', '123e4567-e89b-12d3-a456-42661417400\u0660'],
    ['braces', '{23e4567-e89b-12d3-a456-42661417400}'],
  ])('refuses %s', (_, value) => {
    expect(() => writeUuid(value, Buffer.alloc(16), 0)).toThrow(RangeError);
  });

  it('is what the writer puts in a uuid field, after its length', () => {
    const uuid = randomUUID();
    const tuple = new BinaryCopyWriter().tuple(1).uuid(uuid).tuples();
    // int16 field count, int32 length 16, the 16 bytes.
    expect(tuple.readInt32BE(2)).toBe(16);
    expect(tuple.subarray(6, 22).equals(Buffer.from(uuid.replace(/-/g, ''), 'hex'))).toBe(true);
  });
});

describe('BinaryCopyWriter.uuid', () => {
  it('writes every UUID of a long run of repeats and new ones as its own 16 bytes, from a small initial buffer that grows', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 200 }), fc.boolean(), (picks, copies) => {
        const pool = Array.from({ length: 10 }, () => randomUUID());
        // A copy is another string with the same text, as a UUID parsed from each record's JSON is.
        const values = picks.map((k) => (copies ? `${pool[k].slice(0, 18)}${pool[k].slice(18)}` : pool[k]));
        const writer = new BinaryCopyWriter(64);
        for (const value of values) writer.tuple(1).uuid(value);
        const expected = Buffer.concat(values.map((v) => Buffer.concat([Buffer.from([0, 1, 0, 0, 0, 16]), Buffer.from(v.replace(/-/g, ''), 'hex')])));
        expect(writer.tuples().equals(expected)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('still refuses a text that is not a UUID after it wrote UUIDs', () => {
    const writer = new BinaryCopyWriter();
    writer.uuid(randomUUID()).uuid(randomUUID());
    expect(() => writer.uuid('')).toThrow(RangeError);
    expect(() => writer.uuid('not-a-uuid')).toThrow(RangeError);
  });
});

describe('BinaryCopyWriter fields', () => {
  const field = (write: (w: BinaryCopyWriter) => void): Buffer => {
    const w = new BinaryCopyWriter();
    w.tuple(1);
    write(w);
    return Buffer.from(w.tuples().subarray(2));
  };
  const int64 = (value: bigint) => {
    const out = Buffer.alloc(12);
    out.writeInt32BE(8);
    out.writeBigInt64BE(value, 4);
    return out;
  };

  it('writes int8 as the big-endian two’s complement BigInt would, at the ends of the safe range too', () => {
    fc.assert(
      fc.property(fc.oneof(fc.maxSafeInteger(), fc.integer(), fc.constantFrom(0, -1, 2 ** 32, -(2 ** 32), 2 ** 32 - 1)), (n) => {
        expect(field((w) => w.int8(n)).equals(int64(BigInt(n)))).toBe(true);
        const patched = new BinaryCopyWriter();
        patched.tuple(1);
        const at = patched.position;
        patched.int8(0);
        patched.patchInt8(at, n);
        expect(Buffer.from(patched.tuples().subarray(2)).equals(int64(BigInt(n)))).toBe(true);
      }),
    );
  });

  it('writes timestamptz as microseconds since 2000-01-01, exactly, from year 1 to 9999', () => {
    const pgEpochMs = Date.UTC(2000, 0, 1);
    const instants = fc.integer({ min: Date.parse('0001-01-01T00:00:00.000Z'), max: Date.parse('9999-12-31T23:59:59.999Z') });
    fc.assert(
      fc.property(instants, (ms) => {
        const iso = new Date(ms).toISOString();
        const expected = int64(BigInt(ms - pgEpochMs) * 1000n);
        expect(field((w) => w.timestamptz(iso)).equals(expected)).toBe(true);
        expect(field((w) => w.timestamptz(new Date(ms))).equals(expected)).toBe(true);
      }),
    );
  });

  it('writes text as its UTF-8 bytes after their length, whatever the characters', () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme', maxLength: 80 }),
      fc.string({ unit: 'binary' }),
      fc.string({ minLength: 60, maxLength: 70 }),
    );
    fc.assert(
      fc.property(text, (value) => {
        const bytes = Buffer.from(value, 'utf8');
        const expected = Buffer.concat([Buffer.from([0, 0, 0, 0]), bytes]);
        expected.writeInt32BE(bytes.length);
        expect(field((w) => w.text(value)).equals(expected)).toBe(true);
      }),
    );
  });

  it('writes a text as bytea and digests the prefix byte and its bytes, in place', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 0, max: 255 }), (value, prefix) => {
        const bytes = Buffer.from(value, 'utf8');
        let digested: Buffer | undefined;
        const written = field((w) => {
          const returned = w.textBytea(value, prefix, (input) => {
            digested = Buffer.from(input);
            return Buffer.from('digest');
          });
          expect(returned.toString()).toBe('digest');
        });
        expect(digested?.equals(Buffer.concat([Buffer.from([prefix]), bytes]))).toBe(true);
        expect(written.readInt32BE(0)).toBe(bytes.length);
        expect(written.subarray(4).equals(bytes)).toBe(true);
      }),
    );
  });
});
