import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { REGISTRY_CONFIG, RegistryConfig } from '../config/config';
import { Leadership } from '../cluster/leadership';
import { RegistryMetrics } from '../common/metrics';
import { parseNote } from './domain/checkpoint';
import { CosignerKey, findCosignature, parseCosignerVerifierKey } from './domain/cosignature';
import { LedgerService, StoredCheckpoint } from './ledger.service';

/** How often the submitter looks for a checkpoint a witness has not cosigned, and how long one submission may take. */
export const WITNESS_POLL_MS = 250;
const WITNESS_TIMEOUT_MS = 5000;
/** 409 answers followed (each names the witness's size) before giving up until the next pass. */
const MAX_CONFLICTS = 3;

interface WitnessState {
  readonly url: string;
  readonly key: CosignerKey;
  /** The size the witness last cosigned, as far as the registry knows (its 409 answers correct it). */
  knownSize: number;
  /** The size of the latest checkpoint this witness cosigned for us, stored. */
  cosignedSize: number;
  /** The submission in flight: each witness has its own, so a slow witness does not hold the others back. */
  busy?: Promise<void>;
}

/**
 * Sends each new signed checkpoint to the witnesses of LEDGER_WITNESSES (C2SP tlog-witness POST
 * /add-checkpoint, with a consistency proof from the witness's last size), in the background: never on the
 * ingestion path, so a witness that is down delays cosigning, never logging. Stores the cosignatures
 * (cosignature/v1, verified with the configured key) and serves the latest checkpoint carrying
 * LEDGER_WITNESS_QUORUM of them (docs/architecture.md#trust-model). Submissions run on the instance that
 * leads the background jobs (docs/scaling.md#several-instances), which re-reads what each witness cosigned
 * when it takes the lead; every instance serves the cosigned checkpoint.
 */
