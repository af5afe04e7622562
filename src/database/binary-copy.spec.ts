import { randomUUID } from 'node:crypto';
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
