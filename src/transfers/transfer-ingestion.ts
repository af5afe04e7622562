// POST /transfers: validated records in, leaf indexes and flags out, sequenced in groups (group commit).
import { Injectable, PipeTransform } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { ResourceScope } from '../access/access';
import { notFound, validationFailed } from '../common/errors';
import { RegistryMetrics } from '../common/metrics';
import { Principal } from '../common/roles';
import { joinTuples } from '../database/binary-copy';
import { GroupCommit } from '../database/group-commit';
import { expectationSql, isExpectationFailure } from '../database/expectations';
import { copyAmong, queryTogether } from '../database/one-message';
import { inOwnTransaction } from '../database/transaction';
import { TREE_SIZE_CALL } from '../ledger/ledger-nodes';
import { LedgerCheckpointer } from '../ledger/ledger.checkpointer';
import { APPEND_LOCK_SQL, AppendOutcome, LedgerService } from '../ledger/ledger.service';
import { OrganisationsService } from '../organisations/organisations.service';
import { RolloutService } from '../rollout/rollout.service';
import { CachedContract, ContractScopeCache } from './contract-scope-cache';
import { parseTransferBody, TransferRecordInput } from './domain/transfer-records';
import { figuresUpsertSql } from './figures';
import {
  IdempotencyKeys,
  isIdempotencyKeyConflict,
  keysInsertSql,
  KeyToStore,
  noStoredKeysSql,
  RequestKey,
  requestKey,
  storedKeysFromRows,
  storedKeysSql,
} from './idempotency-keys';
import { COPY_COLUMNS } from './record-columns';
import { contractScope, prepareBatch, recordsOfBatch, RolloutGroup } from './transfer-batch';
import {
  answerStoredKeys,
  ExpectationGate,
  ExpectedFacts,
  expectedFacts,
  GroupResult,
  IngestOutcome,
  IngestRequest,
  keyId,
  Placement,
  placeGroup,
} from './transfer-group';

export type { IngestOutcome } from './transfer-group';

/**
 * Requests sequenced together: at most this many, and at most this many records (a larger request goes
 * alone). One group at a time: the ledger lock serialises appenders anyway, and requests that arrive while a
 * group commits form the next one. The record cap keeps the work overlapped: a group that took every waiting
 * bulk request would leave all their clients waiting on the database while this process idles, then all of
 * them sending at once while the database idles. At 2,000 records, the requests of the next group are
 * received and prepared while this group's COPY runs (docs/architecture.md#the-transfer-log, step 6); one-record and
 * small requests never reach the cap.
 */
const GROUP_COMMIT = { maxBatch: 512, maxWeight: 2_000, maxInFlight: 1 };

