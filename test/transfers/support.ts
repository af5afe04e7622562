import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { LEDGER_APPEND_LOCK } from '../../src/ledger/ledger.service';
import { sampleTransfer } from '../../src/transfers/domain/sample-transfer.fixture';
import { bearer, TestApp } from '../support/app';

let sequence = 0;

/** A clean record under `contractBody` (Mainland → HK, effective 2025-01-24): in force, in scope, filings not yet due. */
export function transferRecord(contractId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const n = ++sequence;
  return {
    contractId,
    occurredAt: '2025-01-25T03:00:00Z',
    ...sampleTransfer(),
    onwardRecipient: null,
    payloadDigest: createHash('sha256').update(`dataset ${n}`).digest('hex'),
    externalReference: `batch-${n}`,
    ...overrides,
  };
}

export async function postTransfers(t: TestApp, token: string, records: unknown[], idempotencyKey?: string) {
  const req = t.http.post('/transfers').set(...bearer(token));
  if (idempotencyKey) req.set('Idempotency-Key', idempotencyKey);
  return req.send({ records });
}

/** GET /transfers as `token` with `query`: the response. */
export function listTransfers(t: TestApp, token: string, query: Record<string, string>) {
  return t.http
    .get('/transfers')
    .set(...bearer(token))
    .query(query);
}

export async function treeSize(t: TestApp): Promise<number> {
  const [row] = await t.dataSource.query('SELECT count(*)::int AS n FROM transfer_records');
  return row.n as number;
}

/** Waits for a signed checkpoint of at least this size (issue 5: within one second). */
export async function waitForCheckpoint(t: TestApp, size: number, timeoutMs = 1000): Promise<{ note: string; size: number; waitedMs: number }> {
  const started = Date.now();
  for (;;) {
    const res = await t.http.get('/ledger/checkpoint');
    const current = Number(String(res.text).split('\n')[1]);
    if (res.status === 200 && current >= size) return { note: res.text, size: current, waitedMs: Date.now() - started };
    if (Date.now() - started > timeoutMs) throw new Error(`no checkpoint of size ${size} within ${timeoutMs} ms (latest ${current})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** RFC 4180 CSV into rows of cells (quoted cells may hold commas, quotes doubled, CR and LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) rows.push([...row, cell]);
  return rows;
}

/**
 * Holds the ledger's append lock (LEDGER_APPEND_LOCK) from a connection of its own, as a group that is
 * still committing would: requests prepared meanwhile wait to be sequenced, and the one group that
 * reached the lock waits inside its transaction. No seam in the registry: the test stands where a slow
 * commit would.
 */
export async function holdLedgerLock(t: TestApp): Promise<{
  /** Resolves once `count` requests wait to be sequenced (the registry's own gauge on /metrics). */
  waiting(count: number): Promise<void>;
  /** Resolves once a group's transaction waits for the lock. */
  groupBlocked(): Promise<void>;
  release(): Promise<void>;
}> {
  const holder = new Client({ connectionString: t.databaseUrl });
  await holder.connect();
  await holder.query('SELECT pg_advisory_lock($1)', [LEDGER_APPEND_LOCK]);
  const poll = async (what: string, done: () => Promise<boolean>) => {
    for (const started = Date.now(); Date.now() - started < 60_000; await new Promise((r) => setTimeout(r, 20))) if (await done()) return;
    throw new Error(`timed out waiting until ${what}`);
  };
  let released = false;
  return {
    waiting: (count) =>
      poll(`${count} requests wait to be sequenced`, async () => {
        const metrics = (await t.http.get('/metrics')).text;
        return Number(/^registry_transfer_requests_waiting (\d+)$/m.exec(metrics)?.[1]) >= count;
      }),
    groupBlocked: () =>
      poll('a group waits for the ledger lock', async () => {
        const [{ n }] = (
          await holder.query(
            `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
            [LEDGER_APPEND_LOCK],
          )
        ).rows;
        return n > 0;
      }),
    release: async () => {
      if (released) return;
      released = true;
      await holder.query('SELECT pg_advisory_unlock($1)', [LEDGER_APPEND_LOCK]);
      await holder.end();
    },
  };
}
