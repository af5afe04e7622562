import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { KeyObject } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../common/roles';
import { REGISTRY_CONFIG, RegistryConfig } from '../config/config';
import { openNote, ParsedVerifierKey, parseCheckpointBody, parseNote, parseVerifierKey, rawPublicKey, signCheckpoint, verifierKey } from './domain/checkpoint';
import { proveExtends } from './domain/consistency-verifier';
import { appendLeaves, consistencyProofPlan, NodeId, nodeKey, nodesNeeded, resolveHashPlan, resolvePlan, rootPlan, TreeNode } from './domain/merkle';
import { fetchNodes, requireNode, rootAt, STORED_MIN_LEVEL, storedNodesSql, treeSize } from './ledger-nodes';
import { LedgerIntegrity } from './ledger.integrity';
import { LedgerProofs } from './ledger.proofs';
import { resolveSigningKey } from './signing-key';

/** Serialises appenders so leaf indexes are gapless and in commit order (one writer per log, docs/architecture.md#beyond-one-machine). */
export const LEDGER_APPEND_LOCK = 0x6c_65_64_67; // "ledg"

/** Takes the append lock until the transaction ends (see `extend`). */
export const APPEND_LOCK_SQL = `SELECT pg_advisory_xact_lock(${LEDGER_APPEND_LOCK})`;

/** A leaf ready to append: its RFC 9162 leaf hash (its exact bytes are written by the caller, in the same transaction). */
export interface PreparedLeaf {
  leafHash: Buffer;
}

export interface AppendOutcome {
  /** Index of the first appended leaf; the batch occupies [startIndex, startIndex + n). */
  startIndex: number;
  treeSize: number;
  root: Buffer;
  /** The new tree's compact range; hand it to committed() once the transaction committed. */
  frontier: TreeNode[];
}

export interface PublicKeyView {
  origin: string;
  algorithm: 'Ed25519';
  publicKey: string;
  verifierKey: string;
}

export interface StoredCheckpoint {
  treeSize: number;
  rootHash: Buffer;
  note: string;
}

/**
 * The Merkle transparency log over transfer records (RFC 9162 §2.1): appends
 * inside the caller's transaction, proofs from stored complete subtrees in one
 * query each, signed C2SP checkpoints. Pure tree arithmetic is in domain/merkle.ts.
 */
