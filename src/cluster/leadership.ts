import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { REGISTRY_CONFIG, RegistryConfig } from '../config/config';
import { RegistryMetrics } from '../common/metrics';

/** The session-level advisory lock whose holder runs the background jobs (one key per database). */
export const LEADERSHIP_LOCK = 0x6c_65_61_64; // "lead"

/** How often a follower tries to take the lock, and how often the leader checks that its session still holds it. */
export const LEADERSHIP_POLL_MS = 1000;
const QUERY_TIMEOUT_MS = 3000;

/**
 * Elects one instance among all those on one database to run the background jobs: checkpointing, witness
 * submission, the self-audit, the idempotency-key purge, webhook delivery and the deadline and expiry scan (docs/scaling.md#several-instances). The leader is
 * the session holding pg_try_advisory_lock(LEADERSHIP_LOCK) on a connection of its own, outside the pool:
 * PostgreSQL releases the lock when that session ends, so when the leader dies or loses its connection a
 * follower takes the lock on its next try. The leader checks its session every LEADERSHIP_POLL_MS and stops
 * leading as soon as a check fails. Correctness never depends on this: signing is a compare-and-swap and
 * the audit's cursor is a locked row, so two instances that both believed they led for a moment can repeat
 * work, never fork the log.
 */
@Injectable()
export class Leadership implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Leadership');
  private client: Client | undefined;
  private leading = false;
  private terms = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  readonly instanceId: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    private readonly metrics: RegistryMetrics,
  ) {
    this.instanceId = config.instanceId;
    this.metrics.backgroundLeader.set({ instance: this.instanceId }, 0);
  }

  /** Tries once before the jobs start, so a lone instance leads from its first tick. */
  async onModuleInit(): Promise<void> {
    await this.step();
    this.timer = setInterval(() => void this.step(), LEADERSHIP_POLL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    // Ending the session releases the lock now, so a follower leads within one poll.
    await this.drop(this.leading ? 'this instance is shutting down' : undefined);
  }

  /** True while this instance holds the lock (as of its last check). */
  isLeader(): boolean {
    return this.leading && !this.stopped;
  }

  /** Counts the times this instance became leader: a job that keeps state re-reads it when the term changes. */
  get term(): number {
    return this.terms;
  }

  /** One try to lead, or one check that the lead still holds; concurrent calls share it. */
  step(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= (this.leading ? this.check() : this.tryToLead()).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async tryToLead(): Promise<void> {
    try {
      const client = await this.connect();
      const [row] = (await client.query<{ leading: boolean }>('SELECT pg_try_advisory_lock($1) AS leading', [LEADERSHIP_LOCK])).rows;
      if (!row.leading || this.stopped) return;
      this.leading = true;
      this.terms++;
      this.metrics.backgroundLeader.set({ instance: this.instanceId }, 1);
      this.logger.log(
        { instance: this.instanceId, term: this.terms },
        `instance ${this.instanceId} now leads the background jobs (checkpointing, witness submission, self-audit, idempotency purge, webhook delivery, deadline and expiry scan)`,
      );
    } catch (error) {
      await this.drop();
      if (!this.stopped) this.logger.warn({ instance: this.instanceId, err: error }, 'cannot reach the database to take the lead; trying again');
    }
  }

  private async check(): Promise<void> {
    try {
      await (this.client as Client).query('SELECT 1');
    } catch (error) {
      await this.drop(`its database session failed (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  private async connect(): Promise<Client> {
    if (this.client) return this.client;
    const options = this.dataSource.options as { url?: string };
    const client = new Client({
      connectionString: options.url,
      application_name: `gba-registry-leadership ${this.instanceId}`.slice(0, 63),
      keepAlive: true,
      connectionTimeoutMillis: QUERY_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
    });
    // A session that ends under us is a lost lead: stop leading now, not at the next check.
    client.on('error', (error: Error) => void this.drop(`its database session ended (${error.message})`));
    this.client = client;
    try {
      await client.connect();
    } catch (error) {
      this.client = undefined;
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  /** Closes the session (which releases the lock if it still holds it); `reason` is logged when this instance led. */
  private async drop(reason?: string): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (this.leading) {
      this.leading = false;
      this.metrics.backgroundLeader.set({ instance: this.instanceId }, 0);
      if (reason)
        this.logger.warn({ instance: this.instanceId, term: this.terms }, `instance ${this.instanceId} no longer leads the background jobs: ${reason}`);
    }
    await client?.end().catch(() => undefined);
  }
}
