import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DataSource, EntityManager } from 'typeorm';
import { DeferToRequests, RequestActivity } from '../common/request-activity';
import { REGISTRY_CONFIG, RegistryConfig } from '../config/config';
import { LeaderLoop } from '../cluster/leader-loop';
import { Leadership } from '../cluster/leadership';
import { LeafColumnsRow } from '../transfers/record-columns';
import { decodeLeaf, leafColumnMismatches, leafColumnsDetail, leafColumnsSql } from '../transfers/record-reads';
import { leafHash, nodeHash } from './domain/merkle';
import { IntegrityFailure, LedgerIntegrity } from './ledger.integrity';
import { STORED_MIN_LEVEL } from './ledger-nodes';
import { LedgerService, StoredCheckpoint } from './ledger.service';

type Phase = 'leaves' | 'nodes' | 'checkpoints';

/** Checkpoints re-checked per batch: each costs one root query of O(log n) rows. */
const CHECKPOINTS_PER_BATCH = 32;
/**
 * Leaves checked between two turns of the event loop. The audit shares its process with the requests it
 * must not slow down: a batch of a thousand leaves (hashing, decoding, comparing each column) held the
 * loop long enough to show in the tail of every request that waited behind it (README, Performance).
 */
export const LEAVES_PER_TURN = 64;

/**
 * While requests keep arriving (one within AUDIT_QUIET_MS), a scheduled batch is skipped, at most
 * AUDIT_MAX_SKIPPED times in a row: a batch's query and hashing take the CPU that the requests of a small
 * machine need (docs/scaling.md#read-tails), so under steady traffic the audit runs a batch every tenth round.
 */
export const AUDIT_QUIET_MS = 50;
export const AUDIT_MAX_SKIPPED = 9;

/**
 * The log's self-audit (docs/architecture.md#trust-model, part 2): at start and then continuously, in
 * batches with a pause between them (LEDGER_AUDIT_BATCH_SIZE, LEDGER_AUDIT_PAUSE_MS), it checks that every
 * leaf_hash is the hash of its leaf, every stored node the hash of its children, and every signed
 * checkpoint's root the root recomputed from storage; then it starts over. The cursor is the one row of
 * ledger_audit_progress, held FOR UPDATE SKIP LOCKED during a batch: the audit resumes after a restart, and
 * when several instances run it, each batch is done by one of them. A mismatch is reported to
 * LedgerIntegrity, which stops signing. Batches run on the instance that leads the background jobs
 * (docs/scaling.md#several-instances); the row lock keeps a batch single even while the lead changes hands.
 */
