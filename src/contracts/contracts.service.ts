import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { Between, DataSource, EntityManager, In } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service';
import { CALENDAR_DATE_MESSAGE } from '../common/dates';
import { DomainError, ErrorCode, notFound, validationFailed } from '../common/errors';
import { IllegalTransitionError, isIllegalTransition } from '../common/lifecycle';
import { cursorScope, decodeCursor, encodeCursor, isBigint, isInstantAndUuid, Page } from '../common/pagination';
import { namedParameters } from '../access/access';
import { AccessService } from '../access/access.service';
import { sideOfAuthority } from '../access/policy';
import { Principal } from '../common/roles';
import { REGISTRY_CONFIG, RegistryConfig } from '../config/config';
import { GroupCommit } from '../database/group-commit';
import { inTransaction } from '../database/transaction';
import { RegistryMetrics } from '../common/metrics';
import { Organisation } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import { RegimeGate, RolloutService } from '../rollout/rollout.service';
import { ContractHistoryAction, ContractHistoryEntry } from './contract-history.entity';
import {
  ContractParties,
  contractScope,
  ContractSummary,
  ContractView,
  documentScope,
  FilingView,
  gbaToday,
  partyOf,
  sortFilings,
  termsOf,
  toContractSummary,
  toContractView,
  VersionDates,
  toFilingView,
  toVersionView,
  VersionView,
} from './contract-views';
import { pageByTimeAndId } from './keyset';
import { preparedQuery } from '../database/prepared';
import { appendHistory, historyEntry } from './contract-history.repository';
import {
  ContractToInsert,
  contractToInsert,
  CreatedRow,
  FilingRevisions,
  insertContracts,
  insertedContract,
  insertedRows,
  insertVersion,
  NewContract,
  NewFiling,
  NewVersion,
  PartyFacts,
  readFilingParties,
  versionFilings,
} from './contract-insert.repository';

import {
  contractFromJson,
  ContractJson,
  ContractVersionJson,
  filingFromJson,
  FilingJson,
  PARTY_JSON,
  partyFromRow,
  PartyRow,
  versionFromJson,
} from './contract-rows';
import {
  ContractTermsDto,
  CreateContractDto,
  ListContractsQuery,
  ReportIncidentDto,
  ReviewFilingDto,
  TerminateContractDto,
  VERSIONS_PAGE_LIMIT,
} from './contract.dto';
import { Contract } from './contract.entity';
import { ContractVersion } from './contract-version.entity';
import { ContractDocument } from './document.entity';
import { diffTerms } from './domain/amendment';
import { ContractTerms, ContractViolation, deriveDirection, Direction, IsoDate, isIsoDate, Jurisdiction, validateContract } from './domain/contract-rules';
import { FilingDeadlineFacts, filingAuthority, filingToActOn, formatFilingNumber, nextFilingStatus, FilingAction } from './domain/filing-lifecycle';
import { missingMaterials } from './domain/materials';
import { Filing, FilingNumberCounter, FilingParty } from './filing.entity';
import { ContractIncident } from './incident.entity';

/** R8 [C]: each party files within 10 working days from the date the contract takes effect. */
export const FILING_WORKING_DAYS = 10;

const PARTY_FACTS_CAPACITY = 10_000;

/** Checked filings read and try again at most this often when facts change under them. */
const FILING_ATTEMPTS = 3;

/**
 * Filings per insert statement and statements at once (of the pool's 10 connections): 16 per
 * statement on 2 connections gave the database its highest rate here (bench/filing.ts with
 * BENCH_DB_BATCH); 32 leaves headroom for bursts.
 */
const FILING_GROUP_COMMIT = { maxBatch: 32, maxInFlight: 2 };

type FilingPlan = Pick<NewContract, 'terms' | 'direction' | 'filings'>;

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

export interface AmendmentView {
  id: string;
  contractId: string;
  version: number;
  changedFields: string[];
  refilingRequired: boolean;
  /** R12 fields that forced re-filing. */
  triggers: string[];
  rule: string;
  /** The filings created for this version (empty without re-filing). */
  filings: FilingView[];
}

export interface HistoryView {
  id: string;
  at: string;
  action: ContractHistoryAction;
  version: number | null;
  party: string | null;
  fromStatus: string | null;
  toStatus: string | null;
  actor: { id: string | null; kind: string; role: string; organisationId: string | null; authority: string | null };
  details: Record<string, unknown>;
}

export interface IncidentView {
  id: string;
  contractId: string;
  party: FilingParty;
  organisationId: string;
  occurredAt: string;
  description: string;
  affectedDataSubjects: number;
  reportedAt: string;
}

const RULE_CODES: Record<ContractViolation['code'], ErrorCode | null> = {
  PARTY_OUTSIDE_GBA: ErrorCode.PARTY_OUTSIDE_GBA,
  SAME_SIDE_PARTIES: ErrorCode.SAME_SIDE_PARTIES,
  REGIME_SIDES_MISMATCH: ErrorCode.REGIME_SIDES_MISMATCH,
  IMPORTANT_DATA_DECLARED: ErrorCode.IMPORTANT_DATA_DECLARED,
  ONWARD_RECIPIENT_OUTSIDE_GBA: ErrorCode.ONWARD_RECIPIENT_OUTSIDE_GBA,
  STORAGE_OUTSIDE_GBA: ErrorCode.STORAGE_OUTSIDE_GBA,
  SECTOR_NOT_OPEN: ErrorCode.SECTOR_NOT_OPEN,
  EXPIRY_BEFORE_EFFECTIVE: ErrorCode.EXPIRY_BEFORE_EFFECTIVE,
  RETENTION_PERIOD_INVALID: ErrorCode.RETENTION_PERIOD_INVALID,
  PIPIA_AFTER_EFFECTIVE: ErrorCode.PIPIA_AFTER_EFFECTIVE,
  INVALID_DATE: null,
};

