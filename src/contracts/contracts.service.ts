import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import { Principal } from '../common/roles';
import { ContractParties, contractScope, documentScope, termsOf } from './contract-views';
import type { Contract } from './contract.entity';
import { contractRevisions, contractRevisionsSql, contractRevisionsUnchangedSql, contractsWithVersionsAndFilings, findContract } from './contracts.repository';
import { ContractTerms, Direction, IsoDate, Jurisdiction } from './domain/contract-rules';
import { FilingDeadlineFacts } from './domain/filing-lifecycle';
import type { ContractVersion } from './contract-version.entity';
import type { Filing, FilingParty } from './filing.entity';

/** What the transfer log flags records against, as plain facts (`scopeFactsFor`). */
export interface ContractScopeFacts {
  contractId: string;
  regime: string;
  /** Changes whenever anything about the contract changes; compare with `revisionsOf` to invalidate a cache. */
  revision: number;
  processorId: string;
  recipientId: string;
  processorJurisdiction: Jurisdiction;
  recipientJurisdiction: Jurisdiction;
  processorSector: string;
  direction: Direction;
  /** R13: the first day the contract no longer applies, if terminated. */
  terminatedOn: IsoDate | null;
  /** Every version, ascending, with its terms and the filings that govern it (R8, R12). */
  versions: Array<{ version: number; effectiveDate: IsoDate; terms: ContractTerms; filings: FilingDeadlineFacts[] }>;
}

const FILING_PARTIES: readonly FilingParty[] = ['processor', 'recipient'];

/** R12: per version, the filings that govern it: those of the last filed version up to it. */
function governedVersions(versions: ContractVersion[], filings: Filing[]): ContractScopeFacts['versions'] {
  const filedVersions = [...new Set(filings.map((f) => f.version))].sort((a, b) => a - b);
  return versions.map((v) => {
    const governing = filedVersions.filter((n) => n <= v.version).pop();
    return {
      version: v.version,
      effectiveDate: v.effectiveDate,
      terms: termsOf(v),
      filings: filings
        .filter((f) => f.version === governing)
        .map((f) => ({ status: f.status, deadline: f.deadline, firstSubmittedOn: f.firstSubmittedOn, resubmissionDeadline: f.resubmissionDeadline })),
    };
  });
}

/**
 * The contracts module's answers to other modules (the transfer log) and to its own use cases: which
 * contract a caller may see, whose filing materials it may read, and the facts transfers are flagged
 * against. The use cases (filing, submission, review, amendment, termination, incidents, queries) are
 * their own services, called by the controller.
 */
@Injectable()
export class ContractsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessService,
  ) {}

  /**
   * The facts the transfer log flags records against, one entry per existing id (unknown ids are
   * absent): the contract, and per version its terms and the filings that govern it. Plain data,
   * no transfers types: the transfers module builds its own scopes from these (docs/architecture.md#the-transfer-log), so
   * contracts need not import from transfers. No access check: callers check the facts' parties and
   * sides with the access policy (src/access). Three queries whatever the number of ids.
   */
  async scopeFactsFor(contractIds: string[], manager?: EntityManager): Promise<Map<string, ContractScopeFacts>> {
    const out = new Map<string, ContractScopeFacts>();
    const ids = [...new Set(contractIds)];
    if (!ids.length) return out;
    const { contracts, versions, filings } = await contractsWithVersionsAndFilings(manager ?? this.dataSource.manager, ids);
    for (const c of contracts) {
      out.set(c.id, {
        contractId: c.id,
        regime: c.regime,
        revision: c.revision,
        processorId: c.processorId,
        recipientId: c.recipientId,
        processorJurisdiction: c.processorJurisdiction,
        recipientJurisdiction: c.recipientJurisdiction,
        processorSector: c.processorSector,
        direction: c.direction,
        terminatedOn: c.terminatedOn,
        versions: governedVersions(
          versions.filter((v) => v.contractId === c.id),
          filings.filter((f) => f.contractId === c.id),
        ),
      });
    }
    return out;
  }

  /** Current revision of each existing contract (one indexed query), to invalidate cached scopes. */
  async revisionsOf(contractIds: string[], manager?: EntityManager): Promise<Map<string, number>> {
    const ids = [...new Set(contractIds)];
    if (!ids.length) return new Map();
    return contractRevisions(manager ?? this.dataSource.manager, ids);
  }

  /**
   * `revisionsOf` as one statement's SQL text, to be sent with others in one round trip (src/database/one-message.ts);
   * `revisionsFromRows` reads its rows.
   */
  revisionsSql(contractIds: readonly string[]): string {
    return contractRevisionsSql([...new Set(contractIds)]);
  }

  revisionsFromRows(rows: ReadonlyArray<{ id: string; revision: number }>): Map<string, number> {
    return new Map(rows.map((r) => [r.id, Number(r.revision)]));
  }

  /** An SQL condition: every contract of `expected` still has the revision given (src/database/expectations.ts). */
  revisionsUnchangedSql(expected: ReadonlyMap<string, number>): string {
    return contractRevisionsUnchangedSql(expected);
  }

  /** The contract if this caller may see it, else 404 (NOT_FOUND, as for an unknown id); `lock` locks its row in `manager`'s transaction. */
  async assertVisible(principal: Principal, contractId: string, manager?: EntityManager, lock = false): Promise<Contract> {
    const contract = await findContract(manager ?? this.dataSource.manager, contractId, lock);
    return this.access.require(principal, 'contract.read', contract, contractScope, 'Contract');
  }

  /** Whose filing materials (R10) this caller may read in a contract it may see: each party's, by the access policy. */
  documentParties(principal: Principal, contract: ContractParties): FilingParty[] {
    return FILING_PARTIES.filter((party) => this.access.may(principal, 'document.read', documentScope(contract, party)));
  }
}
