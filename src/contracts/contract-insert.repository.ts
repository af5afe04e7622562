/*
 * The one insert path of a contract version and its filings (R8: two per filed version; R12: a
 * re-filing amendment adds two for its own version), used by POST /contracts (version 1, with the
 * contract) and by amendments alike. The version, its filings and their history entries
 * (`FILING_CREATED`, through `appendHistory`) are one statement of data-modifying CTEs: all or
 * nothing, one round trip.
 *
 * POST /contracts inserts many contracts at once (`ContractInserts`, a group commit), each
 * only while the facts it was planned on hold in the statement's own snapshot: the rollout, calendar
 * and rule-settings revisions (counters those modules' tables bump), and the parties' side, city and sector. `createContractsStatement` is also
 * what the filing benchmark sends (src/contracts/index.ts), so it measures exactly the registry's SQL.
 */
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CALENDAR_REVISION_SQL } from '../calendar/calendar.service';
import { ROLLOUT_REVISION_SQL } from '../rollout/rollout.service';
import { RULES_REVISION_SQL } from '../rules/rules.service';
import { appendHistory, HistoryActor, HistoryEntry, historyEntry, historyStatement, Statement, WrittenAlong } from './contract-history.repository';
import { RegistryMetrics } from '../common/metrics';
import { GroupCommit } from '../database/group-commit';
import { preparedQuery } from '../database/prepared';
import { retried } from '../database/transaction';
import { PARTY_COLUMNS, PARTY_JSON, partyFromRow, PartyRow } from './contract-rows';
import { versionTermsOf } from './contract-views';
import type { Contract } from './contract.entity';
import type { ContractVersion } from './contract-version.entity';
import type { TriggerHit } from './domain/amendment';
import type { ContractTerms, Direction } from './domain/contract-rules';
import { type Filing, FilingParty, UNSUBMITTED } from './filing.entity';

/** A filing as planned (R8 authority, R9 deadline). */
export interface NewFiling {
  authority: string;
  deadline: string;
  provisional: boolean;
}

/** What the filing rules read of a party (R1 city and side, R15 sector): the API never changes these. */
export type PartyFacts = Pick<PartyRow, 'id' | 'jurisdiction' | 'city' | 'sector'>;

/** A version to insert with its filings (none for an amendment without re-filing). */
export interface NewVersion {
  contractId: string;
  versionId: string;
  version: number;
  terms: ContractTerms;
  changedFields: string[];
  refilingRequired: boolean;
  /** R12: why (null for version 1). */
  refilingReason: string | null;
  /** R12: the triggers met (null for version 1). */
  refilingTriggers: TriggerHit[] | null;
  filings: Array<NewFiling & { id: string; party: FilingParty; organisationId: string }>;
}

/** The filings of a new version for both parties, processor's first (R8), with fresh ids. */
export function versionFilings(parties: [PartyFacts, PartyFacts], planned: [NewFiling, NewFiling]): NewVersion['filings'] {
  return (['processor', 'recipient'] as const).map((party, n) => ({ id: randomUUID(), party, organisationId: parties[n].id, ...planned[n] }));
}

const VERSION_COLUMNS = `ord int, contract_id uuid, version_id uuid, version int, regime text, effective_date date, expiry_date date,
             important_data_included boolean, annex jsonb, pipia jsonb, appendix_ii text, changed_fields jsonb, refiling_required boolean,
             refiling_reason text, refiling_triggers jsonb, actor_id uuid,
             filings jsonb`;

/** The version and filing inserts from `source`, a CTE with VERSION_COLUMNS. */
const versionInserts = (source: string) => `v AS (
           INSERT INTO contract_versions (id, contract_id, version, regime, effective_date, expiry_date, important_data_included,
                                          annex, pipia, appendix_ii, changed_fields, refiling_required, refiling_reason, refiling_triggers, created_by)
           SELECT version_id, contract_id, version, regime, effective_date, expiry_date, important_data_included,
                  annex, pipia, appendix_ii, changed_fields, refiling_required, refiling_reason, refiling_triggers, actor_id
           FROM ${source} ORDER BY ord
           RETURNING contract_id, created_at
         ), f AS (
           INSERT INTO filings (id, contract_id, contract_version_id, version, party, organisation_id, authority, deadline, provisional, status)
           SELECT x.id, s.contract_id, s.version_id, s.version, x.party, x.organisation_id, x.authority, x.deadline, x.provisional, 'NOT_SUBMITTED'
           FROM ${source} s CROSS JOIN LATERAL jsonb_to_recordset(s.filings)
                AS x(id uuid, party text, organisation_id uuid, authority text, deadline date, provisional boolean)
           ORDER BY s.ord
         )`;

