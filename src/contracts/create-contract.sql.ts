/*
 * The two statements of POST /contracts, kept apart from the service so the filing
 * benchmark can send PostgreSQL exactly what the registry sends and measure the database's own
 * limit for a filing in the same run.
 *
 * 1. CREATE_PARTIES reads both parties with the fingerprints of the rollout catalogue and the
 *    calendar overrides (the memoised sector gate and deadlines are valid while these match).
 * 2. CREATE_CONTRACTS inserts, for each of one or many filings, the contract, version 1, both
 *    filings and the three history entries in one statement (data-modifying CTEs: atomic without
 *    BEGIN/COMMIT round trips), each only while the facts it was planned on hold, and returns
 *    what the views need.
 */
import { randomUUID } from 'node:crypto';
import { CALENDAR_REVISION_SQL } from '../calendar/calendar.service';
import type { Principal } from '../common/roles';
import { ROLLOUT_REVISION_SQL } from '../rollout/rollout.service';
import { PARTY_COLUMNS, PARTY_JSON, PartyRow } from './contract-rows';
import { versionTermsOf } from './contract-views';
import type { Contract } from './contract.entity';
import type { ContractVersion } from './contract-version.entity';
import type { ContractTerms, Direction } from './domain/contract-rules';
import { type Filing, UNSUBMITTED } from './filing.entity';

export interface NamedStatement {
  /** Prepared-statement name, unique to `text` in the process. */
  name: string;
  text: string;
}

/** $1 processor id, $2 recipient id. One row per party found (none: one row of NULL party columns). */
export const CREATE_PARTIES: NamedStatement = {
  name: 'contracts.create.parties',
  text: `SELECT ${PARTY_COLUMNS}, ${ROLLOUT_REVISION_SQL} AS "rolloutRevision", ${CALENDAR_REVISION_SQL} AS "calendarRevision"
       FROM (SELECT 1) AS one LEFT JOIN organisations o ON o.id IN ($1, $2)`,
};

/** The fingerprints CREATE_PARTIES reads with the parties. */
interface FilingFingerprints {
  rolloutRevision: string;
  calendarRevision: string;
}

/** A row of CREATE_PARTIES: a party found, or (neither was) every party column NULL. */
export type PartiesRow = (PartyRow | { [K in keyof PartyRow]: null }) & FilingFingerprints;

export const isPartyFound = (row: PartiesRow): row is PartyRow & FilingFingerprints => row.id !== null;

export interface NewFiling {
  authority: string;
  deadline: string;
  provisional: boolean;
}

/** What the filing rules read of a party (R1 city and side, R15 sector): the API never changes these. */
export type PartyFacts = Pick<PartyRow, 'id' | 'jurisdiction' | 'city' | 'sector'>;

export interface NewContract {
  terms: ContractTerms;
  processor: Pick<PartyRow, 'id' | 'jurisdiction' | 'sector'>;
  recipient: Pick<PartyRow, 'id' | 'jurisdiction'>;
  direction: Direction;
  /** Processor's filing, then the recipient's (R8/R9). */
  filings: [NewFiling, NewFiling];
  actor: Pick<Principal, 'id' | 'kind' | 'role' | 'organisationId' | 'authority'>;
}

/**
 * Many filings at once (group commit, src/database/group-commit.ts), each on the facts it assumed: $1 is a JSON array of
 * `createContractsItem`s. Writes, in one statement, every item whose rollout and calendar
 * fingerprints and parties' jurisdiction, city and sector are still what it was planned with, in
 * the statement's own snapshot; an item not written comes back without a row and goes through the
 * checked path. The registry makes every id, so the statement returns only what the database
 * decides: per contract written, its id, `created_at` and `updated_at` (the transaction's time,
 * which every row of it takes), and both parties as they are now (names, verification) for the
 * view. `createdRows` rebuilds the rest, which costs less than returning the rows as JSON (bench/filing.ts).
 */
