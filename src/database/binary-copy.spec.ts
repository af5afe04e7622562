import { BinaryCopyWriter, joinTuples } from './binary-copy';

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
