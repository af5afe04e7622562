/**
 * `npm run bench`: measures the registry against the limits of the machine it
 * runs on, in the same run (issue 6). Prints a table, writes
 * bench/results/<date>.json and .md (and BENCH_JSON=path if set).
 *
 *   BENCH_ROWS    transfer rows to ingest (default 1,000,000; 10,000,000 is the full run)
 *   DATABASE_URL  a PostgreSQL server to use instead of an embedded one (a database `gba_bench_<ts>` is created on it)
 *   BENCH_JSON    also write the JSON result here
 *   BENCH_FILING_SECONDS  seconds per autocannon run (default 10)
 *   BENCH_NODE_ARGS       extra node flags for the registry process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
 *   JWT_TTL_SECONDS, DATABASE_POOL_SIZE, …  passed on to the registry; unset, it runs with its defaults (pool of 10)
 *
 * Never asserts a time: it measures and reports ratios to the limit measured in the same run.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { contractBody, FILING_DB_LIMIT_SHAPE, FILING_MAX_REQUESTS, freePort, measureFilingDbLimit, METHOD, percentile } from './common';
import { BinaryCopyWriter } from '../src/database/binary-copy';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/migrate';
import { leafHash } from '../src/ledger/domain/merkle';
import { makeValidUscc } from '../src/organisations/identifiers';
import { TRANSFER_LEAF_SCHEMA_V1, transferLeafBytes } from '../src/transfers/domain/transfer-leaf';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- autocannon ships no types; the assertion says what the bench uses of it
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult>;

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  errors: number;
  non2xx: number;
  '2xx': number;
}

const ROOT = path.join(__dirname, '..');
const ROWS = Number(process.env.BENCH_ROWS || 1_000_000);
const BATCH = 1000;
const INGEST_CLIENTS = 4;
const CONTRACTS = 50;
const QUERY_SAMPLES = 1000;
const PROOF_SAMPLES = 1000;
const FILING_CONNECTIONS = 32;
const FILING_SECONDS = Number(process.env.BENCH_FILING_SECONDS || 10);
const ADMIN = { email: 'bench-admin@registry.example', password: 'bench-admin-password-0001' };

const log = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

function databaseUrlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Peak resident set of a process since the last reset (Linux /proc). */
function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

class Api {
  constructor(readonly base: string) {}

  async call(
    method: string,
    url: string,
    token: string | null,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: unknown }> {
    const response = await fetch(this.base + url, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // text body
    }
    return { status: response.status, json };
  }

  /** The parsed body of a 2xx answer, of the type the caller names. */
  async ok<T = unknown>(method: string, url: string, token: string | null, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const { status, json } = await this.call(method, url, token, body, headers);
    if (status < 200 || status >= 300) throw new Error(`${method} ${url} → ${status} ${JSON.stringify(json).slice(0, 500)}`);
    return json as T;
  }
}

/** What POST /transfers answers, as far as the bench reads it. */
interface TransfersAnswer {
  records?: Array<{ flags?: string[] }>;
  results?: Array<{ flags?: string[] }>;
}

/** Secrets shared by every registry process of one run, so tokens stay valid across a restart. */
const SECRETS = { jwt: randomBytes(48).toString('base64url'), signingSeed: randomBytes(32).toString('base64') };

