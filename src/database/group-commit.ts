/*
 * Group commit: many callers' writes sent to PostgreSQL as one statement, as a database groups
 * concurrent transactions' commits into one WAL flush. Each statement costs the server its parse of
 * the parameters, executor start, commit, the socket round trip and the wake-ups on both sides,
 * once for the whole group (the figures are in the README, Performance, measured by bench/filing.ts).
 *
 * No timer and no added wait: a submission goes out with the next turn of the event loop together
 * with every other submission made in the same turn, and while `maxInFlight` statements are
 * running the rest wait for the first to finish, then go together. Under light load a batch is
 * one item; under heavy load batches grow until the database keeps up.
 *
 * A batch statement is all or nothing. When PostgreSQL refuses one (an error with an SQLSTATE:
 * the statement did not happen), its items are sent again one per statement, so an error reaches
 * only the caller whose item caused it and the others are written. Any other failure (the
 * connection dropped: the outcome is unknown) goes to every caller of the batch, unretried.
 *
 * Reads share statements the same way (GET /contracts/:id, `ContractQueriesService`): one round trip,
 * one executor start and one pair of wake-ups for all the readers of the moment.
 *
 * Pattern: the write batching of Trillian's sequencer and of Postgres group commit
 * (https://www.postgresql.org/docs/current/wal-configuration.html, commit_delay); here without
 * the delay.
 */

export interface GroupCommitOptions<I = unknown> {
  /** Most items in one statement. */
  maxBatch: number;
  /** Most statements running at once (each holds a pooled connection). */
  maxInFlight: number;
  /**
   * With `weigh`: most total weight in one statement (a transfer request weighs its record count);
   * an item heavier than this still goes, alone.
   */
  maxWeight?: number;
  weigh?: (item: I) => number;
  /** Called with the number of items of each statement sent, resent items included (metrics). */
  onBatch?: (size: number) => void;
  /** Called with the number of items waiting for a statement whenever it changes (metrics). */
  onWaiting?: (waiting: number) => void;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

/**
 * True when PostgreSQL itself refused the statement, so nothing of it was written: the server's
 * ErrorResponse, which pg turns into an error with `severity` and a five-character SQLSTATE `code`
 * (TypeORM's QueryFailedError keeps it as `driverError`). A socket error (`code` ECONNRESET,
 * EPIPE...) has no severity.
 */
export function refusedByServer(error: unknown): boolean {
  type Refusal = { code?: unknown; severity?: unknown };
  const e = ((error as { driverError?: Refusal } | null)?.driverError ?? error) as Refusal | null;
  return typeof e?.severity === 'string' && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code);
}

export class GroupCommit<I, O> {
  private readonly queue: Pending<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;

  /**
   * @param write writes `items` in one statement and returns one result per item, in order.
   */
  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly options: GroupCommitOptions<I>,
  ) {
    if (!(options.maxBatch >= 1 && options.maxInFlight >= 1)) throw new RangeError('GroupCommit: maxBatch and maxInFlight must be at least 1');
  }

  /** Resolves with the item's result once the statement that carried it has committed. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.options.onWaiting?.(this.queue.length);
      this.schedule();
    });
  }

  /** Items waiting for a statement (not those running). */
  get waiting(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight || !this.queue.length) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length) {
      const batch = this.queue.splice(0, this.batchLength());
      this.options.onWaiting?.(this.queue.length);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  /** How many of the first waiting items go in the next statement: maxBatch items, within maxWeight. */
  private batchLength(): number {
    const { maxBatch, maxWeight, weigh } = this.options;
    if (!weigh || maxWeight === undefined) return maxBatch;
    let weight = 0;
    let length = 0;
    for (const pending of this.queue) {
      if (length >= maxBatch) break;
      weight += weigh(pending.item);
      if (length > 0 && weight > maxWeight) break;
      length++;
    }
    return length;
  }

  private async run(batch: Pending<I, O>[]): Promise<void> {
    this.options.onBatch?.(batch.length);
    try {
      const results = await this.write(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (error) {
      if (batch.length === 1 || !refusedByServer(error)) {
        for (const p of batch) p.reject(error);
        return;
      }
      // Nothing of the batch was written: again one by one, so the error reaches only its own caller.
      for (const p of batch) {
        this.options.onBatch?.(1);
        try {
          const [result] = await this.write([p.item]);
          p.resolve(result);
        } catch (own) {
          p.reject(own);
        }
      }
    }
  }
}
