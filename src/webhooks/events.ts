// The events a subscription may ask for, what each one carries, and whom it may reach (docs/api.md#webhooks).
// Pure data and functions: the modules that cause an event build it here and hand it to the outbox in their
// own transaction (docs/contributing.md#database: evidence in the same transaction as the change).
import type { Permission } from '../access/policy';
import type { ResourceScope } from '../access/access';

export const WEBHOOK_EVENT_TYPES = [
  'filing.submitted',
  'filing.returned',
  'filing.accepted',
  'filing.due_soon',
  'filing.overdue',
  'contract.amended',
  'contract.terminated',
  'contract.expired',
  'incident.reported',
  'ledger.integrity_alert',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What the events about a contract say of it, so a receiver can be chosen without reading the contract (access: contract.read). */
export interface ContractSubject {
  contractId: string;
  processorId: string;
  recipientId: string;
  processorJurisdiction: string;
  recipientJurisdiction: string;
}

/**
 * One event as the outbox stores it: its type, what it says (`data`, the payload's `data` member), the permission
 * and resource scope that decide who may receive it, and an optional key that makes it happen once (a scan that
 * finds the same overdue filing again records nothing).
 */
export interface NotificationEvent {
  type: WebhookEventType;
  data: Record<string, unknown>;
  permission: Permission;
  scope: ResourceScope;
  /** Once per key: `filing.overdue:<filing id>:<deadline>`, … */
  onceKey?: string;
  /** When it happened; the time of the recording transaction when absent. */
  occurredAt?: Date;
}

const contractScope = (c: ContractSubject): ResourceScope => ({
  parties: [c.processorId, c.recipientId],
  sides: [c.processorJurisdiction, c.recipientJurisdiction],
});

const contractData = (c: ContractSubject): Record<string, unknown> => ({
  contractId: c.contractId,
  processorId: c.processorId,
  recipientId: c.recipientId,
});

/** An event about a contract (its filings, amendments, end, incidents): readable by whoever may read the contract. */
export function contractEvent(type: WebhookEventType, contract: ContractSubject, data: Record<string, unknown>, onceKey?: string): NotificationEvent {
  return { type, data: { ...contractData(contract), ...data }, permission: 'contract.read', scope: contractScope(contract), ...(onceKey ? { onceKey } : {}) };
}

/** The transfer log's self-audit found stored data that does not match (docs/architecture.md#trust-model, part 2). */
export function ledgerIntegrityEvent(failure: { kind: string; level: number | null; index: number | null; detail: string }): NotificationEvent {
  return {
    type: 'ledger.integrity_alert',
    data: { kind: failure.kind, level: failure.level, index: failure.index, detail: failure.detail },
    permission: 'ledger.integrity.read',
    scope: {},
    onceKey: `ledger.integrity_alert:${failure.kind}:${failure.level ?? ''}:${failure.index ?? ''}`,
  };
}

/** The body a receiver gets (Standard Webhooks "payload structure": type, timestamp, data). */
export function payloadOf(event: { type: string; occurredAt: Date; data: Record<string, unknown> }): string {
  return JSON.stringify({ type: event.type, timestamp: event.occurredAt.toISOString(), data: event.data });
}
