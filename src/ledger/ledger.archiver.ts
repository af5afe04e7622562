import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import { LeaderLoop } from '../cluster/leader-loop';
import { Leadership } from '../cluster/leadership';
import { notFound } from '../common/errors';
import type { Principal } from '../common/roles';
import { RegistryMetrics } from '../common/metrics';
import { REGISTRY_CONFIG, RegistryConfig } from '../config/config';
import { ARCHIVE_FORMAT, ArchiveHeader, ArchiveVerifier } from './domain/archive';
import { nodeKey, rootPlan } from './domain/merkle';
import type { ArchivesView } from './ledger.dto';
import { LedgerService } from './ledger.service';

/** A pass runs soon after an instance starts leading, then every RUN_EVERY_MS while it leads. */
const RUN_EVERY_MS = 6 * 60 * 60 * 1000;
const CHECK_EVERY_MS = 60 * 1000;
/** Rows read per query while an archive is written. */
const PAGE = 10_000;
/** How long the detach may wait for ingestion's locks before it gives up and retries on the next run. */
const DETACH_LOCK_TIMEOUT = '5s';
const PARTITION_NAME = /^transfer_records_y(\d{4})m(\d{2})$/;

export interface ArchiveOutcome {
  partition: string;
  outcome: 'archived' | 'skipped' | 'failed';
  detail: string;
}

interface Partition {
  name: string;
  month: string;
  from: string;
  to: string;
}

interface Span {
  first: number;
  last: number;
  count: number;
}

/**
 * Retention (docs/rules.md#r18, docs/scaling.md#retention): a monthly partition of transfer_records whose month
 * ended more than TRANSFER_RETENTION_YEARS ago is written to ARCHIVE_DIR as a verifiable archive (its leaves,
 * the signed checkpoint covering them, the hashes and consistency proof that put them in that checkpoint's
 * tree), read back and verified, recorded in ledger_archives with its leaf hashes kept in
 * ledger_archived_leaves, and only then detached, in one transaction. Any failure leaves the partition
 * attached, is logged and counted (registry_ledger_archives_total{outcome="failed"}); nothing is dropped.
 * Runs on the instance that leads the background jobs.
 */