@Injectable()
export class LedgerWitnesses implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('LedgerWitnesses');
  private readonly witnesses: WitnessState[];
  readonly quorum: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly abort = new AbortController();
  /** The leadership term the witnesses' sizes were last read in. */
  private term = -1;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    private readonly ledger: LedgerService,
    private readonly metrics: RegistryMetrics,
    private readonly leadership: Leadership,
  ) {
    this.witnesses = config.ledgerWitnesses.map((w) => ({ url: w.url, key: parseCosignerVerifierKey(w.verifierKey), knownSize: 0, cosignedSize: -1 }));
    this.quorum = config.ledgerWitnessQuorum;
  }

  get enabled(): boolean {
    return this.witnesses.length > 0;
  }

  /** The cosigner verifier keys of LEDGER_WITNESSES, in their order, for verifiers that pin them on first use. */
  verifierKeys(): string[] {
    return this.witnesses.map((w) => w.key.verifierKey);
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.timer = setInterval(() => void this.tick(), WITNESS_POLL_MS);
    this.timer.unref();
  }

  /** What each witness cosigned, as stored (by whichever instance led before). */
  private async readCosignedSizes(): Promise<void> {
    const rows = await this.dataSource.query<Array<{ witness_key: string; size: string }>>(
      'SELECT witness_key, max(tree_size)::bigint AS size FROM ledger_cosignatures WHERE witness_key = ANY($1) GROUP BY witness_key',
      [this.witnesses.map((w) => w.key.verifierKey)],
    );
    for (const row of rows) {
      const witness = this.witnesses.find((w) => w.key.verifierKey === row.witness_key);
      if (witness) witness.knownSize = witness.cosignedSize = Math.max(witness.cosignedSize, Number(row.size));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.abort.abort();
    await this.running;
    await Promise.all(this.witnesses.map((w) => w.busy ?? Promise.resolve()));
  }

  /** One pass: the latest signed checkpoint to every witness that has not cosigned it and has no submission in flight. */
  tick(): Promise<void> {
    if (this.stopped || this.running) return this.running ?? Promise.resolve();
    if (!this.leadership.isLeader()) return Promise.resolve();
    this.running = (async () => {
      if (this.term !== this.leadership.term) {
        if (this.witnesses.some((w) => w.busy !== undefined)) return;
        await this.readCosignedSizes();
        this.term = this.leadership.term;
      }
      const latest = await this.ledger.latestCheckpoint();
      if (!latest) return;
      for (const witness of this.witnesses) {
        if (witness.busy) continue;
        witness.busy = this.submit(witness, latest)
          .catch((error: unknown) => {
            if (!this.stopped) this.logger.warn({ witness: witness.key.name, err: error }, 'witness submission failed; retrying on the next tick');
          })
          .finally(() => {
            witness.busy = undefined;
          });
      }
    })()
      .catch((error: unknown) => {
        if (!this.stopped) this.logger.warn({ err: error }, 'witness pass failed; retrying on the next tick');
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async submit(witness: WitnessState, checkpoint: StoredCheckpoint): Promise<void> {
    this.metrics.ledgerWitnessLag.set({ witness: witness.key.name }, checkpoint.treeSize - Math.max(witness.cosignedSize, 0));
    if (witness.cosignedSize >= checkpoint.treeSize) return;
    const text = parseNote(checkpoint.note).text;
    for (let attempt = 0; attempt <= MAX_CONFLICTS && !this.stopped; attempt++) {
      const old = witness.knownSize;
      if (old > checkpoint.treeSize) return;
      const proof = old === 0 || old === checkpoint.treeSize ? [] : (await this.ledger.consistencyProof(old, checkpoint.treeSize)).hashes;
      const body = `old ${old}\n${proof.map((h) => `${h}\n`).join('')}\n${checkpoint.note}`;
      let response: Response;
      try {
        response = await fetch(`${witness.url}/add-checkpoint`, {
          method: 'POST',
          body,
          signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(WITNESS_TIMEOUT_MS)]),
        });
      } catch (error) {
        if (!this.stopped) this.logger.warn({ witness: witness.key.name, err: error }, 'witness unreachable; the checkpoint is sent again on the next tick');
        return;
      }
      const answer = await response.text();
      if (response.status === 409 && /^text\/x\.tlog\.size\b/.test(response.headers.get('content-type') ?? '') && /^(0|[1-9][0-9]{0,15})\n$/.test(answer)) {
        // tlog-witness: the witness names the size it last cosigned; prove from there.
        witness.knownSize = Number(answer.trim());
        continue;
      }
      if (response.status !== 200) {
        this.logger.warn(
          { witness: witness.key.name, status: response.status, answer: answer.slice(0, 500), treeSize: checkpoint.treeSize },
          'witness refused the checkpoint',
        );
        return;
      }
      const cosignature = findCosignature(answer, text, witness.key);
      if (!cosignature) {
        this.logger.warn({ witness: witness.key.name, treeSize: checkpoint.treeSize }, 'witness answered without a cosignature by its key');
        return;
      }
      await this.dataSource.query(
        `INSERT INTO ledger_cosignatures (witness_key, tree_size, cosigned_at, signature_line) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [witness.key.verifierKey, checkpoint.treeSize, cosignature.timestamp, cosignature.line],
      );
      witness.knownSize = witness.cosignedSize = checkpoint.treeSize;
      this.metrics.ledgerWitnessLag.set({ witness: witness.key.name }, 0);
      return;
    }
  }

  /**
   * The latest checkpoint carrying the quorum of cosignatures, as one signed note: the log's signature line
   * then the witnesses' (signed-note: a verifier ignores signature lines by keys it does not know).
   */
  async cosignedCheckpoint(): Promise<string | null> {
    const rows = await this.dataSource.query<Array<{ note: string; lines: string[] }>>(
      `SELECT c.note, array_agg(w.signature_line ORDER BY w.witness_key) AS lines
         FROM ledger_checkpoints c JOIN ledger_cosignatures w ON w.tree_size = c.tree_size
        WHERE w.witness_key = ANY($1)
        GROUP BY c.tree_size, c.note
       HAVING count(*) >= $2
        ORDER BY c.tree_size DESC LIMIT 1`,
      [this.witnesses.map((w) => w.key.verifierKey), this.quorum],
    );
    return rows.length ? rows[0].note + rows[0].lines.join('') : null;
  }
}
