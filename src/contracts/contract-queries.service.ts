import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { namedParameters } from '../access/access';
import { AccessService } from '../access/access.service';
import { notFound } from '../common/errors';
import { cursorScope, decodeCursor, encodeCursor, isBigint, isInstantAndUuid, Page } from '../common/pagination';
import { Principal } from '../common/roles';
import { OrganisationsService } from '../organisations/organisations.service';
import { UsersService } from '../auth/users.service';
import { GroupCommit } from '../database/group-commit';
import { RolloutService } from '../rollout/rollout.service';
import { ContractHistoryAction } from './contract-history.entity';
import { historyPage } from './contract-history.repository';
import { CONTRACT_SCOPE_COLUMNS, listContracts } from './contract-list.repository';
import { contractScope, ContractSummary, ContractView, gbaToday, toContractSummary, toContractView, toVersionView, VersionView } from './contract-views';
import { ListContractsQuery, VERSIONS_PAGE_LIMIT } from './contract.dto';
import type { Contract } from './contract.entity';
import { ContractWithParts, contractsWithParts, summaryParts, versionRange } from './contracts.repository';
import { ContractsService } from './contracts.service';
import type { IsoDate } from './domain/contract-rules';

export interface HistoryView {
  id: string;
  at: string;
  action: ContractHistoryAction;
  version: number | null;
  party: string | null;
  fromStatus: string | null;
  toStatus: string | null;
  /** `name`: a user's display name (else e-mail address), a service account's name (else client id), from the auth module. */
  actor: { id: string | null; kind: string; name: string | null; role: string; organisationId: string | null; authority: string | null };
  details: Record<string, unknown>;
}

/** Contracts read per statement, and statements at once (of the pool's 10 connections). */
const CONTRACT_READS = { maxBatch: 32, maxInFlight: 2 };

