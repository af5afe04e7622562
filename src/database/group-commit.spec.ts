import { GroupCommit, refusedByServer } from './group-commit';

/** A `write` that records each statement's items and answers per item (or throws what `fail` says). */
function recorder(fail: (items: number[]) => Error | null = () => null) {
  const statements: number[][] = [];
  let running = 0;
  let maxRunning = 0;
  const write = async (items: number[]): Promise<string[]> => {
    statements.push([...items]);
    running++;
    maxRunning = Math.max(maxRunning, running);
    await new Promise((r) => setTimeout(r, 5));
    running--;
    const error = fail(items);
    if (error) throw error;
    return items.map((i) => `row ${i}`);
  };
  return { statements, write, maxRunning: () => maxRunning };
}

const serverError = (code: string) => Object.assign(new Error(`refused ${code}`), { code, severity: 'ERROR' });

describe('GroupCommit', () => {
  it('sends what was submitted in one turn as one statement, and gives each caller its own result', async () => {
    const r = recorder();
    const commit = new GroupCommit(r.write, { maxBatch: 32, maxInFlight: 2 });
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => commit.submit(i)));
    expect(results).toEqual(['row 1', 'row 2', 'row 3', 'row 4', 'row 5']);
    expect(r.statements).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('keeps to maxBatch items per statement and maxInFlight statements at once; the rest wait and then go together', async () => {
    const r = recorder();
    const sizes: number[] = [];
    const waiting: number[] = [];
    const commit = new GroupCommit(r.write, { maxBatch: 3, maxInFlight: 2, onBatch: (n) => sizes.push(n), onWaiting: (n) => waiting.push(n) });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => commit.submit(i)));
    expect(waiting).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 7, 4, 1, 0]);
    expect(results).toEqual(Array.from({ length: 10 }, (_, i) => `row ${i}`));
    expect(r.statements).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    expect(sizes).toEqual([3, 3, 3, 1]);
    expect(r.maxRunning()).toBe(2);
    expect(commit.waiting).toBe(0);
  });

  it('a batch PostgreSQL refused is sent again one item per statement: only the item at fault fails', async () => {
    const r = recorder((items) => (items.includes(3) ? serverError('23514') : null));
    const sizes: number[] = [];
    const commit = new GroupCommit(r.write, { maxBatch: 32, maxInFlight: 1, onBatch: (n) => sizes.push(n) });
    const settled = await Promise.allSettled([1, 2, 3, 4].map((i) => commit.submit(i)));
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual(['row 1', 'row 2', 'refused 23514', 'row 4']);
    expect(r.statements).toEqual([[1, 2, 3, 4], [1], [2], [3], [4]]);
    expect(sizes).toEqual([4, 1, 1, 1, 1]);
  });

  it('a failure without an SQLSTATE (the outcome is unknown) goes to every caller of the batch and is not retried', async () => {
    const lost = Object.assign(new Error('Connection terminated unexpectedly'), { code: undefined });
    const r = recorder(() => lost);
    const commit = new GroupCommit(r.write, { maxBatch: 32, maxInFlight: 1 });
    const settled = await Promise.allSettled([1, 2].map((i) => commit.submit(i)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(r.statements).toEqual([[1, 2]]);
  });

  it('keeps going after a failed batch', async () => {
    let first = true;
    const r = recorder(() => (first ? ((first = false), new Error('socket hang up')) : null));
    const commit = new GroupCommit(r.write, { maxBatch: 32, maxInFlight: 1 });
    await expect(commit.submit(1)).rejects.toThrow('socket hang up');
    await expect(commit.submit(2)).resolves.toBe('row 2');
  });

  it('keeps each statement within maxWeight, and sends an item heavier than that alone', async () => {
    const r = recorder();
    const commit = new GroupCommit(r.write, { maxBatch: 32, maxInFlight: 1, maxWeight: 10, weigh: (i: number) => i });
    const results = await Promise.all([3, 4, 3, 2, 12, 1].map((i) => commit.submit(i)));
    expect(results).toEqual(['row 3', 'row 4', 'row 3', 'row 2', 'row 12', 'row 1']);
    expect(r.statements).toEqual([[3, 4, 3], [2], [12], [1]]);
  });

  it('refuses a configuration that could never send anything', () => {
    expect(() => new GroupCommit(() => Promise.resolve([]), { maxBatch: 0, maxInFlight: 1 })).toThrow(RangeError);
    expect(() => new GroupCommit(() => Promise.resolve([]), { maxBatch: 1, maxInFlight: 0 })).toThrow(RangeError);
  });
});

describe('refusedByServer', () => {
  it('is true for a server ErrorResponse (severity and SQLSTATE), on the error or on TypeORM driverError, and false otherwise', () => {
    expect(refusedByServer(serverError('23505'))).toBe(true);
    expect(refusedByServer({ driverError: { code: '40001', severity: 'ERROR' } })).toBe(true);
    expect(refusedByServer(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(false);
    expect(refusedByServer(Object.assign(new Error('x'), { code: 'EPIPE' }))).toBe(false);
    expect(refusedByServer(new Error('timeout exceeded when trying to connect'))).toBe(false);
    expect(refusedByServer(null)).toBe(false);
  });
});
