import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Leadership } from '../cluster/leadership';
import { IdempotencyKeys } from './idempotency-keys';

const PURGE_EVERY_MS = 60 * 60 * 1000;

/** Drops idempotency keys past their retention (IDEMPOTENCY_RETENTION_HOURS), hourly, on the instance that leads the background jobs. */
@Injectable()
export class IdempotencyKeyPurger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('IdempotencyKeyPurger');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly keys: IdempotencyKeys,
    private readonly leadership: Leadership,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (!this.leadership.isLeader()) return;
      this.keys.purge().catch((error: unknown) => this.logger.warn({ err: error }, 'idempotency key purge failed'));
    }, PURGE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
