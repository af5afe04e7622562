import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Leadership } from '../cluster/leadership';
import { LedgerService } from './ledger.service';

/** A checkpoint covering every acknowledged record is published within about a second (docs/architecture.md#data-flow-of-post-transfers). */
export const CHECKPOINT_INTERVAL_MS = 250;

/**
 * Signs a new checkpoint whenever the tree grew: polled every 250 ms (one
 * index-only max() query when idle) and nudged right after an append commits,
 * unless a pass began less than 250 ms before: under a steady stream of appends
 * the log is signed four times a second, not once per append, so signing
 * (a consistency proof from storage, a signature, a stored row) does not
 * compete with the appends themselves.
 * Only the instance that leads the background jobs signs (docs/scaling.md#several-instances);
 * the others' appends are picked up by the leader's next poll.
 */
@Injectable()
export class LedgerCheckpointer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('LedgerCheckpointer');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private lastSize = -1;
  private stopped = false;
  private lastPassStartedAt = 0;

  constructor(
    private readonly ledger: LedgerService,
    private readonly leadership: Leadership,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.lastSize = await this.ledger.latestCheckpointSize();
    // Before signing anything: the last checkpoint signed must still be the tree in storage (docs/architecture.md#trust-model, part 1).
    await this.ledger.verifyLatestCheckpoint();
    // Publish at once, so GET /ledger/checkpoint always has a note (the empty tree's included).
    await this.tick();
    this.timer = setInterval(() => void this.tick(), CHECKPOINT_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Ask for a checkpoint soon (after an append committed): now, or at the next poll when a pass began within the interval. */
  nudge(): void {
    if (Date.now() - this.lastPassStartedAt >= CHECKPOINT_INTERVAL_MS) void this.tick();
  }

  /** Runs one checkpoint pass; concurrent calls coalesce into one more pass. */
  tick(): Promise<void> {
    if (this.stopped || !this.leadership.isLeader()) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        this.lastPassStartedAt = Date.now();
        try {
          this.lastSize = await this.ledger.checkpointIfGrown(this.lastSize);
        } catch (error) {
          if (!this.stopped) this.logger.warn({ err: error }, 'checkpoint failed; retrying on the next tick');
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }
}
