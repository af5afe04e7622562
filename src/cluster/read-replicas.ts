import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { actsFor } from '../access/access';
import type { Principal } from '../common/roles';
import { isDatabaseUnavailable } from '../common/problem.filter';
import { REGISTRY_CONFIG, RegistryConfig } from '../config/config';
import { createDataSource } from '../database/data-source';
import { RegistryMetrics } from '../common/metrics';

/** A replica that failed is left alone this long before it is tried again. */
const RETRY_REPLICA_AFTER_MS = 5000;
const REPLICA_POOL_SIZE = 4;

interface Replica {
  readonly url: string;
  dataSource: DataSource | undefined;
  connecting: Promise<DataSource> | undefined;
  failedAt: number;
}

/** Where a read may run, and whether the chosen database is fit for it (a proof needs its tree size replayed). */
export interface ReplicaReadOptions {
  /** Checked on the replica first; false sends the read to the primary (for example: the replica has fewer leaves than the proof names). */
  fits?: (db: DataSource) => Promise<boolean>;
}

/**
 * Regulators' reads on streaming replicas (DATABASE_READ_URLS; docs/scaling.md#read-replicas). A regulator
 * only reads what parties logged, never its own write, so a replica a little behind the primary serves it
 * as of a moment ago; every other caller, and every write, stays on the primary (a party reading back
 * what it just logged must see it). A read that names a tree size runs on a replica only when the replica
 * has replayed that many leaves (`fits`), else on the primary. A replica that cannot be reached, or that
 * cancelled the read for a conflict with recovery, is skipped for a few seconds and the read runs on the primary.
 */
@Injectable()
export class ReadReplicas implements OnApplicationShutdown {
  private readonly logger = new Logger('ReadReplicas');
  private readonly replicas: Replica[];
  private next = 0;
  private readonly poolSize: number;
  private readonly appRole: string;

  constructor(
    @InjectDataSource() private readonly primary: DataSource,
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    private readonly metrics: RegistryMetrics,
  ) {
    this.replicas = config.databaseReadUrls.map((url) => ({ url, dataSource: undefined, connecting: undefined, failedAt: 0 }));
    this.poolSize = Math.min(REPLICA_POOL_SIZE, config.databasePoolSize);
    this.appRole = config.databaseAppRole;
  }

  get enabled(): boolean {
    return this.replicas.length > 0;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.replicas.map((r) => (r.dataSource ? r.dataSource.destroy().catch(() => undefined) : Promise.resolve())));
  }

  /** Runs a read for `principal`: on a replica when it is a regulator's and a replica fits, else on the primary. */
  async read<T>(principal: Principal | undefined, work: (db: DataSource) => Promise<T>, options: ReplicaReadOptions = {}): Promise<T> {
    // Regulators are the callers who act for an authority (src/access/policy.ts).
    if (!principal || actsFor(principal.role) !== 'authority' || !this.enabled) return work(this.primary);
    for (let tried = 0; tried < this.replicas.length; tried++) {
      const replica = this.replicas[this.next++ % this.replicas.length];
      if (Date.now() - replica.failedAt < RETRY_REPLICA_AFTER_MS) continue;
      try {
        const db = await this.connect(replica);
        if (options.fits && !(await options.fits(db))) break;
        const result = await work(db);
        this.metrics.replicaReads.inc({ served_by: 'replica' });
        return result;
      } catch (error) {
        if (!isDatabaseUnavailable(error) && !isRecoveryConflict(error)) throw error;
        replica.failedAt = Date.now();
        this.logger.warn({ replica: redacted(replica.url), err: error }, 'read replica failed; reading from the primary');
      }
    }
    this.metrics.replicaReads.inc({ served_by: 'primary' });
    return work(this.primary);
  }

  private async connect(replica: Replica): Promise<DataSource> {
    if (replica.dataSource) return replica.dataSource;
    replica.connecting ??= (async () => {
      const dataSource = createDataSource(replica.url, { poolSize: this.poolSize, appRole: this.appRole });
      try {
        await dataSource.initialize();
      } finally {
        replica.connecting = undefined;
      }
      replica.dataSource = dataSource;
      return dataSource;
    })();
    return replica.connecting;
  }
}

/** A hot standby cancels a query whose rows the replay must remove (SQLSTATE 40001, "conflict with recovery"). */
function isRecoveryConflict(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } } | undefined;
  return (e?.driverError?.code ?? e?.code) === '40001';
}

/** The URL without its password, for logs. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}
