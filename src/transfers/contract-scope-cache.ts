import { LRUCache } from 'lru-cache';
import { EntityManager } from 'typeorm';
import type { ContractScopeFacts } from '../contracts/contracts.service';
import type { IsoDate } from '../contracts/domain/contract-rules';
import { buildScope, ContractScope, versionSelector } from './domain/compliance-flags';

/** One contract as the transfer log flags against it: the contracts module's facts, each version's scope built here. */
export type ContractScopeBundle = Omit<ContractScopeFacts, 'terminatedOn' | 'versions'> & {
  versions: Array<{ version: number; effectiveDate: IsoDate; scope: ContractScope }>;
};

/** The ContractsService methods the transfer log uses (provided under CONTRACT_SCOPES). */
export interface ContractScopeSource {
  scopeFactsFor(contractIds: string[], manager?: EntityManager): Promise<Map<string, ContractScopeFacts>>;
  revisionsOf(contractIds: string[], manager?: EntityManager): Promise<Map<string, number>>;
  /** revisionsOf as SQL text, for a statement sent with others (src/database/one-message.ts), and the reading of its rows. */
  revisionsSql(contractIds: readonly string[]): string;
  revisionsFromRows(rows: ReadonlyArray<{ id: string; revision: number }>): Map<string, number>;
  /** An SQL condition: every contract of `expected` still has the revision given (src/database/expectations.ts). */
  revisionsUnchangedSql(expected: ReadonlyMap<string, number>): string;
}

/** docs/rules.md#compliance-flags: what each version of the contract allows, precomputed once per revision for fast flagging. */
export function toScopeBundle({ terminatedOn, versions, ...contract }: ContractScopeFacts): ContractScopeBundle {
  return {
    ...contract,
    versions: versions.map((v) => ({
      version: v.version,
      effectiveDate: v.effectiveDate,
      scope: buildScope(v.terms, { direction: contract.direction, terminatedOn, filings: v.filings }),
    })),
  };
}

export const CONTRACT_SCOPES = Symbol('CONTRACT_SCOPES');

export interface CachedContract {
  bundle: ContractScopeBundle;
  /** The version in force at an instant (highest version effective on its GBA date). */
  versionAt: (occurredAt: string | Date) => ContractScopeBundle['versions'][number];
}

/**
 * Contract scopes cached per process and revalidated on every request with
 * one cheap revisions query: an amendment, termination or filing change bumps
 * the contract's revision, so a stale scope is never used, on any instance.
 * Ingestion reads the revisions once more under the ledger lock (`revisionsOf`),
 * so a change that commits while a batch is being prepared is not missed either.
 */
export class ContractScopeCache {
  private readonly entries: LRUCache<string, CachedContract>;

  constructor(
    private readonly source: ContractScopeSource,
    capacity = 20_000,
  ) {
    this.entries = new LRUCache<string, CachedContract>({ max: capacity });
  }

  /** The current revision of each existing contract (one indexed query; in `manager`'s transaction if given). */
  revisionsOf(contractIds: readonly string[], manager?: EntityManager): Promise<Map<string, number>> {
    return this.source.revisionsOf([...new Set(contractIds)], manager);
  }

  /** `revisionsOf` as SQL text for a statement sent with others, and the reading of its rows (the group's transaction, ./transfer-ingestion.ts). */
  revisionsSql(contractIds: readonly string[]): string {
    return this.source.revisionsSql(contractIds);
  }

  revisionsFromRows(rows: ReadonlyArray<{ id: string; revision: number }>): Map<string, number> {
    return this.source.revisionsFromRows(rows);
  }

  revisionsUnchangedSql(expected: ReadonlyMap<string, number>): string {
    return this.source.revisionsUnchangedSql(expected);
  }

  /**
   * Scopes as this process last saw them, loading (current) only the contracts it has not seen; unknown
   * contracts are absent. For ingestion only: the sequencer reads the revisions under the ledger lock
   * and rebuilds a request whose scope was stale, so checking them here as well would be a second query.
   */
  async remembered(contractIds: readonly string[]): Promise<Map<string, CachedContract>> {
    const ids = [...new Set(contractIds)];
    const unseen = ids.filter((id) => !this.entries.has(id));
    const out = unseen.length > 0 ? await this.get(unseen) : new Map<string, CachedContract>();
    for (const id of ids) {
      const cached = this.entries.get(id);
      if (cached && !out.has(id)) out.set(id, cached);
    }
    return out;
  }

  /**
   * Current scopes for these contracts; unknown contracts are absent from the map. `revisions`, when
   * given, are revisions the caller just read with `revisionsOf` in the same transaction (saves the query).
   */
  async get(contractIds: readonly string[], manager?: EntityManager, revisions?: Map<string, number>): Promise<Map<string, CachedContract>> {
    const ids = [...new Set(contractIds)];
    revisions ??= await this.source.revisionsOf(ids, manager);
    const stale = ids.filter((id) => revisions.has(id) && this.entries.get(id)?.bundle.revision !== revisions.get(id));
    if (stale.length) {
      const facts = await this.source.scopeFactsFor(stale, manager);
      for (const [id, fact] of facts) {
        const bundle = toScopeBundle(fact);
        if (bundle.versions.length === 0) continue;
        const select = versionSelector(bundle.versions);
        this.entries.set(id, { bundle, versionAt: (at) => select(at) as ContractScopeBundle['versions'][number] });
      }
    }
    const out = new Map<string, CachedContract>();
    for (const id of ids) {
      const cached = this.entries.get(id);
      if (cached && revisions.has(id)) out.set(id, cached);
    }
    return out;
  }
}
