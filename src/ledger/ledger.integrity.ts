import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RegistryMetrics } from '../common/metrics';
import { ledgerIntegrityEvent } from '../webhooks/events';
import { NotificationsService } from '../webhooks/notifications.service';

/**
 * What was found wrong in the stored log (docs/architecture.md#trust-model, parts 1 and 2):
 * - `leaf-hash`: a record's leaf_hash is not SHA-256(0x00 ‖ leaf) (level 0, index = leaf index);
 * - `leaf-missing`: a leaf index below the tree size has no record;
 * - `node-hash`: a stored subtree hash is not the hash of its children (level, index);
 * - `checkpoint-root`: a signed checkpoint's root is not the root recomputed from storage (index = its tree size);
 * - `checkpoint-note`: a stored checkpoint's note does not match its columns or the registry's key (index = its tree size);
 * - `checkpoint-consistency`: the tree in storage does not extend the last checkpoint signed (index = that checkpoint's size);
 * - `log-shrunk`: the last checkpoint signed is larger than the log in storage (index = that checkpoint's size);
 * - `record-column`: a readable column of a record differs from its leaf, or its leaf is not JSON (level 0, index = leaf index);
 *   what is served is the leaf's value (docs/architecture.md#trust-model, part 3).
 */
export type IntegrityFailureKind =
  'record-column' | 'leaf-hash' | 'leaf-missing' | 'node-hash' | 'checkpoint-root' | 'checkpoint-note' | 'checkpoint-consistency' | 'log-shrunk';

export interface IntegrityFailure {
  kind: IntegrityFailureKind;
  level: number | null;
  index: number | null;
  detail: string;
}

export interface AuditProgress {
  /** Full passes over leaves, nodes and checkpoints completed since the log began. */
  passesCompleted: number;
  /** What the current pass is checking, and the next row it will check. */
  phase: 'leaves' | 'nodes' | 'checkpoints';
  level: number;
  position: number;
  lastPassCompletedAt: string | null;
  updatedAt: string;
}

export interface IntegrityView {
  ok: boolean;
  checkedAt: string | null;
  /** Each failure with when it was first found: stored (detected_at), else when this instance found it. */
  failures: Array<IntegrityFailure & { detectedAt: string }>;
  audit: { progress: AuditProgress | null };
}

/** Failures listed at GET /ledger/integrity and kept in memory; the first ones found come first. */
const MAX_FAILURES = 100;

/**
 * The log's integrity state, shared by the signer and the self-audit. A failure is sticky: it is stored in
 * ledger_integrity_failures (insert-only), so every instance stops signing and a restart remembers it,
 * and kept in memory too, so deleting the row does not resume signing in a running process.
 */
@Injectable()
export class LedgerIntegrity {
  private readonly logger = new Logger('LedgerIntegrity');
  private readonly failures = new Map<string, IntegrityFailure>();
  private readonly detectedAt = new Map<string, Date>();
  private checkedAt: Date | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: RegistryMetrics,
    private readonly notifications: NotificationsService,
  ) {}

  ok(): boolean {
    return this.failures.size === 0;
  }

  /** A check passed (the signer's proof or an audit batch). */
  checked(): void {
    this.checkedAt = new Date();
  }

  /** Records a failure: the metric drops to 0, one error line names it, and it is stored for every instance. */
  async report(failure: IntegrityFailure): Promise<void> {
    this.checked();
    const key = keyOf(failure);
    if (this.failures.has(key)) return;
    if (this.failures.size < MAX_FAILURES) {
      this.failures.set(key, failure);
      this.detectedAt.set(key, new Date());
    }
    this.metrics.ledgerIntegrityOk.set(0);
    this.logger.error(
      { integrity: failure },
      `transfer log integrity failure: ${failure.kind}${failure.level === null ? '' : ` level ${failure.level}`}${failure.index === null ? '' : ` index ${failure.index}`}: ${failure.detail}; checkpoint signing has stopped`,
    );
    try {
      // The alert (ledger.integrity_alert, docs/api.md#webhooks) is stored with the failure it reports, once per failure.
      await this.dataSource.transaction(async (m) => {
        const stored: unknown[] = await m.query(
          `INSERT INTO ledger_integrity_failures (kind, level, idx, detail) VALUES ($1, $2, $3, $4)
           ON CONFLICT (kind, COALESCE(level, -1), COALESCE(idx, -1)) DO NOTHING RETURNING id`,
          [failure.kind, failure.level, failure.index, failure.detail],
        );
        if (stored.length) await this.notifications.record(m, ledgerIntegrityEvent(failure));
      });
    } catch (error) {
      this.logger.warn({ err: error }, 'could not store the integrity failure; it is kept in this process');
    }
  }

  /** Reads the failures any instance stored (signing stops everywhere); true when there are none. */
  async refresh(): Promise<boolean> {
    const rows: Array<{ kind: IntegrityFailureKind; level: number | null; idx: string | null; detail: string; detected_at: Date }> =
      await this.dataSource.query('SELECT kind, level, idx, detail, detected_at FROM ledger_integrity_failures ORDER BY id LIMIT $1', [MAX_FAILURES]);
    for (const row of rows) {
      const failure: IntegrityFailure = { kind: row.kind, level: row.level, index: row.idx === null ? null : Number(row.idx), detail: row.detail };
      const key = keyOf(failure);
      if (!this.failures.has(key) && this.failures.size < MAX_FAILURES) this.failures.set(key, failure);
      if (this.failures.has(key)) this.detectedAt.set(key, row.detected_at);
    }
    this.metrics.ledgerIntegrityOk.set(this.ok() ? 1 : 0);
    return this.ok();
  }

  async view(): Promise<IntegrityView> {
    await this.refresh();
    const rows: Array<{
      phase: AuditProgress['phase'];
      level: number;
      position: string;
      passes: string;
      last_pass_completed_at: Date | null;
      updated_at: Date;
    }> = await this.dataSource.query('SELECT phase, level, position, passes, last_pass_completed_at, updated_at FROM ledger_audit_progress WHERE id = 1');
    const progress: AuditProgress | null = rows.length
      ? {
          passesCompleted: Number(rows[0].passes),
          phase: rows[0].phase,
          level: rows[0].level,
          position: Number(rows[0].position),
          lastPassCompletedAt: rows[0].last_pass_completed_at?.toISOString() ?? null,
          updatedAt: rows[0].updated_at.toISOString(),
        }
      : null;
    const failures = [...this.failures.entries()].map(([key, failure]) => ({
      ...failure,
      detectedAt: (this.detectedAt.get(key) ?? new Date()).toISOString(),
    }));
    return { ok: this.ok(), checkedAt: this.checkedAt?.toISOString() ?? null, failures, audit: { progress } };
  }
}

function keyOf(failure: IntegrityFailure): string {
  return `${failure.kind}:${failure.level ?? ''}:${failure.index ?? ''}`;
}
