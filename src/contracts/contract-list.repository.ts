/*
 * The query of GET /contracts: the caller's scope (from the access policy), the filters, and keyset
 * pagination by (created_at, id). The status and overdue filters are the domain's definitions in SQL
 * (domain/contract-status.ts, domain/filing-lifecycle.ts `overdueSql`).
 */
import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import type { ListContractsQuery } from './contract.dto';
import { Contract } from './contract.entity';
import { ContractVersion } from './contract-version.entity';
import type { IsoDate } from './domain/contract-rules';
import { contractStatusCondition, ContractStatus } from './domain/contract-status';
import { overdueSql } from './domain/filing-lifecycle';

/** Where the contracts table keeps what the access policy reads (`contractScope`). */
export const CONTRACT_SCOPE_COLUMNS = { parties: ['c.processor_id', 'c.recipient_id'], sides: ['c.processor_jurisdiction', 'c.recipient_jurisdiction'] };

const STATUS_COLUMNS = { terminatedOn: 'c.terminated_on', firstEffectiveDate: 'v1.effective_date', latestExpiryDate: 'lv.expiry_date', today: ':today' };
const OVERDUE = overdueSql({ status: 'f.status', deadline: 'f.deadline', resubmissionDeadline: 'f.resubmission_deadline' }, ':today');

/**
 * Filters on the filings of the versions in force or pending: those of the filed version that governs
 * today (the highest filed version already effective; R12) and of every later one, so a re-filing
 * amendment effective later does not hide the in-force version's open or overdue filings.
 */
const IN_FORCE_OR_PENDING =
  `f.version >= COALESCE((SELECT max(gf.version) FROM filings gf JOIN contract_versions gv ON gv.id = gf.contract_version_id ` +
  `WHERE gf.contract_id = c.id AND gv.effective_date <= :today), 1)`;

function filterFilings(qb: SelectQueryBuilder<Contract>, query: ListContractsQuery): void {
  const conditions: string[] = ['f.contract_id = c.id', IN_FORCE_OR_PENDING];
  if (query.authority) {
    conditions.push('f.authority = :authority');
    qb.setParameter('authority', query.authority);
  }
  if (query.status) {
    conditions.push('f.status = :filingStatus');
    qb.setParameter('filingStatus', query.status);
  }
  if (query.overdue === 'true') {
    qb.andWhere(`EXISTS (SELECT 1 FROM filings f WHERE ${[...conditions, OVERDUE].join(' AND ')})`);
    return;
  }
  if (query.authority || query.status) qb.andWhere(`EXISTS (SELECT 1 FROM filings f WHERE ${conditions.join(' AND ')})`);
  if (query.overdue === 'false') {
    const scope = ['f.contract_id = c.id', IN_FORCE_OR_PENDING, ...(query.authority ? ['f.authority = :authority'] : [])];
    qb.andWhere(`NOT EXISTS (SELECT 1 FROM filings f WHERE ${[...scope, OVERDUE].join(' AND ')})`);
  }
}

/**
 * Up to `limit + 1` contracts after `after` in (created_at, id) order, within `scope`: the access
 * policy's condition, given a function that binds its parameters to the query.
 */
export function listContracts(
  m: EntityManager,
  scope: (bind: (name: string, value: unknown) => void) => string,
  query: ListContractsQuery,
  today: IsoDate,
  after: [string, string] | null,
  limit: number,
): Promise<Contract[]> {
  const qb = m
    .getRepository(Contract)
    .createQueryBuilder('c')
    .innerJoin(ContractVersion, 'lv', 'lv.contract_id = c.id AND lv.version = c.latest_version')
    .innerJoin(ContractVersion, 'v1', 'v1.contract_id = c.id AND v1.version = 1')
    .setParameter('today', today);
  qb.andWhere(scope((name, value) => qb.setParameter(name, value)));
  if (query.sector) qb.andWhere('c.processor_sector = :sector', { sector: query.sector });
  if (query.effectiveFrom) qb.andWhere('lv.effective_date >= :effectiveFrom', { effectiveFrom: query.effectiveFrom });
  if (query.effectiveTo) qb.andWhere('lv.effective_date <= :effectiveTo', { effectiveTo: query.effectiveTo });
  if (query.contractStatus) qb.andWhere(contractStatusCondition(query.contractStatus as ContractStatus, STATUS_COLUMNS));
  filterFilings(qb, query);
  if (after) qb.andWhere('(c.created_at, c.id) > (:at::timestamptz, :afterId::uuid)', { at: after[0], afterId: after[1] });
  return qb
    .orderBy('c.created_at', 'ASC')
    .addOrderBy('c.id', 'ASC')
    .take(limit + 1)
    .getMany();
}
