/*
 * Reads and single-row writes of the contract tables (contracts, contract_versions, filings,
 * filing_number_counters, contract_incidents). A new version and its filings are inserted in
 * contract-insert.repository.ts, history entries appended in contract-history.repository.ts, the list
 * of contracts in contract-list.repository.ts: together, every statement the contracts module sends
 * about contracts. Plain functions on the caller's EntityManager, so a use case joins them into its
 * transaction.
 */
import { Between, DataSource, EntityManager, In } from 'typeorm';
import { preparedQuery } from '../database/prepared';
import { sqlArray } from '../database/sql-literals';
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
import { VersionDates } from './contract-views';
import { Contract } from './contract.entity';
import { ContractVersion } from './contract-version.entity';
import { ContractDocument } from './document.entity';
import type { FilingAuthority } from './domain/filing-lifecycle';
import { Filing, FilingNumberCounter, FilingParty } from './filing.entity';
import { ContractIncident } from './incident.entity';
import { pageByTimeAndId } from './keyset';

/** The first instant of a GBA date (UTC+8 on every side, no daylight saving; `gbaToday`) from a date parameter. */
const gbaMidnight = (date: string) => `((${date})::timestamp AT TIME ZONE 'UTC' - interval '8 hours')`;

export function findContract(m: EntityManager, contractId: string, lock = false): Promise<Contract | null> {
  const qb = m.getRepository(Contract).createQueryBuilder('c').where('c.id = :id', { id: contractId });
  if (lock) qb.setLock('pessimistic_write');
  return qb.getOne();
}

/**
 * Writes the contract's changed columns (versions, termination) and bumps its revision, which the
 * transfer log's scope cache compares (`revisionsOf`), in the caller's transaction.
 */
export async function updateContract(m: EntityManager, contract: Contract): Promise<void> {
  contract.revision += 1;
  contract.updatedAt = new Date();
  await m.getRepository(Contract).update(
    { id: contract.id },
    {
      latestVersion: contract.latestVersion,
      filingVersion: contract.filingVersion,
      revision: contract.revision,
      updatedAt: contract.updatedAt,
      terminatedOn: contract.terminatedOn,
      terminationReason: contract.terminationReason,
      terminatedByOrganisationId: contract.terminatedByOrganisationId,
    },
  );
}

export function findVersion(m: EntityManager, contractId: string, version: number): Promise<ContractVersion> {
  return m.getRepository(ContractVersion).findOneByOrFail({ contractId, version });
}

export function findVersionById(m: EntityManager, id: string): Promise<ContractVersion> {
  return m.getRepository(ContractVersion).findOneByOrFail({ id });
}

/** The party's filings, of `version` when given, oldest version first, locked for a transition. */
export function partyFilings(m: EntityManager, contractId: string, party: FilingParty, version?: number): Promise<Filing[]> {
  const qb = m
    .getRepository(Filing)
    .createQueryBuilder('f')
    .setLock('pessimistic_write')
    .where('f.contract_id = :id AND f.party = :party', { id: contractId, party });
  if (version !== undefined) qb.andWhere('f.version = :version', { version });
  return qb.orderBy('f.version', 'ASC').getMany();
}

/** The filings of one version of a contract (R8: one per party). */
export function filingsOfVersion(m: EntityManager, contractId: string, version: number): Promise<Filing[]> {
  return m.getRepository(Filing).findBy({ contractId, version });
}

export async function saveFiling(m: EntityManager, filing: Filing): Promise<void> {
  await m.getRepository(Filing).save(filing);
}

/** R11: the next number in the authority's sequence for the year, in the accepting transaction (gapless: rolled back with it). */
export async function nextFilingSequence(m: EntityManager, authority: FilingAuthority, year: number): Promise<number> {
  const table = m.getRepository(FilingNumberCounter).metadata.tableName;
  const rows: Array<{ last_sequence: number }> = await m.query(
    `INSERT INTO "${table}" (authority, year, last_sequence) VALUES ($1, $2, 1)
       ON CONFLICT ON CONSTRAINT pk_filing_number_counters DO UPDATE SET last_sequence = "${table}".last_sequence + 1
       RETURNING last_sequence`,
    [authority, year],
  );
  return Number(rows[0].last_sequence);
}