@Injectable()
export class LedgerService {
  private readonly signingKey: KeyObject;
  readonly origin: string;
  /** The signing key's public half in the forms the API and the signer's checks use, derived once (the key does not change while the process runs). */
  private readonly publicKeyView: PublicKeyView;
  private readonly parsedKey: ParsedVerifierKey;
  /** Stored with each checkpoint this process signs (ledger_checkpoints.signed_by). */
  private readonly instanceId: string;
  /**
   * The compact range of the last tree this process saw committed. The log is
   * insert-only and only grows, so a committed tree size names exactly one
   * tree: when the size read under the lock matches, the frontier query is skipped.
   * If the database ever holds fewer leaves than this (it lost committed ones, as after a
   * failover to a standby that had not received them), the range is dropped: the sizes it
   * names would be reached again by other leaves (docs/scaling.md#a-streaming-standby).
   */
  private frontierCache: { treeSize: number; frontier: TreeNode[] } | null = null;
  private readonly logger = new Logger('LedgerService');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    private readonly integrity: LedgerIntegrity,
    private readonly proofs: LedgerProofs,
  ) {
    this.signingKey = resolveSigningKey(config);
    this.origin = config.ledgerOrigin;
    const raw = rawPublicKey(this.signingKey);
    this.publicKeyView = { origin: this.origin, algorithm: 'Ed25519', publicKey: raw.toString('base64'), verifierKey: verifierKey(this.origin, raw) };
    this.parsedKey = parseVerifierKey(this.publicKeyView.verifierKey);
    this.instanceId = config.instanceId;
  }

  /**
   * Appends leaves in the caller's transaction, whose statements the caller sends itself, several to a
   * round trip (src/transfers/transfer-ingestion.ts). The caller first takes the transaction-scoped
   * advisory lock (APPEND_LOCK_SQL), so concurrent appenders queue there and commit in leaf-index order,
   * then reads the tree size (TREE_SIZE_SQL) in a statement after the lock's, so its snapshot is taken
   * with the lock held; it takes the lock as late in the transaction as it can and commits soon after.
   * Leaf hashes are computed before (with the rows), so the critical section only folds the new leaves
   * onto the tree of `startIndex` leaves. Returns the outcome and the statement that stores the new
   * complete subtrees of level 4 and above (null when there are none); the caller runs it and writes
   * the leaf rows [startIndex, startIndex + n) in the same transaction, before it commits. Queries only
   * when this process has not seen the tree of `startIndex` leaves (its frontier).
   */
  async extend(db: EntityManager, startIndex: number, leaves: readonly PreparedLeaf[]): Promise<{ outcome: AppendOutcome; nodesSql: string | null }> {
    let cached = this.frontierCache;
    if (cached && startIndex < cached.treeSize) {
      this.logger.error(
        `the log holds ${startIndex} leaves, fewer than the ${cached.treeSize} this instance saw committed: leaves were lost (a failover to a standby that had not received them?); the tree is read from storage from now on`,
      );
      this.frontierCache = cached = null;
    }
    let frontier: TreeNode[];
    if (cached && cached.treeSize === startIndex) frontier = cached.frontier;
    else {
      const frontierIds = rootPlan(startIndex);
      const stored = await this.fetchNodes(db, frontierIds);
      frontier = frontierIds.map((id) => ({ ...id, hash: requireNode(stored, id) }));
    }
    const result = appendLeaves(
      frontier,
      startIndex,
      leaves.map((l) => l.leafHash),
    );
    // About one node per eight leaves: one statement, sent with the group's other writes.
    const nodesSql = storedNodesSql(result.completed.filter((n) => n.level >= STORED_MIN_LEVEL));
    return { outcome: { startIndex, treeSize: result.treeSize, root: result.root, frontier: result.frontier }, nodesSql };
  }

  /**
   * Call after the transaction of extend() committed: the next append in this process skips the frontier query.
   * Commits are ordered by the append lock; a smaller size can only be a callback that ran late.
   */
  committed(outcome: AppendOutcome): void {
    if (!this.frontierCache || outcome.treeSize > this.frontierCache.treeSize) {
      this.frontierCache = { treeSize: outcome.treeSize, frontier: outcome.frontier };
    }
  }

  /**
   * The tree size of this process's last committed append (null before its first, or once leaves were found lost): what an
   * appender may expect the log to hold when no other process appended since (src/database/expectations.ts).
   */
  lastCommittedSize(): number | null {
    return this.frontierCache?.treeSize ?? null;
  }

  /** The number of committed leaves (visible to this statement's snapshot). */
  async treeSize(db: EntityManager = this.dataSource.manager): Promise<number> {
    return treeSize(db);
  }

  /** Stored hashes of complete subtrees, level 0 from the leaves, in one query. */
  async fetchNodes(db: EntityManager, ids: readonly NodeId[]): Promise<Map<string, Buffer>> {
    return fetchNodes(db, ids);
  }

  async rootAt(size: number, db: EntityManager = this.dataSource.manager): Promise<Buffer> {
    return rootAt(db, size);
  }

  /** RFC 9162 §2.1.4.1 consistency proof (./ledger.proofs.ts). */
  consistencyProof(first: number, second: number, principal?: Principal): Promise<{ first: number; second: number; hashes: string[] }> {
    return this.proofs.consistencyProof(first, second, principal);
  }

  // -------------------------------------------------------------------------
  // Checkpoints

  publicKey(): PublicKeyView {
    return { ...this.publicKeyView };
  }

  keyId(): Buffer {
    return Buffer.from(this.parsedKey.keyId);
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | null> {
    const rows: Array<{ tree_size: string; root_hash: Buffer; note: string }> = await this.dataSource.query(
      'SELECT tree_size, root_hash, note FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1',
    );
    return rows.length ? { treeSize: Number(rows[0].tree_size), rootHash: rows[0].root_hash, note: rows[0].note } : null;
  }

  /**
   * Signs and stores a checkpoint for the current tree when it grew past `lastSize`, but only once it has
   * proven from storage that the tree extends the last checkpoint signed (docs/architecture.md#trust-model,
   * part 1): the consistency proof is built from stored hashes and checked by proveExtends, a verifier
   * apart from the prover (domain/consistency-verifier.ts), against the root in the last signed note.
   * Storing is a compare-and-swap on that checkpoint: the row is inserted only while it is still the latest,
   * and extends_size is unique, so two instances (or a restored backup) cannot both store a checkpoint
   * extending the same one. After any integrity failure nothing more is signed; records are still appended.
   * Returns the size now known to be signed (unchanged when nothing was signed).
   */
  async checkpointIfGrown(lastSize: number): Promise<number> {
    const size = await this.treeSize();
    // Fewer records than this signer has signed: rows were deleted (or a backup restored under it); say so at once.
    if (size < lastSize && this.integrity.ok()) await this.reportShrunk(size, lastSize);
    if (size <= lastSize) return lastSize;
    if (!this.integrity.ok() || !(await this.integrity.refresh())) return lastSize;
    const previous = await this.latestSignedCheckpoint();
    if (previous === 'failed') return lastSize;
    const from = previous?.treeSize ?? -1;
    if (size < from) {
      // Another instance may have appended and signed since `size` was read: the log is smaller than a
      // checkpoint only if it still is when read after that checkpoint was.
      const now = await this.treeSize();
      if (now < from) await this.reportShrunk(now, from);
      return lastSize;
    }
    if (size === from) return size;
    const rootHash = await this.rootAt(size);
    if (previous && !(await this.proveExtension(previous, size, rootHash))) return lastSize;
    this.integrity.checked();
    const note = signCheckpoint({ origin: this.origin, treeSize: size, rootHash }, { name: this.origin, privateKey: this.signingKey });
    // Lost the swap: another signer stored a checkpoint first; the next pass proves against that one.
    return (await this.storeCheckpoint(size, rootHash, note, from)) ? size : lastSize;
  }

  private async reportShrunk(size: number, signed: number): Promise<void> {
    await this.integrity.report({
      kind: 'log-shrunk',
      level: null,
      index: signed,
      detail: `the log holds ${size} records but a checkpoint of size ${signed} was signed`,
    });
  }

  /**
   * The compare-and-swap: stores the checkpoint only while the one of size `extendsSize` (-1: none) is
   * still the latest, in one statement. A concurrent signer's row is seen through the unique indexes
   * (tree_size, extends_size): the statement waits for its commit and then stores nothing. True when stored.
   */
  async storeCheckpoint(treeSize: number, rootHash: Buffer, note: string, extendsSize: number): Promise<boolean> {
    const stored: unknown[] = await this.dataSource.query(
      `INSERT INTO ledger_checkpoints (tree_size, root_hash, note, extends_size, signed_by)
       SELECT $1, $2, $3, $4, $5 WHERE (SELECT COALESCE(max(tree_size), -1) FROM ledger_checkpoints) = $4
       ON CONFLICT DO NOTHING RETURNING tree_size`,
      [treeSize, rootHash, note, extendsSize, this.instanceId],
    );
    return stored.length > 0;
  }

  /** At start: the latest signed checkpoint's note, and its root against the tree recomputed from storage. */
  async verifyLatestCheckpoint(): Promise<void> {
    const latest = await this.latestSignedCheckpoint();
    if (!latest || latest === 'failed') return;
    await this.verifyCheckpointRoot(latest);
  }

  /** Reports a `checkpoint-root` failure when the tree of the checkpoint's size, recomputed from storage, has another root. */
  async verifyCheckpointRoot(checkpoint: StoredCheckpoint): Promise<boolean> {
    // As in proveExtension: a database error propagates (the caller retries); missing hashes are a failure.
    let root: Buffer | null = null;
    if ((await this.treeSize()) >= checkpoint.treeSize) {
      const plan = rootPlan(checkpoint.treeSize);
      const nodes = await this.fetchNodes(this.dataSource.manager, plan);
      try {
        root = resolveHashPlan(plan, (id) => nodes.get(nodeKey(id)));
      } catch {
        root = null;
      }
    }
    if (root?.equals(checkpoint.rootHash)) return true;
    await this.integrity.report({
      kind: 'checkpoint-root',
      level: null,
      index: checkpoint.treeSize,
      detail: root
        ? `the tree of size ${checkpoint.treeSize} recomputed from storage has root ${root.toString('base64')}, the signed checkpoint ${checkpoint.rootHash.toString('base64')}`
        : `the tree of size ${checkpoint.treeSize} of a signed checkpoint cannot be recomputed from storage (records or stored hashes are missing)`,
    });
    return false;
  }

  /** Checks the latest stored checkpoint against itself: its note's size and root, and the registry's signature when the note is by this key. */
  private async latestSignedCheckpoint(): Promise<StoredCheckpoint | null | 'failed'> {
    const latest = await this.latestCheckpoint();
    if (!latest) return null;
    const problem = this.noteProblem(latest);
    if (problem) {
      await this.integrity.report({ kind: 'checkpoint-note', level: null, index: latest.treeSize, detail: problem });
      return 'failed';
    }
    return latest;
  }

  /** Why a stored checkpoint's note does not match its row or the registry's key, or null when it does. */
  noteProblem(checkpoint: StoredCheckpoint): string | null {
    try {
      const opened = parseNote(checkpoint.note);
      const ours = opened.signatures.some((s) => s.name === this.origin && s.keyId.equals(this.parsedKey.keyId));
      // A note signed by an earlier key of the registry is compared with its row only (key rotation).
      const body = parseCheckpointBody(ours ? openNote(checkpoint.note, this.parsedKey).text : opened.text);
      if (body.treeSize !== checkpoint.treeSize || !body.rootHash.equals(checkpoint.rootHash)) {
        return `the note of the checkpoint of size ${checkpoint.treeSize} states size ${body.treeSize} and root ${body.rootHash.toString('base64')}, its row root ${checkpoint.rootHash.toString('base64')}`;
      }
      return null;
    } catch (error) {
      return `the note of the checkpoint of size ${checkpoint.treeSize} does not verify: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  /** Proves from storage that the tree of `size` leaves with root `rootHash` extends `previous`; reports the failure if not. */
  private async proveExtension(previous: StoredCheckpoint, size: number, rootHash: Buffer): Promise<boolean> {
    const plan = consistencyProofPlan(previous.treeSize, size);
    // A database that cannot be read is not evidence of tampering: its error propagates, and the
    // checkpointer tries again. Only hashes missing from what storage returned are a failure.
    const nodes = await this.fetchNodes(this.dataSource.manager, nodesNeeded(plan));
    let proof: Buffer[];
    try {
      proof = resolvePlan(plan, (id) => nodes.get(nodeKey(id)));
    } catch (error) {
      await this.integrity.report({
        kind: 'checkpoint-consistency',
        level: null,
        index: previous.treeSize,
        detail: `no consistency proof from the checkpoint of size ${previous.treeSize} to size ${size} can be read from storage: ${error instanceof Error ? error.message : String(error)}`,
      });
      return false;
    }
    if (proveExtends(previous.treeSize, size, proof, previous.rootHash, rootHash)) return true;
    await this.integrity.report({
      kind: 'checkpoint-consistency',
      level: null,
      index: previous.treeSize,
      detail: `the tree of size ${size} in storage (root ${rootHash.toString('base64')}) does not extend the checkpoint of size ${previous.treeSize} the registry signed (root ${previous.rootHash.toString('base64')}): a record at or below index ${previous.treeSize - 1} or a stored hash was changed`,
    });
    return false;
  }

  async latestCheckpointSize(): Promise<number> {
    const [row] = await this.dataSource.query<Array<{ size: string }>>('SELECT COALESCE(max(tree_size), -1)::bigint AS size FROM ledger_checkpoints');
    return Number(row.size);
  }
}