export const CREATE_CONTRACTS: NamedStatement = {
  name: 'contracts.create.insert-many',
  text: `WITH i AS (
           SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(
             ord int, id uuid, version_id uuid, regime text, processor_id uuid, recipient_id uuid, processor_jurisdiction text,
             recipient_jurisdiction text, processor_sector text, processor_city text, recipient_city text, direction text,
             effective_date date, expiry_date date, important_data_included boolean, annex jsonb, pipia jsonb, filings jsonb,
             actor_id uuid, actor_kind text, actor_role text, actor_organisation_id uuid, actor_authority text,
             rollout_revision text, calendar_revision text)
         ), rev AS MATERIALIZED (
           SELECT ${ROLLOUT_REVISION_SQL} AS rollout, ${CALENDAR_REVISION_SQL} AS calendar
         ), ok AS MATERIALIZED (
           SELECT i.* FROM i, rev
           WHERE i.rollout_revision = rev.rollout AND i.calendar_revision = rev.calendar
             AND EXISTS (SELECT 1 FROM organisations o WHERE o.id = i.processor_id AND o.jurisdiction = i.processor_jurisdiction
                                                         AND o.city = i.processor_city AND o.sector = i.processor_sector)
             AND EXISTS (SELECT 1 FROM organisations o WHERE o.id = i.recipient_id AND o.jurisdiction = i.recipient_jurisdiction
                                                         AND o.city = i.recipient_city)
         ), c AS (
           INSERT INTO contracts (id, regime, processor_id, recipient_id, processor_jurisdiction, recipient_jurisdiction, processor_sector,
                                  direction, latest_version, filing_version, revision, created_by)
           SELECT id, regime, processor_id, recipient_id, processor_jurisdiction, recipient_jurisdiction, processor_sector,
                  direction, 1, 1, 1, actor_id
           FROM ok ORDER BY ord
           RETURNING id, processor_id, recipient_id, created_at, updated_at
         ), v AS (
           INSERT INTO contract_versions (id, contract_id, version, regime, effective_date, expiry_date, important_data_included,
                                          annex, pipia, changed_fields, refiling_required, created_by)
           SELECT version_id, id, 1, regime, effective_date, expiry_date, important_data_included, annex, pipia, '[]'::jsonb, true, actor_id
           FROM ok ORDER BY ord
         ), f AS (
           INSERT INTO filings (id, contract_id, contract_version_id, version, party, organisation_id, authority, deadline, provisional, status)
           SELECT (x.filing->>'id')::uuid, ok.id, ok.version_id, 1, x.party, x.organisation_id, x.filing->>'authority',
                  (x.filing->>'deadline')::date, (x.filing->>'provisional')::boolean, 'NOT_SUBMITTED'
           FROM ok CROSS JOIN LATERAL (VALUES (1, 'processor', ok.processor_id, ok.filings->0), (2, 'recipient', ok.recipient_id, ok.filings->1))
                  AS x(n, party, organisation_id, filing)
           ORDER BY ok.ord, x.n
         ), h AS (
           INSERT INTO contract_history (contract_id, action, version, party, from_status, to_status, actor_id, actor_kind, actor_role,
                                         actor_organisation_id, actor_authority, details)
           SELECT ok.id, x.action, 1, x.party, NULL, x.to_status, ok.actor_id, ok.actor_kind, ok.actor_role, ok.actor_organisation_id,
                  ok.actor_authority, x.details
           FROM ok CROSS JOIN LATERAL (VALUES (1, 'CONTRACT_CREATED', NULL::text, NULL::text,
                                               jsonb_build_object('direction', ok.direction, 'effectiveDate', ok.effective_date)),
                                              (2, 'FILING_CREATED', 'processor', 'NOT_SUBMITTED', (ok.filings->0) - 'id'),
                                              (3, 'FILING_CREATED', 'recipient', 'NOT_SUBMITTED', (ok.filings->1) - 'id'))
                  AS x(n, action, party, to_status, details)
           ORDER BY ok.ord, x.n
         )
         SELECT c.id, c.created_at AS "createdAt", c.updated_at AS "updatedAt",
                (SELECT json_agg(${PARTY_JSON}) FROM organisations o WHERE o.id IN (c.processor_id, c.recipient_id)) AS parties
         FROM c`,
};

