// The readable columns of transfer_records against the leaf they were written from
// (docs/architecture.md#trust-model, part 3: views bound to the evidence).
//
// The leaf is the evidence: its hash is in the Merkle tree and the signed checkpoints. The columns beside it
// exist for indexes and filters. What a regulator reads is the leaf's value; a column that differs from its
// leaf is an integrity failure (a rewrite that left the leaf alone), found here by the list and the self-audit.
import { TransferLeafV1 } from './transfer-leaf';

/** The columns of a transfer_records row that repeat a leaf member (timestamps as ISO 8601 UTC with milliseconds). */
export interface LeafColumnsRow {
  contract_id: string;
  contract_version: number;
  processor_id: string;
  recipient_id: string;
  occurred_at_iso: string;
  recorded_at_iso: string;
  direction: string;
  data_subject_count: string;
  record_count: string;
  personal_information_categories: string[];
  sensitive_categories: string[];
  purposes: string[];
  transfer_method: string;
  separate_consent_obtained: boolean;
  onward_recipient_name: string | null;
  onward_recipient_city: string | null;
  payload_digest: string;
  external_reference: string;
  flags: string[];
  submitted_by_organisation_id: string;
  submitted_by: string;
}

/** The SQL select list of those columns for a table aliased `alias`. */
export function leafColumnsSql(alias: string): string {
  const iso = (column: string) => `to_char(${alias}.${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return [
    `${alias}.contract_id`,
    `${alias}.contract_version`,
    `${alias}.processor_id`,
    `${alias}.recipient_id`,
    `${iso('occurred_at')} AS occurred_at_iso`,
    `${iso('recorded_at')} AS recorded_at_iso`,
    `${alias}.direction`,
    `${alias}.data_subject_count`,
    `${alias}.record_count`,
    `${alias}.personal_information_categories`,
    `${alias}.sensitive_categories`,
    `${alias}.purposes`,
    `${alias}.transfer_method`,
    `${alias}.separate_consent_obtained`,
    `${alias}.onward_recipient_name`,
    `${alias}.onward_recipient_city`,
    `${alias}.payload_digest`,
    `${alias}.external_reference`,
    `${alias}.flags`,
    `${alias}.submitted_by_organisation_id`,
    `${alias}.submitted_by`,
  ].join(', ');
}

/** The leaf decoded, or null when its bytes are not a JSON object (a rewritten leaf; its hash check names it too). */
export function decodeLeaf(leaf: Buffer): TransferLeafV1 | null {
  try {
    const value: unknown = JSON.parse(leaf.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as TransferLeafV1) : null;
  } catch {
    return null;
  }
}

const sameList = (a: readonly string[] | null | undefined, b: unknown): boolean =>
  Array.isArray(b) && Array.isArray(a) && a.length === b.length && a.every((v, i) => v === b[i]);

/** The leaf members whose column differs from the leaf, by the leaf's member names; [] when the row agrees with its leaf. */
export function leafColumnMismatches(row: LeafColumnsRow, leaf: TransferLeafV1): string[] {
  const out: string[] = [];
  const check = (member: string, same: boolean) => {
    if (!same) out.push(member);
  };
  check('contractId', row.contract_id === leaf.contractId);
  check('contractVersion', Number(row.contract_version) === leaf.contractVersion);
  check('processorId', row.processor_id === leaf.processorId);
  check('recipientId', row.recipient_id === leaf.recipientId);
  check('occurredAt', row.occurred_at_iso === leaf.occurredAt);
  check('recordedAt', row.recorded_at_iso === leaf.recordedAt);
  check('direction', row.direction === leaf.direction);
  check('dataSubjectCount', String(row.data_subject_count) === String(leaf.dataSubjectCount));
  check('recordCount', String(row.record_count) === String(leaf.recordCount));
  check('personalInformationCategories', sameList(row.personal_information_categories, leaf.personalInformationCategories));
  check('sensitiveCategories', sameList(row.sensitive_categories, leaf.sensitiveCategories));
  check('purposes', sameList(row.purposes, leaf.purposes));
  check('transferMethod', row.transfer_method === leaf.transferMethod);
  check('separateConsentObtained', row.separate_consent_obtained === leaf.separateConsentObtained);
  const onward = leaf.onwardRecipient;
  check(
    'onwardRecipient',
    onward === null || onward === undefined
      ? row.onward_recipient_name === null && row.onward_recipient_city === null
      : row.onward_recipient_name === onward.name && row.onward_recipient_city === onward.city,
  );
  check('payloadDigest', row.payload_digest === leaf.payloadDigest);
  check('externalReference', row.external_reference === leaf.externalReference);
  check('flags', sameList(row.flags, leaf.flags));
  check('submittedBy', row.submitted_by_organisation_id === leaf.submittedBy?.organisationId && row.submitted_by === leaf.submittedBy?.principalId);
  return out;
}

/** The integrity failure's detail for a row whose columns differ from its leaf. */
export function leafColumnsDetail(leafIndex: number, members: readonly string[]): string {
  return members.length === 0
    ? `record ${leafIndex}: its leaf is not a JSON object`
    : `record ${leafIndex}: the column${members.length > 1 ? 's' : ''} of ${members.join(', ')} differ${members.length > 1 ? '' : 's'} from its leaf; the leaf's value is served`;
}
