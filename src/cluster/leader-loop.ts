import type { Logger } from '@nestjs/common';
import type { Leadership } from './leadership';

export interface LeaderLoopOptions {
  /** Delay before the first round after start. */
  firstDelayMs: number;
  /** Pause after each round (also after a round skipped because another instance leads). */
  everyMs: number;
  /** Logged, with the error, when a round fails; the loop goes on after the pause. */
  failure: string;
}

/**
 * A background job that runs only on the leading instance (docs/scaling.md#several-instances): one round at a time,
 * the next scheduled a pause after the last one ends, a failed round logged and retried, and `stop` waiting for a
 * round in progress so shutdown never cuts a transaction short.
 */
export class LeaderLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly leadership: Leadership,
    private readonly logger: Logger,
    private readonly options: LeaderLoopOptions,
    private readonly round: () => Promise<unknown>,
  ) {}

  /** True once `stop` was called. */
  get stopping(): boolean {
    return this.stopped;
  }

  start(): void {
    this.schedule(this.options.firstDelayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = (this.leadership.isLeader() ? this.round() : Promise.resolve())
        .then(() => undefined)
        .catch((error: unknown) => {
          if (!this.stopped) this.logger.warn({ err: error }, this.options.failure);
        })
        .finally(() => {
          this.running = undefined;
          this.schedule(this.options.everyMs);
        });
    }, delayMs);
    this.timer.unref();
  }
}
