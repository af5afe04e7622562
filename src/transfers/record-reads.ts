// What the reads make of a transfer_records row (docs/architecture.md#trust-model, part 3): the select list of the
// columns that repeat a leaf member, the leaf decoded, each column compared with its member, and the record's view
// (GET /transfers). Derived from RECORD_COLUMNS (./record-columns.ts), the one declaration of the columns; the list
// and the self-audit (`leafColumnMismatches`) find a column that differs from its leaf.
import { normalisedInstantMs } from '../common/instant-ms';
import { TransferLeafV1 } from './domain/transfer-leaf';
import { ColumnType, LeafColumnsRow, RECORD_COLUMNS, ViewRow } from './record-columns';
import type { TransferView } from './transfer.dto';

const sameList = (a: unknown, b: unknown): boolean => Array.isArray(b) && Array.isArray(a) && a.length === b.length && a.every((v, i) => v === b[i]);

/** How a column of each type is compared with its leaf member. */
const SAME: Record<ColumnType, (column: unknown, member: unknown) => boolean> = {
  int8: (c, m) => String(c) === String(m),
  int4: (c, m) => Number(c) === m,
  uuid: (c, m) => c === m,
  text: (c, m) => c === m,
  instant: (c, m) => c === instantMicros(m),
  textArray: sameList,
  bool: (c, m) => c === m,
  leafHash: () => true,
  leaf: () => true,
};

/**
 * A leaf's instant as PostgreSQL writes the column's `<column>_us` (`leafColumnsSql`): the microseconds since the epoch,
 * in decimal. Null for anything but the form the registry writes into a leaf (`normalisedInstantMs`), so a leaf member
 * in another form never equals its column. Exact to the microsecond: a column moved by 1 µs differs. Read off the
 * digits: `Date.parse` and `toISOString` for each of a page's 200 instants cost the list as much as serialising its
 * answer (docs/scaling.md#read-tails).
 */
export function instantMicros(member: unknown): string | null {
  const ms = typeof member === 'string' ? normalisedInstantMs(member) : null;
  return ms === null ? null : ms === 0 ? '0' : `${ms}000`;
}

const CHECKED = RECORD_COLUMNS.filter((c) => c.member !== undefined || c.read);

/**
 * The select list of the columns that repeat a leaf member, for a table aliased `alias`: timestamps also as
 * microseconds since the epoch (`<column>_us`, compared by `instantMicros`), and text arrays as JSON.
 * - node-postgres parses a `text[]` a character at a time (postgres-array: an object per character), and V8 came to
 *   allocate that garbage in the old generation, where every scavenge keeps what it points to alive; a JSON array is
 *   one `JSON.parse`.
 * - The microseconds cost PostgreSQL about a quarter of what `to_char` cost to format an ISO 8601 text, and they are exact:
 *   `to_char`'s milliseconds hid a column moved by less than one (docs/scaling.md#read-tails).
 */
export function leafColumnsSql(alias: string): string {
  return CHECKED.map((c) => {
    if (c.type === 'instant') return `(extract(epoch FROM ${alias}.${c.name}) * 1000000)::int8 AS ${c.name}_us`;
    if (c.type === 'textArray') return `to_json(${alias}.${c.name}) AS ${c.name}`;
    return `${alias}.${c.name}`;
  }).join(', ');
}

/**
 * What the list reads of a row (`ViewRow`): the leaf, and the columns it is checked against. A union of branches is
 * ordered by `occurred_at_us` (the same order as `occurred_at`, to the microsecond): `occurred_at` itself is not read,
 * as node-postgres would parse it into a Date that nothing uses (1.8% of an audit query's CPU in a profile, 3 December).
 */
export const VIEW_COLUMNS_SQL = `t.leaf_index, t.sector, t.leaf, ${leafColumnsSql('t')}`;

/** The leaf decoded, or null when its bytes are not a JSON object (a rewritten leaf; its hash check names it too). */
export function decodeLeaf(leaf: Buffer): TransferLeafV1 | null {
  try {
    const value: unknown = JSON.parse(leaf.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as TransferLeafV1) : null;
  } catch {
    return null;
  }
}

/**
 * The leaf members whose column differs from the leaf, by the leaf's member names; [] when the row agrees with its
 * leaf. `rowAgreesWithLeaf` answers first, without the loop; the loop names the members only when it does not agree.
 */
export function leafColumnMismatches(row: LeafColumnsRow, leaf: TransferLeafV1): string[] {
  return rowAgreesWithLeaf(row, leaf) ? [] : leafColumnMismatchesByColumns(row, leaf);
}

