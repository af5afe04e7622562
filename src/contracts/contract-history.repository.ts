/*
 * The contract's history (docs/contributing.md#database: audit evidence in the same transaction as the
 * change it records). `appendHistory` is the only code that writes `contract_history`: every use case
 * (filing, amendment, submission, review, termination, incidents, materials) hands its entries to it
 * with the transaction's EntityManager, so whatever must happen with every history entry is added there
 * once.
 */
import type { EntityManager } from 'typeorm';
import type { Principal } from '../common/roles';
import { preparedQueryIn } from '../database/prepared';
import { ContractHistoryAction, ContractHistoryEntry } from './contract-history.entity';
import { NotifiedEntry, notifyHistory } from './contract-events';

/** A history entry to append: what happened to which contract, and who did it. */
export interface HistoryEntry extends NotifiedEntry {
  actor: HistoryActor;
}

export type HistoryActor = Pick<Principal, 'id' | 'kind' | 'role' | 'organisationId' | 'authority'>;

export function historyEntry(
  actor: HistoryActor,
  contractId: string,
  action: ContractHistoryAction,
  what: { version?: number; party?: string; fromStatus?: string; toStatus?: string; details?: Record<string, unknown> } = {},
): HistoryEntry {
  return {
    contractId,
    action,
    version: what.version ?? null,
    party: what.party ?? null,
    fromStatus: what.fromStatus ?? null,
    toStatus: what.toStatus ?? null,
    actor,
    details: what.details ?? {},
  };
}

/**
 * Data-modifying CTEs that the history entries are written together with, in one statement: `ctes`
 * (the text after WITH, using `$1`…`$n` for `values`), `written` (an SQL list of the contract ids those
 * CTEs wrote; entries of any other contract are not written) and `select` (the statement's answer).
 */
export interface WrittenAlong {
  name: string;
  ctes: string;
  values: unknown[];
  written: string;
  select: string;
}

export interface Statement {
  name: string;
  text: string;
  values: unknown[];
}

const HISTORY_COLUMNS = `contract_id, action, version, party, from_status, to_status, actor_id, actor_kind, actor_role, actor_organisation_id, actor_authority, details`;

/** The INSERT of the entries in parameter `$n` (a JSON array), in their order, limited to the contracts of `written` when given. */
function historyInsert(n: number, written?: string): string {
  return `INSERT INTO contract_history (${HISTORY_COLUMNS})
           SELECT ${HISTORY_COLUMNS} FROM jsonb_to_recordset($${n}::jsonb) AS e(
             ord int, contract_id uuid, action text, version int, party text, from_status text, to_status text, actor_id uuid,
             actor_kind text, actor_role text, actor_organisation_id uuid, actor_authority text, details jsonb)
           ${written ? `WHERE e.contract_id IN (${written})` : ''}
           ORDER BY ord`;
}

function historyJson(entries: HistoryEntry[]): string {
  return JSON.stringify(
    entries.map((e, ord) => ({
      ord,
      contract_id: e.contractId,
      action: e.action,
      version: e.version,
      party: e.party,
      from_status: e.fromStatus,
      to_status: e.toStatus,
      actor_id: e.actor.id,
      actor_kind: e.actor.kind,
      actor_role: e.actor.role,
      actor_organisation_id: e.actor.organisationId,
      actor_authority: e.actor.authority,
      details: e.details,
    })),
  );
}

/** The statement `appendHistory` sends: the entries alone, or with the writes of `along` (one round trip either way). */
export function historyStatement(entries: HistoryEntry[], along?: WrittenAlong): Statement {
  if (!along) return { name: 'contracts.history.append', text: historyInsert(1), values: [historyJson(entries)] };
  const n = along.values.length + 1;
  return {
    name: `${along.name}+history`,
    text: `WITH ${along.ctes}, history AS (${historyInsert(n, along.written)}) ${along.select}`,
    values: [...along.values, historyJson(entries)],
  };
}

/**
 * Appends `entries` to the contracts' history on `m` (the caller's transaction, or one statement on
 * its own with `along`, whose writes and the entries are then all or nothing). The only writer of
 * `contract_history`; answers the rows of `along.select`.
 */
export async function appendHistory<T = Record<string, unknown>>(m: EntityManager, entries: HistoryEntry[], along?: WrittenAlong): Promise<T[]> {
  if (!entries.length && !along) return [];
  const statement = historyStatement(entries, along);
  const rows = await preparedQueryIn<T>(m, statement.name, statement.text, statement.values);
  // The notifications of these entries (docs/api.md#events), in the same transaction: filing decisions, amendments,
  // terminations and incidents. Creation entries (the only ones written `along` without a caller's transaction) raise none.
  await notifyHistory(m, entries);
  return rows;
}

/** One page of a contract's history in order, after entry `after`; uploads (R10) only of `documentSides`. */
export async function historyPage(
  m: EntityManager,
  contractId: string,
  documentSides: string[],
  after: string | null,
  limit: number,
): Promise<ContractHistoryEntry[]> {
  const qb = m.getRepository(ContractHistoryEntry).createQueryBuilder('h').where('h.contract_id = :contractId', { contractId });
  if (documentSides.length === 0) qb.andWhere(`h.action <> 'DOCUMENT_UPLOADED'`);
  else if (documentSides.length === 1) qb.andWhere(`(h.action <> 'DOCUMENT_UPLOADED' OR h.party = :side)`, { side: documentSides[0] });
  if (after) qb.andWhere('h.id > :after', { after });
  return qb
    .orderBy('h.id', 'ASC')
    .take(limit + 1)
    .getMany();
}
