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
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { contractBody, FILING_DB_LIMIT_SHAPE, FILING_MAX_REQUESTS, freePort, measureFilingDbLimit, percentile } from './common';
import { createTwin, dropTable, Load, loadBatchedCopies, loadOneCopy, measureSingleRowInserts, recordColumns, withWal } from './limits';
import { BATCH, contractOfRow, SPAN_MS, START_MS, TransferRows, transferRecord } from './rows';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/migrate';
import { privateKeyFromSeed, verifierKey } from '../src/ledger/domain/checkpoint';
import { makeValidUscc } from '../src/organisations/identifiers';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- autocannon ships no types; the assertion says what the bench uses of it
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult>;

interface AutocannonResult {
  duration: number;
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  errors: number;
  non2xx: number;
  '2xx': number;
}

const ROOT = path.join(__dirname, '..');
const ROWS = Number(process.env.BENCH_ROWS || 1_000_000);
const INGEST_CLIENTS = 4;
const CONTRACTS = 50;
const QUERY_SAMPLES = 1000;
const PROOF_SAMPLES = 1000;
const FILING_CONNECTIONS = 32;
const SMALL_CLIENTS = 32;
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

const LEDGER_ORIGIN = 'bench.gba-registry.example/transfers';

async function startRegistry(databaseUrl: string, port: number, extraEnv: Record<string, string> = {}): Promise<ChildProcess> {
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
      LEDGER_ORIGIN,
      BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'warn',
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'gba-bench-app-')),
      ...extraEnv,
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
 * Ingestion through the API: rows [from, to) in batches of BATCH, INGEST_CLIENTS concurrent clients
 * (client w sends to `apis[w % apis.length]`), real tokens. Batch k is for contract k mod contracts,
 * logged by that contract's processor's service account (bench/rows.ts: the limits load the same rows).
 */