/** 422 naming the first broken rule in `code`/`rule`, every violation in `errors` and `violations`; 400 for an impossible date. */
export function violationsError(violations: ContractViolation[]): DomainError {
  const invalid = violations.filter((v) => v.code === 'INVALID_DATE');
  if (invalid.length) return validationFailed(invalid.map((v) => ({ field: v.field, rule: 'isCalendarDate', message: `${v.field} ${CALENDAR_DATE_MESSAGE}` })));
  const first = violations[0];
  return new DomainError(RULE_CODES[first.code] ?? ErrorCode.RULE_VIOLATION, 'The contract breaks a rule of the GBA Standard Contract', {
    rule: first.rule,
    detail: violations.map((v) => v.message).join(' '),
    errors: violations.map((v) => ({ field: v.field, rule: v.rule, message: v.message })),
    extensions: { violations: violations.map((v) => ({ code: v.code, rule: v.rule, field: v.field, message: v.message })) },
  });
}

/** How a refusal names a filing's status and an action on it (docs/rules.md#r11), in words a filer or a reviewer reads. */
const FILING_STATUS_WORDS: Record<string, string> = {
  NOT_SUBMITTED: 'has not been submitted yet',
  SUBMITTED: 'has been submitted and is waiting for review',
  RETURNED: 'was returned for correction',
  ACCEPTED: 'has been accepted',
};
const FILING_ACTION_WORDS: Record<string, string> = { SUBMIT: 'submitted', ACCEPT: 'accepted', RETURN: 'returned' };

/** Why the filing cannot make this move, and what comes next, as a sentence (the codes stay in `from`, `action`, `to`). */
export function filingTransitionDetail(error: IllegalTransitionError, party: FilingParty): string {
  const filing = `the ${party}'s filing`;
  const done = FILING_ACTION_WORDS[error.action] ?? error.action;
  const next: Record<string, string> = {
    NOT_SUBMITTED: `it can be reviewed once the ${party} submits it`,
    SUBMITTED: 'it is now for the filing authority to accept or return it',
    RETURNED: `it can be reviewed again once the ${party} corrects and resubmits it`,
    ACCEPTED: 'an accepted filing is final (an amendment that needs re-filing opens new filings)',
  };
  const state =
    error.to === error.from ? `${filing} is already ${done}` : `${filing} ${FILING_STATUS_WORDS[error.from] ?? error.from}, so it cannot be ${done}`;
  return `${state}; ${next[error.from] ?? 'nothing more can be done with it'}`;
}

export function illegalTransition(error: IllegalTransitionError, party: FilingParty): DomainError {
  return new DomainError(ErrorCode.ILLEGAL_TRANSITION, 'The filing cannot make this transition', {
    detail: filingTransitionDetail(error, party),
    extensions: { from: error.from, to: error.to ?? null, action: error.action, allowedActions: error.allowedActions },
  });
}

const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

/** One statement, retried on serialization failure or deadlock as `inTransaction` retries a transaction. */
async function retrying<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as { driverError?: { code?: string } }).driverError?.code;
      if (attempt >= attempts || !code || !RETRYABLE.has(code)) throw error;
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
    }
  }
}

/**
 * An impossible effective date is refused by the date checks (400) before any rule; the gate is not
 * asked about it. (The DTOs already refuse such dates; this keeps the service safe on its own.)
 */
const OPEN_GATE: RegimeGate = { sectorOpen: true, sides: null };

/** Where the contracts table keeps what the access policy reads (`contractScope`). */
const CONTRACT_SCOPE_COLUMNS = { parties: ['c.processor_id', 'c.recipient_id'], sides: ['c.processor_jurisdiction', 'c.recipient_jurisdiction'] };

const FILING_PARTIES: readonly FilingParty[] = ['processor', 'recipient'];

const forbidden = (detail: string) => new DomainError(ErrorCode.FORBIDDEN, 'Forbidden', { detail });

function toDto(terms: ContractTermsDto | CreateContractDto): ContractTerms {
  const a = terms.annex;
  return {
    regime: terms.regime,
    effectiveDate: terms.effectiveDate,
    expiryDate: terms.expiryDate ?? null,
    importantDataIncluded: terms.importantDataIncluded,
    annex: {
      purposes: a.purposes,
      processingMethods: a.processingMethods,
      dataSubjectCategories: a.dataSubjectCategories,
      personalInformationCategories: a.personalInformationCategories,
      sensitiveCategories: a.sensitiveCategories,
      onwardRecipients: a.onwardRecipients.map((r) => ({ name: r.name, city: r.city })),
      transferMethod: a.transferMethod,
      retentionPeriod: { from: a.retentionPeriod.from, to: a.retentionPeriod.to },
      storageLocation: { city: a.storageLocation.city },
      otherMatters: a.otherMatters ?? '',
    },
    pipia: {
      completedOn: terms.pipia.completedOn,
      conclusion: terms.pipia.conclusion,
      reportSha256: terms.pipia.reportSha256.toLowerCase(),
      ...(terms.pipia.lawfulnessAndNecessity !== undefined ? { lawfulnessAndNecessity: terms.pipia.lawfulnessAndNecessity } : {}),
      ...(terms.pipia.impactOnRights !== undefined ? { impactOnRights: terms.pipia.impactOnRights } : {}),
      ...(terms.pipia.recipientSafeguards !== undefined ? { recipientSafeguards: terms.pipia.recipientSafeguards } : {}),
    },
  };
}

