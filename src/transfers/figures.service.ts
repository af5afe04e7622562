import { Injectable } from '@nestjs/common';
import { AccessService } from '../access/access.service';
import { ReadReplicas } from '../cluster/read-replicas';
import type { Principal } from '../common/roles';
import { preparedQuery, statementName } from '../database/prepared';
import { FlaggedFigures, TransferFigureRow, TransferFiguresQuery, TransferFiguresView } from './figures.dto';
import { whereBranches } from './transfer-filters';

/** Where transfer_figures keeps the sides the access policy reads (a figure row has no parties). */
const FIGURE_SCOPE_COLUMNS = { sides: ['f.processor_jurisdiction', 'f.recipient_jurisdiction'] };

interface FigureRow {
  month: string;
  sector: string;
  direction: string;
  transfers: string;
  records: string;
  data_subjects: string;
  flagged_transfers: string;
}

/** The row of the flagged groups' query: counts come back as text or JSON numbers, instants as JSON strings. */
type Group = Record<string, string> & { flags: Record<string, unknown> | null };
interface FlaggedRow {
  transfers: string;
  by_flag: Group[];
  by_contract: Group[];
  by_organisation: Group[];
}

/** GET /transfers/figures (docs/api.md#transfer-figures): the monthly figures, within the caller's `transfer.figures` scope. */
@Injectable()
export class TransferFiguresService {
  constructor(
    private readonly access: AccessService,
    private readonly reads: ReadReplicas,
  ) {}

  async read(principal: Principal, query: TransferFiguresQuery): Promise<TransferFiguresView> {
    const params: unknown[] = [];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = [];
    if (query.from) where.push(`f.month >= ${bind(`${query.from}-01`)}::date`);
    if (query.to) where.push(`f.month <= ${bind(`${query.to}-01`)}::date`);
    if (query.sector) where.push(`f.sector = ${bind(query.sector)}`);
    if (query.direction) where.push(`f.direction = ${bind(query.direction)}`);
    const condition = this.access.sqlWhere(principal, 'transfer.figures', FIGURE_SCOPE_COLUMNS, bind, { where });
    // A regulator's figures may come from a replica (docs/scaling.md#read-replicas).
    const rows: FigureRow[] = await this.reads.read(principal, (db) =>
      db.query(
        `SELECT to_char(f.month, 'YYYY-MM') AS month, f.sector, f.direction,
                sum(f.transfers)::text AS transfers, sum(f.records)::text AS records,
                sum(f.data_subjects)::text AS data_subjects, sum(f.flagged_transfers)::text AS flagged_transfers
           FROM transfer_figures f WHERE ${condition}
          GROUP BY f.month, f.sector, f.direction ORDER BY f.month, f.sector, f.direction`,
        params,
      ),
    );
    const figures = rows.map(toFigure);
    return query.flagged === 'true' ? { figures, flagged: await this.flaggedGroups(principal, query) } : { figures };
  }

  /**
   * The flagged records grouped by flag, contract and organisation, within the caller's `transfer.read` scope (as
   * GET /transfers?flagged=true): read through the partial indexes on flagged rows (`flags <> '{}'`), so the clean
   * records, most of the log, are never read.
   */
  private async flaggedGroups(principal: Principal, query: TransferFiguresQuery): Promise<FlaggedFigures> {
    const params: unknown[] = [];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const branches = whereBranches(
      this.access,
      principal,
      {
        flagged: 'true',
        sector: query.sector,
        direction: query.direction,
        from: query.from ? `${query.from}-01` : undefined,
        to: query.to ? nextMonth(query.to) : undefined,
      },
      bind,
    );
    const flagged = branches
      .map((b) => `SELECT t.leaf_index, t.contract_id, t.processor_id, t.recipient_id, t.flags, t.occurred_at FROM transfer_records t WHERE ${b}`)
      .join(' UNION ');
    // Prepared, as every read of the partitioned log (docs/scaling.md#partitions): the text depends only on the filters given.
    const sql = flaggedGroupsSql(flagged);
    const [row] = await this.reads.read(principal, (db) => preparedQuery<FlaggedRow>(db, statementName('transfer-figures-flagged', sql), sql, params));
    return toFlaggedFigures(row);
  }
}

