// The load the fault tests run while they break something (README.md#reliability): writers that keep
// batches in flight, an observer that keeps every signed checkpoint, and the retry of every batch
// that got no answer, with its Idempotency-Key and body.
import { Ledgerbook, LogState, observeCheckpoint, randomBatch, resend, send, SentBatch, sleep } from './support';

/** A batch that got no answer, with the token to send it again. */
export type Unanswered = SentBatch & { token: string };

/** The load runs while `running`; set it to false and await the loops to stop them. */
export interface Switch {
  running: boolean;
}

export interface Writer {
  contractId: string;
  /** The records' tag, and the writer's: `crash-w0`. */
  tag: string;
  token: string;
  book: Ledgerbook;
  /** Where an unanswered batch is kept for retry. */
  pending: Unanswered[];
  /** The registry to send the next batch to. */
  target: () => string;
  /** The pause after an unanswered batch. */
  pauseMs: number;
  timeoutMs?: number;
  /** The most records in a batch (`randomBatch`). */
  most?: number;
  /** Told of every batch: acknowledged, and whether a request went out at all. */
  answered?: (acknowledged: boolean, sent: boolean) => void;
}

/** Sends batches of 1 to `most` records, each with its own Idempotency-Key, one after the other while `on.running`. */
export async function writeBatches(on: Switch, w: Writer): Promise<void> {
  while (on.running) {
    const batch = randomBatch(w.contractId, w.tag, w.most);
    const before = w.book.requests;
    const acknowledged = await send(w.target(), w.token, w.book, batch, { timeoutMs: w.timeoutMs ?? 15_000 });
    w.answered?.(acknowledged, w.book.requests > before);
    if (!acknowledged) {
      w.pending.push({ ...batch, token: w.token });
      await sleep(w.pauseMs);
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
