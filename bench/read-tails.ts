/**
 * `npm run bench:reads`: the regulators' read tails on their own (bench/phases/reads.ts times them inside the
 * full run). Loads BENCH_ROWS rows once into an embedded PostgreSQL kept in READS_DIR, then times thousands of
 * sequential inclusion proofs, consistency proofs and audit queries and prints their latency histograms, with
 * `GET /health/live` timed the same way as a control: the tail a request with no work of its own has on this machine,
 * and each build's CPU per request (its whole process, from /proc).
 *
 *   node -r @swc-node/register bench/read-tails.ts load        # once: cluster, migrations, seed, rows, VACUUM, CHECKPOINT
 *   node -r @swc-node/register bench/read-tails.ts measure     # as often as needed, on the cluster of `load`
 *
 *   READS_DIR        where the cluster and the run's state live (default os.tmpdir()/gba-read-tails)
 *   READS_SAMPLES    requests of each kind per block (default 500), READS_BLOCKS blocks (default 4)
 *   READS_KINDS      comma-separated kinds to time (default inclusion,consistency,audit,live)
 *   READS_BUILDS     comma-separated build directories to alternate, block by block (default dist); copy dist
 *                    aside before a change (`cp -r dist dist-before`) to compare before and after in one run
 *   BENCH_NODE_ARGS  extra node flags for the registry, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { processCpuSeconds } from './cpu';
import { runMigrations } from '../src/database/migrate';
import { percentile } from './common';
import { checkpoint, ingest } from './phases/ingestion';
import { auditQuery } from './phases/reads';
import { Api, databaseUrlFor, log, registryEnv, registryNodeArgs, ROOT, ROWS, SECRETS, stopRegistry, timed } from './registry';
import { Seed, seed } from './seed';

const DIR = process.env.READS_DIR || path.join(os.tmpdir(), 'gba-read-tails');
const STATE = path.join(DIR, 'state.json');
const PG_PORT = 55_433;
const APP_PORT = 55_480;
const DATABASE = 'gba_read_tails';
const SAMPLES = Number(process.env.READS_SAMPLES || 500);
const BLOCKS = Number(process.env.READS_BLOCKS || 4);

interface State {
  secrets: typeof SECRETS;
  rows: number;
  regulator: { email: string; password: string };
  contractIds: string[];
}

async function startPostgres(): Promise<{ url: string; stop(): Promise<void> }> {
  const start = () => startEmbeddedPostgres({ dataDir: path.join(DIR, 'data'), port: PG_PORT, database: 'postgres' });
  let embedded = await start();
  const superuser = new Client({ connectionString: embedded.url });
  await superuser.connect();
  const { rows } = await superuser.query<{ shared_preload_libraries: string }>('SHOW shared_preload_libraries');
  if (!rows[0].shared_preload_libraries.includes('pg_stat_statements')) {
    // What each statement costs to plan and to run, and how often the registry's own timers run theirs.
    await superuser.query("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
    await superuser.query('ALTER SYSTEM SET pg_stat_statements.track_planning = on');
    await superuser.end();
    await embedded.stop();
    embedded = await start();
  } else await superuser.end();
  return { url: databaseUrlFor(embedded.url, DATABASE), stop: () => embedded.stop() };
}

/** Resets pg_stat_statements and returns what to print after the block: the statements run and the sessions opened meanwhile. */
async function watchStatements(url: string): Promise<() => Promise<string>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await client.query('SELECT pg_stat_statements_reset()');
  // The registry's connections, sampled every 100 ms: a pool that closes and reopens them loses their prepared statements.
  const pids = new Set<number>();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const { rows } = await client.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'gba-registry'",
      );
      for (const r of rows) pids.add(r.pid);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return async () => {
    sampling = false;
    await sampler;
    const opened = pids.size;
    const { rows } = await client.query(
      `SELECT calls, plans, round(mean_plan_time::numeric, 3) AS plan_ms, round(max_plan_time::numeric, 2) AS max_plan,
              round(mean_exec_time::numeric, 3) AS exec_ms, round(max_exec_time::numeric, 2) AS max_exec,
              shared_blks_read AS disk_blks, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query
         FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        ORDER BY calls DESC LIMIT 30`,
    );
    await client.end();
    return [`registry connections seen: ${opened}`, ...rows.map((r) => Object.values(r).join(' | '))].join('\n');
  };
}