async function startRegistry(databaseUrl: string, port: number): Promise<ChildProcess> {
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'dist', 'main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      JWT_SECRET: SECRETS.jwt,
      LEDGER_SIGNING_KEY: SECRETS.signingSeed,
      LEDGER_ORIGIN: 'bench.gba-registry.example/transfers',
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'warn',
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'gba-bench-app-')),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 600; i++) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (response.ok) return child;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`registry exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('registry did not become ready in 60 s');
}

async function stopRegistry(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const START_MS = Date.parse('2025-02-01T00:00:00Z');
const SPAN_MS = 365 * 24 * 3600 * 1000;

/** One transfer record; about 1 in 50 is out of scope so flags are exercised. */
function transferRecord(contractId: string, i: number): Record<string, unknown> {
  const flagged = i % 50 === 0;
  return {
    contractId,
    occurredAt: new Date(START_MS + ((i * 7919) % SPAN_MS)).toISOString(),
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

interface Seed {
  /** When the tokens below were minted; `keepTokensFresh` re-mints them before they expire (a 10M run outlives a 15-minute token). */
  mintedAt: number;
  credentials: Credentials;
  adminToken: string;
  regulatorToken: string;
  processorTokens: string[];
  contractIds: string[];
  contractProcessor: number[];
  processorIds: string[];
  recipientIds: string[];
  filerTokenByProcessor: Map<string, string>;
}

interface Credentials {
  regulator: { email: string; password: string };
  filers: Array<{ processorId: string; userId: string; email: string; password: string }>;
  serviceAccounts: Array<{ clientId: string; clientSecret: string }>;
}

/** Tokens live JWT_TTL_SECONDS (default 900 s): re-mint at half that, as a real logging client refreshes its token. */
const TOKEN_REFRESH_MS = (Number(process.env.JWT_TTL_SECONDS) || 900) * 500;

async function password(api: Api, email: string, secret: string): Promise<string> {
  return (await api.ok<{ accessToken: string }>('POST', '/auth/token', null, { grantType: 'password', email, password: secret })).accessToken;
}

async function clientCredentials(api: Api, clientId: string, clientSecret: string): Promise<string> {
  return (await api.ok<{ accessToken: string }>('POST', '/auth/token', null, { grantType: 'client_credentials', clientId, clientSecret })).accessToken;
}

let refreshing: Promise<void> | null = null;

/** Re-mints every token of the seed when they are past half their lifetime (one refresh at a time). */
async function keepTokensFresh(api: Api, seedData: Seed): Promise<void> {
  if (Date.now() - seedData.mintedAt < TOKEN_REFRESH_MS) return;
  refreshing ??= (async () => {
    const { credentials } = seedData;
    seedData.adminToken = await password(api, ADMIN.email, ADMIN.password);
    seedData.regulatorToken = await password(api, credentials.regulator.email, credentials.regulator.password);
    for (const filer of credentials.filers) seedData.filerTokenByProcessor.set(filer.processorId, await password(api, filer.email, filer.password));
    for (const [i, account] of credentials.serviceAccounts.entries())
      seedData.processorTokens[i] = await clientCredentials(api, account.clientId, account.clientSecret);
    seedData.mintedAt = Date.now();
    log('tokens re-minted');
  })().finally(() => {
    refreshing = null;
  });
  await refreshing;
}

async function seed(api: Api): Promise<Seed> {
  const mintedAt = Date.now();
  const adminToken = await password(api, ADMIN.email, ADMIN.password);
  const secret = 'bench-user-password-0001';
  const credentials: Credentials = { regulator: { email: 'regulator@gdcac.bench', password: secret }, filers: [], serviceAccounts: [] };
  await api.ok('POST', '/users', adminToken, { ...credentials.regulator, role: 'REGULATOR', authority: 'GD_CAC' });
  const regulatorToken = await password(api, credentials.regulator.email, secret);
  const processors = 10;
  const processorIds: string[] = [];
  const recipientIds: string[] = [];
  const processorTokens: string[] = [];
  const filerTokenByProcessor = new Map<string, string>();
  for (let p = 0; p < processors; p++) {
    const processor = await api.ok<{ id: string }>('POST', '/organisations', adminToken, {
      legalName: `Bench Bank ${p} (Shenzhen)`,
      jurisdiction: 'MAINLAND',
      city: 'SHENZHEN',
      identifierType: 'USCC',
      identifier: makeValidUscc(4_000_000 + p),
      sector: 'BANKING',
    });
    const recipient = await api.ok<{ id: string }>('POST', '/organisations', adminToken, {
      legalName: `Bench Bank ${p} (Hong Kong)`,
      jurisdiction: 'HONG_KONG',
      city: 'HONG_KONG',
      identifierType: 'HK_BRN',
      identifier: String(70_000_000 + p),
      sector: 'BANKING',
    });
    processorIds.push(processor.id);
    recipientIds.push(recipient.id);
    const email = `filer${p}@bench.example`;
    const filer = await api.ok<{ id: string }>('POST', '/users', adminToken, { email, password: secret, role: 'ORG_FILER', organisationId: processor.id });
    credentials.filers.push({ processorId: processor.id, userId: filer.id, email, password: secret });
    filerTokenByProcessor.set(processor.id, await password(api, email, secret));
    const account = await api.ok<{ clientId: string; clientSecret: string }>('POST', `/organisations/${processor.id}/service-accounts`, adminToken, {
      name: `bench-logger-${p}`,
    });
    credentials.serviceAccounts.push({ clientId: account.clientId, clientSecret: account.clientSecret });
    processorTokens.push(await clientCredentials(api, account.clientId, account.clientSecret));
  }
  const contractIds: string[] = [];
  const contractProcessor: number[] = [];
  for (let c = 0; c < CONTRACTS; c++) {
    const p = c % processors;
    const contract = await api.ok<{ id: string }>(
      'POST',
      '/contracts',
      filerTokenByProcessor.get(processorIds[p])!,
      contractBody(processorIds[p], recipientIds[p]),
    );
    contractIds.push(contract.id);
    contractProcessor.push(p);
  }
  return {
    mintedAt,
    credentials,
    adminToken,
    regulatorToken,
    processorTokens,
    contractIds,
    contractProcessor,
    processorIds,
    recipientIds,
    filerTokenByProcessor,
  };
}

/**
 * The ingestion limit: raw COPY of rows shaped like transfer_records into a scratch table with the
 * same indexes, in PostgreSQL's binary format (the format the registry itself sends, so the limit
 * pays no text parsing the registry does not), one COPY statement for all N rows.
 */
async function measureCopyLimit(ownerUrl: string, rows: number, seedData: Seed): Promise<number> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query('DROP TABLE IF EXISTS bench_copy_limit');
    await client.query('CREATE TABLE bench_copy_limit (LIKE transfer_records INCLUDING DEFAULTS INCLUDING INDEXES)');
    const columns = (
      await client.query(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'transfer_records' AND table_schema = current_schema() ORDER BY ordinal_position`,
      )
    ).rows.map((r) => r.column_name as string);
    const recordedAt = new Date().toISOString();
    // Rows prepared before the clock starts for a pool of records and sent again with fresh leaf
    // indexes: the limit must be what PostgreSQL can absorb, not how fast this process makes leaves.
    const POOL = Math.min(rows, 20_000);
    const writer = new BinaryCopyWriter(POOL * 1600);
    const tupleStarts: number[] = [];
    const leafIndexAt: number[] = [];
    for (let i = 0; i < POOL; i++) {
      const c = i % seedData.contractIds.length;
      const record = transferRecord(seedData.contractIds[c], i);
      const party = seedData.processorIds[seedData.contractProcessor[c]];
      const recipient = seedData.recipientIds[seedData.contractProcessor[c]];
      const flags = i % 50 === 0 ? ['CATEGORY_NOT_IN_SCOPE', 'SENSITIVE_WITHOUT_SEPARATE_CONSENT'] : [];
      // The ledger leaf stored with the row: a leaf of the same size and shape (RFC 8785 JSON of the record) and its hash.
      const leaf = transferLeafBytes({
        schema: TRANSFER_LEAF_SCHEMA_V1,
        contractId: seedData.contractIds[c],
        contractVersion: 1,
        processorId: party,
        recipientId: recipient,
        occurredAt: String(record.occurredAt),
        recordedAt,
        direction: 'MAINLAND_TO_HK',
        dataSubjectCount: record.dataSubjectCount as number,
        recordCount: record.recordCount as number,
        personalInformationCategories: record.personalInformationCategories as string[],
        sensitiveCategories: record.sensitiveCategories as string[],
        purposes: record.purposes as string[],
        transferMethod: METHOD,
        separateConsentObtained: record.separateConsentObtained as boolean,
        onwardRecipient: null,
        payloadDigest: String(record.payloadDigest),
        externalReference: String(record.externalReference),
        flags,
        submittedBy: { organisationId: party, principalType: 'service_account', principalId: party },
      });
      const write: Record<string, () => void> = {
        leaf_index: () => {
          leafIndexAt.push(writer.position);
          writer.int8(0);
        },
        contract_id: () => writer.uuid(seedData.contractIds[c]),
        contract_version: () => writer.int4(1),
        processor_id: () => writer.uuid(party),
        recipient_id: () => writer.uuid(recipient),
        processor_jurisdiction: () => writer.text('MAINLAND'),
        recipient_jurisdiction: () => writer.text('HONG_KONG'),
        sector: () => writer.text('BANKING'),
        submitted_by_organisation_id: () => writer.uuid(party),
        submitted_by: () => writer.uuid(party),
        occurred_at: () => writer.timestamptz(String(record.occurredAt)),
        recorded_at: () => writer.timestamptz(recordedAt),
        direction: () => writer.text('MAINLAND_TO_HK'),
        data_subject_count: () => writer.int8(record.dataSubjectCount as number),
        record_count: () => writer.int8(record.recordCount as number),
        personal_information_categories: () => writer.textArray(record.personalInformationCategories as string[]),
        sensitive_categories: () => writer.textArray(record.sensitiveCategories as string[]),
        purposes: () => writer.textArray(record.purposes as string[]),
        transfer_method: () => writer.text(METHOD),
        separate_consent_obtained: () => writer.bool(record.separateConsentObtained as boolean),
        onward_recipient_name: () => writer.text(null),
        onward_recipient_city: () => writer.text(null),
        payload_digest: () => writer.text(String(record.payloadDigest)),
        external_reference: () => writer.text(String(record.externalReference)),
        flags: () => writer.textArray(flags),
        leaf_hash: () => writer.bytea(leafHash(leaf)),
        leaf: () => writer.bytea(leaf),
      };
      tupleStarts.push(writer.position);
      writer.tuple(columns.length);
      for (const name of columns) {
        // A column the limit does not fill would make the limit cheaper than the real rows: refuse.
        if (!write[name]) throw new Error(`bench: no value for transfer_records.${name} in the COPY limit`);
        write[name]();
      }
    }
    const payload = writer.finish();
    const HEADER = tupleStarts[0];
    const tuples = payload.subarray(HEADER, payload.length - 2);
    const tupleEnd = (j: number): number => (j + 1 < POOL ? tupleStarts[j + 1] : payload.length - 2) - HEADER;
    function* chunks(): Generator<Buffer> {
      yield Buffer.from(payload.subarray(0, HEADER));
      for (let base = 0; base < rows; base += POOL) {
        const count = Math.min(POOL, rows - base);
        for (let j = 0; j < count; j++) tuples.writeBigInt64BE(BigInt(base + j), leafIndexAt[j] - HEADER + 4);
        // A copy: the next round patches the same bytes while this one may still be queued.
        yield Buffer.from(tuples.subarray(0, tupleEnd(count - 1)));
      }
      yield Buffer.from(payload.subarray(payload.length - 2));
    }
    const started = process.hrtime.bigint();
    await pipeline(Readable.from(chunks()), client.query(copyFrom(`COPY bench_copy_limit (${columns.join(', ')}) FROM STDIN (FORMAT binary)`)));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const { rows: counted } = await client.query('SELECT count(*)::bigint AS n, count(DISTINCT leaf_index)::bigint AS d FROM bench_copy_limit');
    if (Number(counted[0].n) !== rows || Number(counted[0].d) !== rows)
      throw new Error(`bench: the COPY limit stored ${counted[0].n} rows (${counted[0].d} distinct), not ${rows}`);
    await client.query('DROP TABLE bench_copy_limit');
    return rows / seconds;
  } finally {
    await client.end();
  }
}

