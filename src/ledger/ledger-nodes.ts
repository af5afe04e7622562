// The stored Merkle tree (RFC 9162 §2.1) as read from storage: the tree size, stored complete subtrees and the
// leaf hashes under the lower ones, in one query each. Pure tree arithmetic is in domain/merkle.ts.
import type { EntityManager } from 'typeorm';
import { preparedQueryIn } from '../database/prepared';
import { integerArrayText, sqlArray } from '../database/sql-literals';
import { NodeId, nodeHash, nodeKey, resolveHashPlan, rootPlan } from './domain/merkle';

/**
 * Complete subtrees are stored from this level up (16-leaf tiles and above):
 * an append writes about n/8 node rows instead of n. Lower levels
 * are recomputed from the leaf hashes in transfer_records, read in the same
 * query as the stored nodes: a proof reads O(log n) node rows plus at most two
 * tiles of leaf hashes (the leaf's tile and the tree's last, partial tile).
 * Level 4 rather than 6: a proof folds 32 leaves instead of 128, for 125 node
 * rows written per 1,000 leaves (the proofs' figures are in the README, Performance).
 */
export const STORED_MIN_LEVEL = 4;

/**
 * Where the leaves live: one transfer_records row per leaf, `leaf` (exact
 * bytes) and `leaf_hash` (the level-0 node) beside the record, so a record is
 * one row written, not two (docs/architecture.md#modules). The parties (processor_id,
 * recipient_id) may read their leaves besides regulators and administrators.
 * The caller of LedgerService.extend() writes the leaf rows in the same transaction.
 */
export const LEAVES = 'transfer_records';
/**
 * The leaf hashes and parties of records whose monthly partition was archived and detached (R18,
 * docs/scaling.md#retention): the tree stays whole, so every proof still resolves.
 */
const ARCHIVED_LEAVES = 'ledger_archived_leaves';
/** Where the leaves keep what the access policy reads of them: the contract's parties. */
export const LEAF_SCOPE_COLUMNS = { parties: ['processor_id', 'recipient_id'] };

/** The number of committed leaves (visible to this statement's snapshot), as one row `{ size }` (bigint as text). */
export const TREE_SIZE_SQL = `SELECT COALESCE(max(leaf_index) + 1, 0)::bigint AS size FROM ${LEAVES}`;

/**
 * TREE_SIZE_SQL as an SQL expression, for statements sent as text (src/database/one-message.ts): a call of the
 * function of migration 1795689300000, whose query PostgreSQL plans once per session where the text would be planned
 * on every use (planning the maximum over the partitioned log opens every index of every partition).
 */
export const TREE_SIZE_CALL = 'ledger_tree_size()';

/** The number of committed leaves (visible to this statement's snapshot). Prepared, as READ_NODES_SQL. */
export async function treeSize(db: EntityManager): Promise<number> {
  const [row] = await preparedQueryIn<{ size: string }>(db, 'ledger-tree-size', TREE_SIZE_SQL, []);
  return Number(row.size);
}

/**
 * Stores complete subtrees (level ≥ STORED_MIN_LEVEL) in one statement, as SQL text with the values written in (for
 * a statement sent with others, src/database/one-message.ts); null when there are none.
 */
export function storedNodesSql(nodes: ReadonlyArray<{ level: number; index: number; hash: Buffer }>): string | null {
  if (nodes.length === 0) return null;
  return `INSERT INTO ledger_nodes (level, idx, hash) SELECT * FROM unnest(${sqlArray(
    nodes.map((n) => n.level),
    'smallint',
  )}, ${sqlArray(
    nodes.map((n) => n.index),
    'bigint',
  )}, ${sqlArray(
    nodes.map((n) => n.hash),
    'bytea',
  )})`;
}

/**
 * Leaf hashes by index (live and archived) and stored nodes by key. Prepared: its plan covers every monthly partition
 * of the leaves (docs/scaling.md#partitions), which costs more to plan than to run, and the text never changes.
 */
