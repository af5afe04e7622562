import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { pipeline, Transform, type Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError, ErrorCode, notFound, validationFailed } from '../common/errors';
import { cursorScope, decodeCursor, encodeCursor, isInstantAndBigint, Page } from '../common/pagination';
import type { ResourceScope } from '../access/access';
import { AccessService } from '../access/access.service';
import { ReadReplicas } from '../cluster/read-replicas';
import { Principal } from '../common/roles';
import { BinaryCopyWriter, copyBinary, joinTuples } from '../database/binary-copy';
import { borrowClient, clientOf, copyOut } from '../database/copy';
import { GroupCommit } from '../database/group-commit';
import { RegistryMetrics } from '../common/metrics';
import { inTransaction } from '../database/transaction';
import { LedgerCheckpointer } from '../ledger/ledger.checkpointer';
import { LedgerIntegrity } from '../ledger/ledger.integrity';
import { AppendOutcome, LedgerService, PreparedLeaf } from '../ledger/ledger.service';
import { RolloutService } from '../rollout/rollout.service';
import { CachedContract, CONTRACT_SCOPES, ContractScopeCache, ContractScopeSource } from './contract-scope-cache';
import { computeFlags } from './domain/compliance-flags';
import { addToCells, FigureCell, figureSources, recordFigures } from './figures';
import { decodeLeaf, LeafColumnsRow, leafColumnMismatches, leafColumnsDetail, leafColumnsSql } from './domain/leaf-columns';
import { TRANSFER_LEAF_SCHEMA_V1, TransferLeafV1, transferLeafBytes } from './domain/transfer-leaf';
import { parseTransferBody, TransferRecordInput } from './domain/transfer-records';
import { NdjsonFromLeafCopy } from './ndjson-export';
import { CreateTransfersResponse, ExportTransfersQuery, ListTransfersQuery, TransferFilterQuery, TransferSummary, TransferView } from './transfer.dto';

/** Keys are kept at least this long (docs/api.md promises at least 24 hours); older ones are purged. */
export const IDEMPOTENCY_RETENTION_HOURS = 48;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Column order of the COPY into transfer_records (binary format: ingest() writes the fields in this order). */
const RECORD_COLUMNS = [
  'leaf_index',
  'contract_id',
  'contract_version',
  'processor_id',
  'recipient_id',
  'processor_jurisdiction',
  'recipient_jurisdiction',
  'sector',
  'submitted_by_organisation_id',
  'submitted_by',
  'occurred_at',
  'recorded_at',
  'direction',
  'data_subject_count',
  'record_count',
  'personal_information_categories',
  'sensitive_categories',
  'purposes',
  'transfer_method',
  'separate_consent_obtained',
  'onward_recipient_name',
  'onward_recipient_city',
  'payload_digest',
  'external_reference',
  'flags',
  'leaf_hash',
  'leaf',
] as const;

export interface IngestOutcome {
  response: CreateTransfersResponse;
  replayed: boolean;
}

/** Thrown inside a group's transaction when every request of it was answered without appending: nothing to write. */
class NothingToAppend extends Error {}

/**
 * Requests sequenced together: at most this many, and at most this many records (the largest request,
 * 10,000 records, goes alone). One group at a time: the ledger lock serialises appenders anyway, and
 * requests that arrive while a group commits form the next one.
 */
const GROUP_COMMIT = { maxBatch: 512, maxWeight: 10_000, maxInFlight: 1 };

/** A request ready to be sequenced: its records, the scopes its flags were computed from, and its prepared rows. */
interface IngestRequest {
  principal: Principal;
  records: TransferRecordInput[];
  contractIds: string[];
  contracts: Map<string, CachedContract>;
  recordedAt: string;
  submittedBy: SubmittedBy;
  principalId: string;
  idempotency: { key: string; requestHash: Buffer } | undefined;
  batch: PreparedBatch;
}

/** What the group's transaction says about one request: its answer, its own error, or "ask storage after the commit". */
type GroupResult = { outcome: IngestOutcome } | { error: unknown } | { afterCommit: true };

/** A stored Idempotency-Key row (bigint as text). */
interface StoredKey {
  request_hash: Buffer;
  first_leaf_index: string;
  flags: string[][];
}

/** The first response for a stored key, or 409 when the key was used for another body. */
function storedAnswer(row: StoredKey, requestHash: Buffer): CreateTransfersResponse {
  if (!row.request_hash.equals(requestHash)) {
    throw new DomainError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 'Idempotency key reused', {
      detail: 'this Idempotency-Key was already used with a different request body',
    });
  }
  const first = Number(row.first_leaf_index);
  return { records: row.flags.map((flags, i) => ({ leafIndex: first + i, flags })) };
}