/** What CREATE_CONTRACTS returns per contract written. */
export interface CreatedRow {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  parties: PartyRow[];
}

/** The ids the registry gives a new contract's rows. */
export interface NewContractIds {
  contract: string;
  version: string;
  /** Processor's filing, then the recipient's. */
  filings: [string, string];
}

/** Fresh ids for a new contract's rows (UUID v4, as gen_random_uuid makes). */
export function newContractIds(): NewContractIds {
  return { contract: randomUUID(), version: randomUUID(), filings: [randomUUID(), randomUUID()] };
}

/** A filing as CREATE_CONTRACTS reads it from $1: JSON, the columns' names and types. */
export type FilingItem = Record<string, unknown> & { id: string };

/** One item of CREATE_CONTRACTS's $1 (`ord`, its place in the batch, is added when the batch is sent). */
export function createContractsItem(
  ids: NewContractIds,
  { terms, processor, recipient, direction, filings, actor }: NewContract & { processor: PartyFacts; recipient: PartyFacts },
  revisions: { rollout: string; calendar: string },
): FilingItem {
  return {
    id: ids.contract,
    version_id: ids.version,
    regime: terms.regime,
    processor_id: processor.id,
    recipient_id: recipient.id,
    processor_jurisdiction: processor.jurisdiction,
    recipient_jurisdiction: recipient.jurisdiction,
    processor_sector: processor.sector,
    processor_city: processor.city,
    recipient_city: recipient.city,
    direction,
    effective_date: terms.effectiveDate,
    expiry_date: terms.expiryDate ?? null,
    important_data_included: terms.importantDataIncluded,
    annex: terms.annex,
    pipia: terms.pipia,
    filings: filings.map((f, n) => ({ id: ids.filings[n], authority: f.authority, deadline: f.deadline, provisional: f.provisional })),
    actor_id: actor.id,
    actor_kind: actor.kind,
    actor_role: actor.role,
    actor_organisation_id: actor.organisationId,
    actor_authority: actor.authority,
    rollout_revision: revisions.rollout,
    calendar_revision: revisions.calendar,
  };
}

/**
 * The rows CREATE_CONTRACTS wrote for one item, as GET /contracts/:id reads them back: what the
 * registry sent, with the database's `created_at` and `updated_at` (every row of the statement
 * takes the transaction's time: `now()` defaults).
 */
export function createdRows(
  ids: NewContractIds,
  { terms, processor, recipient, direction, filings, actor }: NewContract,
  at: { createdAt: Date; updatedAt: Date },
): { contract: Contract; version: ContractVersion; filings: Filing[] } {
  const contract: Contract = {
    id: ids.contract,
    regime: terms.regime,
    processorId: processor.id,
    recipientId: recipient.id,
    processorJurisdiction: processor.jurisdiction,
    recipientJurisdiction: recipient.jurisdiction,
    processorSector: processor.sector,
    direction,
    latestVersion: 1,
    filingVersion: 1,
    revision: 1,
    terminatedOn: null,
    terminationReason: null,
    terminatedByOrganisationId: null,
    createdBy: actor.id,
    createdAt: at.createdAt,
    updatedAt: at.updatedAt,
  };
  const version: ContractVersion = {
    id: ids.version,
    contractId: ids.contract,
    version: 1,
    ...versionTermsOf(terms),
    changedFields: [],
    refilingRequired: true,
    createdBy: actor.id,
    createdAt: at.updatedAt,
  };
  const parties = [processor.id, recipient.id];
  return {
    contract,
    version,
    filings: filings.map((f, n) => ({
      id: ids.filings[n],
      contractId: ids.contract,
      contractVersionId: ids.version,
      version: 1,
      party: n === 0 ? 'processor' : 'recipient',
      organisationId: parties[n],
      authority: f.authority as Filing['authority'],
      deadline: f.deadline,
      provisional: f.provisional,
      ...UNSUBMITTED,
      createdAt: at.updatedAt,
    })),
  };
}
