// The columns of transfer_records, declared once (docs/architecture.md#the-transfer-log): the COPY of new rows and
// the CSV export's cells are derived from RECORD_COLUMNS below, the select list the reads check against the leaf
// and the row → view mapping in ./record-reads.ts.
//
// The leaf is the evidence (docs/architecture.md#trust-model, part 3): its hash is in the Merkle tree and the
// signed checkpoints. The columns beside it exist for indexes and filters. What a regulator reads is the leaf's
// value; a column that differs from its leaf is an integrity failure (a rewrite that left the leaf alone), found
// by the list and the self-audit (`leafColumnMismatches`, ./record-reads.ts).
import type { BinaryCopyWriter } from '../database/binary-copy';
import { HASH_SIZE, LEAF_HASH_PREFIX, leafHashOfPrefixed } from '../ledger/domain/merkle';
import { LEAF_ROOM, TransferLeafV1, transferLeafText, writeTransferLeaf } from './domain/transfer-leaf';
import type { TransferView } from './transfer.dto';

/** What a new row is written from: its leaf, and the contract's facts beside it. */
export interface RecordSource {
  leaf: TransferLeafV1;
  processorJurisdiction: string;
  recipientJurisdiction: string;
  sector: string;
}

/** A row as the reads select it (`leafColumnsSql`): bigint as text, timestamps also as microseconds since the epoch (`<column>_us`, text). */
export type LeafColumnsRow = Readonly<Record<string, unknown>>;

export interface ViewRow extends LeafColumnsRow {
  leaf_index: string;
  sector: string;
  leaf: Buffer;
}

/** `leafHash` and `leaf` are bytea; `writeRecordRow` encodes the leaf in place and hashes it there. */
export type ColumnType = 'int8' | 'int4' | 'uuid' | 'text' | 'instant' | 'textArray' | 'bool' | 'leafHash' | 'leaf';

/** One cell of the CSV export: its header and its SQL over the row `t`, the leaf as jsonb `l.j` and the parties' names. */
interface CsvCell {
  header: string;
  sql: string;
  /** Organisation-controlled text: always quoted, and guarded against formulas (`csvCell`). */
  quoted?: boolean;
}

interface RecordColumn {
  name: string;
  type: ColumnType;
  /** Its value in a new row. */
  value: (record: RecordSource) => unknown;
  /** The leaf member the column repeats; the reads compare the two (`same`, by default by `type`). */
  member?: string;
  same?: (row: LeafColumnsRow, leaf: TransferLeafV1) => boolean;
  /** Selected for the comparison of another column's member (`same`) without a member of its own. */
  read?: true;
  /** Its member of the view (GET /transfers), by default the leaf's member of the same name. */
  view?: { key: keyof TransferView; from?: (leaf: TransferLeafV1, row: ViewRow) => unknown };
  csv?: CsvCell[];
}

const LIST_SEPARATOR = "'; '";

function leafText(member: string): string {
  return `(l.j->>'${member}')`;
}

function leafList(member: string): string {
  return `array_to_string(ARRAY(SELECT jsonb_array_elements_text(l.j->'${member}')), ${LIST_SEPARATOR})`;
}

/**
 * CSV injection (OWASP "CSV Injection"): a spreadsheet treats a cell starting with =, +, -, @, a tab
 * or a carriage return as a formula, so such a cell of organisation-controlled text gets a leading
 * single quote ('=1+1 is shown as text). The ndjson export and the leaves keep the exact text.
 */
export function csvCell(expression: string): string {
  return `CASE WHEN left(${expression}, 1) IN ('=', '+', '-', '@', E'\\t', E'\\r') THEN '''' || ${expression} ELSE ${expression} END`;
}

const cell = (header: string, sql = leafText(header)): CsvCell => ({ header, sql });
const quoted = (header: string, sql: string): CsvCell => ({ header, sql, quoted: true });
const names = (party: 'processor' | 'recipient'): CsvCell[] => [
  quoted(`${party}Name`, `${party}.legal_name`),
  quoted(`${party}NameZh`, `${party}.legal_name_zh`),
];

/** How a value of each type goes into the binary COPY (the leaf and its hash: `writeRecordRow`). */
const WRITE: Record<Exclude<ColumnType, 'leafHash' | 'leaf'>, (out: BinaryCopyWriter, value: never) => void> = {
  int8: (out, v: number) => out.int8(v),
  int4: (out, v: number) => out.int4(v),
  uuid: (out, v: string) => out.uuid(v),
  text: (out, v: string | null) => out.text(v),
  instant: (out, v: string) => out.timestamptz(v),
  textArray: (out, v: readonly string[]) => out.textArray(v),
  bool: (out, v: boolean) => out.bool(v),
};

/** A column that repeats the leaf member of the same name (camelCase). */
function repeats(name: string, type: ColumnType, member: keyof TransferLeafV1, csv: CsvCell[] = [cell(member)]): RecordColumn {
  return { name, type, member, value: ({ leaf }) => leaf[member], view: { key: member as keyof TransferView }, csv };
}