async function ownerQuery(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The registry of `build` (a directory holding main.js, then `:NAME=value;…` to set its environment), with the secrets of the loaded run. */
/**
 * Resolves once a freshly started registry is quiet: two seconds in a row under a tenth of a core, at most 30 s. A
 * few seconds after it is ready, its first notices' scan lists the year's holidays in a worker thread (about 1.5 s of
 * CPU on this machine, src/calendar/holiday-worker.ts), which had landed in the first timed block of every build.
 */
async function settled(child: ChildProcess): Promise<ChildProcess> {
  let quiet = 0;
  let before = processCpuSeconds(child.pid!);
  for (let s = 0; s < 30 && quiet < 2; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = processCpuSeconds(child.pid!);
    quiet = now - before < 0.1 ? quiet + 1 : 0;
    before = now;
  }
  return child;
}

async function startBuild(build: string, url: string, port = APP_PORT): Promise<ChildProcess> {
  const [dir, settings = ''] = build.split(':');
  const extraEnv = Object.fromEntries(
    settings
      .split(';')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const child = spawn(process.execPath, [...registryNodeArgs(), path.join(ROOT, dir, 'main.js')], {
    cwd: ROOT,
    env: registryEnv(url, port, 'gba-read-tails-app-', extraEnv),
    // The registry's stdout (`--trace-gc`, say) goes to READS_DIR/app.log.
    stdio: ['ignore', fs.openSync(path.join(DIR, 'app.log'), 'a'), 'inherit'],
  });
  for (let i = 0; i < 600; i++) {
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return settled(child);
    if (child.exitCode !== null) throw new Error(`registry exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('registry did not become ready in 60 s');
}

async function load(): Promise<void> {
  fs.rmSync(DIR, { recursive: true, force: true });
  fs.mkdirSync(DIR, { recursive: true });
  const pg = await startPostgres();
  try {
    await ownerQuery(databaseUrlFor(pg.url, 'postgres'), `CREATE DATABASE ${DATABASE}`);
    await runMigrations(pg.url);
    const app = await startBuild('dist', pg.url, APP_PORT);
    try {
      const api = new Api(`http://127.0.0.1:${APP_PORT}`);
      log('seeding');
      const seedData: Seed = await seed(api);
      log(`ingesting ${ROWS} rows`);
      const { recordsPerSecond } = await ingest([api], seedData, 0, ROWS);
      log(`ingested at ${Math.round(recordsPerSecond)} records/s; VACUUM (ANALYZE), CHECKPOINT`);
      const state: State = { secrets: SECRETS, rows: ROWS, regulator: seedData.credentials.regulator, contractIds: seedData.contractIds };
      fs.writeFileSync(STATE, JSON.stringify(state));
    } finally {
      await stopRegistry(app);
    }
    await ownerQuery(pg.url, 'VACUUM (ANALYZE) transfer_records, ledger_nodes');
    await checkpoint(pg.url);
  } finally {
    await pg.stop();
  }
}

type Kind = 'inclusion' | 'consistency' | 'audit' | 'live';
const ALL_KINDS: Kind[] = ['inclusion', 'consistency', 'audit', 'live'];
/** READS_KINDS: the kinds to time, e.g. `inclusion,consistency` as the full run times the proofs (without audit queries between them). */
const KINDS: Kind[] = process.env.READS_KINDS ? ALL_KINDS.filter((kind) => process.env.READS_KINDS?.split(',').includes(kind)) : ALL_KINDS;

/** One request of `kind` to `api`, timed. */
async function one(kind: Kind, api: Api, token: string, state: State): Promise<number> {
  const n = state.rows;
  if (kind === 'inclusion') {
    const leafIndex = Math.floor(Math.random() * n);
    return timed(() => api.ok('GET', `/ledger/proofs/inclusion?leafIndex=${leafIndex}&treeSize=${n}`, token));
  }
  if (kind === 'consistency') {
    const first = 1 + Math.floor(Math.random() * (n - 1));
    return timed(() => api.ok('GET', `/ledger/proofs/consistency?first=${first}&second=${n}`, token));
  }
  if (kind === 'live') return timed(() => api.ok('GET', '/health/live', null));
  return (await auditQuery(api, { contractIds: state.contractIds, regulatorToken: token } as Seed, state.rows)).ms;
}

const ROUTES: Record<Kind, string> = {
  inclusion: '/ledger/proofs/inclusion',
  consistency: '/ledger/proofs/consistency',
  audit: '/transfers',
  live: '/health/live',
};
const BOUNDS = ['0.002', '0.005', '0.01'];

/** The registry's own count of GET `kind` requests answered within each of BOUNDS (its http_request_duration_seconds). */
async function serverCounts(api: Api): Promise<Record<Kind, number[]>> {
  const text = await (await fetch(`${api.base}/metrics`)).text();
  const counts = { inclusion: [0, 0, 0, 0], consistency: [0, 0, 0, 0], audit: [0, 0, 0, 0], live: [0, 0, 0, 0] } as Record<Kind, number[]>;
  for (const kind of KINDS) {
    for (const line of text.split('\n')) {
      if (!line.startsWith('http_request_duration_seconds_bucket{') || !line.includes(`route="${ROUTES[kind]}"`) || !line.includes('method="GET"')) continue;
      const le = /le="([^"]+)"/.exec(line)![1];
      const at = le === '+Inf' ? 3 : BOUNDS.indexOf(le);
      if (at >= 0) counts[kind][at] += Number(line.split(' ').pop());
    }
  }
  return counts;
}

