import { sqlArray } from '../database/sql-literals';
import { gbaCalendarDate } from './domain/compliance-flags';

/**
 * Monthly transfer figures (docs/api.md#transfer-figures): the transfer log rolled up per month (in Hong Kong
 * time), processor's sector, direction and the two parties' sides, in `transfer_figures`. The ingest adds its
 * cells in the transaction that appends the records (`figuresUpsertSql`), so the figures never disagree with the
 * log; the sides are kept so that a regulator reads exactly the records of contracts touching its side
 * (src/access/policy.ts `transfer.figures`), as `GET /transfers` does.
 */

/** One cell of the figures: the key columns and the counts added to them. */
export interface FigureCell {
  /** YYYY-MM in Hong Kong time (UTC+8, as the compliance flags count days). */
  month: string;
  sector: string;
  direction: string;
  processorJurisdiction: string;
  recipientJurisdiction: string;
  transfers: number;
  records: number;
  dataSubjects: number;
  flaggedTransfers: number;
}

/** What the figures read of a logged record, its contract and its flags. */
export interface FigureSource {
  occurredAt: string;
  direction: string;
  recordCount: number;
  dataSubjectCount: number;
  flags: readonly string[];
  sector: string;
  processorJurisdiction: string;
  recipientJurisdiction: string;
}

/** The month of an instant in Hong Kong (UTC+8 all year: no daylight saving since 1979). */
export function hongKongMonthOf(instant: string): string {
  return gbaCalendarDate(instant).slice(0, 7);
}

/** Adds records to cells keyed by month, sector, direction and sides (pure: unit-tested in figures.spec.ts). */
export function addToCells(cells: Map<string, FigureCell>, sources: Iterable<FigureSource>): Map<string, FigureCell> {
  // The previous record's cell, when this record's key columns are the same: a batch mostly repeats its cell
  // record after record, and then no key text is made or looked up.
  let last: FigureCell | undefined;
  for (const s of sources) {
    const month = hongKongMonthOf(s.occurredAt);
    let cell = last !== undefined && sameCell(last, month, s) ? last : undefined;
    if (!cell) cell = last = cellOf(cells, month, s);
    cell.transfers += 1;
    cell.records += s.recordCount;
    cell.dataSubjects += s.dataSubjectCount;
    if (s.flags.length > 0) cell.flaggedTransfers += 1;
  }
  return cells;
}

function sameCell(cell: FigureCell, month: string, s: FigureSource): boolean {
  return (
    cell.month === month &&
    cell.sector === s.sector &&
    cell.direction === s.direction &&
    cell.processorJurisdiction === s.processorJurisdiction &&
    cell.recipientJurisdiction === s.recipientJurisdiction
  );
}

/** The cell of `month` and the source's other key columns, added to `cells` (at zero) when it is not there. */
function cellOf(cells: Map<string, FigureCell>, month: string, s: FigureSource): FigureCell {
  const key = `${month}\u0000${s.sector}\u0000${s.direction}\u0000${s.processorJurisdiction}\u0000${s.recipientJurisdiction}`;
  let cell = cells.get(key);
  if (!cell) {
    cell = {
      month,
      sector: s.sector,
      direction: s.direction,
      processorJurisdiction: s.processorJurisdiction,
      recipientJurisdiction: s.recipientJurisdiction,
      transfers: 0,
      records: 0,
      dataSubjects: 0,
      flaggedTransfers: 0,
    };
    cells.set(key, cell);
  }
  return cell;
}

/**
 * A prepared batch's records as figure sources: the record, its contract's sector and sides, its flags. One source
 * object for the batch, its members replaced record by record (as `addToCells` reads each before the next): no
 * object per record.
 */
export function* figureSources(
  records: ReadonlyArray<{ contractId: string; occurredAt: string; direction: string; recordCount: number; dataSubjectCount: number }>,
  contracts: ReadonlyMap<string, { bundle: { processorSector: string; processorJurisdiction: string; recipientJurisdiction: string } }>,
  flags: ReadonlyArray<readonly string[]>,
): Generator<FigureSource> {
  const source: FigureSource = {
    occurredAt: '',
    direction: '',
    recordCount: 0,
    dataSubjectCount: 0,
    flags: [],
    sector: '',
    processorJurisdiction: '',
    recipientJurisdiction: '',
  };
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    const { bundle } = contracts.get(record.contractId) as {
      bundle: { processorSector: string; processorJurisdiction: string; recipientJurisdiction: string };
    };
    source.occurredAt = record.occurredAt;
    source.direction = record.direction;
    source.recordCount = record.recordCount;
    source.dataSubjectCount = record.dataSubjectCount;
    source.flags = flags[i];
    source.sector = bundle.processorSector;
    source.processorJurisdiction = bundle.processorJurisdiction;
    source.recipientJurisdiction = bundle.recipientJurisdiction;
    yield source;
  }
}

/** The figure cells of several batches summed per cell. */
function mergeCells(batches: Iterable<ReadonlyMap<string, FigureCell>>): FigureCell[] {
  const merged = new Map<string, FigureCell>();
  for (const cells of batches) {
    for (const [key, cell] of cells) {
      const sum = merged.get(key);
      if (!sum) merged.set(key, { ...cell });
      else {
        sum.transfers += cell.transfers;
        sum.records += cell.records;
        sum.dataSubjects += cell.dataSubjects;
        sum.flaggedTransfers += cell.flaggedTransfers;
      }
    }
  }
  return [...merged.values()];
}

/**
 * Adds the cells of several batches, summed per cell, to `transfer_figures` with one upsert, inside the transaction
 * that appends their records; SQL text with the values written in (the group's statements go together,
 * src/database/one-message.ts), null without cells. Run under the ledger lock, so each figure row is touched once
 * per commit and appenders take the row locks in one order (ledger lock first).
 */
export function figuresUpsertSql(batches: Iterable<ReadonlyMap<string, FigureCell>>): string | null {
  const cells = mergeCells(batches);
  if (cells.length === 0) return null;
  const column = <K extends keyof FigureCell>(key: K, type: string) =>
    sqlArray(
      cells.map((c) => c[key]),
      type,
    );
  const columns = [
    column('month', 'text'),
    column('sector', 'text'),
    column('direction', 'text'),
    column('processorJurisdiction', 'text'),
    column('recipientJurisdiction', 'text'),
    column('transfers', 'bigint'),
    column('records', 'bigint'),
    column('dataSubjects', 'bigint'),
    column('flaggedTransfers', 'bigint'),
  ];
  return `INSERT INTO transfer_figures (month, sector, direction, processor_jurisdiction, recipient_jurisdiction, transfers, records, data_subjects, flagged_transfers)
     SELECT (m || '-01')::date, s, d, pj, rj, t, r, ds, f
       FROM unnest(${columns.join(', ')}) AS u(m, s, d, pj, rj, t, r, ds, f)
     ON CONFLICT ON CONSTRAINT pk_transfer_figures DO UPDATE SET
       transfers = transfer_figures.transfers + EXCLUDED.transfers,
       records = transfer_figures.records + EXCLUDED.records,
       data_subjects = transfer_figures.data_subjects + EXCLUDED.data_subjects,
       flagged_transfers = transfer_figures.flagged_transfers + EXCLUDED.flagged_transfers`;
}