/**
 * Whether every column of RECORD_COLUMNS that repeats a leaf member agrees with it, compared one after the other as
 * `leafColumnMismatchesByColumns` compares them by a loop over the declaration (README, Performance: the loop, whose
 * reads by computed names were 7% of the registry's CPU per audit query, took 400 µs a page of 100 records, this 218).
 * record-columns.spec.ts changes each column and each member in turn, to values of any type, and expects the two to
 * agree.
 */
export function rowAgreesWithLeaf(row: LeafColumnsRow, leaf: TransferLeafV1): boolean {
  const onward = leaf.onwardRecipient;
  const by = leaf.submittedBy;
  return (
    row.contract_id === leaf.contractId &&
    Number(row.contract_version) === leaf.contractVersion &&
    row.processor_id === leaf.processorId &&
    row.recipient_id === leaf.recipientId &&
    row.occurred_at_us === instantMicros(leaf.occurredAt) &&
    row.recorded_at_us === instantMicros(leaf.recordedAt) &&
    row.direction === leaf.direction &&
    String(row.data_subject_count) === String(leaf.dataSubjectCount) &&
    String(row.record_count) === String(leaf.recordCount) &&
    sameList(row.personal_information_categories, leaf.personalInformationCategories) &&
    sameList(row.sensitive_categories, leaf.sensitiveCategories) &&
    sameList(row.purposes, leaf.purposes) &&
    row.transfer_method === leaf.transferMethod &&
    row.separate_consent_obtained === leaf.separateConsentObtained &&
    (onward === null || onward === undefined
      ? row.onward_recipient_name === null && row.onward_recipient_city === null
      : row.onward_recipient_name === onward.name && row.onward_recipient_city === onward.city) &&
    row.payload_digest === leaf.payloadDigest &&
    row.external_reference === leaf.externalReference &&
    sameList(row.flags, leaf.flags) &&
    row.submitted_by_organisation_id === by?.organisationId &&
    row.submitted_by === by?.principalId
  );
}

/** `leafColumnMismatches` by a loop over RECORD_COLUMNS: the declaration `rowAgreesWithLeaf` must agree with, and the members' names. */
export function leafColumnMismatchesByColumns(row: LeafColumnsRow, leaf: TransferLeafV1): string[] {
  const out: string[] = [];
  for (const c of RECORD_COLUMNS) {
    if (c.member === undefined) continue;
    const column = row[c.type === 'instant' ? `${c.name}_us` : c.name];
    const same = c.same ? c.same(row, leaf) : SAME[c.type](column, leaf[c.member as keyof TransferLeafV1]);
    if (!same) out.push(c.member);
  }
  return out;
}

/** The integrity failure's detail for a row whose columns differ from its leaf. */
export function leafColumnsDetail(leafIndex: number, members: readonly string[]): string {
  return members.length === 0
    ? `record ${leafIndex}: its leaf is not a JSON object`
    : `record ${leafIndex}: the column${members.length > 1 ? 's' : ''} of ${members.join(', ')} differ${members.length > 1 ? '' : 's'} from its leaf; the leaf's value is served`;
}

/**
 * A record as its leaf says; only the leaf index and the sector come from the row. One object literal in the view's
 * order, as `toViewByColumns` builds it by a loop over RECORD_COLUMNS. On a page of 100 records (README, Performance)
 * the loop took 268 µs and the literal 6; and the loop's objects, given their members one by one from an empty
 * object (V8 keeps all but its first four outside the object), took 464 µs to serialise against the literals' 295.
 * record-columns.spec.ts checks that the two agree, member for member and in the same order.
 */
export function toView(row: ViewRow, leaf: TransferLeafV1): TransferView {
  const onward = leaf.onwardRecipient;
  return {
    leafIndex: Number(row.leaf_index),
    contractId: leaf.contractId,
    contractVersion: leaf.contractVersion,
    processorId: leaf.processorId,
    recipientId: leaf.recipientId,
    sector: row.sector,
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
    onwardRecipient: onward ? { name: onward.name, city: onward.city } : null,
    payloadDigest: leaf.payloadDigest,
    externalReference: leaf.externalReference,
    flags: leaf.flags,
    submittedByOrganisationId: leaf.submittedBy.organisationId,
  };
}

/** `toView` by a loop over RECORD_COLUMNS: the declaration it must agree with. */
export function toViewByColumns(row: ViewRow, leaf: TransferLeafV1): TransferView {
  const view: Record<string, unknown> = {};
  for (const { view: member } of RECORD_COLUMNS) {
    if (member) view[member.key] = member.from ? member.from(leaf, row) : leaf[member.key as keyof TransferLeafV1];
  }
  return view as unknown as TransferView;
}