/** Shares within 2, 5 and 10 ms: as the registry timed its requests (`server`, minus `before`) and as the client did. */
function shares(client: number[], server: number[], before: number[]): string {
  const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)}%`;
  const total = server[3] - before[3];
  const bounds = [2, 5, 10];
  const serverSide = bounds.map((b, i) => `≤${b}ms ${pct(server[i] - before[i], total)}`).join(' ');
  const clientSide = bounds.map((b) => `≤${b}ms ${pct(client.filter((v) => v <= b).length, client.length)}`).join(' ');
  return `server ${serverSide} | client ${clientSide}`;
}

function histogram(values: number[]): string {
  const edges = [1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 15, 20, 50, Infinity];
  const counts = edges.map(() => 0);
  for (const v of values) counts[edges.findIndex((e) => v < e)]++;
  return edges.map((e, i) => `<${e === Infinity ? '∞' : e}:${counts[i]}`).join(' ');
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const p = (q: number) => percentile(sorted, q).toFixed(2);
  return `p50 ${p(50)} p90 ${p(90)} p99 ${p(99)} max ${sorted[sorted.length - 1].toFixed(2)} ms`;
}

/** Each build's own copy of the loaded database (a template copy), so that each registry leads its own background jobs. */
async function databaseFor(pgUrl: string, i: number): Promise<string> {
  const name = `${DATABASE}_${i}`;
  const admin = new Client({ connectionString: databaseUrlFor(pgUrl, 'postgres') });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${name} TEMPLATE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  return databaseUrlFor(pgUrl, name);
}

/**
 * Every build runs at once, each on its own copy of the database; requests go one at a time to each in
 * turn (the order alternating), so a busy machine weighs on every build alike.
 */
async function measure(): Promise<void> {
  const state = JSON.parse(fs.readFileSync(STATE, 'utf8')) as State;
  Object.assign(SECRETS, state.secrets);
  const builds = (process.env.READS_BUILDS || 'dist').split(',');
  const pg = await startPostgres();
  const apps: ChildProcess[] = [];
  const results = builds.map((): Record<Kind, number[]> => ({ inclusion: [], consistency: [], audit: [], live: [] }));
  try {
    const targets: Array<{ api: Api; token: string; url: string }> = [];
    for (const [i, build] of builds.entries()) {
      const url = await databaseFor(pg.url, i);
      apps.push(await startBuild(build, url, APP_PORT + i));
      const api = new Api(`http://127.0.0.1:${APP_PORT + i}`);
      const { accessToken } = await api.ok<{ accessToken: string }>('POST', '/auth/token', null, { grantType: 'password', ...state.regulator });
      targets.push({ api, token: accessToken, url });
    }
    const statements = process.env.READS_STATEMENTS ? await Promise.all(targets.map((t) => watchStatements(t.url))) : undefined;
    const total = SAMPLES * BLOCKS;
    let before: Array<Record<Kind, number[]>> = [];
    let cpuBefore: number[] = [];
    // [build, start, ms] of every request, for READS_DIR/timeline.json (is the tail periodic?).
    const timeline: Array<[number, number, number]> = [];
    // The first 100 of each kind are a warm-up, not counted: a new process compiles and prepares.
    for (let s = -100; s < total; s++) {
      const order = s % 2 === 0 ? [...targets.keys()] : [...targets.keys()].reverse();
      for (const kind of KINDS) {
        for (const i of order) {
          const at = performance.now();
          const ms = await one(kind, targets[i].api, targets[i].token, state);
          if (s >= 0) results[i][kind].push(ms);
          if (s >= 0) timeline.push([i, performance.timeOrigin + at, ms]);
        }
      }
      if (s === -1) {
        before = await Promise.all(targets.map((t) => serverCounts(t.api)));
        cpuBefore = apps.map((app) => processCpuSeconds(app.pid!));
      }
      if (s > 0 && s % SAMPLES === 0)
        log(
          `${s}/${total}; load ${os
            .loadavg()
            .map((l) => l.toFixed(2))
            .join(' ')}`,
        );
    }
    fs.writeFileSync(path.join(DIR, 'timeline.json'), JSON.stringify({ pids: apps.map((a) => a.pid), timeline }));
    if (statements) for (const [i, done] of statements.entries()) process.stdout.write(`${builds[i]}:\n${await done()}\n`);
    for (const [i, t] of targets.entries()) {
      const after = await serverCounts(t.api);
      for (const kind of KINDS) process.stdout.write(`${builds[i]} ${kind.padEnd(12)} ${shares(results[i][kind], after[kind], before[i][kind])}\n`);
      // Its background work included (the self-audit, the signer): what a request costs the process while it serves them.
      const cpuMicros = ((processCpuSeconds(apps[i].pid!) - cpuBefore[i]) / (total * KINDS.length)) * 1e6;
      process.stdout.write(`${builds[i]} registry CPU per request, all kinds: ${Math.round(cpuMicros)} µs\n`);
    }
  } finally {
    for (const app of apps) await stopRegistry(app);
    await pg.stop();
  }
  for (const [i, build] of builds.entries()) {
    for (const kind of KINDS) process.stdout.write(`${build} ${kind.padEnd(12)} ${summary(results[i][kind])}\n  ${histogram(results[i][kind])}\n`);
  }
}

(process.argv[2] === 'load' ? load() : measure()).catch((error) => {
  process.stderr.write(`read-tails failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
