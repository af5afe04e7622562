import { Injectable } from '@nestjs/common';
import { AccessService } from '../access/access.service';
import { ReadReplicas } from '../cluster/read-replicas';
import type { Principal } from '../common/roles';
import { TransferFigureRow, TransferFiguresQuery, TransferFiguresView } from './figures.dto';

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
    return { figures: rows.map(toFigure) };
  }
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