/** PostgreSQL refused a key because the same organisation already stored it (unique_violation on its primary key). */
function isIdempotencyKeyConflict(error: unknown): boolean {
  const e = ((error as { driverError?: unknown } | null)?.driverError ?? error) as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === 'pk_transfer_idempotency_keys';
}

type SubmittedBy = TransferLeafV1['submittedBy'];

interface RolloutGroup {
  regime: string;
  sector: string;
  jurisdiction: string;
  count: number;
}

/** Everything a batch writes, computed from the records and their contracts' scopes, leaf indexes aside. */
interface PreparedBatch {
  leaves: PreparedLeaf[];
  flagsOut: string[][];
  /** The binary COPY payload of the records; the leaf index of record i is patched in at indexAt[i]. */
  payload: BinaryCopyWriter;
  indexAt: number[];
  /** Rollout figures (GET /rollout/stats): records per (regime, processor's sector, processor's side). */
  rolloutGroups: Map<string, RolloutGroup>;
  /** Monthly figures (GET /transfers/figures), added to transfer_figures in the same transaction (./figures.ts). */
  figures: Map<string, FigureCell>;
}

/** What the access policy reads of a contract (docs/architecture.md#access): its parties and their sides. */
function contractScope({ bundle }: CachedContract): ResourceScope {
  return { parties: [bundle.processorId, bundle.recipientId], sides: [bundle.processorJurisdiction, bundle.recipientJurisdiction] };
}

/** Where transfer_records keeps what the access policy reads (`contractScope`). */
const RECORD_SCOPE_COLUMNS = { parties: ['t.processor_id', 't.recipient_id'], sides: ['t.processor_jurisdiction', 't.recipient_jurisdiction'] };

/** Version selection, flags, canonical JSON, leaf hashes and the COPY payload of every record (contracts checked by `assertMayLog`). */
function prepareBatch(
  records: readonly TransferRecordInput[],
  contracts: Map<string, CachedContract>,
  recordedAt: string,
  submittedBy: SubmittedBy,
  principalId: string,
): PreparedBatch {
  const organisationId = submittedBy.organisationId;
  const leaves = new Array<PreparedLeaf>(records.length);
  const flagsOut = new Array<string[]>(records.length);
  const payload = new BinaryCopyWriter(records.length * 1536);
  const indexAt = new Array<number>(records.length);
  const rolloutGroups = new Map<string, RolloutGroup>();
  records.forEach((record, i) => {
    const contract = contracts.get(record.contractId) as CachedContract;
    const { bundle } = contract;
    const { occurredAt, onwardRecipient } = record;
    const version = contract.versionAt(occurredAt);
    const flags = computeFlags(version.scope, record, recordedAt);
    const leaf: TransferLeafV1 = {
      schema: TRANSFER_LEAF_SCHEMA_V1,
      contractId: bundle.contractId,
      contractVersion: version.version,
      processorId: bundle.processorId,
      recipientId: bundle.recipientId,
      occurredAt,
      recordedAt,
      direction: record.direction,
      dataSubjectCount: record.dataSubjectCount,
      recordCount: record.recordCount,
      personalInformationCategories: record.personalInformationCategories,
      sensitiveCategories: record.sensitiveCategories,
      purposes: record.purposes,
      transferMethod: record.transferMethod,
      separateConsentObtained: record.separateConsentObtained,
      onwardRecipient,
      payloadDigest: record.payloadDigest,
      externalReference: record.externalReference,
      flags,
      submittedBy,
    };
    flagsOut[i] = flags;
    const prepared = LedgerService.prepareLeaf(transferLeafBytes(leaf));
    leaves[i] = prepared;
    payload.tuple(RECORD_COLUMNS.length);
    indexAt[i] = payload.position;
    payload
      .int8(0) // leaf index, patched once the ledger assigned it
      .uuid(bundle.contractId)
      .int4(version.version)
      .uuid(bundle.processorId)
      .uuid(bundle.recipientId)
      .text(bundle.processorJurisdiction)
      .text(bundle.recipientJurisdiction)
      .text(bundle.processorSector)
      .uuid(organisationId)
      .uuid(principalId)
      .timestamptz(occurredAt)
      .timestamptz(recordedAt)
      .text(record.direction)
      .int8(record.dataSubjectCount)
      .int8(record.recordCount)
      .textArray(record.personalInformationCategories)
      .textArray(record.sensitiveCategories)
      .textArray(record.purposes)
      .text(record.transferMethod)
      .bool(record.separateConsentObtained)
      .text(onwardRecipient?.name ?? null)
      .text(onwardRecipient?.city ?? null)
      .text(leaf.payloadDigest)
      .text(record.externalReference)
      .textArray(flags)
      .bytea(prepared.leafHash)
      .bytea(prepared.leaf);
    const groupKey = `${bundle.regime}\u0000${bundle.processorSector}\u0000${bundle.processorJurisdiction}`;
    const group = rolloutGroups.get(groupKey);
    if (group) group.count++;
    else rolloutGroups.set(groupKey, { regime: bundle.regime, sector: bundle.processorSector, jurisdiction: bundle.processorJurisdiction, count: 1 });
  });
  return { leaves, flagsOut, payload, indexAt, rolloutGroups, figures: addToCells(new Map(), figureSources(records, contracts, flagsOut)) };
}

