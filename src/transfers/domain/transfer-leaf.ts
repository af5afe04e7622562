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

/** Room for one leaf written by `writeTransferLeaf`; a larger leaf takes the generic serialiser. */
export const LEAF_ROOM = 4096;
let scratch: Buffer | null = null;

/**
 * The leaf's RFC 8785 bytes: written by `writeTransferLeaf` in the fixed v1 member order, or, for a leaf it does
 * not take (a member missing or extra, a surrogate, more than LEAF_ROOM bytes), by the generic serialiser, which
 * also gives the error. One fast path and one generic: transfer-leaf.spec.ts checks they agree on random leaves.
 */
export function transferLeafBytes(leaf: TransferLeafV1): Buffer {
  scratch ??= Buffer.allocUnsafe(LEAF_ROOM);
  const end = writeTransferLeaf(leaf, scratch, 0, LEAF_ROOM);
  return end >= 0 ? Buffer.from(scratch.subarray(0, end)) : Buffer.from(transferLeafText(leaf), 'utf8');
}

/** The leaf as the generic RFC 8785 serialiser writes it, for a leaf `writeTransferLeaf` does not take (or its error). */
export function transferLeafText(leaf: TransferLeafV1): string {
  return canonicalJson(leaf);
}

const LEAF_MEMBERS = 20;
const SURROGATE = /[\uD800-\uDFFF]/;

// ---------------------------------------------------------------------------
// The same bytes, written straight into a buffer (the COPY payload of a batch: README, Performance), without a string
// per member or per leaf. State of the write in progress: one leaf at a time, synchronously.
const EMPTY = Buffer.alloc(0);
let out: Buffer = EMPTY;
let pos = 0;
let limit = 0;
let ok = true;

/** Text known to be printable ASCII (member names, punctuation). */
function raw(text: string): void {
  const n = text.length;
  const start = pos;
  if (!ok || start + n > limit) {
    ok = false;
    return;
  }
  const target = out;
  for (let i = 0; i < n; i++) target[start + i] = text.charCodeAt(i);
  pos = start + n;
}

/** A JSON string as JSON.stringify writes it (its RFC 8785 form unless it holds a surrogate, which stops the write). */
function jsonString(value: unknown): void {
  if (!ok || typeof value !== 'string') {
    ok = false;
    return;
  }
  const n = value.length;
  const start = pos;
  if (start + n + 2 > limit) {
    ok = false;
    return;
  }
  const target = out;
  target[start] = 0x22;
  let i = 0;
  for (; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) break;
    target[start + 1 + i] = c;
  }
  if (i === n) {
    target[start + 1 + n] = 0x22;
    pos = start + n + 2;
    return;
  }
  // Escapes or non-ASCII characters: JSON.stringify's text, in UTF-8 (at most 3 bytes per UTF-16 code unit).
  const json = SURROGATE.test(value) ? null : JSON.stringify(value);
  if (json === null || pos + 3 * json.length > limit) {
    ok = false;
    return;
  }
  pos += out.write(json, pos, 'utf8');
}

function jsonNumber(value: unknown): void {
  if (!ok || typeof value !== 'number' || !Number.isFinite(value)) {
    ok = false;
    return;
  }
  if (!Number.isSafeInteger(value) || value < 0) return raw(JSON.stringify(value));
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  if (pos + digits > limit) {
    ok = false;
    return;
  }
  let rest = value;
  for (let at = pos + digits - 1; at >= pos; at--) {
    out[at] = 48 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  pos += digits;
}

function jsonStrings(values: unknown): void {
  if (!Array.isArray(values)) {
    ok = false;
    return;
  }
  raw('[');
  for (let i = 0; i < values.length; i++) {
    if (i > 0) raw(',');
    jsonString(values[i]);
  }
  raw(']');
}

/** Whether `value` has exactly `members` own enumerable members and no inherited enumerable one (Object.keys, without its array). */
function hasMembers(value: object, members: number): boolean {
  let n = 0;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) return false;
    n++;
  }
  return n === members;
}

function isPlainWith(value: unknown, members: number): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && hasMembers(value, members);
}

/**
 * Writes `transferLeafBytes(leaf)` into `target` from `at`, not past `end`; returns where the bytes end, or -1 when
 * it could not (no room, a member missing or extra, a surrogate): the caller then encodes `transferLeafText`.
 * transfer-leaf.spec.ts checks the bytes against the generic serialiser on random leaves.
 */
export function writeTransferLeaf(leaf: TransferLeafV1, target: Buffer, at: number, end: number): number {
  const { onwardRecipient: onward, submittedBy: by } = leaf;
  if (!hasMembers(leaf, LEAF_MEMBERS) || typeof leaf.separateConsentObtained !== 'boolean') return -1;
  if (!(onward === null || isPlainWith(onward, 2)) || !isPlainWith(by, 3)) return -1;
  [out, pos, limit, ok] = [target, at, end, true];
  raw('{"contractId":');
  jsonString(leaf.contractId);
  raw(',"contractVersion":');
  jsonNumber(leaf.contractVersion);
  raw(',"dataSubjectCount":');
  jsonNumber(leaf.dataSubjectCount);
  raw(',"direction":');
  jsonString(leaf.direction);
  raw(',"externalReference":');
  jsonString(leaf.externalReference);
  raw(',"flags":');
  jsonStrings(leaf.flags);
  raw(',"occurredAt":');
  jsonString(leaf.occurredAt);
  raw(onward === null ? ',"onwardRecipient":null' : ',"onwardRecipient":{"city":');
  if (onward !== null) {
    jsonString(onward.city);
    raw(',"name":');
    jsonString(onward.name);
    raw('}');
  }
  raw(',"payloadDigest":');
  jsonString(leaf.payloadDigest);
  raw(',"personalInformationCategories":');
  jsonStrings(leaf.personalInformationCategories);
  raw(',"processorId":');
  jsonString(leaf.processorId);
  raw(',"purposes":');
  jsonStrings(leaf.purposes);
  raw(',"recipientId":');
  jsonString(leaf.recipientId);
  raw(',"recordCount":');
  jsonNumber(leaf.recordCount);
  raw(',"recordedAt":');
  jsonString(leaf.recordedAt);
  raw(',"schema":');
  jsonString(leaf.schema);
  raw(',"sensitiveCategories":');
  jsonStrings(leaf.sensitiveCategories);
  raw(leaf.separateConsentObtained ? ',"separateConsentObtained":true' : ',"separateConsentObtained":false');
  raw(',"submittedBy":{"organisationId":');
  jsonString(by.organisationId);
  raw(',"principalId":');
  jsonString(by.principalId);
  raw(',"principalType":');
  jsonString(by.principalType);
  raw('},"transferMethod":');
  jsonString(leaf.transferMethod);
  raw('}');
  out = EMPTY; // the target is not kept past the write
  return ok ? pos : -1;
}