/** Reading contracts: one contract, the list, versions, history. */
@Injectable()
export class ContractQueriesService {
  /**
   * GET /contracts/:id: the reads of the moment share one statement (`GroupCommit`, as the filings'
   * inserts do: one round trip for many readers; README, Performance), each contract checked here for its own caller.
   */
  private readonly reads: GroupCommit<string, ContractWithParts | null>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationsService,
    private readonly access: AccessService,
    private readonly contracts: ContractsService,
    private readonly users: UsersService,
    private readonly rollout: RolloutService,
  ) {
    this.reads = new GroupCommit((ids) => contractsWithParts(this.dataSource, ids), CONTRACT_READS);
  }

  /** One contract, checked here, with its versions, filings in force and parties. */
  async get(principal: Principal, contractId: string): Promise<ContractView> {
    const found = await this.reads.submit(contractId);
    if (!found) throw notFound('Contract');
    const contract = this.access.require(principal, 'contract.read', found.contract, contractScope, 'Contract');
    const parties = new Map(found.parties.map((o) => [o.id, o]));
    return {
      ...toContractView(contract, found.versions, found.filings, gbaToday(), parties, this.rollout.authorities()),
      documentParties: this.contracts.documentParties(principal, contract),
    };
  }

  async list(principal: Principal, query: ListContractsQuery): Promise<Page<ContractSummary>> {
    const limit = query.limit ?? 50;
    const scope = cursorScope('contracts', query);
    const after = decodeCursor(query.cursor, 2, isInstantAndUuid, scope) as [string, string] | null;
    const today = gbaToday();
    const where = (setParameter: (name: string, value: unknown) => void) =>
      this.access.sqlWhere(principal, 'contract.read', CONTRACT_SCOPE_COLUMNS, namedParameters(setParameter), { parties: [query.party] });
    const rows = await listContracts(this.dataSource.manager, where, query, today, after, limit);
    const page = rows.slice(0, limit);
    const views = await this.summaries(page, today);
    const last = page[page.length - 1];
    return { items: views, nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt.toISOString(), last.id], scope) : null };
  }

  /**
   * One page of versions, oldest first (ContractVersionsQuery: at most 20, each with its whole terms).
   * Every version's dates are read, for each one's status; the terms only of the page and of the
   * version before it, which the page's first version is compared with.
   */
  async versions(principal: Principal, contractId: string, query: { limit?: number; cursor?: string } = {}): Promise<Page<VersionView>> {
    await this.contracts.assertVisible(principal, contractId);
    const limit = Math.min(query.limit ?? VERSIONS_PAGE_LIMIT, VERSIONS_PAGE_LIMIT);
    const scope = cursorScope(`contracts/${contractId}/versions`, query);
    const after = decodeCursor(query.cursor, 1, isBigint, scope) as [number] | null;
    const from = after ? Number(after[0]) + 1 : 1;
    const page = await this.versionViews(contractId, from, from + limit - 1);
    const more = page.latest > from + limit - 1;
    return { items: page.views, nextCursor: more && page.views.length ? encodeCursor([from + limit - 1], scope) : null };
  }

  async version(principal: Principal, contractId: string, n: number): Promise<VersionView> {
    await this.contracts.assertVisible(principal, contractId);
    const [found] = (await this.versionViews(contractId, n, n)).views;
    if (!found) throw notFound('Contract version');
    return found;
  }

  async history(principal: Principal, contractId: string, query: { limit?: number; cursor?: string }): Promise<Page<HistoryView>> {
    const contract = await this.contracts.assertVisible(principal, contractId);
    const limit = query.limit ?? 100;
    const scope = cursorScope(`contracts/${contractId}/history`);
    const after = decodeCursor(query.cursor, 1, isBigint, scope) as [string] | null;
    // R10: an upload's entry (id, kind, digest, size) is shown to whoever may read that document, no one else.
    const sides = this.contracts.documentParties(principal, contract);
    const rows = await historyPage(this.dataSource.manager, contractId, sides, after ? String(after[0]) : null, limit);
    const items = rows.slice(0, limit);
    const names = await this.users.actorNames(items.flatMap((h) => (h.actorId ? [{ id: h.actorId, kind: h.actorKind }] : [])));
    return {
      items: items.map((h) => ({
        id: String(h.id),
        at: h.at.toISOString(),
        action: h.action,
        version: h.version,
        party: h.party,
        fromStatus: h.fromStatus,
        toStatus: h.toStatus,
        actor: {
          id: h.actorId,
          kind: h.actorKind,
          name: (h.actorId && names.get(h.actorId)) ?? null,
          role: h.actorRole,
          organisationId: h.actorOrganisationId,
          authority: h.actorAuthority,
        },
        details: h.details,
      })),
      nextCursor: rows.length > limit ? encodeCursor([String(items[items.length - 1].id)], scope) : null,
    };
  }

  /** Versions `from`..`to` as views, and the latest version number. */
  private async versionViews(contractId: string, from: number, to: number): Promise<{ views: VersionView[]; latest: number }> {
    const { dates, full, filings } = await versionRange(this.dataSource.manager, contractId, from, to);
    // versionStatus reads only the version numbers and dates of the others; toVersionView the terms of the one before.
    const all = dates.map((d) => full.find((v) => v.version === d.version) ?? d);
    const today = gbaToday();
    return {
      views: full.filter((v) => v.version >= from).map((v) => toVersionView(v, all, filings, today, this.rollout.authorities())),
      latest: dates.length ? dates[dates.length - 1].version : 0,
    };
  }

  /** The list's summaries (`toContractSummary`): the versions' dates and the filings in force, never the terms' text. */
  private async summaries(contracts: Contract[], today: IsoDate): Promise<ContractSummary[]> {
    if (!contracts.length) return [];
    const m = this.dataSource.manager;
    const { versions, filings } = await summaryParts(
      m,
      contracts.map((c) => c.id),
    );
    const organisations = await this.organisations.findByIds([...new Set(contracts.flatMap((c) => [c.processorId, c.recipientId]))], m);
    const parties = new Map(organisations.map((o) => [o.id, o]));
    return contracts.map((c) =>
      toContractSummary(
        c,
        versions.filter((v) => v.contractId === c.id),
        filings.filter((f) => f.contractId === c.id),
        today,
        parties,
        this.rollout.authorities(),
      ),
    );
  }
}