/** The row of `summary`'s query; bigint columns come back as text. */
interface SummaryRow {
  transfers: string;
  data_subjects: string;
  records: string;
  flagged: string;
  flag_counts: Record<string, number>;
  first_transfer: TransferSummary['firstTransfer'];
  last_transfer: TransferSummary['lastTransfer'];
}

@Injectable()
export class TransfersService {
  private readonly scopes: ContractScopeCache;
  private readonly sequencer: GroupCommit<IngestRequest, GroupResult>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly checkpointer: LedgerCheckpointer,
    @Inject(CONTRACT_SCOPES) source: ContractScopeSource,
    private readonly rollout: RolloutService,
    private readonly integrity: LedgerIntegrity,
    private readonly access: AccessService,
    metrics: RegistryMetrics,
    private readonly reads: ReadReplicas,
  ) {
    this.scopes = new ContractScopeCache(source);
    this.sequencer = new GroupCommit((group) => this.writeGroup(group), {
      ...GROUP_COMMIT,
      weigh: (request) => request.records.length,
      onBatch: (size) => metrics.transferGroupSize.observe(size),
      onWaiting: (waiting) => metrics.transferRequestsWaiting.set(waiting),
    });
  }

  // -------------------------------------------------------------------------
  // POST /transfers

  /**
   * Validated records in, leaf indexes and flags out. Everything per record (flags, canonical JSON,
   * leaf hashes, the COPY payload) is done here, before the request joins a group: concurrent
   * requests are sequenced together in one transaction with one commit and one WAL flush
   * (`writeGroup`), and each is answered once that commit is durable, with its own leaf indexes.
   */
  async ingest(principal: Principal, body: unknown, idempotencyKey: string | undefined): Promise<IngestOutcome> {
    const parsed = parseTransferBody(body);
    if ('errors' in parsed) throw validationFailed(parsed.errors);
    const { records } = parsed;
    const organisationId = principal.organisationId;
    if (!organisationId) throw notFound('Contract');
    let idempotency: IngestRequest['idempotency'];
    if (idempotencyKey !== undefined) {
      if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
        throw new DomainError(ErrorCode.VALIDATION_FAILED, 'The request is not valid', {
          detail: 'Idempotency-Key must be 1 to 255 printable ASCII characters',
          errors: [{ field: 'header.Idempotency-Key', rule: 'format', message: 'Idempotency-Key must be 1 to 255 printable ASCII characters' }],
        });
      }
      // Validated records have a fixed member order, so the same body in any member order is the same request.
      // A key already stored is answered from storage by the group, under the ledger lock (answerStoredKeys).
      idempotency = { key: idempotencyKey, requestHash: createHash('sha256').update(JSON.stringify(records)).digest() };
    }

    const contractIds = [...new Set(records.map((r) => r.contractId))];
    // Revisions are checked under the ledger lock for the whole group (refreshScopes), not here.
    const contracts = await this.scopes.remembered(contractIds);
    this.assertMayLog(principal, contractIds, contracts);

    const recordedAt = new Date().toISOString();
    const submittedBy = { organisationId, principalType: principal.kind, principalId: principal.id };
    const request: IngestRequest = {
      principal,
      records,
      contractIds,
      contracts,
      recordedAt,
      submittedBy,
      principalId: principal.id,
      idempotency,
      batch: prepareBatch(records, contracts, recordedAt, submittedBy, principal.id),
    };

    for (;;) {
      let written: GroupResult;
      try {
        written = await this.sequencer.submit(request);
      } catch (error) {
        // A request sent alone whose key another request stored first (not possible under the ledger lock; kept as a
        // safety net): the stored answer, or 409 for another body.
        if (!idempotency || !isIdempotencyKeyConflict(error)) throw error;
        const earlier = await this.replay(organisationId, idempotency.key, idempotency.requestHash);
        if (!earlier) throw error;
        return { response: earlier, replayed: true };
      }
      if ('outcome' in written) return written.outcome;
      if ('error' in written) throw written.error;
      // Another request of the same group carried this key: its answer is committed now, or it failed and this one goes again.
      const earlier = await this.replay(organisationId, (idempotency as { key: string }).key, (idempotency as { requestHash: Buffer }).requestHash);
      if (earlier) return { response: earlier, replayed: true };
    }
  }

  /**
   * One transaction for a group of requests (group commit, as Tessera and Sunlight sequence
   * batches of entries): under the ledger's lock, the contracts' revisions once for the group
   * (a request whose scope changed since it was prepared is rebuilt from the new scope), the
   * Idempotency-Keys once (a key already stored answers its request from storage; a key
   * twice in the group goes once), then one Merkle append, one COPY of every record, one
   * INSERT of the keys and the rollout counters; one commit. A request that cannot be
   * sequenced (a contract it may no longer log to, a reused key) is answered alone and left
   * out; if PostgreSQL refuses the group, GroupCommit sends each request again alone, so
   * only the one at fault fails.
   */
  private async writeGroup(group: IngestRequest[]): Promise<GroupResult[]> {
    const results = new Array<GroupResult | undefined>(group.length);
    const placed: Array<{ at: number; offset: number }> = [];
    const appended: AppendOutcome | null = await inTransaction(this.dataSource, async (manager) => {
      results.fill(undefined);
      placed.length = 0;
      try {
        const outcome = await this.ledger.append(manager, async () => {
          await this.refreshScopes(group, results, manager);
          await this.answerStoredKeys(group, results, manager);
          const leaves: PreparedLeaf[] = [];
          group.forEach((request, at) => {
            if (results[at]) return;
            placed.push({ at, offset: leaves.length });
            for (const leaf of request.batch.leaves) leaves.push(leaf);
          });
          if (leaves.length === 0) throw new NothingToAppend();
          return leaves;
        });
        const runs: Buffer[] = [];
        const keys = { organisations: [] as string[], keys: [] as string[], hashes: [] as Buffer[], firsts: [] as number[], flags: [] as string[] };
        const rolloutGroups = new Map<string, RolloutGroup>();
        for (const { at, offset } of placed) {
          const { batch, idempotency, submittedBy } = group[at];
          const first = outcome.startIndex + offset;
          batch.indexAt.forEach((position, i) => batch.payload.patchInt8(position, first + i));
          runs.push(batch.payload.tuples());
          if (idempotency) {
            keys.organisations.push(submittedBy.organisationId);
            keys.keys.push(idempotency.key);
            keys.hashes.push(idempotency.requestHash);
            keys.firsts.push(first);
            keys.flags.push(JSON.stringify(batch.flagsOut));
          }
          for (const [key, counted] of batch.rolloutGroups) {
            const sum = rolloutGroups.get(key);
            if (sum) sum.count += counted.count;
            else rolloutGroups.set(key, { ...counted });
          }
        }
        await copyBinary(await clientOf(manager), 'transfer_records', RECORD_COLUMNS, joinTuples(runs));
        if (keys.keys.length > 0) {
          // No ON CONFLICT: under the ledger lock no other writer can hold these keys; if one did, the unique
          // violation sends every request of the group again alone (GroupCommit), and that caller replays.
          await manager.query(
            `INSERT INTO transfer_idempotency_keys (organisation_id, idempotency_key, request_hash, first_leaf_index, flags)
             SELECT o, k, h, f, r::jsonb FROM unnest($1::uuid[], $2::text[], $3::bytea[], $4::bigint[], $5::text[]) AS u(o, k, h, f, r)`,
            [keys.organisations, keys.keys, keys.hashes, keys.firsts, keys.flags],
          );
        }
        // Last, so the counter rows are held only until the commit that follows; lock order is always ledger lock → counter row.
        await recordFigures(
          manager,
          placed.map(({ at }) => group[at].batch.figures),
        );
        for (const counted of rolloutGroups.values()) {
          await this.rollout.recordTransfers(counted.regime, counted.sector, counted.jurisdiction, counted.count, manager);
        }
        return outcome;
      } catch (error) {
        if (error instanceof NothingToAppend) return null;
        throw error;
      }
    });
    if (appended) {
      this.ledger.committed(appended);
      this.checkpointer.nudge();
      for (const { at, offset } of placed) {
        const first = appended.startIndex + offset;
        const records = group[at].batch.flagsOut.map((flags, i) => ({ leafIndex: first + i, flags }));
        results[at] = { outcome: { response: { records }, replayed: false } };
      }
    }
    return results as GroupResult[];
  }

  /**
   * The flags were computed from scopes read before the transaction: an amendment, termination or filing
   * change that committed since then bumped the contract's revision. Read under the lock (a fresh READ
   * COMMITTED snapshot, one indexed query for the group), so a change committed before this point is never
   * missed; only then (rare) are the scopes reloaded and the request rebuilt here.
   */
  private async refreshScopes(group: IngestRequest[], results: Array<GroupResult | undefined>, manager: EntityManager): Promise<void> {
    const ids = [...new Set(group.flatMap((request) => request.contractIds))];
    const current = await this.scopes.revisionsOf(ids, manager);
    const stale = (request: IngestRequest) => request.contractIds.some((id) => request.contracts.get(id)?.bundle.revision !== current.get(id));
    if (!group.some(stale)) return;
    const fresh = await this.scopes.get(ids, manager, current);
    group.forEach((request, at) => {
      if (results[at] || !stale(request)) return;
      request.contracts = new Map(request.contractIds.flatMap((id) => (fresh.has(id) ? [[id, fresh.get(id) as CachedContract]] : [])));
      try {
        this.assertMayLog(request.principal, request.contractIds, request.contracts);
      } catch (error) {
        results[at] = { error };
        return;
      }
      request.batch = prepareBatch(request.records, request.contracts, request.recordedAt, request.submittedBy, request.principalId);
    });
  }

  /**
   * Idempotency-Keys of the group already stored (read under the ledger lock, so no uncommitted writer
   * holds one): each such request is answered from storage, or 409 for another body. A key that two
   * requests of the group carry goes with the first; the other is answered after the commit.
   */
  private async answerStoredKeys(group: IngestRequest[], results: Array<GroupResult | undefined>, manager: EntityManager): Promise<void> {
    const seen = new Set<string>();
    const keyed: number[] = [];
    group.forEach((request, at) => {
      if (results[at] || !request.idempotency) return;
      const id = `${request.submittedBy.organisationId}\u0000${request.idempotency.key}`;
      if (seen.has(id)) results[at] = { afterCommit: true };
      else {
        seen.add(id);
        keyed.push(at);
      }
    });
    if (keyed.length === 0) return;
    const rows: Array<{ organisation_id: string; idempotency_key: string } & StoredKey> = await manager.query(
      `SELECT k.organisation_id, k.idempotency_key, k.request_hash, k.first_leaf_index, k.flags
         FROM transfer_idempotency_keys k JOIN unnest($1::uuid[], $2::text[]) AS u(o, k2) ON k.organisation_id = u.o AND k.idempotency_key = u.k2`,
      [keyed.map((at) => group[at].submittedBy.organisationId), keyed.map((at) => (group[at].idempotency as { key: string }).key)],
    );
    if (rows.length === 0) return;
    const stored = new Map(rows.map((row) => [`${row.organisation_id}\u0000${row.idempotency_key}`, row]));
    for (const at of keyed) {
      const { submittedBy, idempotency } = group[at];
      const row = stored.get(`${submittedBy.organisationId}\u0000${(idempotency as { key: string }).key}`);
      if (!row) continue;
      try {
        results[at] = { outcome: { response: storedAnswer(row, (idempotency as { requestHash: Buffer }).requestHash), replayed: true } };
      } catch (error) {
        results[at] = { error };
      }
    }
  }

  /** A caller logs only for contracts its organisation is party to; anything else is 404 for the whole request. */
  private assertMayLog(principal: Principal, contractIds: readonly string[], contracts: Map<string, CachedContract>): void {
    const scopes = new Map<string, ResourceScope>();
    for (const [id, contract] of contracts) scopes.set(id, contractScope(contract));
    this.access.requireAll(principal, 'transfer.log', contractIds, scopes, 'Contract');
  }

  /** The first response for this key, or 409 when the key was used for another body. */
  private async replay(organisationId: string, key: string, requestHash: Buffer): Promise<CreateTransfersResponse | null> {
    const rows: StoredKey[] = await this.dataSource.query(
      `SELECT request_hash, first_leaf_index, flags FROM transfer_idempotency_keys WHERE organisation_id = $1 AND idempotency_key = $2`,
      [organisationId, key],
    );
    return rows.length === 0 ? null : storedAnswer(rows[0], requestHash);
  }

  async purgeIdempotencyKeys(): Promise<number> {
    const result = await this.dataSource.query<unknown>(`DELETE FROM transfer_idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`, [
      IDEMPOTENCY_RETENTION_HOURS,
    ]);
    return Array.isArray(result) ? Number(result[1] ?? 0) : 0;
  }

  // -------------------------------------------------------------------------
  // GET /transfers, /transfers/export, /transfers/summary

  async list(principal: Principal, query: ListTransfersQuery): Promise<Page<TransferView>> {
    const limit = query.limit ?? 100;
    const scope = cursorScope('transfers', query);
    const after = decodeCursor(query.cursor, 2, isInstantAndBigint, scope) as [string, string] | null;
    const params: unknown[] = [];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const branches = this.whereBranches(principal, query, bind);
    const cursor = after ? ` AND (t.occurred_at, t.leaf_index) > (${bind(after[0])}::timestamptz, ${bind(after[1])}::bigint)` : '';
    const select = (where: string) =>
      `SELECT ${VIEW_COLUMNS} FROM transfer_records t WHERE ${where}${cursor} ORDER BY t.occurred_at, t.leaf_index LIMIT ${limit + 1}`;
    const sql =
      branches.length === 1
        ? select(branches[0])
        : `SELECT * FROM (${branches.map((b) => `(${select(b)})`).join(' UNION ALL ')}) u ORDER BY u.occurred_at, u.leaf_index LIMIT ${limit + 1}`;
    // A regulator's list may come from a replica (docs/scaling.md#read-replicas).
    const rows: ViewRow[] = await this.reads.read(principal, (db) => db.query(sql, params));
    const items: TransferView[] = [];
    for (const row of rows.slice(0, limit)) items.push(await this.viewOf(row));
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.occurredAt, String(last.leafIndex)], scope) : null };
  }

  /**
   * A record as its leaf says (docs/architecture.md#trust-model, part 3): every member but the leaf index
   * (its place in the tree) and the sector (the processor's registered sector, not part of the leaf) comes from
   * the leaf. A column that differs from the leaf is reported as an integrity failure, as the self-audit does,
   * and the leaf's value is served; a leaf that is not JSON is reported and refused (503).
   */
  private async viewOf(row: ViewRow): Promise<TransferView> {
    const leafIndex = Number(row.leaf_index);
    const leaf = decodeLeaf(row.leaf);
    const members = leaf ? leafColumnMismatches(row, leaf) : [];
    if (!leaf || members.length > 0) {
      await this.integrity.report({ kind: 'record-column', level: 0, index: leafIndex, detail: leafColumnsDetail(leafIndex, members) });
    }
    if (!leaf) {
      throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'Service unavailable', {
        detail: `Transfer record ${leafIndex} cannot be read from its leaf; it is listed at GET /ledger/integrity`,
      });
    }
    return toView(leafIndex, row.sector, leaf);
  }

  /**
   * Streams every matching row, in leaf order, through COPY TO STDOUT on a
   * dedicated pooled connection: memory stays constant whatever the size.
   * ndjson rows carry the exact leaf (base64), so a full export is also the
   * input of the offline verifier (`npm run verify -- --export …`).
   */
  async export(principal: Principal, query: ExportTransfersQuery): Promise<Readable> {
    // A regulator's export may stream from a replica (docs/scaling.md#read-replicas).
    return this.reads.read(principal, (db) => this.exportFrom(db, principal, query));
  }

  private async exportFrom(db: DataSource, principal: Principal, query: ExportTransfersQuery): Promise<Readable> {
    const { client, release } = await borrowClient(db);
    try {
      const bind = (value: unknown): string => literal(client, value);
      const where = this.whereBranches(principal, query, bind)
        .map((b) => `(${b})`)
        .join(' OR ');
      let stream: Readable;
      let copy: Readable;
      if (query.format === 'csv') {
        // The parties' names come from the register (a small table PostgreSQL hashes once), row by row in the COPY.
        copy = copyOut(
          client,
          `COPY (SELECT ${CSV_COLUMNS} FROM transfer_records t ${CSV_JOINS} WHERE ${where} ORDER BY t.leaf_index) TO STDOUT WITH (FORMAT csv, HEADER true, FORCE_QUOTE (${CSV_TEXT_CELLS.map((c) => `"${c}"`).join(', ')}))`,
        );
        stream = pipeline(copy, withByteOrderMark(), () => undefined);
      } else {
        // PostgreSQL sends (leaf_index, sector, leaf) in binary; the line, base64 of the leaf included, is built here.
        copy = copyOut(
          client,
          `COPY (SELECT t.leaf_index, t.sector, t.leaf FROM transfer_records t WHERE ${where} ORDER BY t.leaf_index) TO STDOUT (FORMAT binary)`,
        );
        // pipeline() destroys the COPY stream too when the reply goes away, so the connection is released below.
        stream = pipeline(copy, new NdjsonFromLeafCopy(), () => undefined);
      }
      let done = false;
      copy.once('end', () => {
        done = true;
        release();
      });
      copy.once('error', (error) => {
        done = true;
        release(error);
      });
      // The client went away mid-stream: the connection is still in COPY OUT, so destroy it rather than reuse it.
      copy.once('close', () => {
        if (!done) release(new Error('export aborted'));
      });
      return stream;
    } catch (error) {
      release(error as Error);
      throw error;
    }
  }

  async summary(principal: Principal, contractId: string): Promise<TransferSummary> {
    const contract = (await this.scopes.get([contractId])).get(contractId);
    this.access.require(principal, 'transfer.read', contract, contractScope, 'Contract');
    // Aggregated from the leaves (docs/architecture.md#trust-model, part 3): one pass over the contract's rows, each leaf read as jsonb.
    // A regulator's summary may come from a replica (docs/scaling.md#read-replicas).
    const [row] = await this.reads.read(principal, (db) =>
      db.query<SummaryRow[]>(
        `WITH r AS (
         SELECT t.leaf_index, l.j FROM transfer_records t ${LEAF_JSON}
          WHERE t.contract_id = $1 AND (l.j->>'contractId') = $1::text
       )
       SELECT count(*)::bigint AS transfers,
              COALESCE(sum((j->>'dataSubjectCount')::bigint), 0)::bigint AS data_subjects,
              COALESCE(sum((j->>'recordCount')::bigint), 0)::bigint AS records,
              count(*) FILTER (WHERE j->'flags' <> '[]'::jsonb)::bigint AS flagged,
              (SELECT COALESCE(json_object_agg(f, n), '{}') FROM (
                 SELECT f, count(*) AS n FROM r, jsonb_array_elements_text(r.j->'flags') AS f GROUP BY f ORDER BY f) x) AS flag_counts,
              (SELECT json_build_object('leafIndex', leaf_index, 'occurredAt', j->>'occurredAt') FROM r
                ORDER BY (j->>'occurredAt')::timestamptz, leaf_index LIMIT 1) AS first_transfer,
              (SELECT json_build_object('leafIndex', leaf_index, 'occurredAt', j->>'occurredAt') FROM r
                ORDER BY (j->>'occurredAt')::timestamptz DESC, leaf_index DESC LIMIT 1) AS last_transfer
         FROM r`,
        [contractId],
      ),
    );
    return {
      contractId,
      transfers: Number(row.transfers),
      dataSubjects: Number(row.data_subjects),
      records: Number(row.records),
      flaggedTransfers: Number(row.flagged),
      flags: Object.fromEntries(Object.entries(row.flag_counts).map(([k, v]) => [k, Number(v)])),
      firstTransfer: row.first_transfer ?? null,
      lastTransfer: row.last_transfer ?? null,
    };
  }

  /**
   * The WHERE clause as OR-ed branches: the filters, within what the access policy lets the caller
   * read (src/access). "Party is X" is a processor branch and a recipient branch, so each branch stays
   * answerable from one (party, occurred_at, leaf_index) index.
   */
  private whereBranches(principal: Principal, filter: TransferFilterQuery, bind: (value: unknown) => string): string[] {
    const common: string[] = [];
    if (filter.contractId) common.push(`t.contract_id = ${bind(filter.contractId)}::uuid`);
    if (filter.direction) common.push(`t.direction = ${bind(filter.direction)}`);
    if (filter.from) common.push(`t.occurred_at >= ${bind(instantOf(filter.from))}::timestamptz`);
    if (filter.to) common.push(`t.occurred_at < ${bind(instantOf(filter.to))}::timestamptz`);
    if (filter.flag) common.push(`t.flags <> '{}' AND t.flags @> ARRAY[${bind(filter.flag)}]::text[]`);
    // flags <> '{}' is the predicate of the partial indexes (ix_transfer_records_flagged_time, the flags GIN).
    if (filter.flagged === 'true') common.push(`t.flags <> '{}'`);
    if (filter.flagged === 'false') common.push(`t.flags = '{}'`);
    if (filter.category) common.push(`t.personal_information_categories @> ARRAY[${bind(filter.category)}]::text[]`);
    if (filter.sector) common.push(`t.sector = ${bind(filter.sector)}`);
    return this.access.sqlBranches(principal, 'transfer.read', RECORD_SCOPE_COLUMNS, bind, { where: common, parties: [filter.organisationId] });
  }
}