const READ_NODES_SQL = `SELECT 0 AS level, leaf_index AS idx, leaf_hash AS hash, processor_id, recipient_id FROM ${LEAVES} WHERE leaf_index = ANY($1::bigint[])
     UNION ALL
     SELECT 0, leaf_index, leaf_hash, processor_id, recipient_id FROM ${ARCHIVED_LEAVES} WHERE leaf_index = ANY($1::bigint[])
     UNION ALL
     SELECT n.level, n.idx, n.hash, NULL, NULL FROM ledger_nodes n
      WHERE (n.level, n.idx) IN (SELECT w.level, w.idx FROM unnest($2::smallint[], $3::bigint[]) AS w(level, idx))`;

/** Stored hashes of complete subtrees, level 0 from the leaves, in one query. */
export async function fetchNodes(db: EntityManager, ids: readonly NodeId[]): Promise<Map<string, Buffer>> {
  return (await readNodes(db, ids)).hashes;
}

/**
 * fetchNodes, plus the parties of each leaf read (who may see it), still one
 * query: stored nodes (level ≥ STORED_MIN_LEVEL) by key, and the leaf hashes
 * of the ranges under the lower ones, which are folded here. A node whose
 * leaves are not all there is absent (beyond the log).
 */
export async function readNodes(db: EntityManager, ids: readonly NodeId[]): Promise<{ hashes: Map<string, Buffer>; parties: Map<number, [string, string]> }> {
  const levels: number[] = [];
  const indexes: number[] = [];
  const ranges: Array<[number, number]> = [];
  for (const id of ids) {
    if (id.level >= STORED_MIN_LEVEL) {
      levels.push(id.level);
      indexes.push(id.index);
    } else {
      const width = 2 ** id.level;
      ranges.push([id.index * width, (id.index + 1) * width]);
    }
  }
  const found = new Map<string, Buffer>();
  const parties = new Map<number, [string, string]>();
  if (ids.length === 0) return { hashes: found, parties };
  // Every leaf under the requested lower nodes, each once; an explicit list (at most two tiles) so the planner
  // always estimates a handful of primary-key lookups, whatever the table size.
  const leafIndexes = new Set<number>();
  for (const [from, to] of ranges) for (let i = from; i < to; i++) leafIndexes.add(i);
  const rows = await preparedQueryIn<{ level: number; idx: string; hash: Buffer; processor_id: string | null; recipient_id: string | null }>(
    db,
    'ledger-read-nodes',
    READ_NODES_SQL,
    [integerArrayText([...leafIndexes]), integerArrayText(levels), integerArrayText(indexes)],
  );
  const leafHashes = new Map<number, Buffer>();
  for (const row of rows) {
    if (row.level === 0) {
      const index = Number(row.idx);
      leafHashes.set(index, row.hash);
      parties.set(index, [row.processor_id as string, row.recipient_id as string]);
    } else found.set(`${row.level}:${row.idx}`, row.hash);
  }
  // Subtrees below the stored levels, folded from their leaves (memoised: a proof's siblings share subtrees).
  const computed = new Map<string, Buffer | undefined>();
  const subtree = (level: number, index: number): Buffer | undefined => {
    if (level === 0) return leafHashes.get(index);
    const key = `${level}:${index}`;
    if (computed.has(key)) return computed.get(key);
    const left = subtree(level - 1, index * 2);
    const right = left && subtree(level - 1, index * 2 + 1);
    const hash = left && right ? nodeHash(left, right) : undefined;
    computed.set(key, hash);
    return hash;
  };
  for (const id of ids) {
    if (id.level >= STORED_MIN_LEVEL) continue;
    const hash = subtree(id.level, id.index);
    if (hash) found.set(nodeKey(id), hash);
  }
  return { hashes: found, parties };
}

/** The root of the tree of `size` leaves, from storage. */
export async function rootAt(db: EntityManager, size: number): Promise<Buffer> {
  const plan = rootPlan(size);
  const nodes = await fetchNodes(db, plan);
  return resolveHashPlan(plan, (id) => nodes.get(nodeKey(id)));
}

/** A node the caller knows is stored; a missing one means the stored tree is damaged. */
export function requireNode(nodes: Map<string, Buffer>, id: NodeId): Buffer {
  const hash = nodes.get(nodeKey(id));
  if (!hash) throw new Error(`ledger node ${nodeKey(id)} is missing: the stored tree is damaged`);
  return hash;
}
