import { Injectable } from '@nestjs/common';

/**
 * When this instance last began answering a request, or last sent a piece of a long answer, so that background
 * work which can wait defers to the requests (docs/scaling.md#read-tails). One per application instance (tests
 * boot several in one process).
 */
@Injectable()
export class RequestActivity {
  private lastStartedAt = Number.NEGATIVE_INFINITY;

  /** Called as each request arrives. */
  started(now = performance.now()): void {
    this.lastStartedAt = now;
  }

  /**
   * Called as a long answer (an export) sends each chunk: one request streaming for minutes is as busy as a
   * stream of short ones, and the background work it would compete with waits for it the same way.
   */
  streaming(now = performance.now()): void {
    this.lastStartedAt = now;
  }

  /** True when a request arrived, or a long answer sent a chunk, within the last `ms` milliseconds. */
  recent(ms: number, now = performance.now()): boolean {
    return now - this.lastStartedAt < ms;
  }
}

/**
 * A background round that gives way to requests: skipped while requests keep arriving, but never more than
 * `maxSkipped` rounds in a row, so the work still progresses (at 1 / (maxSkipped + 1) of its pace) under a
 * steady stream of requests, and at its full pace whenever requests pause.
 */
export class DeferToRequests {
  private skipped = 0;

  constructor(
    private readonly activity: RequestActivity,
    private readonly quietMs: number,
    private readonly maxSkipped: number,
  ) {}

  /** Whether this round runs; a round that does not run counts towards the next forced one. */
  shouldRun(): boolean {
    if (this.skipped < this.maxSkipped && this.activity.recent(this.quietMs)) {
      this.skipped++;
      return false;
    }
    this.skipped = 0;
    return true;
  }
}
