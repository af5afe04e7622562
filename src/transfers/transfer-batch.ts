// A request's records made ready to be sequenced, before it joins a group (./transfer-ingestion.ts): the version
// in force, the flags, the canonical leaf and its hash, the COPY row and the figures of every record.
import type { ResourceScope } from '../access/access';
import { BinaryCopyWriter } from '../database/binary-copy';
import type { PreparedLeaf } from '../ledger/ledger.service';
import type { Geography } from '../organisations/geography';
import type { CachedContract } from './contract-scope-cache';
import { computeFlags } from './domain/compliance-flags';
import { TRANSFER_LEAF_SCHEMA_V1, TransferLeafV1 } from './domain/transfer-leaf';
import { TRANSFER_RECORD_FIELDS, TransferRecordInput } from './domain/transfer-records';
import { addToCells, FigureCell, figureSources } from './figures';
import { leavesOfRows, RecordSource, writeRecordRow } from './record-columns';

export type SubmittedBy = TransferLeafV1['submittedBy'];

export interface RolloutGroup {
  regime: string;
  sector: string;
  jurisdiction: string;
  count: number;
}

/** Everything a batch writes, computed from the records and their contracts' scopes, leaf indexes aside. */
export interface PreparedBatch {
  leaves: PreparedLeaf[];
  flagsOut: string[][];
  /** The binary COPY payload of the records; the leaf index of record i is patched in at indexAt[i]. */
  payload: BinaryCopyWriter;
  indexAt: number[];
  /** Rollout figures (GET /rollout/stats): records per (regime, processor's sector, processor's side). */
  rolloutGroups: Map<string, RolloutGroup>;
  /** Monthly figures (GET /transfers/figures), added to transfer_figures in the same transaction (./figures.ts). */
  figures: Map<string, FigureCell>;
}

/** What the access policy reads of a contract (docs/architecture.md#access): its parties and their sides. */
export function contractScope({ bundle }: CachedContract): ResourceScope {
  return { parties: [bundle.processorId, bundle.recipientId], sides: [bundle.processorJurisdiction, bundle.recipientJurisdiction] };
}

/**
 * The leaf of a record (docs: README "Leaf format"), against the contract version in force when it occurred,
 * written over `leaf`: one leaf object per batch, its members replaced record by record (its text and row are
 * written before the next record's), so a batch makes no leaf object per record.
 */
function setLeaf(leaf: TransferLeafV1, record: TransferRecordInput, contract: CachedContract, recordedAt: string, geography: Geography): void {
  const { bundle } = contract;
  const version = contract.versionAt(record.occurredAt);
  leaf.contractId = bundle.contractId;
  leaf.contractVersion = version.version;
  leaf.processorId = bundle.processorId;
  leaf.recipientId = bundle.recipientId;
  leaf.occurredAt = record.occurredAt;
  leaf.direction = record.direction;
  leaf.dataSubjectCount = record.dataSubjectCount;
  leaf.recordCount = record.recordCount;
  leaf.personalInformationCategories = record.personalInformationCategories;
  leaf.sensitiveCategories = record.sensitiveCategories;
  leaf.purposes = record.purposes;
  leaf.transferMethod = record.transferMethod;
  leaf.separateConsentObtained = record.separateConsentObtained;
  leaf.onwardRecipient = record.onwardRecipient;
  leaf.payloadDigest = record.payloadDigest;
  leaf.externalReference = record.externalReference;
  leaf.flags = computeFlags(version.scope, record, recordedAt, geography);
}

/** A leaf with every member of the v1 layout, in the order of TransferLeafV1 (filled by `setLeaf`). */
function blankLeaf(recordedAt: string, submittedBy: SubmittedBy): TransferLeafV1 {
  return {
    schema: TRANSFER_LEAF_SCHEMA_V1,
    contractId: '',
    contractVersion: 0,
    processorId: '',
    recipientId: '',
    occurredAt: '',
    recordedAt,
    direction: '' as TransferLeafV1['direction'],
    dataSubjectCount: 0,
    recordCount: 0,
    personalInformationCategories: [],
    sensitiveCategories: [],
    purposes: [],
    transferMethod: '',
    separateConsentObtained: false,
    onwardRecipient: null,
    payloadDigest: '',
    externalReference: '',
    flags: [],
    submittedBy,
  };
}

/** The rollout group of a contract's records (regime, processor's sector, processor's side), counted once per contract of the batch. */
function rolloutGroupOf(groups: Map<string, RolloutGroup>, { bundle }: CachedContract): RolloutGroup {
  const key = `${bundle.regime}\u0000${bundle.processorSector}\u0000${bundle.processorJurisdiction}`;
  let group = groups.get(key);
  if (!group) {
    group = { regime: bundle.regime, sector: bundle.processorSector, jurisdiction: bundle.processorJurisdiction, count: 0 };
    groups.set(key, group);
  }
  return group;
}

/** Version selection, flags, canonical JSON, leaf hashes and the COPY payload of every record (contracts checked by the caller). */
export function prepareBatch(
  records: readonly TransferRecordInput[],
  contracts: Map<string, CachedContract>,
  recordedAt: string,
  submittedBy: SubmittedBy,
  geography: Geography,
): PreparedBatch {
  const leaves = new Array<PreparedLeaf>(records.length);
  const flagsOut = new Array<string[]>(records.length);
  const payload = new BinaryCopyWriter(records.length * 1536);
  const indexAt = new Array<number>(records.length);
  const rolloutGroups = new Map<string, RolloutGroup>();
  const groupOf = new Map<CachedContract, RolloutGroup>();
  const leaf = blankLeaf(recordedAt, submittedBy);
  const source: RecordSource = { leaf, processorJurisdiction: '', recipientJurisdiction: '', sector: '' };
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    const contract = contracts.get(record.contractId) as CachedContract;
    const { bundle } = contract;
    setLeaf(leaf, record, contract, recordedAt, geography);
    flagsOut[i] = leaf.flags;
    source.processorJurisdiction = bundle.processorJurisdiction;
    source.recipientJurisdiction = bundle.recipientJurisdiction;
    source.sector = bundle.processorSector;
    const row = writeRecordRow(payload, source);
    leaves[i] = { leafHash: row.leafHash };
    indexAt[i] = row.leafIndexAt;
    let group = groupOf.get(contract);
    if (!group) groupOf.set(contract, (group = rolloutGroupOf(rolloutGroups, contract)));
    group.count++;
  }
  return { leaves, flagsOut, payload, indexAt, rolloutGroups, figures: addToCells(new Map(), figureSources(records, contracts, flagsOut)) };
}

/**
 * The records a batch was prepared from, read back from its leaves: a record's members are stored in its leaf as they
 * are (TransferRecordInput), so a batch can be prepared again from these (a contract changed while its request waited)
 * without the request keeping its parsed records until its group commits.
 */
export function recordsOfBatch(batch: PreparedBatch): TransferRecordInput[] {
  return leavesOfRows(batch.payload.tuples()).map((leaf) => {
    const record: Record<string, unknown> = {};
    for (const field of TRANSFER_RECORD_FIELDS) record[field] = leaf[field];
    return record as TransferRecordInput;
  });
}
