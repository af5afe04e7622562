// GET /transfers and GET /transfers/summary: what a regulator or a party reads of the log, from the leaves.
import { Injectable } from '@nestjs/common';
import { AccessService } from '../access/access.service';
import { ReadReplicas } from '../cluster/read-replicas';
import { DomainError, ErrorCode } from '../common/errors';
import { cursorScope, decodeCursor, encodeCursor, isInstantAndBigint, Page } from '../common/pagination';
import { Principal } from '../common/roles';
import { preparedQuery, statementName } from '../database/prepared';
import { LedgerIntegrity } from '../ledger/ledger.integrity';
import { ContractScopeCache } from './contract-scope-cache';
import { TransferLeafV1 } from './domain/transfer-leaf';
import { ViewRow } from './record-columns';
import { decodeLeaf, leafColumnMismatchesByColumns, leafColumnsDetail, rowAgreesWithLeaf, toView, VIEW_COLUMNS_SQL } from './record-reads';
import { contractScope } from './transfer-batch';
import { ListTransfersQuery, TransferSummary, TransferView } from './transfer.dto';
import { whereBranches } from './transfer-filters';

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

/** Aggregated from the leaves (docs/architecture.md#trust-model, part 3): one pass over the contract's rows, each leaf read as jsonb. */
const SUMMARY_SQL = `WITH r AS (
         SELECT t.leaf_index, l.j FROM transfer_records t CROSS JOIN LATERAL (SELECT convert_from(t.leaf, 'UTF8')::jsonb AS j) l
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
         FROM r`;

@Injectable()
export class TransferQueries {
  constructor(
    private readonly scopes: ContractScopeCache,
    private readonly integrity: LedgerIntegrity,
    private readonly access: AccessService,
    private readonly reads: ReadReplicas,
  ) {}

  async list(principal: Principal, query: ListTransfersQuery): Promise<Page<TransferView>> {
    const limit = query.limit ?? 100;
    const scope = cursorScope('transfers', query);
    const after = decodeCursor(query.cursor, 2, isInstantAndBigint, scope) as [string, string] | null;
    const params: unknown[] = [];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const branches = whereBranches(this.access, principal, query, bind);
    const cursor = after ? ` AND (t.occurred_at, t.leaf_index) > (${bind(after[0])}::timestamptz, ${bind(after[1])}::bigint)` : '';
    const rowLimit = `${bind(limit + 1)}::int`;
    const select = (where: string) =>
      `SELECT ${VIEW_COLUMNS_SQL} FROM transfer_records t WHERE ${where}${cursor} ORDER BY t.occurred_at, t.leaf_index LIMIT ${rowLimit}`;
    const sql =
      branches.length === 1
        ? select(branches[0])
        : `SELECT * FROM (${branches.map((b) => `(${select(b)})`).join(' UNION ALL ')}) u ORDER BY u.occurred_at_us, u.leaf_index LIMIT ${rowLimit}`;
    // A regulator's list may come from a replica (docs/scaling.md#read-replicas). Prepared: the text depends only on
    // which filters are given, and planning it over every monthly partition (docs/scaling.md#partitions) would
    // otherwise cost more than running it.
    const rows = await this.reads.read(principal, (db) => preparedQuery<ViewRow>(db, statementName('transfers-list', sql), sql, params));
    const items: TransferView[] = [];
    for (const row of rows.slice(0, limit)) {
      const leaf = decodeLeaf(row.leaf);
      items.push(leaf && rowAgreesWithLeaf(row, leaf) ? toView(row, leaf) : await this.reportedView(row, leaf));
    }
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.occurredAt, String(last.leafIndex)], scope) : null };
  }

  /**
   * A record as its leaf says (docs/architecture.md#trust-model, part 3): every member but the leaf index
   * (its place in the tree) and the sector (the processor's registered sector, not part of the leaf) comes from
   * the leaf. `list` serves a row that agrees with its leaf at once; this is the rest. A column that differs from
   * the leaf is reported as an integrity failure, as the self-audit does, and the leaf's value is served; a leaf
   * that is not JSON is reported and refused (503).
   */
  private async reportedView(row: ViewRow, leaf: TransferLeafV1 | null): Promise<TransferView> {
    const leafIndex = Number(row.leaf_index);
    const members = leaf ? leafColumnMismatchesByColumns(row, leaf) : [];
    if (!leaf || members.length > 0) {
      await this.integrity.report({ kind: 'record-column', level: 0, index: leafIndex, detail: leafColumnsDetail(leafIndex, members) });
    }
    if (!leaf) {
      throw new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'Service unavailable', {
        detail: `Transfer record ${leafIndex} cannot be read from its leaf; it is listed at GET /ledger/integrity`,
      });
    }
    return toView(row, leaf);
  }

  async summary(principal: Principal, contractId: string): Promise<TransferSummary> {
    const contract = (await this.scopes.get([contractId])).get(contractId);
    this.access.require(principal, 'transfer.read', contract, contractScope, 'Contract');
    // A regulator's summary may come from a replica (docs/scaling.md#read-replicas).
    const [row] = await this.reads.read(principal, (db) => preparedQuery<SummaryRow>(db, 'transfers-summary', SUMMARY_SQL, [contractId]));
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
}
