/*
 * The two statements of POST /contracts (issue 6), kept apart from the service so the filing
 * benchmark can send PostgreSQL exactly what the registry sends and measure the database's own
 * limit for a filing in the same run.
 *
 * 1. CREATE_PARTIES reads both parties with the fingerprints of the rollout catalogue and the
 *    calendar overrides (the memoised sector gate and deadlines are valid while these match).
 * 2. CREATE_CONTRACT inserts the contract, version 1, both filings and the three history entries
 *    in one statement (data-modifying CTEs: atomic without BEGIN/COMMIT round trips) and returns
 *    what the view needs.
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

/** The insert, unconditional or only `WHERE guard` (then nothing at all is written when the guard is false). */
function insertContractSql(guard: string | null): string {
  return `WITH c AS (
           INSERT INTO contracts (regime, processor_id, recipient_id, processor_jurisdiction, recipient_jurisdiction, processor_sector,
                                  direction, latest_version, filing_version, revision, created_by)
           SELECT $1::text, $2::uuid, $3::uuid, $4::text, $5::text, $6::text, $7::text, 1, 1, 1, $8::uuid${guard ? ` WHERE ${guard}` : ''} RETURNING *
         ), v AS (
           INSERT INTO contract_versions (contract_id, version, regime, effective_date, expiry_date, important_data_included,
                                          annex, pipia, changed_fields, refiling_required, created_by)
           SELECT c.id, 1, $1, $9::date, $10::date, $11::boolean, $12::jsonb, $13::jsonb, '[]'::jsonb, true, $8 FROM c RETURNING *
         ), f AS (
           INSERT INTO filings (contract_id, contract_version_id, version, party, organisation_id, authority, deadline, provisional, status)
           SELECT c.id, v.id, 1, x.party, x.organisation_id, x.authority, x.deadline, x.provisional, 'NOT_SUBMITTED'
           FROM c, v, (VALUES ('processor', $2::uuid, $14::text, $15::date, $16::boolean), ('recipient', $3::uuid, $17::text, $18::date, $19::boolean))
                AS x(party, organisation_id, authority, deadline, provisional)
           RETURNING *
         ), h AS (
           INSERT INTO contract_history (contract_id, action, version, party, from_status, to_status, actor_id, actor_kind, actor_role,
                                         actor_organisation_id, actor_authority, details)
           SELECT c.id, x.action, 1, x.party, NULL, x.to_status, $20::uuid, $21, $22, $23::uuid, $24, x.details
           FROM c, (VALUES (1, 'CONTRACT_CREATED', NULL::text, NULL::text, $25::jsonb),
                           (2, 'FILING_CREATED', 'processor', 'NOT_SUBMITTED', $26::jsonb),
                           (3, 'FILING_CREATED', 'recipient', 'NOT_SUBMITTED', $27::jsonb)) AS x(ord, action, party, to_status, details)
           ORDER BY x.ord
           RETURNING id
         )
         SELECT row_to_json(c) AS contract, (SELECT json_agg(v) FROM v) AS versions, (SELECT json_agg(f) FROM f) AS filings,
                (SELECT count(*) FROM h)::int AS history${guard ? `,
                (SELECT json_agg(${PARTY_JSON}) FROM organisations o WHERE o.id IN ($2, $3)) AS parties` : ''}
         FROM c`;
}

/** $1–$27: `createContractValues`. */
export const CREATE_CONTRACT: NamedStatement = { name: 'contracts.create.insert', text: insertContractSql(null) };

/**
 * The one-statement filing (issue 6): the same insert, made only while every fact the registry
 * assumed still holds in the statement's own snapshot: the rollout and calendar fingerprints it
 * planned with ($28, $29) and each party's jurisdiction, city and sector ($4–$6, $30, $31). When one
 * has changed, no row is written or returned and the registry files through the checked path.
 * Returns the parties as they are now (names, verification) for the view.
 */
export const CREATE_CONTRACT_ASSUMING: NamedStatement = {
  name: 'contracts.create.insert-assuming',
  text: insertContractSql(
    `${ROLLOUT_REVISION_SQL} = $28 AND ${CALENDAR_REVISION_SQL} = $29
       AND EXISTS (SELECT 1 FROM organisations WHERE id = $2 AND jurisdiction = $4 AND city = $30 AND sector = $6)
       AND EXISTS (SELECT 1 FROM organisations WHERE id = $3 AND jurisdiction = $5 AND city = $31)`,
  ),
};

/** The parameters of CREATE_CONTRACT, in order. */
export function createContractValues({ terms, processor, recipient, direction, filings: [p, r], actor }: NewContract): unknown[] {
  return [
    terms.regime,
    processor.id,
    recipient.id,
    processor.jurisdiction,
    recipient.jurisdiction,
    processor.sector,
    direction,
    actor.id,
    terms.effectiveDate,
    terms.expiryDate ?? null,
    terms.importantDataIncluded,
    JSON.stringify(terms.annex),
    JSON.stringify(terms.pipia),
    p.authority,
    p.deadline,
    p.provisional,
    r.authority,
    r.deadline,
    r.provisional,
    actor.id,
    actor.kind,
    actor.role,
    actor.organisationId,
    actor.authority,
    JSON.stringify({ direction, effectiveDate: terms.effectiveDate }),
    JSON.stringify({ authority: p.authority, deadline: p.deadline, provisional: p.provisional }),
    JSON.stringify({ authority: r.authority, deadline: r.deadline, provisional: r.provisional }),
  ];
}

/** The parameters of CREATE_CONTRACT_ASSUMING: those of CREATE_CONTRACT, then the assumed facts. */
export function createContractAssumingValues(
  contract: NewContract & { processor: PartyFacts; recipient: PartyFacts },
  revisions: { rollout: string; calendar: string },
): unknown[] {
  return [...createContractValues(contract), revisions.rollout, revisions.calendar, contract.processor.city, contract.recipient.city];
}
