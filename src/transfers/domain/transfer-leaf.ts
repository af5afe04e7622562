// The ledger leaf of a transfer record (DESIGN.md §3; README "Leaf format").
//
// leaf = RFC 8785 canonical JSON (UTF-8) of the stored record, including its
// compliance flags and recordedAt. Every member is always present (null when
// empty), so the bytes depend on nothing but the record. The leaf does not
// carry its own leaf index: its position in the tree is what the inclusion
// proof proves. `schema` names the version of this layout; a new layout gets a
// new name and old leaves keep theirs.
import { canonicalJsonBytes } from '../../ledger/domain/canonical-json';

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
  direction: 'MAINLAND_TO_HK' | 'HK_TO_MAINLAND';
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
  return canonicalJsonBytes(leaf);
}