/**
 * The record's columns in the order of its view (GET /transfers) and of the CSV export. leaf_index comes first:
 * a new row is written before the ledger assigns it, and its place is patched in (`writeRecordRow`).
 */
export const RECORD_COLUMNS: readonly RecordColumn[] = [
  {
    name: 'leaf_index',
    type: 'int8',
    value: () => 0,
    view: { key: 'leafIndex', from: (_leaf, row) => Number(row.leaf_index) },
    csv: [cell('leafIndex', 't.leaf_index')],
  },
  repeats('contract_id', 'uuid', 'contractId'),
  repeats('contract_version', 'int4', 'contractVersion'),
  repeats('processor_id', 'uuid', 'processorId', [cell('processorId'), ...names('processor')]),
  repeats('recipient_id', 'uuid', 'recipientId', [cell('recipientId'), ...names('recipient')]),
  // The processor's registered sector, not part of the leaf.
  {
    name: 'sector',
    type: 'text',
    value: (r) => r.sector,
    view: { key: 'sector', from: (_leaf, row) => row.sector },
    csv: [cell('sector', 't.sector')],
  },
  repeats('occurred_at', 'instant', 'occurredAt', [
    cell('occurredAt'),
    cell('occurredAtHongKong', `to_char((${leafText('occurredAt')})::timestamptz AT TIME ZONE 'Asia/Hong_Kong', 'YYYY-MM-DD HH24:MI:SS')`),
  ]),
  repeats('recorded_at', 'instant', 'recordedAt'),
  repeats('direction', 'text', 'direction'),
  repeats('data_subject_count', 'int8', 'dataSubjectCount'),
  repeats('record_count', 'int8', 'recordCount'),
  repeats('personal_information_categories', 'textArray', 'personalInformationCategories', [
    cell('personalInformationCategories', leafList('personalInformationCategories')),
  ]),
  repeats('sensitive_categories', 'textArray', 'sensitiveCategories', [cell('sensitiveCategories', leafList('sensitiveCategories'))]),
  repeats('purposes', 'textArray', 'purposes', [quoted('purposes', csvCell(leafList('purposes')))]),
  repeats('transfer_method', 'text', 'transferMethod', [quoted('transferMethod', csvCell(leafText('transferMethod')))]),
  repeats('separate_consent_obtained', 'bool', 'separateConsentObtained'),
  {
    name: 'onward_recipient_name',
    type: 'text',
    value: ({ leaf }) => leaf.onwardRecipient?.name ?? null,
    member: 'onwardRecipient',
    same: (row, { onwardRecipient: onward }) =>
      onward === null || onward === undefined
        ? row.onward_recipient_name === null && row.onward_recipient_city === null
        : row.onward_recipient_name === onward.name && row.onward_recipient_city === onward.city,
    view: { key: 'onwardRecipient', from: ({ onwardRecipient: onward }) => (onward ? { name: onward.name, city: onward.city } : null) },
    csv: [quoted('onwardRecipientName', csvCell(`(l.j->'onwardRecipient'->>'name')`))],
  },
  {
    name: 'onward_recipient_city',
    type: 'text',
    value: ({ leaf }) => leaf.onwardRecipient?.city ?? null,
    read: true,
    csv: [cell('onwardRecipientCity', `(l.j->'onwardRecipient'->>'city')`)],
  },
  repeats('payload_digest', 'text', 'payloadDigest'),
  repeats('external_reference', 'text', 'externalReference', [quoted('externalReference', csvCell(leafText('externalReference')))]),
  repeats('flags', 'textArray', 'flags', [cell('flags', leafList('flags'))]),
  {
    name: 'submitted_by_organisation_id',
    type: 'uuid',
    value: ({ leaf }) => leaf.submittedBy.organisationId,
    member: 'submittedBy',
    same: (row, leaf) => row.submitted_by_organisation_id === leaf.submittedBy?.organisationId && row.submitted_by === leaf.submittedBy?.principalId,
    view: { key: 'submittedByOrganisationId', from: (leaf) => leaf.submittedBy.organisationId },
  },
  { name: 'submitted_by', type: 'uuid', value: ({ leaf }) => leaf.submittedBy.principalId, read: true },
  { name: 'processor_jurisdiction', type: 'text', value: (r) => r.processorJurisdiction },
  { name: 'recipient_jurisdiction', type: 'text', value: (r) => r.recipientJurisdiction },
  { name: 'leaf_hash', type: 'leafHash', value: () => null },
  { name: 'leaf', type: 'leaf', value: (r) => r.leaf },
];
if (RECORD_COLUMNS.findIndex((c) => c.type === 'leafHash') > RECORD_COLUMNS.findIndex((c) => c.type === 'leaf')) {
  throw new Error('writeRecordRow reserves leaf_hash before it writes and hashes the leaf');
}

/** The column names, in the order `writeRecordRow` writes them (the COPY's column list). */
export const COPY_COLUMNS: readonly string[] = RECORD_COLUMNS.map((c) => c.name);