function versionItem(v: NewVersion, actor: HistoryActor, ord: number): Record<string, unknown> {
  const terms = versionTermsOf(v.terms);
  return {
    ord,
    contract_id: v.contractId,
    version_id: v.versionId,
    version: v.version,
    regime: terms.regime,
    effective_date: terms.effectiveDate,
    expiry_date: terms.expiryDate,
    important_data_included: terms.importantDataIncluded,
    annex: terms.annex,
    pipia: terms.pipia,
    appendix_ii: terms.appendixII,
    changed_fields: v.changedFields,
    refiling_required: v.refilingRequired,
    refiling_reason: v.refilingReason,
    refiling_triggers: v.refilingTriggers,
    actor_id: actor.id,
    filings: v.filings.map((f) => ({
      id: f.id,
      party: f.party,
      organisation_id: f.organisationId,
      authority: f.authority,
      deadline: f.deadline,
      provisional: f.provisional,
    })),
  };
}

/** R8: a `FILING_CREATED` entry per new filing, in the version's statement. */
function filingEntries(actor: HistoryActor, v: NewVersion): HistoryEntry[] {
  return v.filings.map((f) =>
    historyEntry(actor, v.contractId, 'FILING_CREATED', {
      version: v.version,
      party: f.party,
      toStatus: 'NOT_SUBMITTED',
      details: { authority: f.authority, deadline: f.deadline, provisional: f.provisional },
    }),
  );
}

/** The rows the insert wrote for `v`, as a read would give them back (`created_at`: the transaction's time). */
export function insertedRows(v: NewVersion, actor: HistoryActor, createdAt: Date): { version: ContractVersion; filings: Filing[] } {
  return {
    version: {
      id: v.versionId,
      contractId: v.contractId,
      version: v.version,
      ...versionTermsOf(v.terms),
      changedFields: v.changedFields,
      refilingRequired: v.refilingRequired,
      refilingReason: v.refilingReason,
      refilingTriggers: v.refilingTriggers,
      createdBy: actor.id,
      createdAt,
    },
    filings: v.filings.map((f) => ({
      id: f.id,
      contractId: v.contractId,
      contractVersionId: v.versionId,
      version: v.version,
      party: f.party,
      organisationId: f.organisationId,
      authority: f.authority,
      deadline: f.deadline,
      provisional: f.provisional,
      ...UNSUBMITTED,
      createdAt,
    })),
  };
}

/**
 * Inserts a later version of an existing contract (an amendment, R12) with its filings and history
 * entries (`entries` first, then the `FILING_CREATED`s) in the caller's transaction; answers its creation time.
 */
export async function insertVersion(m: EntityManager, v: NewVersion, actor: HistoryActor, entries: HistoryEntry[]): Promise<Date> {
  const along: WrittenAlong = {
    name: 'contracts.version.insert',
    ctes: `s AS MATERIALIZED (SELECT * FROM jsonb_to_recordset($1::jsonb) AS s(${VERSION_COLUMNS})), ${versionInserts('s')}`,
    values: [JSON.stringify([versionItem(v, actor, 0)])],
    written: 'SELECT contract_id FROM v',
    select: 'SELECT created_at AS "createdAt" FROM v',
  };
  const [row] = await appendHistory<{ createdAt: Date }>(m, [...entries, ...filingEntries(actor, v)], along);
  return row.createdAt;
}

// ---- POST /contracts: the contract with version 1, many at once --------------------------------------

/** The rollout, calendar and rule-settings revisions a filing was planned with. */
export interface FilingRevisions {
  rollout: string;
  calendar: string;
  rules: string;
}

/** $1 processor id, $2 recipient id. One row per party found (none: one row of NULL party columns). */
export const CREATE_PARTIES = {
  name: 'contracts.create.parties',
  text: `SELECT ${PARTY_COLUMNS}, ${ROLLOUT_REVISION_SQL} AS "rolloutRevision", ${CALENDAR_REVISION_SQL} AS "calendarRevision",
              ${RULES_REVISION_SQL} AS "rulesRevision"
       FROM (SELECT 1) AS one LEFT JOIN organisations o ON o.id IN ($1, $2)`,
};