async function ingest(apis: Api[], seedData: Seed, from: number, to: number): Promise<{ recordsPerSecond: number; seconds: number; flagged: number }> {
  let next = from;
  let flagged = 0;
  const started = process.hrtime.bigint();
  async function client(worker: number): Promise<void> {
    const api = apis[worker % apis.length];
    for (;;) {
      const start = next;
      if (start >= to) return;
      next = Math.min(to, start + BATCH);
      await keepTokensFresh(api, seedData);
      const c = contractOfRow(start, seedData.contractIds.length);
      const records = [];
      for (let i = start; i < Math.min(to, start + BATCH); i++) records.push(transferRecord(seedData.contractIds[c], i));
      const token = seedData.processorTokens[seedData.contractProcessor[c]];
      const body = await api.ok<TransfersAnswer>('POST', '/transfers', token, { records }, { 'idempotency-key': randomUUID() });
      for (const r of body.records ?? body.results ?? []) if (r.flags?.length) flagged++;
    }
  }
  await Promise.all(Array.from({ length: INGEST_CLIENTS }, (_, w) => client(w)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { recordsPerSecond: (to - from) / seconds, seconds, flagged };
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

interface Witness {
  process: ChildProcess;
  url: string;
  verifierKey: string;
}

/**
 * A regulator's witness as its own process, the way `npm run witness` starts it (the same node
 * flags and entry point), accepting this run's log key; resolves once it has written its
 * cosigner verifier key.
 */
async function startWitness(name: string): Promise<Witness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gba-bench-witness-'));
  const port = await freePort();
  const logKey = verifierKey(LEDGER_ORIGIN, privateKeyFromSeed(Buffer.from(SECRETS.signingSeed, 'base64')));
  const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(ROOT, 'src', 'witness', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, WITNESS_NAME: name, WITNESS_DATA_DIR: dataDir, WITNESS_PORT: String(port), WITNESS_LOGS: logKey },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const keyFile = path.join(dataDir, 'verifier-key');
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`witness ${name} exited with ${child.exitCode}`);
    if (fs.existsSync(keyFile)) {
      const key = fs.readFileSync(keyFile, 'utf8').trim();
      try {
        await fetch(`http://127.0.0.1:${port}/`);
        return { process: child, url: `http://127.0.0.1:${port}`, verifierKey: key };
      } catch {
        // not listening yet
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`witness ${name} did not start in 30 s`);
}

/**
 * Waits until GET /ledger/checkpoint serves a checkpoint of at least `size` leaves carrying
 * `cosignatures` witness lines; false when none came within `seconds` (the run goes on and says so).
 */
async function waitForCosigned(api: Api, size: number, cosignatures: number, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    const { status, json } = await api.call('GET', '/ledger/checkpoint', null);
    if (status === 200 && typeof json === 'string') {
      const lines = json.split('\n');
      // signed-note: the log's signature line and one line per cosignature, each starting with an em dash.
      const signatures = lines.filter((l) => l.startsWith('\u2014 ')).length;
      if (Number(lines[1]) >= size && signatures >= 1 + cosignatures) return true;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

interface SmallRequests {
  requestsPerSecond: number;
  recordsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  walBytesPerRecord: number;
}

let smallRecordNumber = 1_000_000_000;

/**
 * POST /transfers of `recordsPerRequest` records from `connections` concurrent clients for
 * FILING_SECONDS (autocannon), each request with its own Idempotency-Key and its own records, for
 * the contracts of the first processor, logged by its service account.
 */
async function measureSmallRequests(api: Api, seedData: Seed, ownerUrl: string, connections: number, recordsPerRequest: number): Promise<SmallRequests> {
  await keepTokensFresh(api, seedData);
  const token = seedData.processorTokens[0];
  const contracts = seedData.contractIds.filter((_, c) => seedData.contractProcessor[c] === 0);
  const { result, walBytes } = await withWal(ownerUrl, () =>
    autocannon({
      url: `${api.base}/transfers`,
      connections,
      duration: FILING_SECONDS,
      requests: [
        {
          method: 'POST',
          setupRequest: (request: Record<string, unknown>) => {
            const records = [];
            for (let k = 0; k < recordsPerRequest; k++) {
              const n = smallRecordNumber++;
              records.push(transferRecord(contracts[n % contracts.length], n));
            }
            return {
              ...request,
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
              body: JSON.stringify({ records }),
            };
          },
        },
      ],
    }),
  );
  const ok = result['2xx'];
  return {
    requestsPerSecond: ok / result.duration,
    recordsPerSecond: (ok * recordsPerRequest) / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.errors + result.non2xx,
    walBytesPerRecord: walBytes / Math.max(1, ok * recordsPerRequest),
  };
}

/** A CHECKPOINT, so each measured load starts with the same clean shared buffers and WAL. */
async function checkpoint(ownerUrl: string): Promise<void> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
}

/** Leaves in the log (rows of transfer_records). */
async function leafCount(ownerUrl: string): Promise<number> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT coalesce(max(leaf_index) + 1, 0)::bigint AS n FROM transfer_records');
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

/** One growth step: the registry beside its limit at the same size, and the read figures at that size. */
function growthRow(
  step: { to: number; registry: number; limit: number; ratio: number; one: Load; batched: Load; walPerRecord: number },
  queryP99Ms: number,
  inclusionP99Ms: number,
): Record<string, number> {
  return {
    rows: step.to,
    ingestRecordsPerSecond: round(step.registry),
    limitRowsPerSecond: round(step.limit),
    ratioToLimit: round(step.ratio, 3),
    limitOneCopyRowsPerSecond: round(step.one.rowsPerSecond),
    limitBatchedRowsPerSecond: round(step.batched.rowsPerSecond),
    walBytesPerRecord: round(step.walPerRecord, 0),
    limitWalBytesPerRow: round(step.batched.walBytesPerRow, 0),
    queryP99Ms: round(queryP99Ms),
    inclusionP99Ms: round(inclusionP99Ms),
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
  const runStarted = Date.now();
  const loadAtStart = os.loadavg();
  const uptimeAtStart = uptime();
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

    // The rows of the run, encoded once for the database's limits (bench/rows.ts).
    const transferRows = new TransferRows(await recordColumns(ownerUrl), seedData);

    // The first figure of issue 6, kept for comparison: one COPY of all N rows into an empty twin.
    log(`single-COPY figure: one COPY of ${ROWS} rows into an empty twin table`);
    await createTwin(ownerUrl, 'bench_single_copy');
    await checkpoint(ownerUrl);
    const singleCopy = await loadOneCopy(ownerUrl, 'bench_single_copy', transferRows, 0, ROWS);
    await dropTable(ownerUrl, 'bench_single_copy');

    // The honest limit (README "Performance"): at each growth step, the same rows into twins of
    // transfer_records filled to the registry's size, by one COPY and by BATCH-row COPYs on
    // INGEST_CLIENTS connections; the better of the two is the limit of that step.
    await createTwin(ownerUrl, 'bench_twin_one_copy');
    await createTwin(ownerUrl, 'bench_twin_batched');
    const firstStep = Math.floor(ROWS / 10 / BATCH) * BATCH || BATCH;
    const steps: Array<[number, number]> = [
      [0, firstStep],
      [firstStep, ROWS],
    ];
    const stepResults: Array<{ from: number; to: number; registry: number; walPerRecord: number; one: Load; batched: Load; limit: number; ratio: number }> = [];
    let query = { p50: NaN, p99: NaN };
    let proof = { inclusionP50: NaN, inclusionP99: NaN, consistencyP50: NaN, consistencyP99: NaN };
    for (const [from, to] of steps) {
      log(`limit at ${from} → ${to}: one COPY into a twin of ${from} rows`);
      await checkpoint(ownerUrl);
      const one = await loadOneCopy(ownerUrl, 'bench_twin_one_copy', transferRows, from, to);
      log(`limit at ${from} → ${to}: ${BATCH}-row COPYs on ${INGEST_CLIENTS} connections into a twin of ${from} rows`);
      await checkpoint(ownerUrl);
      const batched = await loadBatchedCopies(ownerUrl, 'bench_twin_batched', transferRows, from, to, { connections: INGEST_CLIENTS, batch: BATCH });
      log(`API ingestion: ${from} → ${to}`);
      await checkpoint(ownerUrl);
      const { result: ingested, walBytes } = await withWal(ownerUrl, () => ingest([api], seedData, from, to));
      await waitForCheckpoint(api, to);
      const limit = Math.max(one.rowsPerSecond, batched.rowsPerSecond);
      const result = {
        from,
        to,
        registry: ingested.recordsPerSecond,
        walPerRecord: walBytes / (to - from),
        one,
        batched,
        limit,
        ratio: ingested.recordsPerSecond / limit,
      };
      stepResults.push(result);
      log(
        `  registry ${round(result.registry)} records/s; one COPY ${round(one.rowsPerSecond)}, batched ${round(batched.rowsPerSecond)} rows/s; ratio ${round(result.ratio, 3)}`,
      );
      // The bench checks itself: a limit that the registry beats is not a limit.
      if (result.ratio > 1) {
        throw new Error(
          `the limit is wrong: at ${from} → ${to} rows the registry loaded ${round(result.registry)} records/s, above the limit of ${round(limit)} rows/s`,
        );
      }
      log('letting PostgreSQL settle: VACUUM (ANALYZE) and CHECKPOINT after the load');
      figures[to === ROWS ? 'maintenance.settleSeconds' : 'maintenance.settleSecondsAtStep'] = round(await settle(ownerUrl));
      await keepTokensFresh(api, seedData);
      if (to === ROWS) {
        log('audit queries');
        const stopWatching = watchMaintenance(ownerUrl);
        query = await measureQueries(api, seedData, QUERY_SAMPLES);
        const maintenance = await stopWatching();
        figures['query.autovacuumShare'] = round(maintenance.autovacuumShare, 2);
        figures['query.checkpointShare'] = round(maintenance.checkpointShare, 2);
        log('proofs');
        await keepTokensFresh(api, seedData);
        proof = await measureProofs(api, seedData.regulatorToken, ROWS, PROOF_SAMPLES);
        growth.push(growthRow(result, query.p99, proof.inclusionP99));
      } else {
        const q = await measureQueries(api, seedData, Math.min(200, QUERY_SAMPLES));
        const p = await measureProofs(api, seedData.regulatorToken, to, Math.min(200, PROOF_SAMPLES));
        growth.push(growthRow(result, q.p99, p.inclusionP99));
      }
    }
    await dropTable(ownerUrl, 'bench_twin_one_copy');
    const last = stepResults[stepResults.length - 1];

    // One-record requests against a pgbench-style limit, at N rows (README "Performance").
    log(`small-request limit: one-row INSERT per transaction from ${SMALL_CLIENTS} connections, ${FILING_SECONDS} s`);
    await checkpoint(ownerUrl);
    const singleRows = await measureSingleRowInserts(ownerUrl, 'bench_twin_batched', transferRows, {
      clients: SMALL_CLIENTS,
      seconds: FILING_SECONDS,
      firstLeafIndex: ROWS,
      maxInserts: FILING_MAX_REQUESTS,
    });
    await dropTable(ownerUrl, 'bench_twin_batched');
    log(`POST /transfers, 1 record per request, ${SMALL_CLIENTS} clients`);
    await checkpoint(ownerUrl);
    const small = await measureSmallRequests(api, seedData, ownerUrl, SMALL_CLIENTS, 1);
    log(`POST /transfers, 20 records per request, 8 clients`);
    await checkpoint(ownerUrl);
    const small20 = await measureSmallRequests(api, seedData, ownerUrl, 8, 20);

    // Two witnesses, and a second instance: alternating chunks at the same size, each on a freshly
    // started registry, so neither side runs while the other's restart (and start-up audit) settles.
    const chunk = Number(process.env.BENCH_CHUNK_ROWS) || Math.min(200_000, Math.max(20_000, Math.floor(ROWS / 10 / BATCH) * BATCH));
    log(`witnesses and instances: starting two witness processes; chunks of ${chunk} rows`);
    const witnesses = [await startWitness('witness.gdcac.bench/w1'), await startWitness('witness.pcpd.bench/w1')];
    const witnessEnv = { LEDGER_WITNESSES: witnesses.map((w) => `${w.url} ${w.verifierKey}`).join(',') };
    const port2 = await freePort();
    figures['witness.cosignedChunks'] = 0;
    const totals = { plain: { rows: 0, seconds: 0 }, witnessed: { rows: 0, seconds: 0 }, twoInstances: { rows: 0, seconds: 0 } };
    let nextRow = Math.ceil(ROWS / (BATCH * CONTRACTS)) * BATCH * CONTRACTS;
    try {
      for (let round_ = 0; round_ < 2; round_++) {
        for (const kind of ['plain', 'witnessed', 'twoInstances'] as const) {
          await stopRegistry(app);
          app = await startRegistry(ownerUrl, port, kind === 'witnessed' ? witnessEnv : {});
          const second = kind === 'twoInstances' ? await startRegistry(ownerUrl, port2) : undefined;
          try {
            await keepTokensFresh(api, seedData);
            await checkpoint(ownerUrl);
            const apis = second ? [api, new Api(`http://127.0.0.1:${port2}`)] : [api];
            log(`  ${kind}: ${nextRow} → ${nextRow + chunk}`);
            const done = await ingest(apis, seedData, nextRow, nextRow + chunk);
            totals[kind].rows += chunk;
            totals[kind].seconds += done.seconds;
            nextRow += chunk;
            // Off the clock: the witnesses really cosigned what was logged.
            if (kind === 'witnessed') {
              const size = await leafCount(ownerUrl);
              if (await waitForCosigned(api, size, witnesses.length, 300)) figures['witness.cosignedChunks'] = (figures['witness.cosignedChunks'] ?? 0) + 1;
              else log(`WARNING: no checkpoint of ${size} leaves cosigned by both witnesses within 300 s`);
            }
          } finally {
            if (second) await stopRegistry(second);
          }
        }
      }
    } finally {
      await stopRegistry(app);
      for (const w of witnesses) {
        const exited = new Promise((r) => w.process.once('exit', r));
        w.process.kill('SIGTERM');
        await exited;
      }
    }
    app = await startRegistry(ownerUrl, port);
    const rate = (t: { rows: number; seconds: number }) => t.rows / t.seconds;

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
      'ingest.recordsPerSecond': round(last.registry),
      'ingest.copyRowsPerSecond': round(last.limit),
      'ingest.ratioToCopy': round(last.ratio, 3),
      'ingest.limitOneCopyRowsPerSecond': round(last.one.rowsPerSecond),
      'ingest.limitBatchedRowsPerSecond': round(last.batched.rowsPerSecond),
      'ingest.singleCopyRowsPerSecond': round(singleCopy.rowsPerSecond),
      'ingest.ratioToSingleCopy': round(last.registry / singleCopy.rowsPerSecond, 3),
      'ingest.walBytesPerRecord': round(last.walPerRecord, 0),
      'ingest.limitWalBytesPerRow': round(last.batched.walBytesPerRow, 0),
      'ingest.plainRecordsPerSecond': round(rate(totals.plain)),
      'ingest.withWitnessesRecordsPerSecond': round(rate(totals.witnessed)),
      'ingest.withWitnessesRatio': round(rate(totals.witnessed) / rate(totals.plain), 3),
      'scale.twoInstancesRecordsPerSecond': round(rate(totals.twoInstances)),
      'scale.twoInstancesRatio': round(rate(totals.twoInstances) / rate(totals.plain), 3),
      'small.limitInsertsPerSecond': round(singleRows.insertsPerSecond),
      'small.limitP99Ms': round(singleRows.p99Ms),
      'small.limitWalBytesPerInsert': round(singleRows.walBytesPerInsert, 0),
      'small.recordsPerSecond': round(small.recordsPerSecond),
      'small.ratioToLimit': round(small.recordsPerSecond / singleRows.insertsPerSecond, 3),
      'small.p50Ms': round(small.p50Ms),
      'small.p99Ms': round(small.p99Ms),
      'small.walBytesPerRecord': round(small.walBytesPerRecord, 0),
      'small.failures': small.failures,
      'small.batch20RecordsPerSecond': round(small20.recordsPerSecond),
      'small.batch20RequestsPerSecond': round(small20.requestsPerSecond),
      'small.batch20P99Ms': round(small20.p99Ms),
      'small.batch20WalBytesPerRecord': round(small20.walBytesPerRecord, 0),
      'small.batch20Failures': small20.failures,
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

  const f = figures;
  const loadAtEnd = os.loadavg();
  // Targets of issue 17 (and 15 for the witnesses); every limit below is measured in this run except the fixed latencies.
  const targets: Array<[string, string, number, (v: number) => boolean, string]> = [
    ['API ingestion', 'ingest.ratioToCopy', 0.5, (v) => v >= 0.5, '≥ 0.5 of the honest limit'],
    ['One-record requests', 'small.ratioToLimit', 0.5, (v) => v >= 0.5, '≥ 0.5 of single-row INSERTs'],
    ['One-record requests p99 (ms)', 'small.p99Ms', 50, (v) => v <= 50, '≤ 50 ms'],
    ['20-record requests (records/s)', 'small.batch20RecordsPerSecond', 10_000, (v) => v >= 10_000, '≥ 10,000 records/s'],
    ['Ingestion with two witnesses', 'ingest.withWitnessesRatio', 0.9, (v) => v >= 0.9, '≥ 0.9 of ingestion without'],
    ['Audit query p99 (ms)', 'query.p99Ms', 10, (v) => v <= 10, '≤ 10 ms'],
    ['Export', 'export.ratioToCopyTo', 0.5, (v) => v >= 0.5, '≥ 50% of raw COPY TO rows/s'],
    ['Export peak RSS (MB)', 'export.peakRssMb', 300, (v) => v <= 300, '≤ 300 MB'],
    ['Inclusion proof p99 (ms)', 'proof.inclusionP99Ms', 5, (v) => v <= 5, '≤ 5 ms'],
    ['Consistency proof p99 (ms)', 'proof.consistencyP99Ms', 5, (v) => v <= 5, '≤ 5 ms'],
    ['POST /contracts p99 (ms)', 'filing.createP99Ms', 50, (v) => v <= 50, '≤ 50 ms'],
    ['GET /contracts/:id p99 (ms)', 'filing.readP99Ms', 20, (v) => v <= 20, '≤ 20 ms'],
  ];
  const result = {
    date: new Date().toISOString(),
    machine: {
      ...machine(),
      postgres: postgresVersion,
      loadAverageAtStart: loadAtStart.map((v) => round(v)),
      loadAverageAtEnd: loadAtEnd.map((v) => round(v)),
      uptimeAtStart,
      uptimeAtEnd: uptime(),
    },
    seconds: round((Date.now() - runStarted) / 1000, 1),
    figures,
    growth,
    targets: targets.map(([name, key, limit, ok, text]) => ({ name, key, value: figures[key], limit, target: text, met: ok(figures[key]) })),
  };
  const met = (key: string): string => String(result.targets.find((t) => t.key === key)?.met ?? '-');
  const n = (v: number): string => v.toLocaleString('en-US');

  const table = [
    ['figure', 'value', 'limit (same run)', 'ratio / target', 'met'],
    [
      'API ingestion (records/s)',
      n(f['ingest.recordsPerSecond']),
      `honest limit ${n(f['ingest.copyRowsPerSecond'])} rows/s (one COPY ${n(f['ingest.limitOneCopyRowsPerSecond'])}, ${BATCH}-row COPYs × ${INGEST_CLIENTS} ${n(f['ingest.limitBatchedRowsPerSecond'])})`,
      `${f['ingest.ratioToCopy']} (≥ 0.5)`,
      met('ingest.ratioToCopy'),
    ],
    [
      'API ingestion, old figure',
      n(f['ingest.recordsPerSecond']),
      `one COPY of all ${n(ROWS)} rows into an empty twin ${n(f['ingest.singleCopyRowsPerSecond'])} rows/s`,
      `${f['ingest.ratioToSingleCopy']} (ratioToSingleCopy)`,
      '-',
    ],
    [
      'WAL per record (bytes)',
      n(f['ingest.walBytesPerRecord']),
      `twin, batched COPYs ${n(f['ingest.limitWalBytesPerRow'])}`,
      `${round(f['ingest.walBytesPerRecord'] / f['ingest.limitWalBytesPerRow'], 2)} of it`,
      '-',
    ],
    [
      `1-record POST /transfers × ${SMALL_CLIENTS} (records/s)`,
      `${n(f['small.recordsPerSecond'])}, p50 ${f['small.p50Ms']} ms, p99 ${f['small.p99Ms']} ms`,
      `1-row INSERT per transaction × ${SMALL_CLIENTS} ${n(f['small.limitInsertsPerSecond'])}/s, p99 ${f['small.limitP99Ms']} ms`,
      `${f['small.ratioToLimit']} (≥ 0.5; p99 ≤ 50 ms)`,
      String(result.targets.filter((t) => t.key.startsWith('small.ratio') || t.key === 'small.p99Ms').every((t) => t.met)),
    ],
    [
      '20-record POST /transfers × 8 (records/s)',
      `${n(f['small.batch20RecordsPerSecond'])}, p99 ${f['small.batch20P99Ms']} ms`,
      '10,000 records/s',
      `${round(f['small.batch20RecordsPerSecond'] / 10_000, 3)} of target`,
      met('small.batch20RecordsPerSecond'),
    ],
    [
      'Ingestion with two witnesses (records/s)',
      n(f['ingest.withWitnessesRecordsPerSecond']),
      `without witnesses ${n(f['ingest.plainRecordsPerSecond'])} (alternating chunks)`,
      `${f['ingest.withWitnessesRatio']} (≥ 0.9)`,
      met('ingest.withWitnessesRatio'),
    ],
    [
      'Ingestion on two instances (records/s)',
      n(f['scale.twoInstancesRecordsPerSecond']),
      `one instance ${n(f['ingest.plainRecordsPerSecond'])} (same ${INGEST_CLIENTS} clients)`,
      `${f['scale.twoInstancesRatio']}`,
      '-',
    ],
    ['Audit query p50 / p99 (ms)', `${f['query.p50Ms']} / ${f['query.p99Ms']}`, '10 ms', `${round(f['query.p99Ms'] / 10, 3)} of limit`, met('query.p99Ms')],
    [
      'Export (rows/s)',
      n(f['export.rowsPerSecond']),
      `COPY TO ${n(f['export.copyToRowsPerSecond'])} rows/s`,
      `${f['export.ratioToCopyTo']} (≥ 0.5)`,
      met('export.ratioToCopyTo'),
    ],
    ['Export peak RSS (MB)', String(f['export.peakRssMb']), '300 MB', `${round(f['export.peakRssMb'] / 300, 3)} of limit`, met('export.peakRssMb')],
    [
      'Inclusion proof p50 / p99 (ms)',
      `${f['proof.inclusionP50Ms']} / ${f['proof.inclusionP99Ms']}`,
      '5 ms',
      `${round(f['proof.inclusionP99Ms'] / 5, 3)} of limit`,
      met('proof.inclusionP99Ms'),
    ],
    [
      'Consistency proof p50 / p99 (ms)',
      `${f['proof.consistencyP50Ms']} / ${f['proof.consistencyP99Ms']}`,
      '5 ms',
      `${round(f['proof.consistencyP99Ms'] / 5, 3)} of limit`,
      met('proof.consistencyP99Ms'),
    ],
    [
      'Filing POST /contracts p99 (ms), req/s',
      `${f['filing.createP99Ms']}, ${n(f['filing.createRequestsPerSecond'])}`,
      `50 ms; ceiling ${n(f['filing.ceilingRequestsPerSecond'])} req/s (${n(f['filing.ceilingBeforeRequestsPerSecond'])} before, ${n(f['filing.ceilingAfterRequestsPerSecond'])} after)`,
      `${round(f['filing.createRequestsPerSecond'] / f['filing.ceilingRequestsPerSecond'], 3)} of ceiling`,
      met('filing.createP99Ms'),
    ],
    [
      'Filing database limit p99 (ms), req/s',
      `${f['filing.dbLimitP99Ms']}, ${n(f['filing.dbLimitRequestsPerSecond'])}`,
      `the POST /contracts statement through pg, ${FILING_DB_LIMIT_SHAPE.batch} filings per statement on ${FILING_DB_LIMIT_SHAPE.connections} connections`,
      `POST is ${f['filing.createRatioToDbLimit']} of it`,
      '-',
    ],
    [
      'Filing GET /contracts/:id p99 (ms), req/s',
      `${f['filing.readP99Ms']}, ${n(f['filing.readRequestsPerSecond'])}`,
      `20 ms; ceiling ${n(f['filing.ceilingRequestsPerSecond'])} req/s`,
      `${round(f['filing.readRequestsPerSecond'] / f['filing.ceilingRequestsPerSecond'], 3)} of ceiling`,
      met('filing.readP99Ms'),
    ],
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const printed = table.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ')).join('\n');
  const m = result.machine;
  const header =
    `GBA registry benchmark, ${n(ROWS)} rows, ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB, PostgreSQL ${postgresVersion}, Node ${m.node}; ` +
    `load average ${m.loadAverageAtStart.join(', ')} at the start and ${m.loadAverageAtEnd.join(', ')} at the end (1, 5, 15 min); ${result.seconds} s`;
  const growthLines = growth.map(
    (g) =>
      `  ${n(g.rows)} rows: ingest ${n(g.ingestRecordsPerSecond)} records/s against a limit of ${n(g.limitRowsPerSecond)} rows/s (one COPY ${n(g.limitOneCopyRowsPerSecond)}, batched ${n(g.limitBatchedRowsPerSecond)}), ratio ${g.ratioToLimit}; ` +
      `WAL ${n(g.walBytesPerRecord)} bytes per record (twin ${n(g.limitWalBytesPerRow)}); query p99 ${g.queryP99Ms} ms, inclusion proof p99 ${g.inclusionP99Ms} ms`,
  );
  process.stdout.write(
    `\n${header}\n\n${printed}\n\nGrowth:\n${growthLines.join('\n')}\n` +
      `During the audit queries: autovacuum of the log ${Math.round(figures['query.autovacuumShare'] * 100)}% of the time, checkpoint ${Math.round(figures['query.checkpointShare'] * 100)}%\n`,
  );

  const resultsDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  // BENCH_NAME keeps several runs of one day apart (bench/results/<date>-<name>.json).
  const stamp = result.date.slice(0, 10) + (process.env.BENCH_NAME ? `-${process.env.BENCH_NAME}` : '');
  const json = JSON.stringify(result, null, 2) + '\n';
  fs.writeFileSync(path.join(resultsDir, `${stamp}.json`), json);
  const markdown = [
    `# Benchmark ${result.date}`,
    '',
    header,
    '',
    `\`uptime\` at the start: ${m.uptimeAtStart}; at the end: ${m.uptimeAtEnd}`,
    '',
    `| ${table[0].join(' | ')} |`,
    `| ${table[0].map(() => '---').join(' | ')} |`,
    ...table.slice(1).map((row) => `| ${row.join(' | ')} |`),
    '',
    'Growth (same run):',
    '',
    ...growthLines.map((l) => `- ${l.trim()}`),
    '',
    `After each load the bench ran VACUUM (ANALYZE) and CHECKPOINT (${figures['maintenance.settleSeconds']} s at ${n(ROWS)} rows), as a registry in steady state would have. During the audit queries at ${n(ROWS)} rows, PostgreSQL was vacuuming the log's tables in ${Math.round(figures['query.autovacuumShare'] * 100)}% of 250 ms samples and checkpointing in ${Math.round(figures['query.checkpointShare'] * 100)}%.`,
    '',
    `Reproduce: \`BENCH_ROWS=${ROWS} npm run bench\``,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(resultsDir, `${stamp}.md`), markdown);
  if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, json);
  log(`wrote bench/results/${stamp}.json and .md`);
}

/** The machine's `uptime` line (load averages over 1, 5 and 15 minutes), or os.loadavg() where uptime is missing. */
function uptime(): string {
  const out = spawnSync('uptime', [], { encoding: 'utf8' });
  return out.status === 0
    ? out.stdout.trim()
    : `load average: ${os
        .loadavg()
        .map((v) => v.toFixed(2))
        .join(', ')}`;
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
