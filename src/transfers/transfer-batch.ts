// A request's records made ready to be sequenced, before it joins a group (./transfer-ingestion.ts): the version
// in force, the flags, the canonical leaf and its hash, the COPY row and the figures of every record.
import type { ResourceScope } from '../access/access';
import { BinaryCopyWriter } from '../database/binary-copy';
import { LedgerService, PreparedLeaf } from '../ledger/ledger.service';
import type { Geography } from '../organisations/geography';
import type { CachedContract } from './contract-scope-cache';
import { computeFlags } from './domain/compliance-flags';
import { TRANSFER_LEAF_SCHEMA_V1, TransferLeafV1, transferLeafBytes } from './domain/transfer-leaf';
import type { TransferRecordInput } from './domain/transfer-records';
import { addToCells, FigureCell, figureSources } from './figures';
import { writeRecordRow } from './record-columns';

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

/** The leaf of one record (docs: README "Leaf format"), against the contract version in force when it occurred. */
function leafOf(record: TransferRecordInput, contract: CachedContract, recordedAt: string, submittedBy: SubmittedBy, geography: Geography): TransferLeafV1 {
  const { bundle } = contract;
  const version = contract.versionAt(record.occurredAt);
  return {
    schema: TRANSFER_LEAF_SCHEMA_V1,
    contractId: bundle.contractId,
    contractVersion: version.version,
    processorId: bundle.processorId,
    recipientId: bundle.recipientId,
    occurredAt: record.occurredAt,
    recordedAt,
    direction: record.direction,
    dataSubjectCount: record.dataSubjectCount,
    recordCount: record.recordCount,
    personalInformationCategories: record.personalInformationCategories,
    sensitiveCategories: record.sensitiveCategories,
    purposes: record.purposes,
    transferMethod: record.transferMethod,
    separateConsentObtained: record.separateConsentObtained,
    onwardRecipient: record.onwardRecipient,
    payloadDigest: record.payloadDigest,
    externalReference: record.externalReference,
    flags: computeFlags(version.scope, record, recordedAt, geography),
    submittedBy,
  };
}

function countForRollout(groups: Map<string, RolloutGroup>, { bundle }: CachedContract): void {
  const key = `${bundle.regime}\u0000${bundle.processorSector}\u0000${bundle.processorJurisdiction}`;
  const group = groups.get(key);
  if (group) group.count++;
  else groups.set(key, { regime: bundle.regime, sector: bundle.processorSector, jurisdiction: bundle.processorJurisdiction, count: 1 });
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
  records.forEach((record, i) => {
    const contract = contracts.get(record.contractId) as CachedContract;
    const { bundle } = contract;
    const leaf = leafOf(record, contract, recordedAt, submittedBy, geography);
    flagsOut[i] = leaf.flags;
    const prepared = LedgerService.prepareLeaf(transferLeafBytes(leaf));
    leaves[i] = prepared;
    indexAt[i] = writeRecordRow(payload, {
      leaf,
      leafBytes: prepared.leaf,
      leafHash: prepared.leafHash,
      processorJurisdiction: bundle.processorJurisdiction,
      recipientJurisdiction: bundle.recipientJurisdiction,
      sector: bundle.processorSector,
    });
    countForRollout(rolloutGroups, contract);
  });
  return { leaves, flagsOut, payload, indexAt, rolloutGroups, figures: addToCells(new Map(), figureSources(records, contracts, flagsOut)) };
}