/**
 * Writes one new row into the binary COPY; returns its leaf hash (RFC 9162 §2.1.1, over the leaf's bytes as
 * written: the leaf is encoded once, in place, and hashed there) and where its leaf index (written as 0) is, to be
 * patched (`BinaryCopyWriter.patchInt8`) once the ledger assigned it. The columns of RECORD_COLUMNS written one
 * after the other rather than by a loop over them (README, Performance); `writeRecordRowByColumns` is the loop, and
 * the two write the same bytes (record-columns.spec.ts), which the column names below also check when this loads.
 */
export function writeRecordRow(out: BinaryCopyWriter, record: RecordSource): { leafHash: Buffer; leafIndexAt: number } {
  const { leaf } = record;
  const onward = leaf.onwardRecipient;
  out.tuple(RECORD_COLUMNS.length);
  const leafIndexAt = out.position;
  out.int8(0);
  out.uuid(leaf.contractId);
  out.int4(leaf.contractVersion);
  out.uuid(leaf.processorId);
  out.uuid(leaf.recipientId);
  out.text(record.sector);
  out.timestamptz(leaf.occurredAt);
  out.timestamptz(leaf.recordedAt);
  out.text(leaf.direction);
  out.int8(leaf.dataSubjectCount);
  out.int8(leaf.recordCount);
  out.textArray(leaf.personalInformationCategories);
  out.textArray(leaf.sensitiveCategories);
  out.textArray(leaf.purposes);
  out.text(leaf.transferMethod);
  out.bool(leaf.separateConsentObtained);
  out.text(onward?.name ?? null);
  out.text(onward?.city ?? null);
  out.text(leaf.payloadDigest);
  out.text(leaf.externalReference);
  out.textArray(leaf.flags);
  out.uuid(leaf.submittedBy.organisationId);
  out.uuid(leaf.submittedBy.principalId);
  out.text(record.processorJurisdiction);
  out.text(record.recipientJurisdiction);
  const hashAt = out.reserveBytea(HASH_SIZE);
  const leafHash = writeLeaf(out, leaf);
  out.patchBytes(hashAt, leafHash);
  return { leafHash, leafIndexAt };
}

/** The columns `writeRecordRow` writes, in its order. */
const WRITTEN_IN_ORDER = [
  'leaf_index',
  'contract_id',
  'contract_version',
  'processor_id',
  'recipient_id',
  'sector',
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
  'submitted_by_organisation_id',
  'submitted_by',
  'processor_jurisdiction',
  'recipient_jurisdiction',
  'leaf_hash',
  'leaf',
];
if (WRITTEN_IN_ORDER.join() !== RECORD_COLUMNS.map((c) => c.name).join()) {
  throw new Error('writeRecordRow writes other columns than RECORD_COLUMNS, or in another order');
}

/** The leaf's RFC 8785 bytes (`transferLeafBytes`) written in place, or its text form when the writer does not take the leaf; returns its leaf hash. */
function writeLeaf(out: BinaryCopyWriter, leaf: TransferLeafV1): Buffer {
  return (
    out.writtenBytea(LEAF_ROOM, writeTransferLeaf, leaf, LEAF_HASH_PREFIX, leafHashOfPrefixed) ??
    out.textBytea(transferLeafText(leaf), LEAF_HASH_PREFIX, leafHashOfPrefixed)
  );
}

/** `writeRecordRow` by a loop over RECORD_COLUMNS, each column's value and type: the declaration it must agree with. */
export function writeRecordRowByColumns(out: BinaryCopyWriter, record: RecordSource): { leafHash: Buffer; leafIndexAt: number } {
  out.tuple(RECORD_COLUMNS.length);
  const leafIndexAt = out.position;
  let hashAt = -1;
  let leafHash: Buffer | undefined;
  for (const column of RECORD_COLUMNS) {
    if (column.type === 'leafHash') hashAt = out.reserveBytea(HASH_SIZE);
    else if (column.type === 'leaf') {
      leafHash = writeLeaf(out, record.leaf);
      out.patchBytes(hashAt, leafHash);
    } else (WRITE[column.type] as (out: BinaryCopyWriter, value: unknown) => void)(out, column.value(record));
  }
  return { leafHash: leafHash as Buffer, leafIndexAt };
}

/** The leaves of the rows `writeRecordRow` wrote (a writer's `tuples()`), in order: each tuple's last column, decoded. */
export function leavesOfRows(tuples: Buffer): TransferLeafV1[] {
  const leaves: TransferLeafV1[] = [];
  let at = 0;
  while (at < tuples.length) {
    const fields = tuples.readInt16BE(at);
    at += 2;
    for (let field = 1; field < fields; field++) at += 4 + Math.max(0, tuples.readInt32BE(at));
    const length = tuples.readInt32BE(at);
    leaves.push(JSON.parse(tuples.toString('utf8', at + 4, at + 4 + length)) as TransferLeafV1);
    at += 4 + length;
  }
  return leaves;
}

/** The cells of the CSV export, in order: header and SQL. */
export const CSV_CELLS: readonly CsvCell[] = RECORD_COLUMNS.flatMap((c) => c.csv ?? []);
