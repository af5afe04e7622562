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
 * A run of a leaf's bytes that depends on up to three of its string members only (a member name, its value, the next
 * member's name…): the same for every record of a contract, a direction or a request. The runs last written are kept,
 * with the values they were written for, and copied instead of written again when the values are the same strings
 * (README, Performance: half the writer's time went to these bytes, character by character).
 */
interface Run {
  a: unknown;
  b: unknown;
  c: unknown;
  bytes: Uint8Array;
}

/** Runs kept per kind: a batch's records may alternate between a few contracts. */
const KEPT_RUNS = 4;

interface Runs {
  kept: Run[];
  next: number;
  write: (a: unknown, b: unknown, c: unknown) => void;
}

function runs(write: (a: unknown, b: unknown, c: unknown) => void): Runs {
  return { kept: [], next: 0, write };
}

/** Writes `runs.write(a, b, c)`'s bytes: a kept copy when there is one for these values (the same strings), else written and kept. */
function run(runs: Runs, a: unknown, b: unknown, c: unknown): void {
  if (!ok) return;
  const kept = runs.kept;
  for (let i = 0; i < kept.length; i++) {
    const r = kept[i];
    if (r.a === a && r.b === b && r.c === c) {
      const bytes = r.bytes;
      if (pos + bytes.length > limit) {
        ok = false;
        return;
      }
      out.set(bytes, pos);
      pos += bytes.length;
      return;
    }
  }
  const start = pos;
  runs.write(a, b, c);
  // Only a run written without error is kept (its values were strings without a surrogate).
  if (!ok) return;
  const entry = { a, b, c, bytes: new Uint8Array(out.subarray(start, pos)) };
  if (kept.length < KEPT_RUNS) kept.push(entry);
  else kept[runs.next] = entry;
  runs.next = (runs.next + 1) % KEPT_RUNS;
}

const CONTRACT_RUN = runs((contractId) => {
  raw('{"contractId":');
  jsonString(contractId);
  raw(',"contractVersion":');
});
const DIRECTION_RUN = runs((direction) => {
  raw(',"direction":');
  jsonString(direction);
  raw(',"externalReference":');
});
const PROCESSOR_RUN = runs((processorId) => {
  raw(',"processorId":');
  jsonString(processorId);
  raw(',"purposes":');
});
const RECIPIENT_RUN = runs((recipientId) => {
  raw(',"recipientId":');
  jsonString(recipientId);
  raw(',"recordCount":');
});
const RECORDED_RUN = runs((recordedAt, schema) => {
  raw(',"recordedAt":');
  jsonString(recordedAt);
  raw(',"schema":');
  jsonString(schema);
  raw(',"sensitiveCategories":');
});
const SUBMITTED_RUN = runs((organisationId, principalId, principalType) => {
  raw(',"submittedBy":{"organisationId":');
  jsonString(organisationId);
  raw(',"principalId":');
  jsonString(principalId);
  raw(',"principalType":');
  jsonString(principalType);
  raw('},"transferMethod":');
});

/** Member names and constants of the layout between two written values, as bytes (copied: cheaper than `raw` for these). */
const DATA_SUBJECT_COUNT = Buffer.from(',"dataSubjectCount":', 'latin1');
const OCCURRED_AT = Buffer.from(',"occurredAt":', 'latin1');
const PAYLOAD_DIGEST = Buffer.from(',"payloadDigest":', 'latin1');
const CATEGORIES = Buffer.from(',"personalInformationCategories":', 'latin1');
const CONSENT_TRUE = Buffer.from(',"separateConsentObtained":true', 'latin1');
const CONSENT_FALSE = Buffer.from(',"separateConsentObtained":false', 'latin1');
const ONWARD_NULL = Buffer.from(',"onwardRecipient":null', 'latin1');
const ONWARD_CITY = Buffer.from(',"onwardRecipient":{"city":', 'latin1');

/** Bytes known to be printable ASCII, copied. */
function bytes(value: Uint8Array): void {
  if (!ok || pos + value.length > limit) {
    ok = false;
    return;
  }
  out.set(value, pos);
  pos += value.length;
}

/**
 * Writes `transferLeafBytes(leaf)` into `target` from `at`, not past `end`; returns where the bytes end, or -1 when
 * it could not (no room, a member missing or extra, a surrogate): the caller then encodes `transferLeafText`.
 * The runs that depend only on the contract, the parties or the request (`run`) are copied once written.
 * transfer-leaf.spec.ts checks the bytes against the generic serialiser on random leaves.
 */
export function writeTransferLeaf(leaf: TransferLeafV1, target: Buffer, at: number, end: number): number {
  const { onwardRecipient: onward, submittedBy: by } = leaf;
  if (!hasMembers(leaf, LEAF_MEMBERS) || typeof leaf.separateConsentObtained !== 'boolean') return -1;
  if (!(onward === null || isPlainWith(onward, 2)) || !isPlainWith(by, 3)) return -1;
  [out, pos, limit, ok] = [target, at, end, true];
  run(CONTRACT_RUN, leaf.contractId, undefined, undefined);
  jsonNumber(leaf.contractVersion);
  bytes(DATA_SUBJECT_COUNT);
  jsonNumber(leaf.dataSubjectCount);
  run(DIRECTION_RUN, leaf.direction, undefined, undefined);
  jsonString(leaf.externalReference);
  raw(',"flags":');
  jsonStrings(leaf.flags);
  bytes(OCCURRED_AT);
  jsonString(leaf.occurredAt);
  bytes(onward === null ? ONWARD_NULL : ONWARD_CITY);
  if (onward !== null) {
    jsonString(onward.city);
    raw(',"name":');
    jsonString(onward.name);
    raw('}');
  }
  bytes(PAYLOAD_DIGEST);
  jsonString(leaf.payloadDigest);
  bytes(CATEGORIES);
  jsonStrings(leaf.personalInformationCategories);
  run(PROCESSOR_RUN, leaf.processorId, undefined, undefined);
  jsonStrings(leaf.purposes);
  run(RECIPIENT_RUN, leaf.recipientId, undefined, undefined);
  jsonNumber(leaf.recordCount);
  run(RECORDED_RUN, leaf.recordedAt, leaf.schema, undefined);
  jsonStrings(leaf.sensitiveCategories);
  bytes(leaf.separateConsentObtained ? CONSENT_TRUE : CONSENT_FALSE);
  run(SUBMITTED_RUN, by.organisationId, by.principalId, by.principalType);
  jsonString(leaf.transferMethod);
  raw('}');
  out = EMPTY; // the target is not kept past the write
  return ok ? pos : -1;
}