/** The first day of the month after a YYYY-MM month, the exclusive end of `to`. */
function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

function toFigure(row: FigureRow): TransferFigureRow {
  return {
    month: row.month,
    sector: row.sector,
    direction: row.direction,
    transfers: Number(row.transfers),
    records: Number(row.records),
    dataSubjects: Number(row.data_subjects),
    flaggedTransfers: Number(row.flagged_transfers),
  };
}

/** The flagged records of `flagged` (a UNION of the caller's branches) grouped by flag, by contract and by organisation, in one statement. */
function flaggedGroupsSql(flagged: string): string {
  return `WITH f AS MATERIALIZED (${flagged}),
          ff AS (SELECT f.*, fl FROM f, unnest(f.flags) AS fl),
          parties AS (SELECT f.*, o AS organisation_id FROM f, unnest(ARRAY[f.processor_id, f.recipient_id]) AS o)
     SELECT (SELECT count(*) FROM f)::text AS transfers,
            (SELECT COALESCE(json_agg(x ORDER BY x.transfers DESC, x.flag), '[]') FROM (
               SELECT fl AS flag, count(*) AS transfers, count(DISTINCT contract_id) AS contracts,
                      (SELECT count(DISTINCT o) FROM ff f2, unnest(ARRAY[f2.processor_id, f2.recipient_id]) o WHERE f2.fl = ff.fl) AS organisations,
                      max(occurred_at) AS "lastSeen"
                 FROM ff GROUP BY fl) x) AS by_flag,
            (SELECT COALESCE(json_agg(x ORDER BY x.transfers DESC, x."contractId"), '[]') FROM (
               SELECT contract_id AS "contractId", min(processor_id::text) AS "processorId", min(recipient_id::text) AS "recipientId",
                      count(*) AS transfers, max(occurred_at) AS "lastSeen",
                      (SELECT json_object_agg(fl, n) FROM (SELECT fl, count(*) AS n FROM ff WHERE ff.contract_id = f.contract_id GROUP BY fl) c) AS flags
                 FROM f GROUP BY contract_id ORDER BY count(*) DESC, contract_id LIMIT 100) x) AS by_contract,
            (SELECT COALESCE(json_agg(x ORDER BY x.transfers DESC, x."organisationId"), '[]') FROM (
               SELECT organisation_id AS "organisationId", count(*) AS transfers, count(DISTINCT contract_id) AS contracts,
                      (SELECT json_object_agg(fl, n) FROM (
                         SELECT fl, count(*) AS n FROM ff WHERE ff.processor_id = p.organisation_id OR ff.recipient_id = p.organisation_id GROUP BY fl) c) AS flags
                 FROM parties p GROUP BY organisation_id ORDER BY count(*) DESC, organisation_id LIMIT 100) x) AS by_organisation`;
}

function toFlaggedFigures(row: FlaggedRow): FlaggedFigures {
  const counts = (o: Record<string, unknown> | null) => Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [k, Number(v)]));
  const instant = (v: string) => new Date(v).toISOString();
  return {
    transfers: Number(row.transfers),
    byFlag: row.by_flag.map((g) => ({
      flag: g.flag,
      transfers: Number(g.transfers),
      contracts: Number(g.contracts),
      organisations: Number(g.organisations),
      lastSeen: instant(g.lastSeen),
    })),
    byContract: row.by_contract.map((g) => ({
      contractId: g.contractId,
      processorId: g.processorId,
      recipientId: g.recipientId,
      transfers: Number(g.transfers),
      flags: counts(g.flags),
      lastSeen: instant(g.lastSeen),
    })),
    byOrganisation: row.by_organisation.map((g) => ({
      organisationId: g.organisationId,
      transfers: Number(g.transfers),
      contracts: Number(g.contracts),
      flags: counts(g.flags),
    })),
  };
}
