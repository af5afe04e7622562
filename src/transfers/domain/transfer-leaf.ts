// The ledger leaf of a transfer record (docs/architecture.md#the-transfer-log; README "Leaf format").
//
// leaf = RFC 8785 canonical JSON (UTF-8) of the stored record, including its
// compliance flags and recordedAt. Every member is always present (null when
// empty), so the bytes depend on nothing but the record. The leaf does not
// carry its own leaf index: its position in the tree is what the inclusion
// proof proves. `schema` names the version of this layout; a new layout gets a
// new name and old leaves keep theirs.
import type { Direction } from '../../organisations/gba';
import { canonicalJson } from '../../ledger/domain/canonical-json';

export const TRANSFER_LEAF_SCHEMA_V1 = 'gba-registry.transfer-record.v1';

export interface TransferLeafV1 {
  schema: typeof TRANSFER_LEAF_SCHEMA_V1;
  contractId: string;
  /** The contract version in force at occurredAt, against which flags were computed. */
  contractVersion: number;
  processorId: string;
  recipientId: string;
  /** UTC, ISO 8601 with milliseconds: `2025-02-01T03:00:00.000Z`. */
  occurredAt: string;
  /** When the registry accepted the request (UTC, milliseconds). */
  recordedAt: string;
  direction: Direction;
  dataSubjectCount: number;
  recordCount: number;
  personalInformationCategories: string[];
  sensitiveCategories: string[];
  purposes: string[];
  transferMethod: string;
  separateConsentObtained: boolean;
  onwardRecipient: { name: string; city: string } | null;
  /** SHA-256 of the dataset sent, lower-case hex. */
  payloadDigest: string;
  externalReference: string;
  /** Compliance flags, sorted; [] for a clean record. */
  flags: string[];
  submittedBy: { organisationId: string; principalType: 'user' | 'service_account'; principalId: string };
}

export function transferLeafBytes(leaf: TransferLeafV1): Buffer {
  return Buffer.from(fastLeafText(leaf) ?? canonicalJson(leaf), 'utf8');
}

const LEAF_MEMBERS = 20;
const SURROGATE = /[\uD800-\uDFFF]/;

/** JSON.stringify of a string is its RFC 8785 form unless it holds a (possibly lone) surrogate. */
function plainString(value: unknown): value is string {
  return typeof value === 'string' && !SURROGATE.test(value);
}

function plainStrings(values: unknown): values is string[] {
  if (!Array.isArray(values)) return false;
  for (const v of values) if (!plainString(v)) return false;
  return true;
}

function str(values: string[]): string {
  let out = '[';
  for (let i = 0; i < values.length; i++) out += (i ? ',' : '') + JSON.stringify(values[i]);
  return out + ']';
}

/**
 * The same bytes as canonicalJson(leaf), written out in RFC 8785 member order
 * for the fixed v1 layout (the generic serialiser sorts and path-tracks
 * every member of every record). Anything unusual (a surrogate,
 * a non-finite number, an extra or missing member) returns null and takes the
 * generic path, which also produces the error; transfer-leaf.spec.ts checks
 * both paths agree on random leaves.
 */
function fastLeafText(leaf: TransferLeafV1): string | null {
  const l = leaf as unknown as Record<string, unknown>;
  const onward = leaf.onwardRecipient;
  const by = leaf.submittedBy;
  if (
    Object.keys(l).length !== LEAF_MEMBERS ||
    !plainString(leaf.schema) ||
    !plainString(leaf.contractId) ||
    !Number.isFinite(leaf.contractVersion) ||
    !plainString(leaf.processorId) ||
    !plainString(leaf.recipientId) ||
    !plainString(leaf.occurredAt) ||
    !plainString(leaf.recordedAt) ||
    !plainString(leaf.direction) ||
    !Number.isFinite(leaf.dataSubjectCount) ||
    !Number.isFinite(leaf.recordCount) ||
    !plainStrings(leaf.personalInformationCategories) ||
    !plainStrings(leaf.sensitiveCategories) ||
    !plainStrings(leaf.purposes) ||
    !plainString(leaf.transferMethod) ||
    typeof leaf.separateConsentObtained !== 'boolean' ||
    !plainString(leaf.payloadDigest) ||
    !plainString(leaf.externalReference) ||
    !plainStrings(leaf.flags) ||
    !(onward === null || (isPlain(onward, 2) && plainString(onward.name) && plainString(onward.city))) ||
    !(isPlain(by, 3) && plainString(by.organisationId) && plainString(by.principalType) && plainString(by.principalId))
  ) {
    return null;
  }
  return (
    `{"contractId":${JSON.stringify(leaf.contractId)}` +
    `,"contractVersion":${JSON.stringify(leaf.contractVersion)}` +
    `,"dataSubjectCount":${JSON.stringify(leaf.dataSubjectCount)}` +
    `,"direction":${JSON.stringify(leaf.direction)}` +
    `,"externalReference":${JSON.stringify(leaf.externalReference)}` +
    `,"flags":${str(leaf.flags)}` +
    `,"occurredAt":${JSON.stringify(leaf.occurredAt)}` +
    `,"onwardRecipient":${onward === null ? 'null' : `{"city":${JSON.stringify(onward.city)},"name":${JSON.stringify(onward.name)}}`}` +
    `,"payloadDigest":${JSON.stringify(leaf.payloadDigest)}` +
    `,"personalInformationCategories":${str(leaf.personalInformationCategories)}` +
    `,"processorId":${JSON.stringify(leaf.processorId)}` +
    `,"purposes":${str(leaf.purposes)}` +
    `,"recipientId":${JSON.stringify(leaf.recipientId)}` +
    `,"recordCount":${JSON.stringify(leaf.recordCount)}` +
    `,"recordedAt":${JSON.stringify(leaf.recordedAt)}` +
    `,"schema":${JSON.stringify(leaf.schema)}` +
    `,"sensitiveCategories":${str(leaf.sensitiveCategories)}` +
    `,"separateConsentObtained":${leaf.separateConsentObtained ? 'true' : 'false'}` +
    `,"submittedBy":{"organisationId":${JSON.stringify(by.organisationId)},"principalId":${JSON.stringify(by.principalId)},"principalType":${JSON.stringify(by.principalType)}}` +
    `,"transferMethod":${JSON.stringify(leaf.transferMethod)}}`
  );
}

function isPlain(value: unknown, members: number): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && Object.keys(value).length === members;
}
