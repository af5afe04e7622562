/*
 * The two statements of POST /contracts (issue 6), kept apart from the service so the filing
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
import { CALENDAR_REVISION_SQL } from '../calendar/calendar.service';
import type { Principal } from '../common/roles';
import { ROLLOUT_REVISION_SQL } from '../rollout/rollout.service';
import { PARTY_COLUMNS, PARTY_JSON, PartyRow } from './contract-rows';
import type { ContractTerms, Direction } from './domain/contract-rules';

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
 * Many filings at once (issue 6: group commit), each on the facts it assumed: $1 is a JSON array of
 * `createContractsItem`s. Writes, in one statement, every item whose rollout and calendar
 * fingerprints and parties' jurisdiction, city and sector are still what it was planned with, in
 * the statement's own snapshot; an item not written comes back without a row and goes through the
 * checked path. Contract ids come with the items, so each returned row names its item: `id`, the
 * contract, versions and filings as row_to_json writes them, the number of history entries, and
 * both parties as they are now (names, verification) for the view.
 */
export const CREATE_CONTRACTS: NamedStatement = {
  name: 'contracts.create.insert-assuming-many',
  text: `WITH i AS (
           SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(
             ord int, id uuid, regime text, processor_id uuid, recipient_id uuid, processor_jurisdiction text, recipient_jurisdiction text,
             processor_sector text, processor_city text, recipient_city text, direction text, effective_date date, expiry_date date,
             important_data_included boolean, annex jsonb, pipia jsonb, filings jsonb, actor_id uuid, actor_kind text, actor_role text,
             actor_organisation_id uuid, actor_authority text, rollout_revision text, calendar_revision text)
         ), rev AS MATERIALIZED (
           SELECT ${ROLLOUT_REVISION_SQL} AS rollout, ${CALENDAR_REVISION_SQL} AS calendar
         ), ok AS (
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
           FROM ok ORDER BY ord RETURNING *
         ), v AS (
           INSERT INTO contract_versions (contract_id, version, regime, effective_date, expiry_date, important_data_included,
                                          annex, pipia, changed_fields, refiling_required, created_by)
           SELECT ok.id, 1, ok.regime, ok.effective_date, ok.expiry_date, ok.important_data_included, ok.annex, ok.pipia, '[]'::jsonb, true, ok.actor_id
           FROM ok JOIN c ON c.id = ok.id ORDER BY ok.ord RETURNING *
         ), f AS (
           INSERT INTO filings (contract_id, contract_version_id, version, party, organisation_id, authority, deadline, provisional, status)
           SELECT ok.id, v.id, 1, x.party, x.organisation_id, x.filing->>'authority', (x.filing->>'deadline')::date, (x.filing->>'provisional')::boolean,
                  'NOT_SUBMITTED'
           FROM ok JOIN v ON v.contract_id = ok.id
                CROSS JOIN LATERAL (VALUES (1, 'processor', ok.processor_id, ok.filings->0), (2, 'recipient', ok.recipient_id, ok.filings->1))
                  AS x(n, party, organisation_id, filing)
           ORDER BY ok.ord, x.n
           RETURNING *
         ), h AS (
           INSERT INTO contract_history (contract_id, action, version, party, from_status, to_status, actor_id, actor_kind, actor_role,
                                         actor_organisation_id, actor_authority, details)
           SELECT ok.id, x.action, 1, x.party, NULL, x.to_status, ok.actor_id, ok.actor_kind, ok.actor_role, ok.actor_organisation_id,
                  ok.actor_authority, x.details
           FROM ok JOIN c ON c.id = ok.id
                CROSS JOIN LATERAL (VALUES (1, 'CONTRACT_CREATED', NULL::text, NULL::text,
                                            jsonb_build_object('direction', ok.direction, 'effectiveDate', ok.effective_date)),
                                           (2, 'FILING_CREATED', 'processor', 'NOT_SUBMITTED', ok.filings->0),
                                           (3, 'FILING_CREATED', 'recipient', 'NOT_SUBMITTED', ok.filings->1))
                  AS x(n, action, party, to_status, details)
           ORDER BY ok.ord, x.n
           RETURNING contract_id
         )
         SELECT c.id, row_to_json(c) AS contract,
                (SELECT json_agg(v) FROM v WHERE v.contract_id = c.id) AS versions,
                (SELECT json_agg(f ORDER BY f.party) FROM f WHERE f.contract_id = c.id) AS filings,
                (SELECT count(*) FROM h WHERE h.contract_id = c.id)::int AS history,
                (SELECT json_agg(${PARTY_JSON}) FROM organisations o WHERE o.id IN (c.processor_id, c.recipient_id)) AS parties
         FROM c`,
};

/** A filing as CREATE_CONTRACTS reads it from $1: JSON, the columns' names and types. */
export type FilingItem = Record<string, unknown> & { id: string };

/** One item of CREATE_CONTRACTS's $1 (`ord`, its place in the batch, is added when the batch is sent). */
export function createContractsItem(
  id: string,
  { terms, processor, recipient, direction, filings, actor }: NewContract & { processor: PartyFacts; recipient: PartyFacts },
  revisions: { rollout: string; calendar: string },
): FilingItem {
  return {
    id,
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
    filings: filings.map((f) => ({ authority: f.authority, deadline: f.deadline, provisional: f.provisional })),
    actor_id: actor.id,
    actor_kind: actor.kind,
    actor_role: actor.role,
    actor_organisation_id: actor.organisationId,
    actor_authority: actor.authority,
    rollout_revision: revisions.rollout,
    calendar_revision: revisions.calendar,
  };
}
