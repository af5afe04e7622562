import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Leadership } from '../cluster/leadership';
import { RegistryMetrics } from '../common/metrics';

/** Monthly partitions kept ready beyond the current month (docs/scaling.md#partitions). */
export const PARTITION_MONTHS_AHEAD = 3;
const MAINTAIN_EVERY_MS = 60 * 60 * 1000;
/** The GBA's civil time (UTC+8, no daylight saving): partitions are its calendar months. */
const UTC_PLUS_8_MS = 8 * 60 * 60 * 1000;

/** The first day (YYYY-MM-01) of the UTC+8 month `offset` months after the one holding `instant`. */
export function monthStart(instant: Date, offset = 0): string {
  const local = new Date(instant.getTime() + UTC_PLUS_8_MS);
  const first = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + offset, 1));
  return first.toISOString().slice(0, 10);
}

/**
 * Creates transfer_records' monthly partitions ahead of time (docs/scaling.md#partitions), at start and
 * hourly, on the instance that leads the background jobs. Creating one that exists does nothing, so two
 * instances that both believe they lead repeat work, never fail. A month that cannot be created (its records
 * already in the DEFAULT partition, a lock timeout) is logged and counted: its records keep going to the
 * DEFAULT partition, so an insert never fails for lack of a partition.
 */
@Injectable()
export class TransferPartitions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TransferPartitions');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly leadership: Leadership,
    private readonly metrics: RegistryMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const run = (): void => {
      if (this.leadership.isLeader()) void this.ensure();
    };
    run();
    this.timer = setInterval(run, MAINTAIN_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Ensures the partitions of the month holding `now` and the PARTITION_MONTHS_AHEAD after it; returns those created. */
  async ensure(now: Date = new Date()): Promise<string[]> {
    const created: string[] = [];
    for (let offset = 0; offset <= PARTITION_MONTHS_AHEAD; offset++) {
      const month = monthStart(now, offset);
      try {
        const [row] = await this.dataSource.query<Array<{ name: string | null }>>('SELECT transfer_records_ensure_partition($1::date) AS name', [month]);
        if (row.name) created.push(row.name);
      } catch (error) {
        this.metrics.transferPartitionFailures.inc();
        this.logger.warn(
          { err: error, month },
          `the partition of transfer records for the month from ${month} cannot be created; its records go to the DEFAULT partition`,
        );
      }
    }
    if (created.length) this.logger.log({ partitions: created }, `created transfer record partitions ${created.join(', ')}`);
    return created;
  }
}