/** A calendar date filter means the start of that day in the GBA (UTC+8, as the compliance flags count days). */
function instantOf(value: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00+08:00` : value;
}

function literal(client: PoolClient, value: unknown): string {
  return client.escapeLiteral(String(value));
}

/** The leaf, and the columns it is checked against; occurred_at orders the union of branches. */
const VIEW_COLUMNS = `t.leaf_index, t.sector, t.occurred_at, t.leaf, ${leafColumnsSql('t')}`;

interface ViewRow extends LeafColumnsRow {
  leaf_index: string;
  sector: string;
  leaf: Buffer;
}

function toView(leafIndex: number, sector: string, leaf: TransferLeafV1): TransferView {
  return {
    leafIndex,
    contractId: leaf.contractId,
    contractVersion: leaf.contractVersion,
    processorId: leaf.processorId,
    recipientId: leaf.recipientId,
    sector,
    occurredAt: leaf.occurredAt,
    recordedAt: leaf.recordedAt,
    direction: leaf.direction,
    dataSubjectCount: leaf.dataSubjectCount,
    recordCount: leaf.recordCount,
    personalInformationCategories: leaf.personalInformationCategories,
    sensitiveCategories: leaf.sensitiveCategories,
    purposes: leaf.purposes,
    transferMethod: leaf.transferMethod,
    separateConsentObtained: leaf.separateConsentObtained,
    onwardRecipient: leaf.onwardRecipient ? { name: leaf.onwardRecipient.name, city: leaf.onwardRecipient.city } : null,
    payloadDigest: leaf.payloadDigest,
    externalReference: leaf.externalReference,
    flags: leaf.flags,
    submittedByOrganisationId: leaf.submittedBy.organisationId,
  };
}

/**
 * The CSV export is for people with a spreadsheet (the ndjson export, with the exact leaves, is for
 * machines and the verifier): lists are joined with '; ', booleans are `true` / `false`, each party's
 * registered name stands beside its id, and `occurredAtHongKong` (Hong Kong time, UTC+8, as
 * `YYYY-MM-DD HH:MM:SS`, which spreadsheets read as a date and time) beside the UTC instant.
 */
const LIST_SEPARATOR = "'; '";
// Every cell but leafIndex, sector and the parties' names is read from the leaf (docs/architecture.md#trust-model, part 3).
const CSV_COLUMNS = [
  't.leaf_index AS "leafIndex"',
  `${leafText('contractId')} AS "contractId"`,
  `${leafText('contractVersion')} AS "contractVersion"`,
  `${leafText('processorId')} AS "processorId"`,
  `${csvCell('processor.legal_name')} AS "processorName"`,
  `${csvCell('processor.legal_name_zh')} AS "processorNameZh"`,
  `${leafText('recipientId')} AS "recipientId"`,
  `${csvCell('recipient.legal_name')} AS "recipientName"`,
  `${csvCell('recipient.legal_name_zh')} AS "recipientNameZh"`,
  't.sector AS "sector"',
  `${leafText('occurredAt')} AS "occurredAt"`,
  `to_char((${leafText('occurredAt')})::timestamptz AT TIME ZONE 'Asia/Hong_Kong', 'YYYY-MM-DD HH24:MI:SS') AS "occurredAtHongKong"`,
  `${leafText('recordedAt')} AS "recordedAt"`,
  `${leafText('direction')} AS "direction"`,
  `${leafText('dataSubjectCount')} AS "dataSubjectCount"`,
  `${leafText('recordCount')} AS "recordCount"`,
  `${leafList('personalInformationCategories')} AS "personalInformationCategories"`,
  `${leafList('sensitiveCategories')} AS "sensitiveCategories"`,
  `${csvCell(leafList('purposes'))} AS "purposes"`,
  `${csvCell(leafText('transferMethod'))} AS "transferMethod"`,
  `${leafText('separateConsentObtained')} AS "separateConsentObtained"`,
  `${csvCell(`(l.j->'onwardRecipient'->>'name')`)} AS "onwardRecipientName"`,
  `(l.j->'onwardRecipient'->>'city') AS "onwardRecipientCity"`,
  `${leafText('payloadDigest')} AS "payloadDigest"`,
  `${csvCell(leafText('externalReference'))} AS "externalReference"`,
  `${leafList('flags')} AS "flags"`,
].join(', ');
/** The leaf as jsonb (`l.j`), once per row; the parties' names from the register, by the leaf's party ids. */
const LEAF_JSON = `CROSS JOIN LATERAL (SELECT convert_from(t.leaf, 'UTF8')::jsonb AS j) l`;
const CSV_JOINS = `${LEAF_JSON} LEFT JOIN organisations processor ON processor.id::text = (l.j->>'processorId') LEFT JOIN organisations recipient ON recipient.id::text = (l.j->>'recipientId')`;

function leafText(member: string): string {
  return `(l.j->>'${member}')`;
}

function leafList(member: string): string {
  return `array_to_string(ARRAY(SELECT jsonb_array_elements_text(l.j->'${member}')), ${LIST_SEPARATOR})`;
}

/** The organisation-controlled text cells of the CSV export, always quoted (RFC 4180: embedded quotes doubled by COPY). */
const CSV_TEXT_CELLS = [
  'processorName',
  'processorNameZh',
  'recipientName',
  'recipientNameZh',
  'purposes',
  'transferMethod',
  'onwardRecipientName',
  'externalReference',
];

/** UTF-8's byte-order mark: without it, Excel reads a CSV file in the system's code page and shows 信用評估 as mojibake. */
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Passes the COPY stream through, the byte-order mark first (also for an export with no row: the header line). */
function withByteOrderMark(): Transform {
  let first = true;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (first) {
        first = false;
        this.push(UTF8_BOM);
      }
      callback(null, chunk);
    },
    flush(callback) {
      if (first) this.push(UTF8_BOM);
      callback();
    },
  });
}

/**
 * CSV injection (OWASP "CSV Injection"): a spreadsheet treats a cell starting with =, +, -, @, a tab
 * or a carriage return as a formula, so such a cell of organisation-controlled text gets a leading
 * single quote ('=1+1 is shown as text). The ndjson export and the leaves keep the exact text.
 */
export function csvCell(expression: string): string {
  return `CASE WHEN left(${expression}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || ${expression} ELSE ${expression} END`;
}