type PartiesRow = (PartyRow | { [K in keyof PartyRow]: null }) & { rolloutRevision: string; calendarRevision: string; rulesRevision: string };

/** Both parties of a new contract as they are now (absent when not registered), with the rollout, calendar and rule-settings revisions. */
export async function readFilingParties(
  dataSource: DataSource,
  processorId: string,
  recipientId: string,
): Promise<{ parties: PartyRow[]; revisions: FilingRevisions }> {
  const rows = await preparedQuery<PartiesRow>(dataSource, CREATE_PARTIES.name, CREATE_PARTIES.text, [processorId, recipientId]);
  const parties = rows.filter((r): r is PartyRow & PartiesRow => r.id !== null).map(partyFromRow);
  return { parties, revisions: { rollout: rows[0].rolloutRevision, calendar: rows[0].calendarRevision, rules: rows[0].rulesRevision } };
}

export interface NewContract {
  terms: ContractTerms;
  processor: PartyFacts;
  recipient: PartyFacts;
  direction: Direction;
  /** Processor's filing, then the recipient's (R8/R9). */
  filings: [NewFiling, NewFiling];
  actor: HistoryActor;
}

/** A contract to insert: its id, version 1 (with the filings' ids), and the facts it was planned on. */
export interface ContractToInsert {
  contract: NewContract;
  version: NewVersion;
  revisions: FilingRevisions;
}

/** A fresh contract id and version 1 with both filings (UUID v4, as gen_random_uuid makes). */
export function contractToInsert(contract: NewContract, revisions: FilingRevisions): ContractToInsert {
  const contractId = randomUUID();
  const version: NewVersion = {
    contractId,
    versionId: randomUUID(),
    version: 1,
    terms: contract.terms,
    changedFields: [],
    refilingRequired: true,
    refilingReason: null,
    refilingTriggers: null,
    filings: versionFilings([contract.processor, contract.recipient], contract.filings),
  };
  return { contract, version, revisions };
}

/** What the create statement answers per contract written. */
export interface CreatedRow {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  parties: PartyRow[];
}

function contractItem({ contract, version, revisions }: ContractToInsert, ord: number): Record<string, unknown> {
  const { processor, recipient } = contract;
  return {
    ...versionItem(version, contract.actor, ord),
    processor_id: processor.id,
    recipient_id: recipient.id,
    processor_jurisdiction: processor.jurisdiction,
    recipient_jurisdiction: recipient.jurisdiction,
    processor_sector: processor.sector,
    recipient_sector: recipient.sector,
    processor_city: processor.city,
    recipient_city: recipient.city,
    direction: contract.direction,
    rollout_revision: revisions.rollout,
    calendar_revision: revisions.calendar,
    rules_revision: revisions.rules,
  };
}

function contractEntries({ contract, version }: ContractToInsert): HistoryEntry[] {
  const created = historyEntry(contract.actor, version.contractId, 'CONTRACT_CREATED', {
    version: 1,
    details: { direction: contract.direction, effectiveDate: contract.terms.effectiveDate },
  });
  return [created, ...filingEntries(contract.actor, version)];
}

const CREATE_CTES = `i AS (
           SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(${VERSION_COLUMNS},
             processor_id uuid, recipient_id uuid, processor_jurisdiction text, recipient_jurisdiction text, processor_sector text,
             recipient_sector text, processor_city text, recipient_city text, direction text, rollout_revision text, calendar_revision text,
             rules_revision text)
         ), rev AS MATERIALIZED (
           SELECT ${ROLLOUT_REVISION_SQL} AS rollout, ${CALENDAR_REVISION_SQL} AS calendar, ${RULES_REVISION_SQL} AS rules
         ), ok AS MATERIALIZED (
           SELECT i.* FROM i, rev
           WHERE i.rollout_revision = rev.rollout AND i.calendar_revision = rev.calendar AND i.rules_revision = rev.rules
             AND EXISTS (SELECT 1 FROM organisations o WHERE o.id = i.processor_id AND o.jurisdiction = i.processor_jurisdiction
                                                         AND o.city = i.processor_city AND o.sector = i.processor_sector)
             AND EXISTS (SELECT 1 FROM organisations o WHERE o.id = i.recipient_id AND o.jurisdiction = i.recipient_jurisdiction
                                                         AND o.city = i.recipient_city AND o.sector = i.recipient_sector)
         ), c AS (
           INSERT INTO contracts (id, regime, processor_id, recipient_id, processor_jurisdiction, recipient_jurisdiction, processor_sector,
                                  direction, latest_version, filing_version, revision, created_by)
           SELECT contract_id, regime, processor_id, recipient_id, processor_jurisdiction, recipient_jurisdiction, processor_sector,
                  direction, 1, 1, 1, actor_id
           FROM ok ORDER BY ord
           RETURNING id, processor_id, recipient_id, created_at, updated_at
         ), ${versionInserts('ok')}`;

