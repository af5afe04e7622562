import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { TransfersService } from './transfers.service';

const PURGE_EVERY_MS = 60 * 60 * 1000;

/** Drops idempotency keys past their retention (IDEMPOTENCY_RETENTION_HOURS), hourly. */
@Injectable()
export class IdempotencyKeyPurger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('IdempotencyKeyPurger');
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly transfers: TransfersService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.transfers.purgeIdempotencyKeys().catch((error: unknown) => this.logger.warn({ err: error }, 'idempotency key purge failed'));
    }, PURGE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
