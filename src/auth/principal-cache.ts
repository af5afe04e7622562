import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../common/roles';
import { CacheInvalidation, CacheSubscriber } from '../database/cache-invalidation';

/** A live account as the guard needs it: who it is, and the instant before which its tokens are refused (epoch ms, 0 for none). */
export interface CachedPrincipal {
  principal: Principal;
  tokensValidFrom: number;
}

const CAPACITY = 10_000;

/**
 * The accounts behind the bearer tokens of recent requests (docs/architecture.md#caches), so a request does not
 * read its account's row again. Coherent across instances: a change to a user or service account notifies
 * `principal:<id>` on commit (a trigger, migration CacheInvalidation), every instance drops it, and a revocation
 * made through the registry is answered only once every instance has (`changing`). While the listening
 * connection is down, nothing is served from here.
 */
@Injectable()
export class PrincipalCache implements CacheSubscriber {
  private readonly entries = new LRUCache<string, CachedPrincipal>({ max: CAPACITY });

  constructor(private readonly invalidation: CacheInvalidation) {
    invalidation.subscribe('principal', this);
  }

  /** Read before looking the account up; pass it to `set`. */
  get epoch(): number {
    return this.invalidation.epoch;
  }

  get(kind: Principal['kind'], id: string): CachedPrincipal | undefined {
    return this.invalidation.live ? this.entries.get(`${kind}:${id}`) : undefined;
  }

  /** Keeps what was read after `epoch`, unless a change was notified since (what was read may predate it). */
  set(kind: Principal['kind'], id: string, entry: CachedPrincipal, epoch: number): void {
    if (this.invalidation.live && epoch === this.invalidation.epoch) this.entries.set(`${kind}:${id}`, entry);
  }

  /**
   * Runs a change to account `id` and returns once every instance has dropped the account: the tokens it
   * revokes are refused by every instance from the caller's next request.
   */
  async changing(id: string, change: () => Promise<unknown>): Promise<void> {
    const acknowledged = await this.invalidation.changing('principal', id);
    await change();
    this.invalidate(id);
    await acknowledged();
  }

  invalidate(id: string): void {
    this.entries.delete(`user:${id}`);
    this.entries.delete(`service_account:${id}`);
  }

  reset(): void {
    this.entries.clear();
  }
}