/** R10: the kinds of material an organisation uploaded to the contract for `version` or a later one. */
export async function uploadedKinds(m: EntityManager, contractId: string, organisationId: string, version: number): Promise<string[]> {
  const rows = await m
    .getRepository(ContractDocument)
    .createQueryBuilder('d')
    .select('DISTINCT d.kind', 'kind')
    .where('d.contract_id = :contractId AND d.organisation_id = :org AND d.version >= :version', { contractId, org: organisationId, version })
    .getRawMany<{ kind: string }>();
  return rows.map((r) => r.kind);
}

export type NewIncident = Pick<
  ContractIncident,
  | 'contractId'
  | 'organisationId'
  | 'party'
  | 'occurredAt'
  | 'description'
  | 'affectedDataSubjects'
  | 'discoveredAt'
  | 'severity'
  | 'remedialActions'
  | 'notifiedAuthorities'
  | 'reportedBy'
>;

export function insertIncident(m: EntityManager, incident: NewIncident): Promise<ContractIncident> {
  return m.getRepository(ContractIncident).save(m.getRepository(ContractIncident).create(incident));
}

/** One page of a contract's incidents in reporting order. */
export function incidentsPage(m: EntityManager, contractId: string, query: { limit?: number; cursor?: string }) {
  const qb = m.getRepository(ContractIncident).createQueryBuilder('i').where('i.contract_id = :contractId', { contractId });
  return pageByTimeAndId(qb, 'i', 'reported_at', query, `contracts/${contractId}/incidents`);
}

/** Registry lists (GET /incidents, GET /notices) page by 50 unless asked otherwise, as GET /contracts. */
const REGISTRY_PAGE = 50;

/**
 * One page of the incidents of every contract within `scope` (the access policy's condition on `c`, given a
 * function that binds its parameters), in reporting order; `from`/`to` are GBA dates of occurrence.
 */
export function registryIncidentsPage(
  m: EntityManager,
  scope: (bind: (name: string, value: unknown) => void) => string,
  query: { limit?: number; cursor?: string; severity?: string; from?: string; to?: string; contractId?: string },
) {
  const qb = m.getRepository(ContractIncident).createQueryBuilder('i').innerJoin(Contract, 'c', 'c.id = i.contract_id');
  qb.where(scope((name, value) => qb.setParameter(name, value)));
  if (query.severity) qb.andWhere('i.severity = :severity', { severity: query.severity });
  if (query.contractId) qb.andWhere('i.contract_id = :contractId', { contractId: query.contractId });
  if (query.from) qb.andWhere(`i.occurred_at >= ${gbaMidnight(':from::date')}`, { from: query.from });
  if (query.to) qb.andWhere(`i.occurred_at < ${gbaMidnight(':to::date + 1')}`, { to: query.to });
  return pageByTimeAndId(qb, 'i', 'reported_at', { ...query, limit: query.limit ?? REGISTRY_PAGE }, 'incidents');
}

/** The contracts of `ids` (unknown ids absent), every version ascending, and every filing. One query each, one after another. */
export async function contractsWithVersionsAndFilings(
  m: EntityManager,
  ids: string[],
): Promise<{ contracts: Contract[]; versions: ContractVersion[]; filings: Filing[] }> {
  // One after another: `m` may be a transaction, i.e. one connection (pg queues, and pg@9 refuses, concurrent queries on it).
  const contracts = await m.getRepository(Contract).findBy({ id: In(ids) });
  const versions = await m.getRepository(ContractVersion).find({ where: { contractId: In(ids) }, order: { version: 'ASC' } });
  const filings = await m.getRepository(Filing).find({ where: { contractId: In(ids) } });
  return { contracts, versions, filings };
}

/** Current revision of each existing contract (one indexed query). */
export async function contractRevisions(m: EntityManager, ids: string[]): Promise<Map<string, number>> {
  const rows = await m.getRepository(Contract).find({ select: { id: true, revision: true }, where: { id: In(ids) } });
  return new Map(rows.map((r) => [r.id, r.revision]));
}

