/**
 * The transfer records the bench sends, and the same rows encoded as transfer_records tuples for
 * the database's own limits (bench/limits.ts), so the registry and its limits load the same rows.
 */
import { createHash } from 'node:crypto';
import { METHOD } from './common';
import { BinaryCopyWriter } from '../src/database/binary-copy';
import { leafHash } from '../src/ledger/domain/merkle';
import { TRANSFER_LEAF_SCHEMA_V1, transferLeafBytes } from '../src/transfers/domain/transfer-leaf';

/** Records per POST /transfers in the bulk ingestion, and rows per COPY in the batched limit. */
export const BATCH = 1000;
export const START_MS = Date.parse('2025-02-01T00:00:00Z');
export const SPAN_MS = 365 * 24 * 3600 * 1000;
/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01T00:00:00Z), as binary timestamptz counts them. */
const PG_EPOCH_MS = 946_684_800_000;

/** Which of the run's contracts row `i` belongs to: one contract per batch of BATCH rows, in turn. */
export function contractOfRow(i: number, contracts: number): number {
  return Math.floor(i / BATCH) % contracts;
}

/** Row i occurred OCCURRED_STEP_MS after row i - 1, wrapping at SPAN_MS: rows arrive in the order they happened, as a bank logs them. */
const OCCURRED_STEP_MS = 7919;

export function occurredAtMs(i: number): number {
  return START_MS + ((i * OCCURRED_STEP_MS) % SPAN_MS);
}

/** The stretch of time, from START_MS, that the first `rows` rows occurred in: 18 days for 200,000 rows, the whole year from 3,983,000 rows on. */
export function occurredSpanMs(rows: number): number {
  return Math.min(SPAN_MS, rows * OCCURRED_STEP_MS);
}

/** One transfer record; 1 in 50 is out of scope so flags are exercised. */
export function transferRecord(contractId: string, i: number): Record<string, unknown> {
  const flagged = i % 50 === 0;
  return {
    contractId,
    occurredAt: new Date(occurredAtMs(i)).toISOString(),
    direction: 'MAINLAND_TO_HK',
    dataSubjectCount: 100 + (i % 900),
    recordCount: 400 + (i % 3600),
    personalInformationCategories: flagged ? ['BASIC_PROFILE', 'LOCATION'] : ['BASIC_PROFILE', 'IDENTITY'],
    sensitiveCategories: flagged ? ['FINANCIAL_ACCOUNT'] : [],
    purposes: ['credit assessment'],
    transferMethod: METHOD,
    separateConsentObtained: !flagged,
    onwardRecipient: null,
    payloadDigest: createHash('sha256').update(String(i)).digest('hex'),
    externalReference: `bench-${i}`,
  };
}

/** The canonical leaf the registry stores for bench record `record` of `contractId`, logged by the processor's service account. */
export function benchLeaf(
  contractId: string,
  processorId: string,
  recipientId: string,
  record: Record<string, unknown>,
  recordedAt: string,
  flags: string[],
): Buffer {
  return transferLeafBytes({
    schema: TRANSFER_LEAF_SCHEMA_V1,
    contractId,
    contractVersion: 1,
    processorId,
    recipientId,
    occurredAt: String(record.occurredAt),
    recordedAt,
    direction: 'MAINLAND_TO_HK',
    dataSubjectCount: record.dataSubjectCount as number,
    recordCount: record.recordCount as number,
    personalInformationCategories: record.personalInformationCategories as string[],
    sensitiveCategories: record.sensitiveCategories as string[],
    purposes: record.purposes as string[],
    transferMethod: String(record.transferMethod),
    separateConsentObtained: record.separateConsentObtained as boolean,
    onwardRecipient: null,
    payloadDigest: String(record.payloadDigest),
    externalReference: String(record.externalReference),
    flags,
    submittedBy: { organisationId: processorId, principalType: 'service_account', principalId: processorId },
  });
}

/**
 * A parameter in the text form node-postgres would send (bytea as hex, text[] as an array literal),
 * made once per pool row so that single-row INSERTs spend no client time re-encoding the leaf.
 */
function pgText(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (Array.isArray(value)) return `{${value.map((v) => `"${String(v).replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
  return value;
}

/** The run's contracts and their parties, as seeded through the API. */
export interface RunContracts {
  contractIds: string[];
  contractProcessor: number[];
  processorIds: string[];
  recipientIds: string[];
}