/**
 * The statement of POST /contracts for `items`, each written only while its facts hold (an item not
 * written comes back without a row): per contract written, its id, `created_at` and `updated_at`, and
 * both parties as they are now (names, verification) for the view.
 */
function createContractsAlong(items: ContractToInsert[]): WrittenAlong {
  return {
    name: 'contracts.create.insert-many',
    ctes: CREATE_CTES,
    values: [JSON.stringify(items.map(contractItem))],
    written: 'SELECT id FROM c',
    select: `SELECT c.id, c.created_at AS "createdAt", c.updated_at AS "updatedAt",
                (SELECT json_agg(${PARTY_JSON}) FROM organisations o WHERE o.id IN (c.processor_id, c.recipient_id)) AS parties
             FROM c`,
  };
}

export function createContractsStatement(items: ContractToInsert[]): Statement {
  return historyStatement(items.flatMap(contractEntries), createContractsAlong(items));
}

/** Inserts `items` in one statement on `m`; per item, what the database answered, or null (its facts changed: nothing written). */
export async function insertContracts(m: EntityManager, items: ContractToInsert[]): Promise<Array<CreatedRow | null>> {
  const rows = await appendHistory<CreatedRow>(m, items.flatMap(contractEntries), createContractsAlong(items));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return items.map((item) => byId.get(item.version.contractId) ?? null);
}

/**
 * Filings per insert statement and statements at once (of the pool's 10 connections): the README,
 * Performance, has the measurements (bench/filing.ts with BENCH_DB_BATCH).
 */
const CREATE_GROUP_COMMIT = { maxBatch: 32, maxInFlight: 2 };

/**
 * The inserts of POST /contracts: concurrent filings share one statement (`GroupCommit`: without it,
 * one statement and one commit per filing, `POST /contracts` answered well under half as many
 * requests a second; README, Performance). A statement PostgreSQL refuses is sent again one filing
 * per statement, so a failing filing fails alone.
 */
@Injectable()
export class ContractInserts {
  private readonly commit: GroupCommit<ContractToInsert, CreatedRow | null>;

  constructor(@InjectDataSource() dataSource: DataSource, metrics: RegistryMetrics) {
    this.commit = new GroupCommit((items) => retried(() => insertContracts(dataSource.manager, items)), {
      ...CREATE_GROUP_COMMIT,
      onBatch: (size) => metrics.contractFilingBatch.observe(size),
      onWaiting: (waiting) => metrics.contractFilingsWaiting.set(waiting),
    });
  }

  /** Once committed: what the database answered for `item`, or null (a fact it was planned on changed: nothing written). */
  insert(item: ContractToInsert): Promise<CreatedRow | null> {
    return this.commit.submit(item);
  }
}

/** The contract row the create statement wrote, as a read would give it back. */
export function insertedContract({ contract, version }: ContractToInsert, at: { createdAt: Date; updatedAt: Date }): Contract {
  return {
    id: version.contractId,
    regime: contract.terms.regime,
    processorId: contract.processor.id,
    recipientId: contract.recipient.id,
    processorJurisdiction: contract.processor.jurisdiction,
    recipientJurisdiction: contract.recipient.jurisdiction,
    processorSector: contract.processor.sector,
    direction: contract.direction,
    latestVersion: 1,
    filingVersion: 1,
    revision: 1,
    terminatedOn: null,
    terminationReason: null,
    terminatedByOrganisationId: null,
    createdBy: contract.actor.id,
    createdAt: at.createdAt,
    updatedAt: at.updatedAt,
  };
}
