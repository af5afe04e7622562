/*
 * The statements about contract_notices (docs/rules.md#r13): notices inserted once per contract, kind and party
 * (a second insert, from another scan or instance, does nothing), one page of a caller's queue, one notice with
 * the parties its scope reads, and the acknowledgement.
 */
import type { EntityManager } from 'typeorm';
import type { ResourceScope } from '../access/access';
import { Contract } from './contract.entity';
import type { PlannedNotice } from './domain/notices';
import { pageByTimeAndId } from './keyset';
import { ContractNotice } from './notice.entity';

/** A notice to write: the plan and its due date in the authority's side's calendar (R9). */
export type NewNotice = PlannedNotice & { contractId: string; dueOn: string; provisional: boolean };

/** Where a notice's resource scope lives in `GET /notices` (`n` the notice, `c` its contract). */
export const NOTICE_SCOPE_COLUMNS = { parties: ['c.processor_id', 'c.recipient_id'], sides: ['n.side'], authority: 'n.authority' };

/** A notice with its contract's parties. */
export type NoticeRow = ContractNotice & { processorId: string; recipientId: string };

/** What the access policy reads of a notice: the contract's parties, the side and the authority it is addressed to. */
export function noticeScope(n: NoticeRow): ResourceScope {
  return { parties: [n.processorId, n.recipientId], sides: [n.side], authority: n.authority };
}

/** Inserts the notices not yet recorded (one per contract, kind and party); answers how many were new. */
export async function insertNotices(m: EntityManager, notices: readonly NewNotice[]): Promise<number> {
  if (!notices.length) return 0;
  const rows: unknown[] = await m.query(
    `INSERT INTO contract_notices (contract_id, kind, party, authority, side, ended_on, due_on, provisional)
     SELECT contract_id, kind, party, authority, side, ended_on, due_on, provisional
       FROM jsonb_to_recordset($1::jsonb)
         AS x(contract_id uuid, kind text, party text, authority text, side text, ended_on date, due_on date, provisional boolean)
     ON CONFLICT ON CONSTRAINT uq_contract_notices_contract_kind_party DO NOTHING
     RETURNING id`,
    [
      JSON.stringify(
        notices.map((n) => ({
          contract_id: n.contractId,
          kind: n.kind,
          party: n.party,
          authority: n.authority,
          side: n.side,
          ended_on: n.endedOn,
          due_on: n.dueOn,
          provisional: n.provisional,
        })),
      ),
    ],
  );
  return rows.length;
}

/** One page of the notices within `scope` (the access policy's condition on `n` and `c`), oldest first. */
export async function noticesPage(
  m: EntityManager,
  scope: (bind: (name: string, value: unknown) => void) => string,
  query: { limit?: number; cursor?: string; kind?: string; acknowledged?: 'true' | 'false'; contractId?: string },
  limit: number,
): Promise<{ items: NoticeRow[]; nextCursor: string | null }> {
  const qb = m.getRepository(ContractNotice).createQueryBuilder('n').innerJoin(Contract, 'c', 'c.id = n.contract_id');
  qb.where(scope((name, value) => qb.setParameter(name, value)));
  if (query.kind) qb.andWhere('n.kind = :kind', { kind: query.kind });
  if (query.contractId) qb.andWhere('n.contract_id = :contractId', { contractId: query.contractId });
  if (query.acknowledged === 'true') qb.andWhere('n.acknowledged_at IS NOT NULL');
  if (query.acknowledged === 'false') qb.andWhere('n.acknowledged_at IS NULL');
  const page = await pageByTimeAndId(qb, 'n', 'created_at', { ...query, limit }, 'notices');
  const parties = await contractParties(
    m,
    page.items.map((n) => n.contractId),
  );
  return { items: page.items.map((n) => ({ ...n, ...parties.get(n.contractId)! })), nextCursor: page.nextCursor };
}

async function contractParties(m: EntityManager, ids: string[]): Promise<Map<string, { processorId: string; recipientId: string }>> {
  if (!ids.length) return new Map();
  const rows = await m
    .getRepository(Contract)
    .createQueryBuilder('c')
    .select(['c.id', 'c.processorId', 'c.recipientId'])
    .where('c.id IN (:...ids)', { ids: [...new Set(ids)] })
    .getMany();
  return new Map(rows.map((c) => [c.id, { processorId: c.processorId, recipientId: c.recipientId }]));
}

/** One notice with its contract's parties, or null; `lock` locks the notice's row in `m`'s transaction. */
export async function findNotice(m: EntityManager, id: string, lock = false): Promise<NoticeRow | null> {
  const qb = m.getRepository(ContractNotice).createQueryBuilder('n').where('n.id = :id', { id });
  if (lock) qb.setLock('pessimistic_write');
  const notice = await qb.getOne();
  if (!notice) return null;
  const parties = await contractParties(m, [notice.contractId]);
  return { ...notice, ...parties.get(notice.contractId)! };
}

export async function acknowledgeNotice(m: EntityManager, id: string, by: string): Promise<void> {
  await m.getRepository(ContractNotice).update({ id }, { acknowledgedAt: () => 'now()', acknowledgedBy: by });
}