/**
 * transfer_records rows for leaf indexes 0, 1, 2, … as the registry stores them for the records
 * above (what the registry writes per record: flags, the RFC 8785 leaf and its hash), encoded in
 * binary COPY format before any clock starts. A pool of one full turn of the contracts
 * (BATCH × contracts rows) is built once; row i is pool row i mod pool with its leaf index and
 * occurred_at patched in, so every indexed column (leaf_index, contract, parties, occurred_at,
 * flags, categories) is row i's own. Unindexed members (counts, digest, reference, and the leaf's
 * contents) are the pool row's, of the same size give or take the digits of `bench-<i>`.
 */
export class TransferRows {
  readonly columns: string[];
  readonly header: Buffer;
  readonly trailer = Buffer.from([0xff, 0xff]);
  readonly pool: number;
  private readonly tuples: Buffer;
  private readonly tupleStart: number[] = [];
  private readonly leafIndexAt: number[] = [];
  private readonly occurredAtAt: number[] = [];
  /** Plain values of each pool row in `columns` order, for single-row INSERTs. */
  readonly values: unknown[][] = [];

  constructor(columns: string[], run: RunContracts) {
    this.columns = columns;
    const contracts = run.contractIds.length;
    this.pool = BATCH * contracts;
    const writer = new BinaryCopyWriter(this.pool * 1600);
    const recordedAt = new Date().toISOString();
    for (let i = 0; i < this.pool; i++) {
      const c = contractOfRow(i, contracts);
      const contractId = run.contractIds[c];
      const record = transferRecord(contractId, i);
      const party = run.processorIds[run.contractProcessor[c]];
      const recipient = run.recipientIds[run.contractProcessor[c]];
      const flags = i % 50 === 0 ? ['CATEGORY_NOT_IN_SCOPE', 'SENSITIVE_WITHOUT_SEPARATE_CONSENT'] : [];
      const leaf = benchLeaf(contractId, party, recipient, record, recordedAt, flags);
      const hash = leafHash(leaf);
      const value: Record<string, [unknown, () => void]> = {
        leaf_index: [
          i,
          () => {
            this.leafIndexAt.push(writer.position);
            writer.int8(i);
          },
        ],
        contract_id: [contractId, () => writer.uuid(contractId)],
        contract_version: [1, () => writer.int4(1)],
        processor_id: [party, () => writer.uuid(party)],
        recipient_id: [recipient, () => writer.uuid(recipient)],
        processor_jurisdiction: ['MAINLAND', () => writer.text('MAINLAND')],
        recipient_jurisdiction: ['HONG_KONG', () => writer.text('HONG_KONG')],
        sector: ['BANKING', () => writer.text('BANKING')],
        submitted_by_organisation_id: [party, () => writer.uuid(party)],
        submitted_by: [party, () => writer.uuid(party)],
        occurred_at: [
          record.occurredAt,
          () => {
            this.occurredAtAt.push(writer.position);
            writer.timestamptz(String(record.occurredAt));
          },
        ],
        recorded_at: [recordedAt, () => writer.timestamptz(recordedAt)],
        direction: ['MAINLAND_TO_HK', () => writer.text('MAINLAND_TO_HK')],
        data_subject_count: [record.dataSubjectCount, () => writer.int8(record.dataSubjectCount as number)],
        record_count: [record.recordCount, () => writer.int8(record.recordCount as number)],
        personal_information_categories: [record.personalInformationCategories, () => writer.textArray(record.personalInformationCategories as string[])],
        sensitive_categories: [record.sensitiveCategories, () => writer.textArray(record.sensitiveCategories as string[])],
        purposes: [record.purposes, () => writer.textArray(record.purposes as string[])],
        transfer_method: [METHOD, () => writer.text(METHOD)],
        separate_consent_obtained: [record.separateConsentObtained, () => writer.bool(record.separateConsentObtained as boolean)],
        onward_recipient_name: [null, () => writer.text(null)],
        onward_recipient_city: [null, () => writer.text(null)],
        payload_digest: [record.payloadDigest, () => writer.text(String(record.payloadDigest))],
        external_reference: [record.externalReference, () => writer.text(String(record.externalReference))],
        flags: [flags, () => writer.textArray(flags)],
        leaf_hash: [hash, () => writer.bytea(hash)],
        leaf: [leaf, () => writer.bytea(leaf)],
      };
      this.tupleStart.push(writer.position);
      writer.tuple(columns.length);
      const plain: unknown[] = [];
      for (const name of columns) {
        // A column the limit does not fill would make the limit cheaper than the registry's rows: refuse.
        if (!value[name]) throw new Error(`bench: no value for transfer_records.${name} in the database limits`);
        value[name][1]();
        plain.push(pgText(value[name][0]));
      }
      this.values.push(plain);
    }
    const payload = writer.finish();
    const headerLength = this.tupleStart[0];
    this.header = Buffer.from(payload.subarray(0, headerLength));
    this.tuples = Buffer.from(payload.subarray(headerLength, payload.length - 2));
    for (let j = 0; j < this.pool; j++) {
      this.tupleStart[j] -= headerLength;
      this.leafIndexAt[j] -= headerLength;
      this.occurredAtAt[j] -= headerLength;
    }
    this.tupleStart.push(this.tuples.length);
  }