@Injectable()
export class ContractsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationsService,
    private readonly calendar: CalendarService,
    private readonly rollout: RolloutService,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    private readonly metrics: RegistryMetrics,
    private readonly access: AccessService,
  ) {
    this.filingCommit = new GroupCommit((items) => this.writeFilings(items), {
      ...FILING_GROUP_COMMIT,
      onBatch: (size) => this.metrics.contractFilingBatch.observe(size),
      onWaiting: (waiting) => this.metrics.contractFilingsWaiting.set(waiting),
    });
  }

  /** What the filing rules read of parties seen by checked filings (`PartyFacts`, never changed through the API); bounded. */
  private readonly partyFacts = new LRUCache<string, PartyFacts>({ max: PARTY_FACTS_CAPACITY });
  /** The rollout and calendar fingerprints the latest checked filing read. */
  private assumedRevisions: FilingRevisions | null = null;
  /** Concurrent filings' inserts, one statement for many (`writeFilings`). */
  private readonly filingCommit: GroupCommit<ContractToInsert, CreatedRow | null>;

  // ---- API for other modules -------------------------------------------------------------

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
    const m = manager ?? this.dataSource.manager;
    // One after another: `manager` may be a transaction, i.e. one connection (pg queues, and pg@9 refuses, concurrent queries on it).
    const contracts = await m.getRepository(Contract).findBy({ id: In(ids) });
    const versions = await m.getRepository(ContractVersion).find({ where: { contractId: In(ids) }, order: { version: 'ASC' } });
    const filings = await m.getRepository(Filing).find({ where: { contractId: In(ids) } });
    for (const c of contracts) {
      const own = versions.filter((v) => v.contractId === c.id);
      const ownFilings = filings.filter((f) => f.contractId === c.id);
      const filedVersions = [...new Set(ownFilings.map((f) => f.version))].sort((a, b) => a - b);
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
        versions: own.map((v) => {
          // R12: a version without re-filing is governed by the filings of the last filed version before it.
          const governing = filedVersions.filter((n) => n <= v.version).pop();
          return {
            version: v.version,
            effectiveDate: v.effectiveDate,
            terms: termsOf(v),
            filings: ownFilings
              .filter((f) => f.version === governing)
              .map((f) => ({
                status: f.status,
                deadline: f.deadline,
                firstSubmittedOn: f.firstSubmittedOn,
                resubmissionDeadline: f.resubmissionDeadline,
              })),
          };
        }),
      });
    }
    return out;
  }

  /** Current revision of each existing contract (one indexed query), to invalidate cached scopes. */
  async revisionsOf(contractIds: string[], manager?: EntityManager): Promise<Map<string, number>> {
    const ids = [...new Set(contractIds)];
    if (!ids.length) return new Map();
    const rows = await (manager ?? this.dataSource.manager).getRepository(Contract).find({ select: { id: true, revision: true }, where: { id: In(ids) } });
    return new Map(rows.map((r) => [r.id, r.revision]));
  }

  /** The contract if this caller may see it, else 404 (NOT_FOUND, as for an unknown id). */
  async assertVisible(principal: Principal, contractId: string, manager?: EntityManager, lock = false): Promise<Contract> {
    const qb = (manager ?? this.dataSource.manager).getRepository(Contract).createQueryBuilder('c').where('c.id = :id', { id: contractId });
    if (lock) qb.setLock('pessimistic_write');
    return this.access.require(principal, 'contract.read', await qb.getOne(), contractScope, 'Contract');
  }

  /** Whose filing materials (R10) this caller may read in a contract it may see: each party's, by the access policy. */
  documentParties(principal: Principal, contract: ContractParties): FilingParty[] {
    return FILING_PARTIES.filter((party) => this.access.may(principal, 'document.read', documentScope(contract, party)));
  }

  // ---- Filing a contract -----------------------------------------------------------------

  /**
   * Files a contract in one statement shared with the other filings of the moment (it was nineteen
   * round trips). The sector gate (R15) and the deadlines (R8/R9) are answered from
   * memory for given rollout and calendar fingerprints; the insert of the contract, its version,
   * both filings and the three history entries is one statement (data-modifying CTEs: all or
   * nothing, history included) that re-checks, in its own snapshot, every fact the plan assumed
   * (the fingerprints, each party's jurisdiction, city and sector) and writes nothing for a filing
   * whose facts have changed. Concurrent filings go together (`GroupCommit`).
   *
   * - Assumed: both parties' facts and the fingerprints are remembered from an earlier filing. A
   *   refusal on remembered facts is never final: the filing is then checked.
   * - Checked: read the parties with the fingerprints first. Every refusal comes from here. When
   *   a fact changes between the read and the insert (another filer's change, in plain SQL or on
   *   another instance), it reads again, up to FILING_ATTEMPTS times.
   */
  async create(principal: Principal, dto: CreateContractDto): Promise<ContractView> {
    if (!this.access.may(principal, 'contract.file', { parties: [dto.processorId] })) {
      throw forbidden("a contract is filed by the processor's own organisation users (processorId must be your organisation)");
    }
    const terms = toDto(dto);
    const processor = this.partyFacts.get(dto.processorId);
    const recipient = this.partyFacts.get(dto.recipientId);
    const revisions = this.assumedRevisions;
    if (processor && recipient && revisions) {
      let plan: FilingPlan | null = null;
      try {
        plan = await this.planFiling(terms, processor, recipient, revisions);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error; // else confirmed (or not) on facts read afresh
      }
      const created = plan && (await this.insertFiling(principal, plan, processor, recipient, revisions));
      if (created) {
        this.metrics.contractFilings.inc({ path: 'assumed' });
        return created;
      }
    }
    for (let attempt = 1; attempt <= FILING_ATTEMPTS; attempt++) {
      const facts = await this.readFilingFacts(dto);
      const plan = await this.planFiling(terms, facts.processor, facts.recipient, facts.revisions);
      const created = await this.insertFiling(principal, plan, facts.processor, facts.recipient, facts.revisions);
      if (created) {
        this.metrics.contractFilings.inc({ path: 'checked' });
        return created;
      }
    }
    throw new DomainError(ErrorCode.CONFLICT, 'The parties or the rules changed while the contract was being filed', {
      detail: `the rollout catalogue, the calendar overrides or a party changed during each of ${FILING_ATTEMPTS} attempts; nothing was filed, try again`,
    });
  }

  /** Both parties and the fingerprints, read afresh and remembered; R1 when a party is not a registered organisation. */
  private async readFilingFacts(dto: CreateContractDto): Promise<{ processor: PartyRow; recipient: PartyRow; revisions: FilingRevisions }> {
    const { parties, revisions } = await readFilingParties(this.dataSource, dto.processorId, dto.recipientId);
    this.assumedRevisions = revisions;
    for (const party of parties) this.rememberParty(party);
    const processor = parties.find((o) => o.id === dto.processorId);
    const recipient = parties.find((o) => o.id === dto.recipientId);
    if (!processor || !recipient) {
      throw new DomainError(ErrorCode.RULE_VIOLATION, 'Both parties must be registered organisations', {
        rule: 'R1',
        detail: `${!processor ? 'processorId' : 'recipientId'} does not name a registered organisation`,
        errors: [{ field: !processor ? 'processorId' : 'recipientId', rule: 'R1', message: 'not a registered organisation' }],
      });
    }
    return { processor, recipient, revisions };
  }

  /** The insert, through the group commit: the view, or null when a fact the plan assumed no longer holds (nothing written). */
  private async insertFiling(
    principal: Principal,
    plan: FilingPlan,
    processor: PartyFacts,
    recipient: PartyFacts,
    revisions: FilingRevisions,
  ): Promise<ContractView | null> {
    const item = contractToInsert({ ...plan, processor, recipient, actor: principal }, revisions);
    const row = await this.filingCommit.submit(item);
    if (!row) return null;
    const contract = insertedContract(item, row);
    const { version, filings } = insertedRows(item.version, principal, row.updatedAt);
    return {
      ...toContractView(contract, [version], filings, gbaToday(), new Map(row.parties.map((o) => [o.id, o]))),
      documentParties: this.documentParties(principal, contract),
    };
  }

  /** One statement for every filing in `items`; per item, what the database decided, or null (not written). */
  private writeFilings(items: ContractToInsert[]): Promise<Array<CreatedRow | null>> {
    return retrying(() => insertContracts(this.dataSource.manager, items));
  }

  /** R15 gate, every contract rule, the direction, and R8/R9: one filing per party with its own side's authority and a deadline from its own calendar. */
  private async planFiling(terms: ContractTerms, processor: PartyFacts, recipient: PartyFacts, revisions: FilingRevisions): Promise<FilingPlan> {
    const gate = isIsoDate(terms.effectiveDate) ? await this.rollout.gateAt(terms.regime, processor.sector, terms.effectiveDate, revisions.rollout) : OPEN_GATE;
    this.assertValidTerms(terms, processor, recipient, gate);
    const filing = async (organisation: PartyFacts): Promise<NewFiling> => ({
      authority: filingAuthority(organisation.jurisdiction),
      ...(await this.calendar.deadlineAt(organisation.jurisdiction, terms.effectiveDate, FILING_WORKING_DAYS, revisions.calendar)),
    });
    return { terms, direction: deriveDirection(processor.jurisdiction, recipient.jurisdiction), filings: [await filing(processor), await filing(recipient)] };
  }

  private rememberParty({ id, jurisdiction, city, sector }: PartyFacts): void {
    this.partyFacts.set(id, { id, jurisdiction, city, sector });
  }

  async amend(principal: Principal, contractId: string, dto: ContractTermsDto): Promise<AmendmentView> {
    const terms = toDto(dto);
    return inTransaction(this.dataSource, async (m) => {
      const contract = await this.assertVisible(principal, contractId, m, true);
      if (partyOf(principal, contract) !== 'processor') throw forbidden("amendments are filed by the processor's organisation users");
      this.assertNotTerminated(contract);
      if (terms.regime !== contract.regime) {
        throw new DomainError(ErrorCode.RULE_VIOLATION, 'An amendment cannot change the regime', {
          rule: 'R16',
          detail: `the contract is under ${contract.regime}; a contract under another regime is a new contract`,
          errors: [{ field: 'regime', rule: 'R16', message: `must be ${contract.regime}` }],
        });
      }
      const [processor, recipient] = await this.organisations
        .findByIds([contract.processorId, contract.recipientId], m)
        .then((found) => [found.find((o) => o.id === contract.processorId) ?? null, found.find((o) => o.id === contract.recipientId) ?? null]);
      const previous = await m.getRepository(ContractVersion).findOneByOrFail({ contractId, version: contract.latestVersion });
      // R12: a version takes effect after the one it amends, never before it: a backdated version would
      // change which terms governed transfers already logged (and the flags they were given).
      if (isIsoDate(terms.effectiveDate) && terms.effectiveDate < previous.effectiveDate) {
        throw new DomainError(ErrorCode.AMENDMENT_BACKDATED, 'An amendment cannot take effect before the version it amends', {
          rule: 'R12',
          detail: `version ${previous.version} takes effect on ${previous.effectiveDate}; an amendment must take effect on or after that date, not ${terms.effectiveDate}`,
          errors: [{ field: 'effectiveDate', rule: 'R12', message: `must be on or after ${previous.effectiveDate}` }],
          extensions: { previousVersion: previous.version, previousEffectiveDate: previous.effectiveDate },
        });
      }
      await this.validateTerms(terms, processor!, recipient!, m);
      const analysis = diffTerms(termsOf(previous), terms);
      if (!analysis.changedFields.length) {
        throw new DomainError(ErrorCode.RULE_VIOLATION, 'The amendment changes nothing', {
          rule: 'R12',
          detail: `the terms are the same as version ${previous.version}`,
        });
      }
      const n = contract.latestVersion + 1;
      const version: NewVersion = {
        contractId,
        versionId: randomUUID(),
        version: n,
        terms,
        changedFields: analysis.changedFields,
        refilingRequired: analysis.refilingRequired,
        filings: analysis.refilingRequired ? await this.planFilings(m, [processor!, recipient!], terms.effectiveDate) : [],
      };
      contract.latestVersion = n;
      if (analysis.refilingRequired) contract.filingVersion = n;
      await this.touch(m, contract);
      const amended = historyEntry(principal, contractId, 'CONTRACT_AMENDED', {
        version: n,
        details: { changedFields: analysis.changedFields, refilingRequired: analysis.refilingRequired, triggers: analysis.triggers },
      });
      const createdAt = await insertVersion(m, version, principal, [amended]);
      const { filings } = insertedRows(version, principal, createdAt);
      const today = gbaToday();
      return {
        id: contractId,
        contractId,
        version: n,
        changedFields: analysis.changedFields,
        refilingRequired: analysis.refilingRequired,
        triggers: analysis.triggers,
        rule: analysis.rule,
        filings: sortFilings(filings).map((f) => toFilingView(f, terms.effectiveDate, today)),
      };
    });
  }

  async terminate(principal: Principal, contractId: string, dto: TerminateContractDto): Promise<ContractView> {
    if (!isIsoDate(dto.terminatedOn))
      throw validationFailed([{ field: 'terminatedOn', rule: 'isCalendarDate', message: `terminatedOn ${CALENDAR_DATE_MESSAGE}` }]);
    return inTransaction(this.dataSource, async (m) => {
      const contract = await this.assertVisible(principal, contractId, m, true);
      const party = partyOf(principal, contract);
      if (!party) throw forbidden('a contract is terminated by one of its parties');
      this.assertNotTerminated(contract);
      // R13: a contract ends after it began. Decision: a future date is accepted (notice given ahead);
      // the contract is EFFECTIVE until then and TERMINATED from that date (transfers after it are flagged).
      const first = await m.getRepository(ContractVersion).findOneByOrFail({ contractId, version: 1 });
      if (dto.terminatedOn < first.effectiveDate) {
        throw new DomainError(ErrorCode.TERMINATION_BEFORE_EFFECTIVE, 'A contract cannot be terminated before it took effect', {
          rule: 'R13',
          detail: `the contract takes effect on ${first.effectiveDate}; terminatedOn ${dto.terminatedOn} is before that`,
          errors: [{ field: 'terminatedOn', rule: 'R13', message: `must be on or after ${first.effectiveDate}` }],
        });
      }
      contract.terminatedOn = dto.terminatedOn;
      contract.terminationReason = dto.reason;
      contract.terminatedByOrganisationId = principal.organisationId;
      await this.touch(m, contract);
      await this.record(m, principal, contractId, 'CONTRACT_TERMINATED', {
        party,
        details: { terminatedOn: dto.terminatedOn, reason: dto.reason },
      });
      return { ...(await this.view(m, contractId)), documentParties: this.documentParties(principal, contract) };
    });
  }

  async reportIncident(principal: Principal, contractId: string, dto: ReportIncidentDto): Promise<IncidentView> {
    return inTransaction(this.dataSource, async (m) => {
      const contract = await this.assertVisible(principal, contractId, m, true);
      const party = partyOf(principal, contract);
      if (!party) throw forbidden('incidents are reported by the parties');
      const incident = await m.getRepository(ContractIncident).save(
        m.getRepository(ContractIncident).create({
          contractId,
          organisationId: principal.organisationId!,
          party,
          occurredAt: new Date(dto.occurredAt),
          description: dto.description,
          affectedDataSubjects: dto.affectedDataSubjects,
          reportedBy: principal.id,
        }),
      );
      await this.record(m, principal, contractId, 'INCIDENT_REPORTED', {
        party,
        details: { incidentId: incident.id, occurredAt: incident.occurredAt.toISOString(), affectedDataSubjects: dto.affectedDataSubjects },
      });
      return toIncidentView(incident);
    });
  }

  /** One page in reporting order (at most CONTRACT_LIST_LIMIT incidents); `nextCursor` is null on the last. */
  async incidents(principal: Principal, contractId: string, query: { limit?: number; cursor?: string } = {}): Promise<Page<IncidentView>> {
    await this.assertVisible(principal, contractId);
    const qb = this.dataSource.getRepository(ContractIncident).createQueryBuilder('i').where('i.contract_id = :contractId', { contractId });
    const page = await pageByTimeAndId(qb, 'i', 'reported_at', query, `contracts/${contractId}/incidents`);
    return { items: page.items.map(toIncidentView), nextCursor: page.nextCursor };
  }

  // ---- Filing lifecycle (R8, R10, R11) -----------------------------------------------------

  async submitFiling(principal: Principal, contractId: string, party: FilingParty, version?: number): Promise<FilingView> {
    return inTransaction(this.dataSource, async (m) => {
      const contract = await this.assertVisible(principal, contractId, m, true);
      if (partyOf(principal, contract) !== party) throw forbidden(`the ${party} filing is submitted by the ${party}'s organisation users`);
      const filing = await this.filingFor(m, contract, party, 'SUBMIT', version);
      const to = this.transition(filing, 'SUBMIT');
      // R10: the filer's own materials, uploaded for this version or later.
      const documents = await m
        .getRepository(ContractDocument)
        .createQueryBuilder('d')
        .select('DISTINCT d.kind', 'kind')
        .where('d.contract_id = :contractId AND d.organisation_id = :org AND d.version >= :version', {
          contractId,
          org: filing.organisationId,
          version: filing.version,
        })
        .getRawMany<{ kind: string }>();
      const missing = missingMaterials(documents.map((d) => d.kind));
      if (missing.length) {
        throw new DomainError(ErrorCode.FILING_MATERIALS_MISSING, 'Filing materials are missing', {
          rule: 'R10',
          detail: `upload ${missing.join(', ')} before submitting the ${party} filing`,
          errors: missing.map((kind) => ({ field: 'documents', rule: 'R10', message: `${kind} has not been uploaded` })),
          extensions: { missing },
        });
      }
      const from = filing.status;
      const today = gbaToday();
      filing.status = to;
      filing.submittedAt = new Date();
      filing.firstSubmittedOn = filing.firstSubmittedOn ?? today;
      filing.resubmissionDeadline = null;
      filing.resubmissionProvisional = null;
      await m.getRepository(Filing).save(filing);
      await this.touch(m, contract);
      await this.record(m, principal, contractId, 'FILING_SUBMITTED', { version: filing.version, party, fromStatus: from, toStatus: to });
      return this.filingView(m, filing);
    });
  }

  async reviewFiling(principal: Principal, contractId: string, party: FilingParty, dto: ReviewFilingDto, version?: number): Promise<FilingView> {
    return inTransaction(this.dataSource, async (m) => {
      const contract = await this.assertVisible(principal, contractId, m, true);
      if (!this.access.holds(principal, 'filing.review')) {
        throw forbidden('filings are reviewed by the regulator of the filing authority; the PCPD audits read-only and reviews none');
      }
      const filing = await this.filingFor(m, contract, party, dto.decision, version);
      // R8: only the authority the filing was made with reviews it; to any other regulator it does not exist.
      this.access.require(principal, 'filing.review', filing, (f) => ({ authority: f.authority }), 'Filing');
      const action: FilingAction = dto.decision;
      const to = this.transition(filing, action);
      const from = filing.status;
      const now = new Date();
      const today = gbaToday(now);
      filing.status = to;
      filing.reviewedAt = now;
      filing.reviewedBy = principal.id;
      if (action === 'RETURN') {
        filing.returnReason = dto.reason!;
        // R11 [A]: the resubmission window is configuration (national practice: 10 working days).
        const resubmission = await this.calendar.deadline(sideOfAuthority(filing.authority), today, this.config.filingResubmissionWorkingDays, m);
        filing.resubmissionDeadline = resubmission.deadline;
        filing.resubmissionProvisional = resubmission.provisional;
      } else {
        filing.returnReason = null;
        filing.resubmissionDeadline = null;
        filing.resubmissionProvisional = null;
        filing.filingNumber = await this.issueFilingNumber(m, filing, Number(today.slice(0, 4)));
      }
      await m.getRepository(Filing).save(filing);
      if (action === 'ACCEPT') {
        const organisation = await this.organisations.findById(filing.organisationId, m);
        // Accepting a filing makes the organisation's pilot enrolment ACTIVE, in this transaction.
        await this.rollout.activateEnrolments(filing.organisationId, contract.regime, m, principal.id);
        if (organisation) await this.rollout.recordFilingAccepted(contract.regime, organisation.sector, organisation.jurisdiction, m);
      }
      await this.touch(m, contract);
      await this.record(m, principal, contractId, action === 'ACCEPT' ? 'FILING_ACCEPTED' : 'FILING_RETURNED', {
        version: filing.version,
        party,
        fromStatus: from,
        toStatus: to,
        details: action === 'ACCEPT' ? { filingNumber: filing.filingNumber } : { reason: dto.reason, resubmissionDeadline: filing.resubmissionDeadline },
      });
      return this.filingView(m, filing);
    });
  }

  // ---- Reading -------------------------------------------------------------------------

  /** One statement (it was five): the contract row, checked here, with its versions, filings in force and parties. */
  async get(principal: Principal, contractId: string): Promise<ContractView> {
    const [row] = await preparedQuery<{ contract: ContractJson; versions: ContractVersionJson[]; filings: FilingJson[] | null; parties: PartyRow[] | null }>(
      this.dataSource,
      'contracts.get',
      `SELECT row_to_json(c) AS contract,
              (SELECT json_agg(v) FROM contract_versions v WHERE v.contract_id = c.id) AS versions,
              (SELECT json_agg(f) FROM filings f WHERE f.contract_id = c.id AND f.version = c.filing_version) AS filings,
              (SELECT json_agg(${PARTY_JSON}) FROM organisations o WHERE o.id IN (c.processor_id, c.recipient_id)) AS parties
       FROM contracts c WHERE c.id = $1`,
      [contractId],
    );
    if (!row) throw notFound('Contract');
    const contract = contractFromJson(row.contract);
    this.access.require(principal, 'contract.read', contract, contractScope, 'Contract');
    const parties = (row.parties ?? []).map(partyFromRow);
    return {
      ...toContractView(
        contract,
        row.versions.map(versionFromJson),
        (row.filings ?? []).map(filingFromJson),
        gbaToday(),
        new Map(parties.map((o) => [o.id, o])),
      ),
      documentParties: this.documentParties(principal, contract),
    };
  }

  /**
   * One page of versions, oldest first (ContractVersionsQuery: at most 20, each with its whole terms).
   * Every version's dates are read, for each one's status; the terms only of the page and of the
   * version before it, which the page's first version is compared with.
   */
  async versions(principal: Principal, contractId: string, query: { limit?: number; cursor?: string } = {}): Promise<Page<VersionView>> {
    await this.assertVisible(principal, contractId);
    const limit = Math.min(query.limit ?? VERSIONS_PAGE_LIMIT, VERSIONS_PAGE_LIMIT);
    const scope = cursorScope(`contracts/${contractId}/versions`, query);
    const after = decodeCursor(query.cursor, 1, isBigint, scope) as [number] | null;
    const from = after ? Number(after[0]) + 1 : 1;
    const page = await this.versionRange(contractId, from, from + limit - 1);
    const more = page.latest > from + limit - 1;
    return { items: page.views, nextCursor: more && page.views.length ? encodeCursor([from + limit - 1], scope) : null };
  }

  async version(principal: Principal, contractId: string, n: number): Promise<VersionView> {
    await this.assertVisible(principal, contractId);
    const [found] = (await this.versionRange(contractId, n, n)).views;
    if (!found) throw notFound('Contract version');
    return found;
  }

  /** Versions `from`..`to` as views, and the latest version number. */
  private async versionRange(contractId: string, from: number, to: number): Promise<{ views: VersionView[]; latest: number }> {
    const m = this.dataSource.manager;
    const dates = await m
      .getRepository(ContractVersion)
      .find({ select: { version: true, effectiveDate: true }, where: { contractId }, order: { version: 'ASC' } });
    const full = await m.getRepository(ContractVersion).find({ where: { contractId, version: Between(from - 1, to) }, order: { version: 'ASC' } });
    const filings = await m.getRepository(Filing).find({ where: { contractId, version: Between(from, to) } });
    // versionStatus reads only the version numbers and dates of the others; toVersionView the terms of the one before.
    const all = dates.map((d) => full.find((v) => v.version === d.version) ?? d);
    const today = gbaToday();
    return {
      views: full.filter((v) => v.version >= from).map((v) => toVersionView(v, all, filings, today)),
      latest: dates.length ? dates[dates.length - 1].version : 0,
    };
  }

  async history(principal: Principal, contractId: string, query: { limit?: number; cursor?: string }): Promise<Page<HistoryView>> {
    const contract = await this.assertVisible(principal, contractId);
    const limit = query.limit ?? 100;
    const scope = cursorScope(`contracts/${contractId}/history`);
    const after = decodeCursor(query.cursor, 1, isBigint, scope) as [string] | null;
    const qb = this.dataSource.getRepository(ContractHistoryEntry).createQueryBuilder('h').where('h.contract_id = :contractId', { contractId });
    // R10: an upload's entry (id, kind, digest, size) is shown to whoever may read that document, no one else.
    const sides = this.documentParties(principal, contract);
    if (sides.length === 0) qb.andWhere(`h.action <> 'DOCUMENT_UPLOADED'`);
    else if (sides.length === 1) qb.andWhere(`(h.action <> 'DOCUMENT_UPLOADED' OR h.party = :side)`, { side: sides[0] });
    if (after) qb.andWhere('h.id > :after', { after: String(after[0]) });
    const rows = await qb
      .orderBy('h.id', 'ASC')
      .take(limit + 1)
      .getMany();
    const items = rows.slice(0, limit);
    return {
      items: items.map((h) => ({
        id: String(h.id),
        at: h.at.toISOString(),
        action: h.action,
        version: h.version,
        party: h.party,
        fromStatus: h.fromStatus,
        toStatus: h.toStatus,
        actor: { id: h.actorId, kind: h.actorKind, role: h.actorRole, organisationId: h.actorOrganisationId, authority: h.actorAuthority },
        details: h.details,
      })),
      nextCursor: rows.length > limit ? encodeCursor([String(items[items.length - 1].id)], scope) : null,
    };
  }

  async list(principal: Principal, query: ListContractsQuery): Promise<Page<ContractSummary>> {
    const limit = query.limit ?? 50;
    const scope = cursorScope('contracts', query);
    const after = decodeCursor(query.cursor, 2, isInstantAndUuid, scope) as [string, string] | null;
    const today = gbaToday();
    const qb = this.dataSource
      .getRepository(Contract)
      .createQueryBuilder('c')
      .innerJoin(ContractVersion, 'lv', 'lv.contract_id = c.id AND lv.version = c.latest_version')
      .innerJoin(ContractVersion, 'v1', 'v1.contract_id = c.id AND v1.version = 1')
      .setParameter('today', today);
    const bind = namedParameters((name, value) => qb.setParameter(name, value));
    qb.andWhere(this.access.sqlWhere(principal, 'contract.read', CONTRACT_SCOPE_COLUMNS, bind, { parties: [query.party] }));
    if (query.sector) qb.andWhere('c.processor_sector = :sector', { sector: query.sector });
    if (query.effectiveFrom) qb.andWhere('lv.effective_date >= :effectiveFrom', { effectiveFrom: query.effectiveFrom });
    if (query.effectiveTo) qb.andWhere('lv.effective_date <= :effectiveTo', { effectiveTo: query.effectiveTo });
    if (query.contractStatus) {
      const terminated = 'c.terminated_on IS NOT NULL AND c.terminated_on <= :today';
      const pending = 'v1.effective_date > :today';
      const expired = 'lv.expiry_date IS NOT NULL AND lv.expiry_date < :today';
      const condition: Record<string, string> = {
        TERMINATED: `(${terminated})`,
        PENDING: `(NOT (${terminated}) AND ${pending})`,
        EXPIRED: `(NOT (${terminated}) AND NOT (${pending}) AND ${expired})`,
        EFFECTIVE: `(NOT (${terminated}) AND NOT (${pending}) AND NOT (${expired}))`,
      };
      qb.andWhere(condition[query.contractStatus]);
    }
    // Filters on the filings of the versions in force or pending: those of the filed version that
    // governs today (the highest filed version already effective; R12) and of every later one. A
    // re-filing amendment effective later therefore does not hide the in-force version's open or
    // overdue filings (they were hidden when only the latest filed version counted).
    const governingToday =
      `COALESCE((SELECT max(gf.version) FROM filings gf JOIN contract_versions gv ON gv.id = gf.contract_version_id ` +
      `WHERE gf.contract_id = c.id AND gv.effective_date <= :today), 1)`;
    const inForceOrPending = `f.version >= ${governingToday}`;
    const filingConditions: string[] = ['f.contract_id = c.id', inForceOrPending];
    if (query.authority) {
      filingConditions.push('f.authority = :authority');
      qb.setParameter('authority', query.authority);
    }
    if (query.status) {
      filingConditions.push('f.status = :filingStatus');
      qb.setParameter('filingStatus', query.status);
    }
    const overdueSql =
      `((f.status = 'NOT_SUBMITTED' AND f.deadline < :today) OR ` + `(f.status = 'RETURNED' AND COALESCE(f.resubmission_deadline, f.deadline) < :today))`;
    if (query.overdue === 'true') {
      qb.andWhere(`EXISTS (SELECT 1 FROM filings f WHERE ${[...filingConditions, overdueSql].join(' AND ')})`);
    } else {
      if (query.authority || query.status) qb.andWhere(`EXISTS (SELECT 1 FROM filings f WHERE ${filingConditions.join(' AND ')})`);
      if (query.overdue === 'false') {
        const scope = ['f.contract_id = c.id', inForceOrPending, ...(query.authority ? ['f.authority = :authority'] : [])];
        qb.andWhere(`NOT EXISTS (SELECT 1 FROM filings f WHERE ${[...scope, overdueSql].join(' AND ')})`);
      }
    }
    if (after) qb.andWhere('(c.created_at, c.id) > (:at::timestamptz, :afterId::uuid)', { at: after[0], afterId: after[1] });
    const rows = await qb
      .orderBy('c.created_at', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .take(limit + 1)
      .getMany();
    const page = rows.slice(0, limit);
    const views = await this.summaries(this.dataSource.manager, page, today);
    const last = page[page.length - 1];
    return { items: views, nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt.toISOString(), last.id], scope) : null };
  }

  // ---- Internals -----------------------------------------------------------------------

  /** R1–R3, R5, R6, R15 and date consistency; throws the 422 (or 400) naming the rule. */
  private async validateTerms(terms: ContractTerms, processor: Organisation, recipient: Organisation, m: EntityManager): Promise<void> {
    const gate = isIsoDate(terms.effectiveDate) ? await this.rollout.gate(terms.regime, processor.sector, terms.effectiveDate, m) : OPEN_GATE;
    this.assertValidTerms(terms, processor, recipient, gate);
  }

  /** R1–R3, R5, R6, R15, R16 from the rollout gate (sector open on the effective date, the regime's sides). */
  private assertValidTerms(terms: ContractTerms, processor: PartyFacts, recipient: PartyFacts, gate: RegimeGate): void {
    const violations = validateContract({
      terms,
      processor: { jurisdiction: processor.jurisdiction, city: processor.city },
      recipient: { jurisdiction: recipient.jurisdiction, city: recipient.city },
      processorSectorOpen: gate.sectorOpen,
      regimeSides: gate.sides,
    });
    if (violations.length) throw violationsError(violations);
  }

  private assertNotTerminated(contract: Contract): void {
    if (contract.terminatedOn !== null) {
      throw new DomainError(ErrorCode.CONTRACT_TERMINATED, 'The contract has been terminated', {
        rule: 'R13',
        detail: `the contract was terminated with effect from ${contract.terminatedOn}`,
      });
    }
  }

  private transition(filing: Filing, action: FilingAction) {
    try {
      return nextFilingStatus(filing.status, action);
    } catch (error) {
      if (isIllegalTransition(error)) throw illegalTransition(error, filing.party);
      throw error;
    }
  }

  /**
   * The party's filing that `action` applies to: of `version` when given (404 if that version has
   * none), else `filingToActOn` (the earliest still-open filing, so a re-filing amendment that takes
   * effect later never strands the filings of the version in force). Locked for the transition.
   */
  private async filingFor(m: EntityManager, contract: Contract, party: FilingParty, action: FilingAction, version?: number): Promise<Filing> {
    const qb = m
      .getRepository(Filing)
      .createQueryBuilder('f')
      .setLock('pessimistic_write')
      .where('f.contract_id = :id AND f.party = :party', { id: contract.id, party });
    if (version !== undefined) qb.andWhere('f.version = :version', { version });
    const filing = filingToActOn(await qb.orderBy('f.version', 'ASC').getMany(), action);
    if (!filing) throw notFound('Filing');
    return filing;
  }

  /** R11: the next number in the authority's sequence for the year, in the accepting transaction (gapless: rolled back with it). */
  private async issueFilingNumber(m: EntityManager, filing: Filing, year: number): Promise<string> {
    const table = m.getRepository(FilingNumberCounter).metadata.tableName;
    const rows: Array<{ last_sequence: number }> = await m.query(
      `INSERT INTO "${table}" (authority, year, last_sequence) VALUES ($1, $2, 1)
       ON CONFLICT ON CONSTRAINT pk_filing_number_counters DO UPDATE SET last_sequence = "${table}".last_sequence + 1
       RETURNING last_sequence`,
      [filing.authority, year],
    );
    return formatFilingNumber(filing.authority, year, Number(rows[0].last_sequence));
  }

  /** R8/R9: one filing per party with its own side's authority and a deadline from its own calendar. */
  private async planFilings(m: EntityManager, parties: [Organisation, Organisation], effectiveDate: IsoDate): Promise<NewVersion['filings']> {
    const planned: NewFiling[] = [];
    for (const organisation of parties) {
      const { deadline, provisional } = await this.calendar.deadline(organisation.jurisdiction, effectiveDate, FILING_WORKING_DAYS, m);
      planned.push({ authority: filingAuthority(organisation.jurisdiction), deadline, provisional });
    }
    return versionFilings(parties, [planned[0], planned[1]]);
  }

  /** Bumps the revision (cache invalidation for the transfers scope cache) in the caller's transaction. */
  private async touch(m: EntityManager, contract: Contract): Promise<void> {
    contract.revision += 1;
    contract.updatedAt = new Date();
    await m.getRepository(Contract).save(contract);
  }

  /** Appends a history entry in the caller's transaction (`appendHistory`). */
  async record(
    m: EntityManager,
    principal: Principal,
    contractId: string,
    action: ContractHistoryAction,
    what: { version?: number; party?: string; fromStatus?: string; toStatus?: string; details?: Record<string, unknown> } = {},
  ): Promise<void> {
    await appendHistory(m, [historyEntry(principal, contractId, action, what)]);
  }

  private async filingView(m: EntityManager, filing: Filing): Promise<FilingView> {
    const version = await m.getRepository(ContractVersion).findOneByOrFail({ id: filing.contractVersionId });
    return toFilingView(filing, version.effectiveDate, gbaToday());
  }

  private async view(m: EntityManager, contractId: string): Promise<ContractView> {
    const contract = await m.getRepository(Contract).findOneByOrFail({ id: contractId });
    const [view] = await this.views(m, [contract], gbaToday());
    return view;
  }

  /** The list's summaries (`toContractSummary`): the versions' dates and the filings in force, never the terms' text. */
  private async summaries(m: EntityManager, contracts: Contract[], today: IsoDate): Promise<ContractSummary[]> {
    if (!contracts.length) return [];
    const ids = contracts.map((c) => c.id);
    const partyIds = [...new Set(contracts.flatMap((c) => [c.processorId, c.recipientId]))];
    // Sequential: `m` is often a transaction (one connection).
    const versions: (VersionDates & { contractId: string })[] = await m.getRepository(ContractVersion).find({
      select: { contractId: true, version: true, effectiveDate: true, expiryDate: true, importantDataIncluded: true },
      where: { contractId: In(ids) },
    });
    const filings = await m
      .getRepository(Filing)
      .createQueryBuilder('f')
      .innerJoin(Contract, 'c', 'c.id = f.contract_id AND c.filing_version = f.version')
      .where('f.contract_id IN (:...ids)', { ids })
      .getMany();
    const organisations = await this.organisations.findByIds(partyIds, m);
    const parties = new Map(organisations.map((o) => [o.id, o]));
    return contracts.map((c) =>
      toContractSummary(
        c,
        versions.filter((v) => v.contractId === c.id),
        filings.filter((f) => f.contractId === c.id),
        today,
        parties,
      ),
    );
  }

  private async views(m: EntityManager, contracts: Contract[], today: IsoDate): Promise<ContractView[]> {
    if (!contracts.length) return [];
    const ids = contracts.map((c) => c.id);
    const partyIds = [...new Set(contracts.flatMap((c) => [c.processorId, c.recipientId]))];
    // Sequential: `m` is often a transaction (one connection).
    const versions = await m.getRepository(ContractVersion).find({ where: { contractId: In(ids) } });
    const filings = await m.getRepository(Filing).find({ where: { contractId: In(ids) } });
    const organisations = await this.organisations.findByIds(partyIds, m);
    const parties = new Map(organisations.map((o) => [o.id, o]));
    return contracts.map((c) =>
      toContractView(
        c,
        versions.filter((v) => v.contractId === c.id),
        filings.filter((f) => f.contractId === c.id && f.version === c.filingVersion),
        today,
        parties,
      ),
    );
  }
}

function toIncidentView(i: ContractIncident): IncidentView {
  return {
    id: i.id,
    contractId: i.contractId,
    party: i.party,
    organisationId: i.organisationId,
    occurredAt: i.occurredAt.toISOString(),
    description: i.description,
    affectedDataSubjects: i.affectedDataSubjects,
    reportedAt: i.reportedAt.toISOString(),
  };
}
