// GET /ledger/entries, /ledger/proofs/inclusion and /ledger/proofs/consistency: the leaves and RFC 9162 proofs,
// each from one query over the stored tree (./ledger-nodes.ts), checked against what the caller may read.
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import { ReadReplicas } from '../cluster/read-replicas';
import { DomainError, ErrorCode } from '../common/errors';
import { Principal } from '../common/roles';
import { preparedQuery, statementName } from '../database/prepared';
import { consistencyProofPlan, inclusionProofPlan, nodeKey, nodesNeeded, resolvePlan } from './domain/merkle';
import { fetchNodes, LEAF_SCOPE_COLUMNS, LEAVES, readNodes, treeSize as committedSize } from './ledger-nodes';

/** At most this many entries per GET /ledger/entries. */
export const MAX_ENTRIES_PER_PAGE = 1000;

@Injectable()
export class LedgerProofs {
  constructor(
    private readonly access: AccessService,
    private readonly reads: ReadReplicas,
  ) {}

  async entries(principal: Principal, start: number, end: number): Promise<{ entries: Array<{ leafIndex: number; leaf: string }> }> {
    if (end <= start || end - start > MAX_ENTRIES_PER_PAGE) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'The request is not valid', {
        detail: `end must be greater than start and at most ${MAX_ENTRIES_PER_PAGE} past it`,
        errors: [{ field: 'end', rule: 'range', message: `end must be in (start, start + ${MAX_ENTRIES_PER_PAGE}]` }],
      });
    }
    // A replica serves the page only when it has replayed every leaf the page asks for (docs/scaling.md#read-replicas).
    return this.reads.read(principal, (db) => this.entriesFrom(db, principal, start, end), { fits: async (db) => (await committedSize(db.manager)) >= end });
  }

  private async entriesFrom(
    db: DataSource,
    principal: Principal,
    start: number,
    end: number,
  ): Promise<{ entries: Array<{ leafIndex: number; leaf: string }> }> {
    // Past the end of the log is a wrong request, not an empty page: an empty page would read as
    // "no leaves of yours here" (the tree size is public, in every checkpoint).
    const size = await committedSize(db.manager);
    if (start >= size) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'The request is not valid', {
        detail: `start is past the end of the log (${size} entries)`,
        errors: [{ field: 'start', rule: 'range', message: `start must be less than the log's size, ${size}` }],
      });
    }
    const params: unknown[] = [start, end];
    const bind = (value: unknown): string => `$${params.push(value)}`;
    const visible = this.access.sqlWhere(principal, 'leaf.read', LEAF_SCOPE_COLUMNS, bind);
    // Prepared, as every read of the partitioned leaves (src/ledger/ledger-nodes.ts).
    const sql = `SELECT leaf_index, leaf FROM ${LEAVES} WHERE leaf_index >= $1 AND leaf_index < $2 AND ${visible} ORDER BY leaf_index`;
    const rows = await preparedQuery<{ leaf_index: string; leaf: Buffer }>(db, statementName('ledger-entries', sql), sql, params);
    return { entries: rows.map((r) => ({ leafIndex: Number(r.leaf_index), leaf: r.leaf.toString('base64') })) };
  }

  /** RFC 9162 §2.1.3.1 inclusion proof; O(log n) rows in one query. */
  async inclusionProof(principal: Principal, leafIndex: number, treeSize: number): Promise<{ leafIndex: number; treeSize: number; hashes: string[] }> {
    if (leafIndex >= treeSize) throw rangeError('leafIndex', 'leafIndex must be less than treeSize');
    const plan = inclusionProofPlan(leafIndex, treeSize);
    // The leaf itself is read too, in the same query: it proves the leaf exists and says who may see it.
    const ids = [{ level: 0, index: leafIndex }, ...nodesNeeded(plan)];
    // A replica serves the proof only for a tree size it has replayed (docs/scaling.md#read-replicas).
    const { hashes: nodes, parties: leafParties } = await this.reads.read(principal, (db) => readNodes(db.manager, ids), {
      fits: async (db) => (await committedSize(db.manager)) >= treeSize,
    });
    this.access.require(principal, 'leaf.read', leafParties.get(leafIndex), (parties) => ({ parties }), 'Leaf');
    const hashes = this.resolveOrRange(plan, nodes, treeSize);
    return { leafIndex, treeSize, hashes };
  }

  /** RFC 9162 §2.1.4.1 consistency proof; O(log n) rows in one query. A regulator's (`principal`) may be read from a replica. */
  async consistencyProof(first: number, second: number, principal?: Principal): Promise<{ first: number; second: number; hashes: string[] }> {
    if (first > second) throw rangeError('first', 'first must not exceed second');
    const plan = consistencyProofPlan(first, second);
    // The last leaf of the second tree proves the tree is that large.
    const ids = second > 0 ? [{ level: 0, index: second - 1 }, ...nodesNeeded(plan)] : nodesNeeded(plan);
    const nodes = await this.reads.read(principal, (db) => fetchNodes(db.manager, ids), {
      fits: async (db) => (await committedSize(db.manager)) >= second,
    });
    if (second > 0 && !nodes.has(`0:${second - 1}`)) throw beyondLog(second);
    return { first, second, hashes: this.resolveOrRange(plan, nodes, second) };
  }

  private resolveOrRange(plan: ReturnType<typeof inclusionProofPlan>, nodes: Map<string, Buffer>, treeSize: number): string[] {
    for (const id of nodesNeeded(plan)) if (!nodes.has(nodeKey(id))) throw beyondLog(treeSize);
    return resolvePlan(plan, (id) => nodes.get(nodeKey(id))).map((h) => h.toString('base64'));
  }
}

function rangeError(field: string, message: string): DomainError {
  return new DomainError(ErrorCode.VALIDATION_FAILED, 'The request is not valid', { detail: message, errors: [{ field, rule: 'range', message }] });
}

function beyondLog(treeSize: number): DomainError {
  return new DomainError(ErrorCode.VALIDATION_FAILED, 'The request is not valid', {
    detail: `the log has fewer than ${treeSize} leaves`,
    errors: [{ field: 'treeSize', rule: 'range', message: `treeSize ${treeSize} is beyond the log` }],
  });
}
