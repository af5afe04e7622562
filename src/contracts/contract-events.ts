// The notifications a contract's history entries raise (docs/api.md#webhooks): the history writer hands its
// entries here, in its transaction, so every filing decision, amendment, termination and incident reaches the
// outbox exactly when its history entry is written (docs/contributing.md#database).
import type { EntityManager } from 'typeorm';
import { contractEvent, ContractSubject, NotificationEvent, WebhookEventType } from '../webhooks/events';
import { recordEvents } from '../webhooks/outbox';
import type { ContractHistoryAction } from './contract-history.entity';

/** History actions that are notified, and as what; the others (creation, new filings, uploads) are not. */
export const EVENT_OF_ACTION: Partial<Record<ContractHistoryAction, WebhookEventType>> = {
  FILING_SUBMITTED: 'filing.submitted',
  FILING_RETURNED: 'filing.returned',
  FILING_ACCEPTED: 'filing.accepted',
  CONTRACT_AMENDED: 'contract.amended',
  CONTRACT_TERMINATED: 'contract.terminated',
  INCIDENT_REPORTED: 'incident.reported',
};

/** What a history entry says, as the notification repeats it. */
export interface NotifiedEntry {
  contractId: string;
  action: ContractHistoryAction;
  version: number | null;
  party: string | null;
  fromStatus: string | null;
  toStatus: string | null;
  details: Record<string, unknown>;
}

/** The events of `entries` for contracts whose parties and sides are in `subjects` (pure). */
export function historyEvents(entries: readonly NotifiedEntry[], subjects: ReadonlyMap<string, ContractSubject>): NotificationEvent[] {
  const out: NotificationEvent[] = [];
  for (const entry of entries) {
    const type = EVENT_OF_ACTION[entry.action];
    const subject = subjects.get(entry.contractId);
    if (!type || !subject) continue;
    const data: Record<string, unknown> = { ...entry.details };
    if (entry.version !== null) data.version = entry.version;
    if (entry.party !== null) data.party = entry.party;
    if (entry.fromStatus !== null) data.fromStatus = entry.fromStatus;
    if (entry.toStatus !== null) data.toStatus = entry.toStatus;
    out.push(contractEvent(type, subject, data));
  }
  return out;
}

/**
 * Records the notifications of `entries` in the outbox on `m` (the history writer's transaction). Reads the
 * contracts' parties and sides only when an entry is notified: creating a contract costs nothing more.
 */
export async function notifyHistory(m: EntityManager, entries: readonly NotifiedEntry[]): Promise<void> {
  const ids = [...new Set(entries.filter((e) => EVENT_OF_ACTION[e.action]).map((e) => e.contractId))];
  if (!ids.length) return;
  const rows: Array<{ id: string; processor_id: string; recipient_id: string; processor_jurisdiction: string; recipient_jurisdiction: string }> = await m.query(
    `SELECT id, processor_id, recipient_id, processor_jurisdiction, recipient_jurisdiction FROM contracts WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  const subjects = new Map(
    rows.map((r) => [
      r.id,
      {
        contractId: r.id,
        processorId: r.processor_id,
        recipientId: r.recipient_id,
        processorJurisdiction: r.processor_jurisdiction,
        recipientJurisdiction: r.recipient_jurisdiction,
      },
    ]),
  );
  await recordEvents(m, historyEvents(entries, subjects));
}
