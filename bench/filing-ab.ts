/**
 * Two builds of the registry side by side on one embedded PostgreSQL, for a before/after of the filing
 * routes on a noisy machine: both run at once, and autocannon (32 connections) loads one, then the
 * other, in short alternating bursts (A B B A …), so a busy moment of the machine falls on both alike.
 * Prints, per build, the requests per second over its bursts, the median and worst of the bursts'
 * p50 and p99, and the CPU per request of the registry and of PostgreSQL (all its backends, measured
 * while only that build was loaded). Never asserts a time.
 *
 *   BENCH_AB="before=dist-before,after=dist" node -r @swc-node/register bench/filing-ab.ts
 *   BENCH_AB_ROUNDS=10  BENCH_AB_SECONDS=3  BENCH_ONLY=post|get  (default both)
 *
 * Each path is a built `dist` directory inside the repository, where its `node_modules` resolve (copy one aside
 * before rebuilding: `cp -r dist dist-before`).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/migrate';
import { makeValidUscc } from '../src/organisations/identifiers';
import { call, contractBody, freePort } from './common';
import { processCpuSeconds, serverCpuSeconds } from './cpu';
import { ADMIN, autocannon, registryEnv, registryNodeFlags, ROOT } from './registry';
const ROUNDS = Number(process.env.BENCH_AB_ROUNDS || 10);
const SECONDS = Number(process.env.BENCH_AB_SECONDS || 3);
const log = (m: string): void => void process.stderr.write(`[filing-ab ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

interface Build {
  label: string;
  base: string;
  child: ChildProcess;
}

async function startBuild(label: string, dist: string, databaseUrl: string): Promise<Build> {
  const port = await freePort();
  // Both builds get the run's secrets (bench/registry.ts SECRETS), so one token works on both.
  const child = spawn(process.execPath, [...registryNodeFlags(), path.join(path.resolve(ROOT, dist), 'main.js')], {
    cwd: ROOT,
    env: registryEnv(databaseUrl, port, 'gba-filing-ab-'),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (
      await fetch(`${base}/health/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 600 || child.exitCode !== null) throw new Error(`${label}: registry not ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { label, base, child };
}

/** Seeds two organisations and a filer through `base`; the filer's token and a contract to read. */
async function seed(base: string): Promise<{ token: string; body: unknown; contractId: string }> {
  const admin = (await call<{ accessToken: string }>(base, 'POST', '/auth/token', null, { grantType: 'password', ...ADMIN })).accessToken;
  const organisation = (legalName: string, jurisdiction: string, city: string, identifierType: string, identifier: string) =>
    call<{ id: string }>(base, 'POST', '/organisations', admin, { legalName, jurisdiction, city, identifierType, identifier, sector: 'BANKING' });
  const processor = await organisation('Bench Bank (Shenzhen)', 'MAINLAND', 'SHENZHEN', 'USCC', makeValidUscc(4_000_000));
  const recipient = await organisation('Bench Bank (Hong Kong)', 'HONG_KONG', 'HONG_KONG', 'HK_BRN', '70000000');
  const password = 'bench-user-password-0001';
  await call(base, 'POST', '/users', admin, { email: 'filer@bench.example', password, role: 'ORG_FILER', organisationId: processor.id });
  const token = (await call<{ accessToken: string }>(base, 'POST', '/auth/token', null, { grantType: 'password', email: 'filer@bench.example', password }))
    .accessToken;
  const body = contractBody(processor.id, recipient.id);
  const contractId = (await call<{ id: string }>(base, 'POST', '/contracts', token, body)).id;
  return { token, body, contractId };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main(): Promise<void> {
  const specs = (process.env.BENCH_AB ?? '').split(',').filter(Boolean);
  if (specs.length !== 2) throw new Error('BENCH_AB="labelA=distA,labelB=distB" names two built dist directories');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gba-filing-ab-pg-'));
  const embedded = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'postgres', ephemeral: true });
  const builds: Build[] = [];
  try {
    const admin = new Client({ connectionString: embedded.url });
    await admin.connect();
    await admin.query('CREATE DATABASE gba_filing');
    await admin.end();
    const url = new URL(embedded.url);
    url.pathname = '/gba_filing';
    await runMigrations(url.toString());
    for (const spec of specs) {
      const [label, dist] = spec.split('=');
      builds.push(await startBuild(label, dist, url.toString()));
    }
    const { token, body, contractId } = await seed(builds[0].base);
    for (const b of builds) await call(b.base, 'GET', `/contracts/${contractId}`, token); // the token and the contract work on both
    const postmaster = Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const routes = {
      post: (b: Build) => ({
        url: `${b.base}/contracts`,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
      get: (b: Build) => ({ url: `${b.base}/contracts/${contractId}`, headers: { authorization: `Bearer ${token}` } }),
    };
    const only = process.env.BENCH_ONLY as keyof typeof routes | undefined;
    for (const [name, route] of Object.entries(routes).filter(([n]) => !only || n === only)) {
      for (const b of builds) await autocannon({ ...route(b), connections: 32, duration: 2 }); // warm-up
      const seen = new Map(builds.map((b) => [b.label, { requests: 0, seconds: 0, app: 0, pg: 0, p50: [] as number[], p99: [] as number[], errors: 0 }]));
      const loads: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        for (const b of round % 2 ? [...builds].reverse() : builds) {
          const before = { app: processCpuSeconds(b.child.pid!), pg: serverCpuSeconds(postmaster), at: process.hrtime.bigint() };
          const result = await autocannon({ ...route(b), connections: 32, duration: SECONDS });
          const s = seen.get(b.label)!;
          s.seconds += Number(process.hrtime.bigint() - before.at) / 1e9;
          s.requests += result.requests.total;
          s.app += processCpuSeconds(b.child.pid!) - before.app;
          s.pg += serverCpuSeconds(postmaster) - before.pg;
          s.p50.push(result.latency.p50);
          s.p99.push(result.latency.p99);
          s.errors += result.errors + result.non2xx;
        }
        loads.push(os.loadavg()[0]);
      }
      log(`${name}: ${ROUNDS} rounds of ${SECONDS} s per build, load average ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`);
      for (const [label, s] of seen)
        process.stdout.write(
          `${name.padEnd(5)} ${label.padEnd(10)} req/s ${(s.requests / s.seconds).toFixed(0).padStart(6)}  p50 median ${median(s.p50)} ms  ` +
            `p99 median ${median(s.p99)} ms (worst ${Math.max(...s.p99)})  CPU ms per request: registry ${((1000 * s.app) / s.requests).toFixed(3)}, ` +
            `PostgreSQL ${((1000 * s.pg) / s.requests).toFixed(3)}  errors ${s.errors}\n`,
        );
    }
  } finally {
    for (const b of builds) {
      if (b.child.exitCode !== null) continue;
      const exited = new Promise((r) => b.child.once('exit', r));
      b.child.kill('SIGTERM');
      await exited;
    }
    await embedded.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`filing-ab failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
