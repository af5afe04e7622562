// The outbox (docs/api.md#webhooks): an event is stored in the transaction of the change it reports, so it is
// sent if and only if that change commits (docs/contributing.md#database: evidence in the same transaction,
// never from a handler that may fire before commit or not at all). A plain function on the caller's
// EntityManager, so a module's one history writer can call it without a service.
import type { EntityManager } from 'typeorm';
import type { NotificationEvent } from './events';

const INSERT_EVENTS = `
  INSERT INTO webhook_events (message_id, type, occurred_at, data, permission, scope, once_key)
  SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), e.type, COALESCE(e.occurred_at, now()), e.data, e.permission, e.scope, e.once_key
    FROM jsonb_to_recordset($1::jsonb) AS e(ord int, type text, occurred_at timestamptz, data jsonb, permission text, scope jsonb, once_key text)
   ORDER BY e.ord
  ON CONFLICT (once_key) DO NOTHING
  RETURNING id`;

/** Stores `events` on `m` (the caller's transaction); an event whose `onceKey` was stored before is skipped. Answers how many were stored. */
export async function recordEvents(m: EntityManager, events: readonly NotificationEvent[]): Promise<number> {
  if (!events.length) return 0;
  const rows = events.map((e, ord) => ({
    ord,
    type: e.type,
    occurred_at: e.occurredAt?.toISOString() ?? null,
    data: e.data,
    permission: e.permission,
    scope: e.scope,
    once_key: e.onceKey ?? null,
  }));
  const inserted: unknown[] = await m.query(INSERT_EVENTS, [JSON.stringify(rows)]);
  return inserted.length;
}