/** Ingestion through the API: batches of 1,000, 4 concurrent clients, real tokens. */
async function ingest(api: Api, seedData: Seed, from: number, to: number): Promise<{ recordsPerSecond: number; flagged: number }> {
  let next = from;
  let flagged = 0;
  const started = process.hrtime.bigint();
  async function client(worker: number): Promise<void> {
    for (;;) {
      const start = next;
      if (start >= to) return;
      next = Math.min(to, start + BATCH);
      await keepTokensFresh(api, seedData);
      // Each batch is for one contract, logged by that contract's processor's service account.
      const c = ((start / BATCH + worker) % seedData.contractIds.length) | 0;
      const records = [];
      for (let i = start; i < Math.min(to, start + BATCH); i++) records.push(transferRecord(seedData.contractIds[c], i));
      const token = seedData.processorTokens[seedData.contractProcessor[c]];
      const body = await api.ok<TransfersAnswer>('POST', '/transfers', token, { records }, { 'idempotency-key': randomUUID() });
      for (const r of body.records ?? body.results ?? []) if (r.flags?.length) flagged++;
    }
  }
  await Promise.all(Array.from({ length: INGEST_CLIENTS }, (_, w) => client(w)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { recordsPerSecond: (to - from) / seconds, flagged };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function measureQueries(api: Api, seedData: Seed, samples: number): Promise<{ p50: number; p99: number }> {
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const contractId = seedData.contractIds[Math.floor(Math.random() * seedData.contractIds.length)];
    const fromMs = START_MS + Math.floor(Math.random() * SPAN_MS * 0.9);
    const toMs = fromMs + Math.floor(Math.random() * 30 * 24 * 3600 * 1000) + 3600 * 1000;
    const url = `/transfers?contractId=${contractId}&from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}&limit=100`;
    latencies.push(
      await timed(async () => {
        const body = await api.ok<{ items?: unknown }>('GET', url, seedData.regulatorToken);
        if (!Array.isArray(body.items)) throw new Error('GET /transfers returned no items array');
      }),
    );
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function measureProofs(
  api: Api,
  token: string,
  treeSize: number,
  samples: number,
): Promise<{ inclusionP50: number; inclusionP99: number; consistencyP50: number; consistencyP99: number }> {
  const inclusion: number[] = [];
  const consistency: number[] = [];
  for (let i = 0; i < samples; i++) {
    const leafIndex = Math.floor(Math.random() * treeSize);
    inclusion.push(await timed(() => api.ok('GET', `/ledger/proofs/inclusion?leafIndex=${leafIndex}&treeSize=${treeSize}`, token)));
    const first = 1 + Math.floor(Math.random() * (treeSize - 1));
    consistency.push(await timed(() => api.ok('GET', `/ledger/proofs/consistency?first=${first}&second=${treeSize}`, token)));
  }
  inclusion.sort((a, b) => a - b);
  consistency.sort((a, b) => a - b);
  return {
    inclusionP50: percentile(inclusion, 50),
    inclusionP99: percentile(inclusion, 99),
    consistencyP50: percentile(consistency, 50),
    consistencyP99: percentile(consistency, 99),
  };
}

/**
 * What PostgreSQL's own maintenance was doing while a phase ran: the share of 250 ms samples with an
 * autovacuum worker on the log's tables, and with a checkpoint in progress. Not a limit: it explains
 * tails (right after a large ingestion both are busy on the same two cores).
 */
/**
 * After a bulk load, PostgreSQL's own maintenance (autovacuum of the new rows, a checkpoint of
 * the WAL they produced) competes with the audit queries for the two cores. A registry in steady
 * state has done that work; do it now, timed and reported, so the queries measure the registry.
 */
async function settle(ownerUrl: string): Promise<number> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const started = process.hrtime.bigint();
    await client.query('VACUUM (ANALYZE) transfer_records, ledger_nodes');
    await client.query('CHECKPOINT');
    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    await client.end();
  }
}

function watchMaintenance(ownerUrl: string): () => Promise<{ autovacuumShare: number; checkpointShare: number }> {
  const client = new Client({ connectionString: ownerUrl });
  let samples = 0;
  let autovacuum = 0;
  let checkpoint = 0;
  let stopped = false;
  const loop = (async () => {
    await client.connect();
    while (!stopped) {
      const { rows } = await client.query(
        `SELECT count(*) FILTER (WHERE backend_type = 'autovacuum worker' AND (query LIKE '%transfer_records%' OR query LIKE '%ledger_nodes%'))::int AS av,
                count(*) FILTER (WHERE backend_type = 'checkpointer' AND wait_event IS DISTINCT FROM 'CheckpointerMain')::int AS cp
           FROM pg_stat_activity`,
      );
      samples++;
      if (rows[0].av > 0) autovacuum++;
      if (rows[0].cp > 0) checkpoint++;
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return async () => {
    stopped = true;
    await loop.catch(() => undefined);
    await client.end().catch(() => undefined);
    return { autovacuumShare: samples ? autovacuum / samples : NaN, checkpointShare: samples ? checkpoint / samples : NaN };
  };
}

async function waitForCheckpoint(api: Api, size: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const { status, json } = await api.call('GET', '/ledger/checkpoint', null);
    if (status === 200 && typeof json === 'string' && Number(json.split('\n')[1]) >= size) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no checkpoint covering ${size} leaves within 60 s`);
}

/** Raw COPY … TO of the whole table: the export limit. */
async function measureCopyTo(ownerUrl: string): Promise<{ rows: number; rowsPerSecond: number }> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    let rows = 0;
    const started = process.hrtime.bigint();
    await pipeline(
      client.query(copyTo('COPY (SELECT * FROM transfer_records ORDER BY leaf_index) TO STDOUT')),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) rows++;
          callback();
        },
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { rows, rowsPerSecond: rows / seconds };
  } finally {
    await client.end();
  }
}

async function measureExport(api: Api, token: string, appPid: number): Promise<{ rows: number; rowsPerSecond: number; peakRssMb: number; peakReset: boolean }> {
  const peakReset = resetPeakRss(appPid);
  let rows = 0;
  let peak = rssMb(appPid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(appPid));
  }, 50);
  const started = process.hrtime.bigint();
  const response = await fetch(`${api.base}/transfers/export?format=ndjson`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok || !response.body) throw new Error(`export failed: ${response.status}`);
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (let i = 0; i < value.length; i++) if (value[i] === 10) rows++;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  const hwm = peakRssMb(appPid);
  return { rows, rowsPerSecond: rows / seconds, peakRssMb: Math.max(peak, peakReset ? hwm : peak), peakReset };
}

async function cannon(opts: Record<string, unknown>): Promise<AutocannonResult> {
  return autocannon({ connections: FILING_CONNECTIONS, duration: FILING_SECONDS, ...opts });
}

async function measureFiling(api: Api, seedData: Seed, ownerUrl: string): Promise<Record<string, number>> {
  const port = new URL(api.base).port;
  const base = `http://127.0.0.1:${port}`;
  const processorId = seedData.processorIds[0];
  const token = seedData.filerTokenByProcessor.get(processorId)!;
  // The ceiling before and after the filing routes, their mean the comparator: this VM drifts by
  // ±10–15% over a minute, and bracketing keeps drift from favouring either side.
  const ceilingBefore = await cannon({ url: `${base}/health/live` });
  const create = await cannon({
    url: `${base}/contracts`,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(contractBody(processorId, seedData.recipientIds[0])),
    // Bounded in count too, so the table does not grow without limit (`amount` would ignore the duration).
    maxOverallRequests: FILING_MAX_REQUESTS,
  });
  // The database's own limit for the statement POST /contracts sends, straight through pg (bench/common.ts).
  const dbLimit = await measureFilingDbLimit(
    ownerUrl,
    { processorId, recipientId: seedData.recipientIds[0], filerId: seedData.credentials.filers[0].userId },
    { ...FILING_DB_LIMIT_SHAPE, seconds: FILING_SECONDS, maxRequests: FILING_MAX_REQUESTS },
  );
  const contractId = seedData.contractIds[0];
  const read = await cannon({ url: `${base}/contracts/${contractId}`, headers: { authorization: `Bearer ${token}` } });
  const ceilingAfter = await cannon({ url: `${base}/health/live` });
  const failures = [create, read, ceilingBefore, ceilingAfter].reduce((n, r) => n + r.errors + r.non2xx, 0);
  return {
    ceilingRequestsPerSecond: (ceilingBefore.requests.average + ceilingAfter.requests.average) / 2,
    ceilingBeforeRequestsPerSecond: ceilingBefore.requests.average,
    ceilingAfterRequestsPerSecond: ceilingAfter.requests.average,
    ceilingP99Ms: Math.max(ceilingBefore.latency.p99, ceilingAfter.latency.p99),
    createRequestsPerSecond: create.requests.average,
    createP99Ms: create.latency.p99,
    dbLimitRequestsPerSecond: dbLimit.requestsPerSecond,
    dbLimitP99Ms: dbLimit.p99Ms,
    readRequestsPerSecond: read.requests.average,
    readP99Ms: read.latency.p99,
    failures,
  };
}

interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

function machine(): Machine {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

async function main(): Promise<void> {
  if (!Number.isInteger(ROWS) || ROWS < 10_000) throw new Error('BENCH_ROWS must be a whole number ≥ 10000');
  log(`BENCH_ROWS=${ROWS}; building`);
  const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');

  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gba-bench-pg-'));
    embedded = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'postgres', ephemeral: true });
    serverUrl = embedded.url;
  }
  const database = `gba_bench_${Date.now()}`;
  const admin = new Client({ connectionString: databaseUrlFor(serverUrl, 'postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const postgresVersion = (await admin.query('SHOW server_version')).rows[0].server_version as string;
  await admin.end();
  const ownerUrl = databaseUrlFor(serverUrl, database);
  await runMigrations(ownerUrl);

  const port = await freePort();
  let app = await startRegistry(ownerUrl, port);
  const api = new Api(`http://127.0.0.1:${port}`);
  const rssAtStart = rssMb(app.pid!);
  const figures: Record<string, number> = { rows: ROWS };
  const growth: Array<Record<string, number>> = [];
  try {
    log('seeding organisations, users, contracts');
    const seedData = await seed(api);

    log(`ingestion limit: raw COPY of ${ROWS} rows`);
    const copyRowsPerSecond = await measureCopyLimit(ownerUrl, ROWS, seedData);

    // Ingest in two steps so growth (N/10 → N) is measured in the same run.
    const step = Math.floor(ROWS / 10 / BATCH) * BATCH || BATCH;
    log(`API ingestion: first ${step} rows`);
    const first = await ingest(api, seedData, 0, step);
    await waitForCheckpoint(api, step);
    figures['maintenance.settleSecondsAtStep'] = round(await settle(ownerUrl));
    await keepTokensFresh(api, seedData);
    const q1 = await measureQueries(api, seedData, Math.min(200, QUERY_SAMPLES));
    const p1 = await measureProofs(api, seedData.regulatorToken, step, Math.min(200, PROOF_SAMPLES));
    growth.push({ rows: step, ingestRecordsPerSecond: round(first.recordsPerSecond), queryP99Ms: round(q1.p99), inclusionP99Ms: round(p1.inclusionP99) });

    log(`API ingestion: remaining ${ROWS - step} rows`);
    const rest = await ingest(api, seedData, step, ROWS);
    const recordsPerSecond = (ROWS - step) / ((ROWS - step) / rest.recordsPerSecond);
    await waitForCheckpoint(api, ROWS);
    log('letting PostgreSQL settle: VACUUM (ANALYZE) and CHECKPOINT after the bulk load');
    figures['maintenance.settleSeconds'] = round(await settle(ownerUrl));

    log('audit queries');
    const stopWatching = watchMaintenance(ownerUrl);
    await keepTokensFresh(api, seedData);
    const query = await measureQueries(api, seedData, QUERY_SAMPLES);
    const maintenance = await stopWatching();
    figures['query.autovacuumShare'] = round(maintenance.autovacuumShare, 2);
    figures['query.checkpointShare'] = round(maintenance.checkpointShare, 2);
    log('proofs');
    await keepTokensFresh(api, seedData);
    const proof = await measureProofs(api, seedData.regulatorToken, ROWS, PROOF_SAMPLES);
    growth.push({ rows: ROWS, ingestRecordsPerSecond: round(rest.recordsPerSecond), queryP99Ms: round(query.p99), inclusionP99Ms: round(proof.inclusionP99) });

    log('export limit: raw COPY TO');
    const copyOut = await measureCopyTo(ownerUrl);
    // The export's peak RSS is its own: measured on a freshly started registry, not on the process that just ingested N rows.
    figures['app.rssAfterIngestMb'] = round(rssMb(app.pid!), 1);
    log('restarting the registry for the export');
    await stopRegistry(app);
    app = await startRegistry(ownerUrl, port);
    figures['app.rssBeforeExportMb'] = round(rssMb(app.pid!), 1);
    log('export through the API');
    await keepTokensFresh(api, seedData);
    const exported = await measureExport(api, seedData.regulatorToken, app.pid!);
    if (exported.rows !== copyOut.rows) log(`WARNING: export returned ${exported.rows} rows, COPY TO ${copyOut.rows}`);

    log(`filing under ${FILING_CONNECTIONS} connections, ${FILING_SECONDS} s each`);
    await keepTokensFresh(api, seedData);
    const filing = await measureFiling(api, seedData, ownerUrl);

    Object.assign(figures, {
      'ingest.recordsPerSecond': round(recordsPerSecond),
      'ingest.copyRowsPerSecond': round(copyRowsPerSecond),
      'ingest.ratioToCopy': round(recordsPerSecond / copyRowsPerSecond, 3),
      'query.p50Ms': round(query.p50),
      'query.p99Ms': round(query.p99),
      'export.rows': exported.rows,
      'export.rowsPerSecond': round(exported.rowsPerSecond),
      'export.copyToRowsPerSecond': round(copyOut.rowsPerSecond),
      'export.ratioToCopyTo': round(exported.rowsPerSecond / copyOut.rowsPerSecond, 3),
      'export.peakRssMb': round(exported.peakRssMb, 1),
      'proof.inclusionP50Ms': round(proof.inclusionP50),
      'proof.inclusionP99Ms': round(proof.inclusionP99),
      'proof.consistencyP50Ms': round(proof.consistencyP50),
      'proof.consistencyP99Ms': round(proof.consistencyP99),
      'filing.createP99Ms': round(filing.createP99Ms),
      'filing.createRequestsPerSecond': round(filing.createRequestsPerSecond),
      'filing.dbLimitRequestsPerSecond': round(filing.dbLimitRequestsPerSecond),
      'filing.dbLimitP99Ms': round(filing.dbLimitP99Ms),
      'filing.createRatioToDbLimit': round(filing.createRequestsPerSecond / filing.dbLimitRequestsPerSecond, 3),
      'filing.readP99Ms': round(filing.readP99Ms),
      'filing.readRequestsPerSecond': round(filing.readRequestsPerSecond),
      'filing.p99Ms': round(Math.max(filing.createP99Ms, filing.readP99Ms)),
      'filing.ceilingRequestsPerSecond': round(filing.ceilingRequestsPerSecond),
      'filing.ceilingBeforeRequestsPerSecond': round(filing.ceilingBeforeRequestsPerSecond),
      'filing.ceilingAfterRequestsPerSecond': round(filing.ceilingAfterRequestsPerSecond),
      'filing.ratioToCeiling': round(Math.min(filing.createRequestsPerSecond, filing.readRequestsPerSecond) / filing.ceilingRequestsPerSecond, 3),
      'filing.failures': filing.failures,
      'app.rssAtStartMb': round(rssAtStart, 1),
      'app.rssAtEndMb': round(rssMb(app.pid!), 1),
    });
  } finally {
    await stopRegistry(app);
    if (embedded) await embedded.stop();
    else {
      const cleanup = new Client({ connectionString: databaseUrlFor(serverUrl, 'postgres') });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await cleanup.end();
    }
  }

  const targets: Array<[string, string, number, (v: number) => boolean, string]> = [
    ['API ingestion', 'ingest.ratioToCopy', 0.5, (v) => v >= 0.5, '≥ 50% of raw COPY rows/s'],
    ['Audit query p99 (ms)', 'query.p99Ms', 25, (v) => v <= 25, '≤ 25 ms'],
    ['Export', 'export.ratioToCopyTo', 0.5, (v) => v >= 0.5, '≥ 50% of raw COPY TO rows/s'],
    ['Export peak RSS (MB)', 'export.peakRssMb', 300, (v) => v <= 300, '≤ 300 MB'],
    ['Inclusion proof p99 (ms)', 'proof.inclusionP99Ms', 10, (v) => v <= 10, '≤ 10 ms'],
    ['Consistency proof p99 (ms)', 'proof.consistencyP99Ms', 10, (v) => v <= 10, '≤ 10 ms'],
    ['Filing p99 (ms)', 'filing.p99Ms', 50, (v) => v <= 50, '≤ 50 ms'],
    ['Filing throughput', 'filing.ratioToCeiling', 0.3, (v) => v >= 0.3, '≥ 30% of GET /health/live req/s'],
  ];
  const result = {
    date: new Date().toISOString(),
    machine: { ...machine(), postgres: postgresVersion },
    figures,
    growth,
    targets: targets.map(([name, key, limit, ok, text]) => ({ name, key, value: figures[key], limit, target: text, met: ok(figures[key]) })),
  };

  const table = [
    ['figure', 'value', 'limit (same run)', 'ratio / target', 'met'],
    [
      'API ingestion (records/s)',
      String(figures['ingest.recordsPerSecond']),
      `COPY ${figures['ingest.copyRowsPerSecond']} rows/s`,
      `${figures['ingest.ratioToCopy']} (≥ 0.5)`,
      String(figures['ingest.ratioToCopy'] >= 0.5),
    ],
    [
      'Audit query p50 / p99 (ms)',
      `${figures['query.p50Ms']} / ${figures['query.p99Ms']}`,
      '25 ms',
      `${round(figures['query.p99Ms'] / 25, 3)} of limit`,
      String(figures['query.p99Ms'] <= 25),
    ],
    [
      'Export (rows/s)',
      String(figures['export.rowsPerSecond']),
      `COPY TO ${figures['export.copyToRowsPerSecond']} rows/s`,
      `${figures['export.ratioToCopyTo']} (≥ 0.5)`,
      String(figures['export.ratioToCopyTo'] >= 0.5),
    ],
    [
      'Export peak RSS (MB)',
      String(figures['export.peakRssMb']),
      '300 MB',
      `${round(figures['export.peakRssMb'] / 300, 3)} of limit`,
      String(figures['export.peakRssMb'] <= 300),
    ],
    [
      'Inclusion proof p50 / p99 (ms)',
      `${figures['proof.inclusionP50Ms']} / ${figures['proof.inclusionP99Ms']}`,
      '10 ms',
      `${round(figures['proof.inclusionP99Ms'] / 10, 3)} of limit`,
      String(figures['proof.inclusionP99Ms'] <= 10),
    ],
    [
      'Consistency proof p50 / p99 (ms)',
      `${figures['proof.consistencyP50Ms']} / ${figures['proof.consistencyP99Ms']}`,
      '10 ms',
      `${round(figures['proof.consistencyP99Ms'] / 10, 3)} of limit`,
      String(figures['proof.consistencyP99Ms'] <= 10),
    ],
    [
      'Filing POST /contracts p99 (ms), req/s',
      `${figures['filing.createP99Ms']}, ${figures['filing.createRequestsPerSecond']}`,
      `ceiling ${figures['filing.ceilingRequestsPerSecond']} req/s (mean of ${figures['filing.ceilingBeforeRequestsPerSecond']} before, ${figures['filing.ceilingAfterRequestsPerSecond']} after)`,
      `${round(figures['filing.createRequestsPerSecond'] / figures['filing.ceilingRequestsPerSecond'], 3)} of ceiling (≥ 0.3; p99 ≤ 50 ms)`,
      String(figures['filing.createP99Ms'] <= 50 && figures['filing.createRequestsPerSecond'] >= 0.3 * figures['filing.ceilingRequestsPerSecond']),
    ],
    [
      'Filing database limit p99 (ms), req/s',
      `${figures['filing.dbLimitP99Ms']}, ${figures['filing.dbLimitRequestsPerSecond']}`,
      `the POST /contracts statement through pg, ${FILING_DB_LIMIT_SHAPE.batch} filings per statement on ${FILING_DB_LIMIT_SHAPE.connections} connections`,
      `POST is ${figures['filing.createRatioToDbLimit']} of it`,
      '-',
    ],
    [
      'Filing GET /contracts/:id p99 (ms), req/s',
      `${figures['filing.readP99Ms']}, ${figures['filing.readRequestsPerSecond']}`,
      `ceiling ${figures['filing.ceilingRequestsPerSecond']} req/s`,
      `${round(figures['filing.readRequestsPerSecond'] / figures['filing.ceilingRequestsPerSecond'], 3)} of ceiling (≥ 0.3; p99 ≤ 50 ms)`,
      String(figures['filing.readP99Ms'] <= 50 && figures['filing.readRequestsPerSecond'] >= 0.3 * figures['filing.ceilingRequestsPerSecond']),
    ],
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const printed = table.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ')).join('\n');
  const m = result.machine;
  const header = `GBA registry benchmark, ${ROWS} rows, ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB, PostgreSQL ${postgresVersion}, Node ${m.node}`;
  const growthLines = growth.map(
    (g) => `  ${g.rows} rows: ingest ${g.ingestRecordsPerSecond} records/s, query p99 ${g.queryP99Ms} ms, inclusion proof p99 ${g.inclusionP99Ms} ms`,
  );
  process.stdout.write(
    `\n${header}\n\n${printed}\n\nGrowth:\n${growthLines.join('\n')}\n` +
      `During the audit queries: autovacuum of the log ${Math.round(figures['query.autovacuumShare'] * 100)}% of the time, checkpoint ${Math.round(figures['query.checkpointShare'] * 100)}%\n`,
  );

  const resultsDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const stamp = result.date.slice(0, 10);
  const json = JSON.stringify(result, null, 2) + '\n';
  fs.writeFileSync(path.join(resultsDir, `${stamp}.json`), json);
  const markdown = [
    `# Benchmark ${result.date}`,
    '',
    header,
    '',
    `| ${table[0].join(' | ')} |`,
    `| ${table[0].map(() => '---').join(' | ')} |`,
    ...table.slice(1).map((row) => `| ${row.join(' | ')} |`),
    '',
    'Growth (same run):',
    '',
    ...growthLines.map((l) => `- ${l.trim()}`),
    '',
    `After the load the bench ran VACUUM (ANALYZE) and CHECKPOINT (${figures['maintenance.settleSeconds']} s), as a registry in steady state would have. During the audit queries at ${ROWS} rows, PostgreSQL was vacuuming the log's tables in ${Math.round(figures['query.autovacuumShare'] * 100)}% of 250 ms samples and checkpointing in ${Math.round(figures['query.checkpointShare'] * 100)}%.`,
    '',
    `Reproduce: \`BENCH_ROWS=${ROWS} npm run bench\``,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(resultsDir, `${stamp}.md`), markdown);
  if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, json);
  log(`wrote bench/results/${stamp}.json and .md`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
