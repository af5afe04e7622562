// The load the fault tests run while they break something (README.md#reliability): writers that keep
// batches in flight, an observer that keeps every signed checkpoint, and the retry of every batch
// that got no answer, with its Idempotency-Key and body.
import { Ledgerbook, LogState, observeCheckpoint, randomBatch, resend, Seeded, send, SentBatch, sleep } from './support';

/** A batch that got no answer, with the token to send it again. */
export type Unanswered = SentBatch & { token: string };

/** The load runs while `running`; set it to false and await the loops to stop them. */
export interface Switch {
  running: boolean;
}

export interface Writers {
  /** The contract the records are logged under, and one token per writer. */
  seeded: Pick<Seeded, 'contractId' | 'writerTokens'>;
  /** The test's name: writer w's records are tagged `name-w0`, … */
  name: string;
  book: Ledgerbook;
  /** The registry writer w sends its next batch to. */
  target: (w: number) => string;
  /** The pause after an unanswered batch. */
  pauseMs: number;
  timeoutMs?: number;
  /** The most records in a batch (`randomBatch`). */
  most?: number;
  /** Told of every batch: acknowledged, and whether a request went out at all. */
  answered?: (acknowledged: boolean, sent: boolean) => void;
}

/** The batches that got no answer, each with its writer's token (`book.unacknowledged`), to be sent again. */
export const unansweredOf = (book: Ledgerbook): Unanswered[] => book.unacknowledged as Unanswered[];

/**
 * Writers 0 to count − 1, each sending batches of 1 to `most` records, each batch with its own Idempotency-Key, one
 * after the other while `on.running`; a batch that got no answer is kept in `book.unacknowledged` with its token.
 */
export function startWriters(on: Switch, count: number, o: Writers): Promise<void>[] {
  return Array.from({ length: count }, (_, w) => writeBatches(on, w, o));
}

async function writeBatches(on: Switch, w: number, o: Writers): Promise<void> {
  const token = o.seeded.writerTokens[w];
  while (on.running) {
    const batch = randomBatch(o.seeded.contractId, `${o.name}-w${w}`, o.most);
    const before = o.book.requests;
    const acknowledged = await send(o.target(w), token, o.book, batch, { timeoutMs: o.timeoutMs ?? 15_000 });
    o.answered?.(acknowledged, o.book.requests > before);
    if (!acknowledged) {
      unansweredOf(o.book).push({ ...batch, token });
      await sleep(o.pauseMs);
    }
  }
}

/** Keeps every signed checkpoint the registries at `bases()` serve while `on.running`, to be linked by consistency proofs later. */
export async function observeCheckpoints(on: Switch, bases: () => string[], state: LogState, pauseMs: number, timeoutMs = 3000): Promise<void> {
  while (on.running) {
    for (const base of bases()) await observeCheckpoint(base, state, timeoutMs).catch(() => undefined);
    await sleep(pauseMs);
  }
}

/** Every batch that got no answer, again with its key and body (`resend`), the i-th to `baseFor(i)`: the problems. */
export async function resendAll(batches: readonly Unanswered[], baseFor: (i: number) => string, book: Ledgerbook): Promise<string[]> {
  const problems: string[] = [];
  for (const [i, batch] of batches.entries()) {
    if (!(await resend(baseFor(i), batch.token, book, batch))) problems.push(`retry of ${batch.key} never acknowledged`);
  }
  return problems;
}