@Injectable()
export class TransferIngestion {
  private readonly sequencer: GroupCommit<IngestRequest, GroupResult>;
  private readonly groups: RegistryMetrics['transferGroups'];
  /** Whether the next group may be written expected (writeGroup). */
  private readonly gate = new ExpectationGate();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly checkpointer: LedgerCheckpointer,
    private readonly scopes: ContractScopeCache,
    private readonly rollout: RolloutService,
    private readonly access: AccessService,
    private readonly keys: IdempotencyKeys,
    metrics: RegistryMetrics,
    private readonly organisations: OrganisationsService,
  ) {
    this.groups = metrics.transferGroups;
    this.sequencer = new GroupCommit((group) => this.writeGroup(group), {
      ...GROUP_COMMIT,
      weigh: (request) => request.batch.leaves.length,
      onBatch: (size) => metrics.transferGroupSize.observe(size),
      onWaiting: (waiting) => metrics.transferRequestsWaiting.set(waiting),
    });
  }

  /**
   * Validated records in, leaf indexes and flags out. Everything per record (flags, canonical JSON,
   * leaf hashes, the COPY payload) is done here, before the request joins a group: concurrent
   * requests are sequenced together in one transaction with one commit and one WAL flush
   * (`writeGroup`), and each is answered once that commit is durable, with its own leaf indexes.
   */
  async ingest(principal: Principal, validated: TransferRecordsOnce, idempotencyKey: string | undefined): Promise<IngestOutcome> {
    const records = validated.take();
    const organisationId = principal.organisationId;
    if (!organisationId) throw notFound('Contract');
    // A key already stored is answered from storage by the group, under the ledger lock (answerStoredKeys).
    const idempotency = requestKey(idempotencyKey, records);

    const contractIds = [...new Set(records.map((r) => r.contractId))];
    // Revisions are checked under the ledger lock for the whole group (refreshScopes), not here.
    const contracts = await this.scopes.remembered(contractIds);
    this.assertMayLog(principal, contractIds, contracts);

    const recordedAt = new Date().toISOString();
    const submittedBy = { organisationId, principalType: principal.kind, principalId: principal.id };
    const batch = prepareBatch(records, contracts, recordedAt, submittedBy, this.organisations.geography());
    return this.sequenced({ principal, contractIds, contracts, recordedAt, submittedBy, idempotency, batch });
  }

  /** The request's answer once its group committed, or a stored answer for its key. */
  private async sequenced(request: IngestRequest): Promise<IngestOutcome> {
    const { idempotency } = request;
    const organisationId = request.submittedBy.organisationId;
    for (;;) {
      let written: GroupResult;
      try {
        written = await this.sequencer.submit(request);
      } catch (error) {
        // A request sent alone whose key another request stored first (not possible under the ledger lock; kept as a
        // safety net): the stored answer, or 409 for another body.
        if (!idempotency || !isIdempotencyKeyConflict(error)) throw error;
        const earlier = await this.keys.replay(organisationId, idempotency);
        if (!earlier) throw error;
        return { response: earlier, replayed: true };
      }
      if ('outcome' in written) return written.outcome;
      if ('error' in written) throw written.error;
      // Another request of the same group carried this key: its answer is committed now, or it failed and this one goes again.
      const earlier = await this.keys.replay(organisationId, idempotency as RequestKey);
      if (earlier) return { response: earlier, replayed: true };
    }
  }

  /**
   * One transaction for a group of requests (group commit, as Tessera and Sunlight sequence batches of entries),
   * in one round trip when this process can expect what the log holds, else two (docs/architecture.md#the-transfer-log).
   *
   * Expected (writeExpected): when this process committed the last append it knows of, the group is written from
   * that tree size, the contracts' revisions its requests were prepared with and "none of its Idempotency-Keys
   * stored", in one message: BEGIN, the ledger's lock, then under it one statement that checks all three
   * (src/database/expectations.ts), then the COPY of every record, the new tree nodes, the keys, the figures, the
   * rollout counters and COMMIT. Those are the facts the checked path reads; when they hold, it would write the
   * same. When one does not (another process appended, a contract changed, a key was stored), PostgreSQL runs
   * nothing after the check, the transaction is rolled back and the group is written checked.
   *
   * Checked (writeChecked): the first round trip (openGroup) reads those facts under the lock: a request whose
   * scope changed since it was prepared is rebuilt from the new scope, a key already stored answers its request
   * from storage (a key twice in the group goes once), and the Merkle append is folded from the tree size read.
   * The second (writeRows) writes as above.
   *
   * A request that cannot be sequenced (a contract it may no longer log to, a reused key) is answered alone and
   * left out; if PostgreSQL refuses the group, GroupCommit sends each request again alone, so only the one at
   * fault fails.
   */
  private async writeGroup(group: IngestRequest[]): Promise<GroupResult[]> {
    const expected = this.gate.open ? expectedFacts(group, this.ledger.lastCommittedSize()) : null;
    if (expected) {
      try {
        const results = await this.writeExpected(group, expected);
        this.groups.inc({ path: 'expected' });
        return results;
      } catch (error) {
        if (!isExpectationFailure(error)) throw error;
        this.groups.inc({ path: 'expectation_failed' });
      }
    }
    const results = await this.writeChecked(group);
    this.groups.inc({ path: 'checked' });
    return results;
  }

  /** The group in one round trip, from the facts `expected` (writeGroup); throws an expectation failure when they do not hold. */
  private async writeExpected(group: IngestRequest[], expected: ExpectedFacts): Promise<GroupResult[]> {
    const results = new Array<GroupResult | undefined>(group.length);
    const placed: Placement = [];
    const leaves = placeGroup(group, results, placed);
    const check = expectationSql(
      [
        `${TREE_SIZE_CALL} = ${expected.treeSize}`,
        this.scopes.revisionsUnchangedSql(expected.revisions),
        ...(expected.keys.length > 0 ? [noStoredKeysSql(expected.keys)] : []),
      ],
      `the log holds ${expected.treeSize} leaves, the contracts have the revisions this group was prepared with, and none of its Idempotency-Keys is stored`,
    );
    const appended = await inOwnTransaction(this.dataSource, async (client, manager) => {
      const { outcome, nodesSql } = await this.ledger.extend(manager, expected.treeSize, leaves);
      await this.writeRows(group, placed, outcome, nodesSql, client, ['BEGIN', APPEND_LOCK_SQL, check]);
      return outcome;
    });
    return this.answered(group, results, placed, appended);
  }

  /** The group in two round trips, reading under the lock first (writeGroup). */
  private async writeChecked(group: IngestRequest[]): Promise<GroupResult[]> {
    const results = new Array<GroupResult | undefined>(group.length);
    const placed: Placement = [];
    const sizeBefore = this.ledger.lastCommittedSize();
    let found = null as number | null;
    const appended: AppendOutcome | null = await inOwnTransaction(this.dataSource, async (client, manager) => {
      results.fill(undefined);
      placed.length = 0;
      const startIndex = await this.openGroup(group, results, client, manager);
      found = startIndex;
      const leaves = placeGroup(group, results, placed);
      if (leaves.length === 0) {
        // Every request was answered without appending: nothing to write.
        await client.query('ROLLBACK');
        return null;
      }
      const { outcome, nodesSql } = await this.ledger.extend(manager, startIndex, leaves);
      await this.writeRows(group, placed, outcome, nodesSql, client, []);
      return outcome;
    });
    // Whether another process appended since this one's last group (ExpectationGate).
    if (found !== null) this.gate.checked(sizeBefore, found);
    return this.answered(group, results, placed, appended);
  }

  /** After the commit: the placed requests' answers, with their leaf indexes. */
  private answered(group: IngestRequest[], results: Array<GroupResult | undefined>, placed: Placement, appended: AppendOutcome | null): GroupResult[] {
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
   * The group's first round trip: BEGIN and the ledger's lock, then under it (each read a statement of its own,
   * so its snapshot is taken once the lock is granted) the revisions of the group's contracts, the tree size and
   * the group's Idempotency-Keys already stored. Returns the tree size, having answered or rebuilt the requests
   * those reads concern (refreshScopes, answerStoredKeys).
   */
  private async openGroup(group: IngestRequest[], results: Array<GroupResult | undefined>, client: PoolClient, manager: EntityManager): Promise<number> {
    const contractIds = [...new Set(group.flatMap((request) => request.contractIds))];
    const keys = new Map<string, { organisationId: string; key: string }>();
    for (const { idempotency, submittedBy } of group) {
      if (idempotency) keys.set(keyId(submittedBy.organisationId, idempotency.key), { organisationId: submittedBy.organisationId, key: idempotency.key });
    }
    const statements = ['BEGIN', APPEND_LOCK_SQL, this.scopes.revisionsSql(contractIds), `SELECT ${TREE_SIZE_CALL} AS size`];
    if (keys.size > 0) statements.push(storedKeysSql([...keys.values()]));
    const answers = await queryTogether(client, statements);
    await this.refreshScopes(group, results, this.scopes.revisionsFromRows(answers[2].rows), manager);
    if (keys.size > 0) answerStoredKeys(group, results, storedKeysFromRows(answers[4].rows));
    return Number((answers[3].rows[0] as { size: string }).size);
  }

  /**
   * The group's last round trip: `before` (the expected path's BEGIN, lock and check), the appended requests' rows (one
   * COPY), the tree's new nodes, their keys, figures and rollout counters; COMMIT.
   */
  private async writeRows(
    group: IngestRequest[],
    placed: Placement,
    outcome: AppendOutcome,
    nodesSql: string | null,
    client: PoolClient,
    before: readonly string[],
  ): Promise<void> {
    const runs: Buffer[] = [];
    const keys: KeyToStore[] = [];
    const rolloutGroups = new Map<string, RolloutGroup>();
    for (const { at, offset } of placed) {
      const { batch, idempotency, submittedBy } = group[at];
      const first = outcome.startIndex + offset;
      batch.indexAt.forEach((position, i) => batch.payload.patchInt8(position, first + i));
      runs.push(batch.payload.tuples());
      if (idempotency) keys.push({ ...idempotency, organisationId: submittedBy.organisationId, firstLeafIndex: first, flags: batch.flagsOut });
      for (const [key, counted] of batch.rolloutGroups) {
        const sum = rolloutGroups.get(key);
        if (sum) sum.count += counted.count;
        else rolloutGroups.set(key, { ...counted });
      }
    }
    const writes = [
      nodesSql,
      keysInsertSql(keys),
      figuresUpsertSql(placed.map(({ at }) => group[at].batch.figures)),
      // Last before the commit, so the counter rows are held only until it; lock order is always ledger lock → counter row.
      this.rollout.recordTransfersSql([...rolloutGroups.values()]),
    ].filter((sql): sql is string => sql !== null);
    const tags = await copyAmong(client, before, COPY_RECORDS, joinTuples(runs), [...writes, 'COMMIT']);
    // A COMMIT of an aborted transaction answers ROLLBACK; an error ends the message before it, so this cannot be.
    if (tags[tags.length - 1] !== 'COMMIT') throw new Error(`the group's transaction ended with ${tags[tags.length - 1]}, not COMMIT`);
  }

  /**
   * The flags were computed from scopes read before the transaction: an amendment, termination or filing
   * change that committed since then bumped the contract's revision. Read under the lock (openGroup: a
   * statement after the lock's, so a fresh READ COMMITTED snapshot), so a change committed before this point
   * is never missed; only then (rare) are the scopes reloaded and the request rebuilt here.
   */
  private async refreshScopes(
    group: IngestRequest[],
    results: Array<GroupResult | undefined>,
    current: Map<string, number>,
    manager: EntityManager,
  ): Promise<void> {
    const stale = (request: IngestRequest) => request.contractIds.some((id) => request.contracts.get(id)?.bundle.revision !== current.get(id));
    if (!group.some(stale)) return;
    const fresh = await this.scopes.get([...new Set(group.flatMap((request) => request.contractIds))], manager, current);
    group.forEach((request, at) => {
      if (results[at] || !stale(request)) return;
      const contracts = new Map(request.contractIds.flatMap((id) => (fresh.has(id) ? [[id, fresh.get(id) as CachedContract]] : [])));
      try {
        this.assertMayLog(request.principal, request.contractIds, contracts);
      } catch (error) {
        // Its scopes stay those its batch was prepared from: a retry of the transaction finds it stale again and refuses it again.
        results[at] = { error };
        return;
      }
      request.contracts = contracts;
      request.batch = prepareBatch(recordsOfBatch(request.batch), contracts, request.recordedAt, request.submittedBy, this.organisations.geography());
    });
  }

  /** A caller logs only for contracts its organisation is party to; anything else is 404 for the whole request. */
  private assertMayLog(principal: Principal, contractIds: readonly string[], contracts: Map<string, CachedContract>): void {
    const scopes = new Map<string, ResourceScope>();
    for (const [id, contract] of contracts) scopes.set(id, contractScope(contract));
    this.access.requireAll(principal, 'transfer.log', contractIds, scopes, 'Contract');
  }
}

/** A request's validated records, handed over once (`take`): nothing else keeps them while the request waits for its group. */
export interface TransferRecordsOnce {
  take(): TransferRecordInput[];
}

/** The records of a POST /transfers body, validated (parseTransferBody), or 400 with every field error. */
export class TransferRecordsPipe implements PipeTransform<unknown, TransferRecordsOnce> {
  transform(body: unknown): TransferRecordsOnce {
    const parsed = parseTransferBody(body);
    if ('errors' in parsed) throw validationFailed(parsed.errors);
    let records: TransferRecordInput[] | undefined = parsed.records;
    return {
      take: () => {
        if (!records) throw new Error('the records of a request are taken once');
        const taken = records;
        records = undefined;
        return taken;
      },
    };
  }
}

/** The COPY of the group's records (their binary tuples follow it, src/database/binary-copy.ts). */
const COPY_RECORDS = `COPY transfer_records (${COPY_COLUMNS.join(', ')}) FROM STDIN (FORMAT binary)`;