@Injectable()
export class LedgerAuditor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('LedgerAuditor');
  private loop: LeaderLoop | undefined;
  private readonly batchSize: number;
  private readonly pauseMs: number;
  private readonly deferral: DeferToRequests;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    private readonly ledger: LedgerService,
    private readonly integrity: LedgerIntegrity,
    private readonly leadership: Leadership,
    activity: RequestActivity,
  ) {
    this.batchSize = config.ledgerAuditBatchSize;
    this.pauseMs = config.ledgerAuditPauseMs;
    this.deferral = new DeferToRequests(activity, AUDIT_QUIET_MS, AUDIT_MAX_SKIPPED);
  }

  onApplicationBootstrap(): void {
    this.loop = new LeaderLoop(
      this.leadership,
      this.logger,
      { firstDelayMs: 0, everyMs: this.pauseMs, failure: 'ledger audit batch failed; retrying after the pause' },
      // A skipped round still reads the failures other instances reported, as a batch does, for the metric.
      () => (this.deferral.shouldRun() ? this.batch() : this.integrity.refresh()),
    );
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
  }

  /** One batch of the audit, in one transaction holding the cursor; does nothing while another instance holds it. */
  async batch(): Promise<void> {
    const failures: IntegrityFailure[] = [];
    await this.dataSource.transaction(async (manager) => {
      const rows: Array<{ phase: Phase; level: number; position: string }> = await manager.query(
        'SELECT phase, level, position FROM ledger_audit_progress WHERE id = 1 FOR UPDATE SKIP LOCKED',
      );
      if (rows.length === 0) return;
      const { phase, level } = rows[0];
      const position = Number(rows[0].position);
      let next: { phase: Phase; level: number; position: number; passDone?: boolean };
      if (phase === 'leaves') next = await this.leaves(manager, position, failures);
      else if (phase === 'nodes') next = await this.nodes(manager, level, position, failures);
      else next = await this.checkpoints(manager, position, failures);
      await manager.query(
        `UPDATE ledger_audit_progress SET phase = $1, level = $2, position = $3, updated_at = now(),
           passes = passes + $4::int,
           last_pass_completed_at = CASE WHEN $4::int = 1 THEN now() ELSE last_pass_completed_at END,
           pass_started_at = CASE WHEN $4::int = 1 THEN now() ELSE pass_started_at END
         WHERE id = 1`,
        [next.phase, next.level, next.position, next.passDone ? 1 : 0],
      );
    });
    for (const failure of failures) await this.integrity.report(failure);
    await this.integrity.refresh();
    this.integrity.checked();
  }

  /**
   * leaf_hash = SHA-256(0x00 ‖ leaf) for the next leaves, no index skipped, and every readable column equal to its leaf member.
   * A leaf of an archived partition (R18) counts as present: its hash was checked against its leaf when the archive was
   * verified, and it is still checked against the stored tiles (nodes phase).
   */
  private async leaves(manager: EntityManager, from: number, failures: IntegrityFailure[]) {
    const rows: Array<LeafColumnsRow & { leaf_index: string; leaf: Buffer; leaf_hash: Buffer }> = await manager.query(
      `SELECT t.leaf_index, t.leaf, t.leaf_hash, ${leafColumnsSql('t')} FROM transfer_records t WHERE t.leaf_index >= $1 ORDER BY t.leaf_index LIMIT $2`,
      [from, this.batchSize],
    );
    const archived: Array<{ leaf_index: string }> = await manager.query(
      'SELECT leaf_index FROM ledger_archived_leaves WHERE leaf_index >= $1 ORDER BY leaf_index LIMIT $2',
      [from, this.batchSize],
    );
    const batch = mergeByIndex(rows, archived, this.batchSize);
    let expected = from;
    for (const [n, row] of batch.entries()) {
      if (n > 0 && n % LEAVES_PER_TURN === 0) await nextTurn();
      const index = Number(row.leaf_index);
      if (index !== expected) {
        failures.push({ kind: 'leaf-missing', level: 0, index: expected, detail: `no record has leaf index ${expected}; the next one is ${index}` });
      }
      expected = index + 1;
      if (!('leaf' in row)) continue;
      if (!leafHash(row.leaf).equals(row.leaf_hash)) {
        failures.push({ kind: 'leaf-hash', level: 0, index, detail: `the leaf_hash of record ${index} is not the hash of its leaf` });
      }
      const decoded = decodeLeaf(row.leaf);
      const members = decoded ? leafColumnMismatches(row, decoded) : [];
      if (!decoded || members.length > 0) failures.push({ kind: 'record-column', level: 0, index, detail: leafColumnsDetail(index, members) });
    }
    if (batch.length < this.batchSize) return { phase: 'nodes' as const, level: STORED_MIN_LEVEL, position: 0 };
    return { phase: 'leaves' as const, level: 0, position: expected };
  }

  /** Each stored node against its children: level 4 folded from its 16 leaf hashes, higher levels from the stored nodes below. */
  private async nodes(manager: EntityManager, level: number, from: number, failures: IntegrityFailure[]) {
    const rows: Array<{ level: number; idx: string; hash: Buffer }> = await manager.query(
      'SELECT level, idx, hash FROM ledger_nodes WHERE (level, idx) >= ($1, $2) ORDER BY level, idx LIMIT $3',
      [level, from, this.batchSize],
    );
    const width = 2 ** STORED_MIN_LEVEL;
    const { leafHashes, children } = await this.childrenOf(manager, rows);
    for (const [n, row] of rows.entries()) {
      // A stored tile folds sixteen leaf hashes: a quarter of the leaves' slice per turn.
      if (n > 0 && n % (LEAVES_PER_TURN / 4) === 0) await nextTurn();
      const index = Number(row.idx);
      let expected: Buffer | undefined;
      if (row.level === STORED_MIN_LEVEL) {
        const hashes = Array.from({ length: width }, (_, i) => leafHashes.get(index * width + i));
        expected = hashes.every((h) => h !== undefined) ? fold(hashes) : undefined;
      } else {
        const left = children.get(`${row.level - 1}:${index * 2}`);
        const right = children.get(`${row.level - 1}:${index * 2 + 1}`);
        expected = left && right ? nodeHash(left, right) : undefined;
      }
      if (!expected || !expected.equals(row.hash)) {
        failures.push({
          kind: 'node-hash',
          level: row.level,
          index,
          detail: expected
            ? `the stored hash of the subtree at level ${row.level} index ${index} is not the hash of its children`
            : `the subtree at level ${row.level} index ${index} is stored but its children are not all there`,
        });
      }
    }
    if (rows.length < this.batchSize) return { phase: 'checkpoints' as const, level: 0, position: 0 };
    const last = rows[rows.length - 1];
    return { phase: 'nodes' as const, level: last.level, position: Number(last.idx) + 1 };
  }

  /** What the stored nodes `rows` are checked against: the leaf hashes under the level-4 tiles, and the stored children of the higher nodes. */
  private async childrenOf(manager: EntityManager, rows: Array<{ level: number; idx: string }>) {
    const tiles = rows.filter((r) => r.level === STORED_MIN_LEVEL).map((r) => Number(r.idx));
    const width = 2 ** STORED_MIN_LEVEL;
    const leafHashes = new Map<number, Buffer>();
    if (tiles.length) {
      const leaves: Array<{ leaf_index: string; leaf_hash: Buffer }> = await manager.query(
        `SELECT leaf_index, leaf_hash FROM transfer_records WHERE leaf_index >= $1 AND leaf_index < $2
       UNION ALL SELECT leaf_index, leaf_hash FROM ledger_archived_leaves WHERE leaf_index >= $1 AND leaf_index < $2`,
        [Math.min(...tiles) * width, (Math.max(...tiles) + 1) * width],
      );
      for (const leaf of leaves) leafHashes.set(Number(leaf.leaf_index), leaf.leaf_hash);
    }
    const upper = rows.filter((r) => r.level > STORED_MIN_LEVEL);
    const children = new Map<string, Buffer>();
    if (upper.length) {
      const levels: number[] = [];
      const indexes: string[] = [];
      for (const r of upper) {
        for (const child of [BigInt(r.idx) * 2n, BigInt(r.idx) * 2n + 1n]) {
          levels.push(r.level - 1);
          indexes.push(child.toString());
        }
      }
      const found: Array<{ level: number; idx: string; hash: Buffer }> = await manager.query(
        `SELECT n.level, n.idx, n.hash FROM ledger_nodes n
        WHERE (n.level, n.idx) IN (SELECT w.level, w.idx FROM unnest($1::smallint[], $2::bigint[]) AS w(level, idx))`,
        [levels, indexes],
      );
      for (const f of found) children.set(`${f.level}:${f.idx}`, f.hash);
    }
    return { leafHashes, children };
  }

  /** Each signed checkpoint: its note against its row, its root against the tree recomputed from storage. */
  private async checkpoints(manager: EntityManager, from: number, failures: IntegrityFailure[]) {
    const rows: Array<{ tree_size: string; root_hash: Buffer; note: string }> = await manager.query(
      'SELECT tree_size, root_hash, note FROM ledger_checkpoints WHERE tree_size >= $1 ORDER BY tree_size LIMIT $2',
      [from, CHECKPOINTS_PER_BATCH],
    );
    for (const row of rows) {
      const checkpoint: StoredCheckpoint = { treeSize: Number(row.tree_size), rootHash: row.root_hash, note: row.note };
      const problem = this.ledger.noteProblem(checkpoint);
      if (problem) failures.push({ kind: 'checkpoint-note', level: null, index: checkpoint.treeSize, detail: problem });
      // Reported by verifyCheckpointRoot itself.
      await this.ledger.verifyCheckpointRoot(checkpoint);
    }
    if (rows.length < CHECKPOINTS_PER_BATCH) return { phase: 'leaves' as const, level: 0, position: 0, passDone: true };
    return { phase: 'checkpoints' as const, level: 0, position: Number(rows[rows.length - 1].tree_size) + 1 };
  }
}

/** The first `limit` rows of two lists each sorted by leaf index, in leaf-index order. */
function mergeByIndex<A extends { leaf_index: string }, B extends { leaf_index: string }>(a: A[], b: B[], limit: number): Array<A | B> {
  const merged: Array<A | B> = [];
  let i = 0;
  let j = 0;
  while (merged.length < limit && (i < a.length || j < b.length)) {
    if (j >= b.length || (i < a.length && Number(a[i].leaf_index) < Number(b[j].leaf_index))) merged.push(a[i++]);
    else merged.push(b[j++]);
  }
  return merged;
}

/** The root of a complete subtree from its leaf hashes (a power of two of them). */
function fold(hashes: Buffer[]): Buffer {
  let layer = hashes;
  while (layer.length > 1) {
    const up: Buffer[] = [];
    for (let i = 0; i < layer.length; i += 2) up.push(nodeHash(layer[i], layer[i + 1]));
    layer = up;
  }
  return layer[0];
}