@Injectable()
export class LedgerArchiver implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('LedgerArchiver');
  private loop: LeaderLoop | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    private readonly ledger: LedgerService,
    private readonly leadership: Leadership,
    private readonly metrics: RegistryMetrics,
    private readonly access: AccessService,
  ) {}

  onApplicationBootstrap(): void {
    // A pass soon after this instance starts leading (a new term), then every RUN_EVERY_MS.
    let last = { term: -1, at: 0 };
    this.loop = new LeaderLoop(
      this.leadership,
      this.logger,
      { firstDelayMs: CHECK_EVERY_MS, everyMs: CHECK_EVERY_MS, failure: 'the retention pass could not list the partitions; it runs again later' },
      async () => {
        if (last.term === this.leadership.term && Date.now() - last.at < RUN_EVERY_MS) return;
        last = { term: this.leadership.term, at: Date.now() };
        await this.run();
      },
    );
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
  }

  /** GET /ledger/archives: every archive recorded, oldest month first. */
  async list(principal: Principal): Promise<ArchivesView> {
    if (!this.access.holds(principal, 'archive.read')) throw notFound('Archives');
    const rows: Array<Record<string, string>> = await this.dataSource.query(
      `SELECT partition_name, to_char(month, 'YYYY-MM-DD') AS month, file_path, sha256, size_bytes, first_leaf_index, last_leaf_index, leaf_count,
              checkpoint_size, checkpoint_note, archived_at FROM ledger_archives ORDER BY month`,
    );
    return {
      archives: rows.map((r) => ({
        partition: r.partition_name,
        month: r.month,
        file: r.file_path,
        sha256: r.sha256,
        sizeBytes: Number(r.size_bytes),
        firstLeafIndex: Number(r.first_leaf_index),
        lastLeafIndex: Number(r.last_leaf_index),
        leafCount: Number(r.leaf_count),
        checkpointSize: Number(r.checkpoint_size),
        checkpoint: r.checkpoint_note,
        archivedAt: new Date(r.archived_at).toISOString(),
      })),
    };
  }

  /** Archives every partition past retention at `now`, oldest first; one outcome per partition considered. */
  async run(now: Date = new Date()): Promise<ArchiveOutcome[]> {
    const cutoff = new Date(now);
    cutoff.setUTCFullYear(cutoff.getUTCFullYear() - this.config.transferRetentionYears);
    const outcomes: ArchiveOutcome[] = [];
    for (const partition of await this.partitionsEndingBy(cutoff)) {
      const outcome = await this.archive(partition).catch((error: unknown) => {
        const detail = error instanceof Error ? error.message : String(error);
        this.logger.error({ err: error, partition: partition.name }, `archiving ${partition.name} failed; it stays attached: ${detail}`);
        return { partition: partition.name, outcome: 'failed' as const, detail };
      });
      if (outcome.outcome !== 'skipped') this.metrics.ledgerArchives.inc({ outcome: outcome.outcome });
      outcomes.push(outcome);
    }
    return outcomes;
  }

  /** Attached monthly partitions whose month (UTC+8) ended at or before `cutoff`, oldest first (never the DEFAULT one). */
  private async partitionsEndingBy(cutoff: Date): Promise<Partition[]> {
    const rows: Array<{ name: string }> = await this.dataSource.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'transfer_records'::regclass ORDER BY c.relname`,
    );
    const partitions: Partition[] = [];
    for (const row of rows) {
      const name = PARTITION_NAME.exec(row.name);
      if (!name) continue;
      const [year, month] = [Number(name[1]), Number(name[2])];
      const next = month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
      const partition = { name: row.name, month: `${name[1]}-${name[2]}-01`, from: `${name[1]}-${name[2]}-01T00:00:00+08:00`, to: `${next}-01T00:00:00+08:00` };
      if (new Date(partition.to).getTime() <= cutoff.getTime()) partitions.push(partition);
    }
    return partitions;
  }

  private async archive(partition: Partition): Promise<ArchiveOutcome> {
    const span = await this.span(partition);
    const skipped = (detail: string): ArchiveOutcome => ({ partition: partition.name, outcome: 'skipped', detail });
    if (!span) return skipped('no records; left attached');
    const end = span.last + 1;
    if ((await this.ledger.treeSize()) <= end) return skipped('holds the log’s last leaf, which gives the tree size');
    const checkpoint = await this.ledger.latestCheckpoint();
    if (!checkpoint || checkpoint.treeSize < end) return skipped(`waiting for a signed checkpoint covering leaf ${span.last}`);
    const header = await this.header(partition, span.first, end, checkpoint);
    const file = path.join(this.config.archiveDir, `${partition.name}.ndjson`);
    const written = await this.write(file, header, partition);
    const verified = await this.readBack(file);
    if (verified.sha256 !== written.sha256) throw new Error(`${file} read back with SHA-256 ${verified.sha256}, written ${written.sha256}`);
    if (verified.entries !== span.count) throw new Error(`${file} holds ${verified.entries} records, the partition ${span.count}`);
    await this.detach(partition, file, written, span, checkpoint);
    const detail = `${span.count} records, leaves ${span.first}–${span.last}, in ${file} (SHA-256 ${written.sha256}) against the checkpoint of size ${checkpoint.treeSize}`;
    this.logger.log({ partition: partition.name, file, sha256: written.sha256 }, `archived and detached ${partition.name}: ${detail}`);
    return { partition: partition.name, outcome: 'archived', detail };
  }

  private async span(partition: Partition): Promise<Span | null> {
    const [row] = await this.dataSource.query<Array<{ first: string | null; last: string | null; count: string }>>(
      `SELECT min(leaf_index) AS first, max(leaf_index) AS last, count(*) AS count FROM transfer_records WHERE recorded_at >= $1 AND recorded_at < $2`,
      [partition.from, partition.to],
    );
    return row.first === null ? null : { first: Number(row.first), last: Number(row.last), count: Number(row.count) };
  }

  private async header(partition: Partition, start: number, end: number, checkpoint: { treeSize: number; note: string }): Promise<ArchiveHeader> {
    const plan = rootPlan(start);
    const nodes = await this.ledger.fetchNodes(this.dataSource.manager, plan);
    const leftHashes = plan.map((id) => {
      const hash = nodes.get(nodeKey(id));
      if (!hash) throw new Error(`the stored tree lacks the subtree ${nodeKey(id)} left of leaf ${start}`);
      return hash.toString('base64');
    });
    const consistency = (await this.ledger.consistencyProof(end, checkpoint.treeSize)).hashes;
    return {
      format: ARCHIVE_FORMAT,
      origin: this.ledger.origin,
      partition: partition.name,
      month: partition.month,
      start,
      end,
      leftHashes,
      checkpoint: checkpoint.note,
      consistency,
    };
  }

  /** Writes the archive to a temporary file, flushes it to disk and renames it into place. */
  private async write(file: string, header: ArchiveHeader, partition: Partition): Promise<{ sha256: string; size: number }> {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.partial`;
    const handle = await fs.promises.open(temporary, 'w', 0o640);
    const digest = createHash('sha256');
    let size = 0;
    const put = async (line: string): Promise<void> => {
      const bytes = Buffer.from(line + '\n', 'utf8');
      digest.update(bytes);
      size += bytes.length;
      await handle.write(bytes);
    };
    try {
      await put(JSON.stringify(header));
      for (let from = header.start; from < header.end; from += PAGE) {
        for (const line of await this.lines(partition, from, Math.min(from + PAGE, header.end))) await put(JSON.stringify(line));
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temporary, file);
    return { sha256: digest.digest('hex'), size };
  }

  /** Leaves [from, to): the partition's with their bytes, a neighbouring month's (or an archived one's) as a leaf hash. */
  private async lines(partition: Partition, from: number, to: number): Promise<Array<{ leafIndex: number; leaf?: string; leafHash?: string }>> {
    const rows: Array<{ leaf_index: string; leaf: Buffer | null; leaf_hash: Buffer }> = await this.dataSource.query(
      `SELECT leaf_index, CASE WHEN recorded_at >= $3 AND recorded_at < $4 THEN leaf END AS leaf, leaf_hash
         FROM transfer_records WHERE leaf_index >= $1 AND leaf_index < $2
       UNION ALL SELECT leaf_index, NULL, leaf_hash FROM ledger_archived_leaves WHERE leaf_index >= $1 AND leaf_index < $2
       ORDER BY 1`,
      [from, to, partition.from, partition.to],
    );
    return rows.map((r) =>
      r.leaf
        ? { leafIndex: Number(r.leaf_index), leaf: r.leaf.toString('base64') }
        : { leafIndex: Number(r.leaf_index), leafHash: r.leaf_hash.toString('base64') },
    );
  }

  /** Reads the archive back from disk: its SHA-256, and its verification against the log's own key. */
  private async readBack(file: string): Promise<{ sha256: string; entries: number }> {
    const digest = createHash('sha256');
    const stream = fs.createReadStream(file);
    stream.on('data', (chunk) => digest.update(chunk));
    const verifier = new ArchiveVerifier(this.ledger.publicKey().verifierKey);
    for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) verifier.line(line);
    const verified = verifier.finish();
    return { sha256: digest.digest('hex'), entries: verified.entries };
  }

  /** Records the archive, keeps the leaf hashes and detaches the partition, in one transaction (R18). */
  private async detach(
    partition: Partition,
    file: string,
    written: { sha256: string; size: number },
    span: Span,
    checkpoint: { treeSize: number; note: string },
  ) {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL lock_timeout = '${DETACH_LOCK_TIMEOUT}'`);
      const [archive] = await manager.query<Array<{ id: string }>>(
        `INSERT INTO ledger_archives (partition_name, month, file_path, sha256, size_bytes, first_leaf_index, last_leaf_index, leaf_count, checkpoint_size, checkpoint_note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [partition.name, partition.month, file, written.sha256, written.size, span.first, span.last, span.count, checkpoint.treeSize, checkpoint.note],
      );
      await manager.query(
        `INSERT INTO ledger_archived_leaves (leaf_index, leaf_hash, processor_id, recipient_id, archive_id)
         SELECT leaf_index, leaf_hash, processor_id, recipient_id, $3 FROM transfer_records WHERE recorded_at >= $1 AND recorded_at < $2`,
        [partition.from, partition.to, archive.id],
      );
      await manager.query('SELECT ledger_detach_archived_partition($1)', [partition.name]);
    });
  }
}
