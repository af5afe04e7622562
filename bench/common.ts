/** Pieces both benchmarks use (`run.ts`, `filing.ts`). */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { contractToInsert, CREATE_PARTIES, createContractsStatement, NewContract, partyFromRow, PartyRow } from '../src/contracts';
import type { ContractTerms } from '../src/contracts/domain/contract-rules';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/migrate';
import { freePort } from '../test/support/free-port';
import { send } from './http';

export { freePort };

export const CATEGORIES = ['BASIC_PROFILE', 'IDENTITY', 'PROPERTY_FINANCIAL'];
export const PURPOSES = ['cross-boundary account opening', 'credit assessment'];
export const METHOD = 'encrypted API over dedicated line';
export const EFFECTIVE = '2025-01-24';

/** The example contract of docs/api.md#example-post-contracts, Mainland processor → Hong Kong recipient. */
export function contractBody(processorId: string, recipientId: string): unknown {
  return {
    regime: 'GBA_MAINLAND_HK',
    processorId,
    recipientId,
    effectiveDate: EFFECTIVE,
    expiryDate: '2027-01-23',
    importantDataIncluded: false,
    annex: {
      purposes: PURPOSES,
      processingMethods: ['storage', 'use'],
      dataSubjectCategories: ['retail customers'],
      personalInformationCategories: CATEGORIES,
      sensitiveCategories: ['FINANCIAL_ACCOUNT'],
      onwardRecipients: [{ name: 'Guangzhou Branch', city: 'GUANGZHOU' }],
      transferMethod: METHOD,
      retentionPeriod: { from: EFFECTIVE, to: '2030-01-23' },
      storageLocation: { city: 'HONG_KONG' },
      otherMatters: '',
    },
    pipia: {
      completedOn: '2025-01-10',
      conclusion: 'risks acceptable with listed measures',
      reportSha256: createHash('sha256').update('pipia').digest('hex'),
    },
  };
}

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Most filings one measurement makes (POST /contracts, the database limit), so the tables stay
 * bounded: far above what 10 s at this machine's rates make (a lower bound once cut the run short
 * and capped the measured rate).
 */
export const FILING_MAX_REQUESTS = 100_000;

/**
 * How the database limit sends filings: `batch` per statement on `connections` connections, the
 * registry's group commit at its best here (16 x 2 beat 1 x 32, 8 x 4, 16 x 4 and 32 x 1; one
 * filing per statement on 32 connections reached a third of it).
 */
export const FILING_DB_LIMIT_SHAPE = { connections: 2, batch: 16 };

/**
 * The database's own limit for a filing, the counterpart of raw COPY for ingestion: the statement
 * POST /contracts sends (createContractsStatement: same text, named prepared statement, the items the
 * registry builds for `contractBody`), `batch` filings per statement from `connections` clients in
 * a loop straight through `pg`: no HTTP, no framework, no validation. Bounded by `seconds` and
 * `maxRequests`; each filing counts its statement's latency.
 */
export async function measureFilingDbLimit(
  databaseUrl: string,
  parties: { processorId: string; recipientId: string; filerId: string },
  {
    connections,
    seconds,
    maxRequests,
    batch,
    beforeClose,
  }: { connections: number; seconds: number; maxRequests: number; batch: number; beforeClose?: () => void },
): Promise<{ requestsPerSecond: number; p50Ms: number; p99Ms: number; total: number }> {
  const terms = contractBody(parties.processorId, parties.recipientId) as ContractTerms;
  // The parties' facts and the fingerprints, as the registry's checked path reads them.
  const reader = new Client({ connectionString: databaseUrl });
  await reader.connect();
  const { rows: read } = await reader
    .query<PartyRow & { rolloutRevision: string; calendarRevision: string; rulesRevision: string }>({
      ...CREATE_PARTIES,
      values: [parties.processorId, parties.recipientId],
    })
    .finally(() => reader.end());
  const fact = (id: string) => {
    const row = read.find((r) => r.id === id);
    if (!row) throw new Error(`filing limit: organisation ${id} not found`);
    return partyFromRow(row);
  };
  const contract = {
    terms,
    processor: fact(parties.processorId),
    recipient: fact(parties.recipientId),
    direction: 'MAINLAND_TO_HK',
    // The deadlines the calendars give for EFFECTIVE (10 working days on each side); their values do not change the cost.
    filings: [
      { authority: 'GD_CAC', deadline: '2025-02-14', provisional: false },
      { authority: 'HK_DPO', deadline: '2025-02-10', provisional: false },
    ],
    actor: { id: parties.filerId, kind: 'user', role: 'ORG_FILER', organisationId: parties.processorId, authority: null },
  } satisfies NewContract;
  const revisions = { rollout: read[0].rolloutRevision, calendar: read[0].calendarRevision, rules: read[0].rulesRevision };
  // `batch` filings per statement, as the registry's group commit sends them.
  const statement = () => createContractsStatement(Array.from({ length: batch }, () => contractToInsert(contract, revisions)));
  const clients = await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = new Client({ connectionString: databaseUrl });
      await client.connect();
      return client;
    }),
  );
  const latencies: number[] = [];
  let issued = 0;
  const deadline = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  try {
    await Promise.all(
      clients.map(async (client) => {
        while (Date.now() < deadline && issued < maxRequests) {
          issued += batch;
          const t0 = process.hrtime.bigint();
          const { rows } = await client.query(statement());
          if (rows.length !== batch) throw new Error('filing limit: the statement wrote nothing (a fact it assumes is not what the database holds)');
          const ms = Number(process.hrtime.bigint() - t0) / 1e6;
          for (let i = 0; i < batch; i++) latencies.push(ms);
        }
      }),
    );
  } finally {
    // Before the backends exit, while their CPU time still counts under the postmaster (bench/filing.ts).
    beforeClose?.();
    await Promise.all(clients.map((c) => c.end()));
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return { requestsPerSecond: latencies.length / elapsed, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), total: latencies.length };
}

/**
 * Runs `body` on a fresh, migrated database `gba_bench_<label>_<time>` on DATABASE_URL's server or, without one, on an
 * embedded PostgreSQL started for the run; drops the database (and stops that server) afterwards.
 */
export async function withScratchDatabase<T>(label: string, body: (dbUrl: string) => Promise<T>): Promise<T> {
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let url = process.env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      dataDir: fs.mkdtempSync(path.join(os.tmpdir(), `gba-bench-${label}-`)),
      port: await freePort(),
      database: 'postgres',
      ephemeral: true,
    });
    url = embedded.url;
  }
  const database = `gba_bench_${label}_${Date.now()}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const target = new URL(url);
  target.pathname = `/${database}`;
  try {
    await runMigrations(target.toString());
    return await body(target.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    if (embedded) await embedded.stop();
  }
}

/** The parsed body of a 2xx answer from the registry at `base`, of the type the caller names (bench/filing.ts, bench/filing-ab.ts). */
export async function call<T = unknown>(base: string, method: string, url: string, token: string | null, body?: unknown): Promise<T> {
  const headers = { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const { status, text } = await send(base, method, url, headers, body !== undefined ? JSON.stringify(body) : undefined);
  if (status < 200 || status >= 300) throw new Error(`${method} ${url} → ${status} ${text.slice(0, 400)}`);
  return JSON.parse(text) as T;
}
