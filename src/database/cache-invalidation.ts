import { Global, Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

/** The PostgreSQL channel on which committed changes name what the instances' caches must drop. */
export const CACHE_CHANNEL = 'registry_cache';
/** The application_name of each instance's listening connection: how a writer finds the instances to wait for. */
const LISTENER_NAME = 'gba-registry-cache';
const ACK = 'ack:';
const RECONNECT_MS = 1000;
const ACK_TIMEOUT_MS = 2000;

export interface CacheSubscriber {
  /** A committed change named `key` of this subscriber's topic (the payload `<topic>:<key>`). */
  invalidate(key: string): void;
  /** Notifications may have been missed (the listening connection was lost or is new): drop everything. */
  reset(): void;
}

interface Waiter {
  pending: Set<number>;
  done: () => void;
}

/**
 * Keeps the in-process caches of every instance coherent (docs/architecture.md#caches). Each instance holds
 * one connection that LISTENs on `registry_cache`. A change notifies `<topic>:<key>` in its own transaction
 * (a trigger, so a change made by hand in SQL counts too); PostgreSQL delivers it to every instance when the
 * change commits, the subscriber of that topic drops the key, and the instance answers `ack:<its backend
 * pid>:<topic>:<key>`. A writer that must not answer before every instance forgot (a revocation) waits, with
 * `changing`, for the acknowledgement of every listening connection it found before the change. While an
 * instance's connection is down it serves nothing from its caches, and on reconnecting it starts empty.
 */
@Injectable()
export class CacheInvalidation implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('CacheInvalidation');
  private readonly subscribers = new Map<string, CacheSubscriber>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private client: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private connected = false;
  /** Moves on every notification and reset: a cache keeps what it read only if this did not move meanwhile. */
  private generation = 0;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** True while notifications are received; a cache serves nothing otherwise. */
  get live(): boolean {
    return this.connected;
  }

  /** Read before reading what a cache will keep, and compare after. */
  get epoch(): number {
    return this.generation;
  }

  subscribe(topic: string, subscriber: CacheSubscriber): void {
    if (topic.includes(':')) throw new Error(`cache topic ${topic} may not contain ':'`);
    this.subscribers.set(topic, subscriber);
  }

  /**
   * Call before a change that notifies `<topic>:<key>`; once it committed, await the function returned: it
   * resolves when every instance listening before the change has acknowledged it (or after ACK_TIMEOUT_MS,
   * logged), so the caller's next request is refused by every instance.
   */
  async changing(topic: string, key: string): Promise<() => Promise<void>> {
    const rows: Array<{ pid: number }> = await this.dataSource.query(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
      [LISTENER_NAME],
    );
    const payload = `${topic}:${key}`;
    let done!: () => void;
    const acknowledged = new Promise<void>((resolve) => (done = resolve));
    const waiter: Waiter = { pending: new Set(rows.map((r) => Number(r.pid))), done };
    if (waiter.pending.size === 0) return () => Promise.resolve();
    const set = this.waiters.get(payload) ?? new Set<Waiter>();
    set.add(waiter);
    this.waiters.set(payload, set);
    return async () => {
      const timer = setTimeout(() => {
        this.logger.warn({ payload, instances: [...waiter.pending] }, 'instances did not acknowledge a cache invalidation in time');
        done();
      }, ACK_TIMEOUT_MS);
      await acknowledged;
      clearTimeout(timer);
      set.delete(waiter);
      if (set.size === 0 && this.waiters.get(payload) === set) this.waiters.delete(payload);
    };
  }

  async onModuleInit(): Promise<void> {
    await this.connect().catch(() => this.retry());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const options = this.dataSource.options as { url?: string; extra?: { options?: string } };
    const client = new Client({ connectionString: options.url, options: options.extra?.options, application_name: LISTENER_NAME });
    const lost = (error?: unknown) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.forgetAll();
      if (this.stopped) return;
      this.logger.warn({ err: error }, 'cache invalidation connection lost; caches are bypassed until it is back');
      void client.end().catch(() => undefined);
      this.retry();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel === CACHE_CHANNEL && message.payload) this.deliver(client, message.payload);
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${CACHE_CHANNEL}`);
    } catch (error) {
      if (this.client === client) this.client = undefined;
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped || this.client !== client) return void (await client.end().catch(() => undefined));
    // Anything cached before this point may have missed a notification.
    this.forgetAll();
    this.connected = true;
  }

  private retry(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connect().catch(() => this.retry());
    }, RECONNECT_MS);
    this.timer.unref();
  }

  private forgetAll(): void {
    this.connected = false;
    this.generation++;
    for (const subscriber of this.subscribers.values()) subscriber.reset();
  }

  private deliver(client: Client, payload: string): void {
    if (payload.startsWith(ACK)) {
      const rest = payload.slice(ACK.length);
      const split = rest.indexOf(':');
      const pid = Number(rest.slice(0, split));
      for (const waiter of this.waiters.get(rest.slice(split + 1)) ?? []) {
        waiter.pending.delete(pid);
        if (waiter.pending.size === 0) waiter.done();
      }
      return;
    }
    const split = payload.indexOf(':');
    if (split < 0) return;
    this.generation++;
    this.subscribers.get(payload.slice(0, split))?.invalidate(payload.slice(split + 1));
    const pid = (client as Client & { processID?: number }).processID;
    client.query('SELECT pg_notify($1, $2)', [CACHE_CHANNEL, `${ACK}${pid}:${payload}`]).catch(() => undefined);
  }
}

/** Global: the caches of every module subscribe to the one listening connection. */
@Global()
@Module({ providers: [CacheInvalidation], exports: [CacheInvalidation] })
export class CacheInvalidationModule {}