  /** Tuples of rows [from, from + count) in a fresh buffer (no header or trailer), leaf indexes and occurred_at patched. */
  tuplesOf(from: number, count: number): Buffer {
    const parts: Buffer[] = [];
    let i = from;
    while (i < from + count) {
      const j = i % this.pool;
      const span = Math.min(this.pool - j, from + count - i);
      const part = Buffer.from(this.tuples.subarray(this.tupleStart[j], this.tupleStart[j + span]));
      for (let k = 0; k < span; k++) {
        const base = this.tupleStart[j];
        part.writeBigInt64BE(BigInt(i + k), this.leafIndexAt[j + k] - base + 4);
        part.writeBigInt64BE(BigInt(occurredAtMs(i + k) - PG_EPOCH_MS) * 1000n, this.occurredAtAt[j + k] - base + 4);
      }
      parts.push(part);
      i += span;
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  /** A whole binary COPY payload of rows [from, from + count). */
  payloadOf(from: number, count: number): Buffer {
    return Buffer.concat([this.header, this.tuplesOf(from, count), this.trailer]);
  }

  /** INSERT parameters of row i, in `columns` order. */
  valuesOf(i: number): unknown[] {
    const row = this.values[i % this.pool].slice();
    row[this.columns.indexOf('leaf_index')] = i;
    row[this.columns.indexOf('occurred_at')] = new Date(occurredAtMs(i)).toISOString();
    return row;
  }
}

/**
 * The JSON bodies of the bulk POST /transfers, encoded once before any clock starts, as the limits' COPY
 * tuples are (TransferRows): one JSON text per pool row, and row i's `occurredAt` patched into pool row
 * i mod pool when a batch is sent. So the bench's client, which shares the two cores with the registry
 * and PostgreSQL, spends on a record about what the limits' client spends on a row (a copy and a patch),
 * not the building and serialising of a record object. The registry receives the same records, give or
 * take the unindexed members that the limits also take from the pool row.
 */
export class TransferBodies {
  readonly pool: number;
  private readonly texts: Buffer;
  private readonly textStart: number[] = [];
  private readonly occurredAtAt: number[] = [];

  constructor(run: RunContracts) {
    const contracts = run.contractIds.length;
    this.pool = BATCH * contracts;
    const parts: Buffer[] = [];
    let length = 0;
    for (let i = 0; i < this.pool; i++) {
      const text = Buffer.from(JSON.stringify(transferRecord(run.contractIds[contractOfRow(i, contracts)], i)));
      const at = text.indexOf('"occurredAt":"') + '"occurredAt":"'.length;
      this.textStart.push(length);
      this.occurredAtAt.push(length + at);
      parts.push(text);
      length += text.length;
    }
    this.textStart.push(length);
    this.texts = Buffer.concat(parts);
  }

  /** `{"records":[…]}` of rows [from, from + count), which must all be of one contract (one batch of BATCH rows). */
  bodyOf(from: number, count: number): Buffer {
    const j = from % this.pool;
    if (j + count > this.pool) throw new Error('bench: a batch crosses the end of the pool of bodies');
    const open = '{"records":[';
    const rows = this.textStart[j + count] - this.textStart[j];
    const body = Buffer.allocUnsafe(open.length + rows + (count - 1) + 2);
    let at = body.write(open, 0, 'latin1');
    for (let k = 0; k < count; k++) {
      if (k > 0) body[at++] = 0x2c; // ,
      const start = this.textStart[j + k];
      const row = at;
      at += this.texts.copy(body, at, start, this.textStart[j + k + 1]);
      body.write(new Date(occurredAtMs(from + k)).toISOString(), row + this.occurredAtAt[j + k] - start, 'latin1');
    }
    body.write(']}', at, 'latin1');
    return body;
  }
}
