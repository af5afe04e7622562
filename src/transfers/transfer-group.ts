// A group of POST /transfers requests as the sequencer writes it (./transfer-ingestion.ts): the requests, where each one's
// leaves go, and what the group is checked against (docs/architecture.md#the-transfer-log).
import type { PreparedLeaf } from '../ledger/ledger.service';
import { Principal } from '../common/roles';
import { CachedContract } from './contract-scope-cache';
import { RequestKey, storedAnswer, StoredKey } from './idempotency-keys';
import { PreparedBatch, SubmittedBy } from './transfer-batch';
import { CreateTransfersResponse } from './transfer.dto';

export interface IngestOutcome {
  response: CreateTransfersResponse;
  replayed: boolean;
}

/**
 * A request ready to be sequenced: the scopes its flags were computed from, and its prepared rows. Not its records:
 * its batch's leaves hold them (recordsOfBatch), and the parsed records are garbage while it waits for its group.
 */
export interface IngestRequest {
  principal: Principal;
  contractIds: string[];
  contracts: Map<string, CachedContract>;
  recordedAt: string;
  submittedBy: SubmittedBy;
  idempotency: RequestKey | undefined;
  batch: PreparedBatch;
}

/** What the group's transaction says about one request: its answer, its own error, or "ask storage after the commit". */
export type GroupResult = { outcome: IngestOutcome } | { error: unknown } | { afterCommit: true };

/** Where each appended request's leaves start within the group's append. */
export type Placement = Array<{ at: number; offset: number }>;

export const keyId = (organisationId: string, key: string) => `${organisationId}\u0000${key}`;

/** The requests still to append after the revision and key checks, and their leaves in order. */
export function placeGroup(group: IngestRequest[], results: Array<GroupResult | undefined>, placed: Placement): PreparedLeaf[] {
  const leaves: PreparedLeaf[] = [];
  group.forEach((request, at) => {
    if (results[at]) return;
    placed.push({ at, offset: leaves.length });
    for (const leaf of request.batch.leaves) leaves.push(leaf);
  });
  return leaves;
}

/**
 * Idempotency-Keys of the group already stored (read under the ledger lock, so no uncommitted writer holds one):
 * each such request is answered from storage, or 409 for another body. A key that two requests of the group carry
 * goes with the first; the other is answered after the commit.
 */
export function answerStoredKeys(group: IngestRequest[], results: Array<GroupResult | undefined>, stored: Map<string, StoredKey>): void {
  const seen = new Set<string>();
  group.forEach((request, at) => {
    const { idempotency, submittedBy } = request;
    if (results[at] || !idempotency) return;
    const id = keyId(submittedBy.organisationId, idempotency.key);
    if (seen.has(id)) {
      results[at] = { afterCommit: true };
      return;
    }
    seen.add(id);
    const row = stored.get(id);
    if (!row) return;
    try {
      results[at] = { outcome: { response: storedAnswer(row, idempotency.requestHash), replayed: true } };
    } catch (error) {
      results[at] = { error };
    }
  });
}

/** What a group is written expected from (writeGroup): the tree size, each contract's revision and the keys to be stored. */
export interface ExpectedFacts {
  treeSize: number;
  revisions: Map<string, number>;
  keys: Array<{ organisationId: string; key: string }>;
}

/**
 * The facts a group can be written expected from, or null when it cannot: no append of this process committed yet
 * (`treeSize` null), a contract of a request without the scope it was prepared with, two of its requests prepared with
 * different revisions of a contract, or one Idempotency-Key twice (the checked path answers the second after the commit).
 */
export function expectedFacts(group: IngestRequest[], treeSize: number | null): ExpectedFacts | null {
  if (treeSize === null) return null;
  const revisions = new Map<string, number>();
  const keys = new Map<string, { organisationId: string; key: string }>();
  for (const request of group) {
    for (const id of request.contractIds) {
      const contract = request.contracts.get(id);
      if (!contract) return null;
      const seen = revisions.get(id);
      if (seen !== undefined && seen !== contract.bundle.revision) return null;
      revisions.set(id, contract.bundle.revision);
    }
    const { idempotency, submittedBy } = request;
    if (!idempotency) continue;
    const id = keyId(submittedBy.organisationId, idempotency.key);
    if (keys.has(id)) return null;
    keys.set(id, { organisationId: submittedBy.organisationId, key: idempotency.key });
  }
  return { treeSize, revisions, keys: [...keys.values()] };
}

/**
 * Checked groups in a row that must find no other process's leaves before groups are written expected again
 * (ExpectationGate). Two instances appending at once interleave their groups; a gate that reopened after one quiet
 * group had every third or so expected group refused (the bench's two-instance chunks, 1 December: 3 refused of 13
 * groups per instance), each paying a round trip, its COPY data sent for nothing and a second wait for the lock.
 * Sixteen in a row is rare while another instance writes, and costs an instance alone 16 first round trips once.
 */
export const QUIET_GROUPS_BEFORE_EXPECTING = 16;

/**
 * Whether the next group may be written expected (docs/architecture.md#the-transfer-log, step 6): open at start,
 * closed when a checked group finds that another process appended since this one's last commit, open again after
 * QUIET_GROUPS_BEFORE_EXPECTING checked groups in a row found that none did. A group refused for another reason (a
 * contract changed, a key retried) leaves it as it is.
 */
export class ExpectationGate {
  private quiet = QUIET_GROUPS_BEFORE_EXPECTING;

  get open(): boolean {
    return this.quiet >= QUIET_GROUPS_BEFORE_EXPECTING;
  }

  /** A checked group found `found` leaves; this process had last committed `lastCommitted` (null: none yet, nothing to compare). */
  checked(lastCommitted: number | null, found: number): void {
    this.quiet = lastCommitted === null || found === lastCommitted ? this.quiet + 1 : 0;
  }
}