/** contractRevisions as SQL text with the ids written in (for a statement sent with others, src/database/one-message.ts): rows `{ id, revision }`. */
export function contractRevisionsSql(ids: readonly string[]): string {
  return `SELECT id, revision FROM contracts WHERE id = ANY(${sqlArray(ids, 'uuid')})`;
}

/**
 * An SQL boolean expression, true when every contract of `expected` still has the revision given, the values written
 * in, for a statement sent with others (src/database/expectations.ts): a call of `contracts_revisions_unchanged`
 * (migration 1795689300000), one primary-key probe per contract with a plan kept for the session.
 */
export function contractRevisionsUnchangedSql(expected: ReadonlyMap<string, number>): string {
  const ids = [...expected.keys()];
  const revisions = ids.map((id) => expected.get(id) as number);
  return `contracts_revisions_unchanged(${sqlArray(ids, 'uuid')}, ${sqlArray(revisions, 'integer')})`;
}

/** A list's contracts' version dates (not the terms' text) and the filings of each one's filed version (R12). */
export async function summaryParts(m: EntityManager, ids: string[]): Promise<{ versions: (VersionDates & { contractId: string })[]; filings: Filing[] }> {
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
  return { versions, filings };
}

/** A contract with its versions, the filings of its filed version and both parties (GET /contracts/:id). */
export interface ContractWithParts {
  contract: Contract;
  versions: ContractVersion[];
  filings: Filing[];
  parties: PartyRow[];
}

/**
 * The contracts of `ids` with their parts, in one statement: per id, in order, the contract or null if
 * unknown. Each id asked is read into its own objects, an id asked twice too, as if each were read alone.
 */
export async function contractsWithParts(dataSource: DataSource, ids: readonly string[]): Promise<Array<ContractWithParts | null>> {
  const rows = await preparedQuery<{
    n: string;
    contract: ContractJson;
    versions: ContractVersionJson[];
    filings: FilingJson[] | null;
    parties: PartyRow[] | null;
  }>(
    dataSource,
    'contracts.get-many',
    `SELECT asked.n, row_to_json(c) AS contract,
              (SELECT json_agg(v) FROM contract_versions v WHERE v.contract_id = c.id) AS versions,
              (SELECT json_agg(f) FROM filings f WHERE f.contract_id = c.id AND f.version = c.filing_version) AS filings,
              (SELECT json_agg(${PARTY_JSON}) FROM organisations o WHERE o.id IN (c.processor_id, c.recipient_id)) AS parties
       FROM unnest($1::uuid[]) WITH ORDINALITY AS asked(id, n) JOIN contracts c ON c.id = asked.id`,
    [ids],
  );
  const found: Array<ContractWithParts | null> = ids.map(() => null);
  for (const row of rows)
    found[Number(row.n) - 1] = {
      contract: contractFromJson(row.contract),
      versions: row.versions.map(versionFromJson),
      filings: (row.filings ?? []).map(filingFromJson),
      parties: (row.parties ?? []).map(partyFromRow),
    };
  return found;
}

/**
 * Versions `from`..`to` with their terms and the version before them (which the first is compared
 * with), every version's number and date (for each one's status), and the filings of `from`..`to`.
 */
export async function versionRange(
  m: EntityManager,
  contractId: string,
  from: number,
  to: number,
): Promise<{ dates: ContractVersion[]; full: ContractVersion[]; filings: Filing[] }> {
  // `dates`: only each version's number and effective date are read.
  const dates = await m
    .getRepository(ContractVersion)
    .find({ select: { version: true, effectiveDate: true }, where: { contractId }, order: { version: 'ASC' } });
  const full = await m.getRepository(ContractVersion).find({ where: { contractId, version: Between(from - 1, to) }, order: { version: 'ASC' } });
  const filings = await m.getRepository(Filing).find({ where: { contractId, version: Between(from, to) } });
  return { dates, full, filings };
}
