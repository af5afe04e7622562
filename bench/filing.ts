/**
 * Focused filing benchmark (issue 6): boots the built registry (dist/main.js) on an embedded
 * PostgreSQL, seeds two organisations and a filer, traces the SQL of one POST /contracts and
 * one GET /contracts/:id, then runs autocannon (32 connections, loopback) on GET /health/live,
 * POST /contracts and GET /contracts/:id for BENCH_FILING_SECONDS (default 10) each.
 *
 *   node -r @swc-node/register bench/filing.ts        (after `npm run build`)
 *   BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"   profile the registry
 *   BENCH_TRACE=0                                          skip the SQL trace
 *   BENCH_ONLY=post|get                                    only that route after the ceiling
 *   BENCH_SKIP_CEILING=1                                   no ceiling run (a --cpu-prof of one route only)
 *
 * Bounded: POST stops at FILING_MAX_REQUESTS (100,000) requests. Never asserts a time; prints ratios to the ceiling of the same run.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { call, contractBody, FILING_DB_LIMIT_SHAPE, FILING_MAX_REQUESTS, freePort, measureFilingDbLimit } from './common';
import { processCpuSeconds, serverCpuSeconds, systemCpuSeconds } from './cpu';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/migrate';
import { makeValidUscc } from '../src/organisations/identifiers';
import { ADMIN, autocannon, registryEnv, registryNodeArgs, ROOT } from './registry';
const SECONDS = Number(process.env.BENCH_FILING_SECONDS || 10);
const CONNECTIONS = 32;
const log = (m: string): void => void process.stderr.write(`[filing ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

async function main(): Promise<void> {
  const logs: string[] = [];
  let tracing = false;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gba-filing-pg-'));
  const embedded = await startEmbeddedPostgres({
    dataDir,
    port: await freePort(),
    database: 'postgres',
    ephemeral: true,
    log: (line) => {
      if (tracing) logs.push(...line.split('\n'));
    },
  });
  let child: ChildProcess | undefined;
  try {
    const admin = new Client({ connectionString: embedded.url });
    await admin.connect();
    await admin.query('CREATE DATABASE gba_filing');
    const url = new URL(embedded.url);
    url.pathname = '/gba_filing';
    await runMigrations(url.toString());

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [...registryNodeArgs(), path.join(ROOT, 'dist', 'main.js')], {
      cwd: ROOT,
      env: registryEnv(url.toString(), port, 'gba-filing-app-'),
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/health/ready`)).ok) break;
      } catch {
        // not up yet
      }
      if (i > 600) throw new Error('registry not ready');
      await new Promise((r) => setTimeout(r, 100));
    }

    const adminToken = (await call<{ accessToken: string }>(base, 'POST', '/auth/token', null, { grantType: 'password', ...ADMIN })).accessToken;
    const processor = await call<{ id: string }>(base, 'POST', '/organisations', adminToken, {
      legalName: 'Bench Bank (Shenzhen)',
      jurisdiction: 'MAINLAND',
      city: 'SHENZHEN',
      identifierType: 'USCC',
      identifier: makeValidUscc(4_000_000),
      sector: 'BANKING',
    });
    const recipient = await call<{ id: string }>(base, 'POST', '/organisations', adminToken, {
      legalName: 'Bench Bank (Hong Kong)',
      jurisdiction: 'HONG_KONG',
      city: 'HONG_KONG',
      identifierType: 'HK_BRN',
      identifier: '70000000',
      sector: 'BANKING',
    });
    const password = 'bench-user-password-0001';
    const filer = await call<{ id: string }>(base, 'POST', '/users', adminToken, {
      email: 'filer@bench.example',
      password,
      role: 'ORG_FILER',
      organisationId: processor.id,
    });
    const token = (await call<{ accessToken: string }>(base, 'POST', '/auth/token', null, { grantType: 'password', email: 'filer@bench.example', password }))
      .accessToken;
    const body = contractBody(processor.id, recipient.id);
    const first = await call<{ id: string }>(base, 'POST', '/contracts', token, body);
    await call(base, 'GET', `/contracts/${first.id}`, token);

    if (process.env.BENCH_TRACE !== '0') {
      await admin.query(`ALTER SYSTEM SET log_statement = 'all'`);
      await admin.query('SELECT pg_reload_conf()');
      await new Promise((r) => setTimeout(r, 300));
      for (const [name, run] of [
        ['POST /contracts', () => call(base, 'POST', '/contracts', token, body)],
        ['GET /contracts/:id', () => call(base, 'GET', `/contracts/${first.id}`, token)],
      ] as const) {
        logs.length = 0;
        tracing = true;
        await run();
        await new Promise((r) => setTimeout(r, 300));
        tracing = false;
        const statements = logs.filter((l) => /(statement|execute [^:]*):/.test(l) && !/pg_reload_conf|ALTER SYSTEM/.test(l));
        log(`${name}: ${statements.length} statements`);
        for (const s of statements)
          log(
            `   ${s
              .replace(/^.*?(LOG:\s+)/, '')
              .replace(/\s+/g, ' ')
              .slice(0, 220)}`,
          );
      }
      await admin.query(`ALTER SYSTEM RESET log_statement`);
      await admin.query('SELECT pg_reload_conf()');
    }
    await admin.end();

    const postmaster = Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const cpu: Record<string, string> = {};
    const cannon = async (opts: Record<string, unknown>) => {
      const before = { app: processCpuSeconds(child!.pid!), sys: systemCpuSeconds(child!.pid!), pg: serverCpuSeconds(postmaster), bench: process.cpuUsage() };
      const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...opts });
      const n = result.requests.total || 1;
      const bench = process.cpuUsage(before.bench);
      cpu[String(opts.url)] =
        `CPU ms per request: registry ${((1000 * (processCpuSeconds(child!.pid!) - before.app)) / n).toFixed(3)} (sys ${((1000 * (systemCpuSeconds(child!.pid!) - before.sys)) / n).toFixed(3)}), ` +
        `PostgreSQL ${((1000 * (serverCpuSeconds(postmaster) - before.pg)) / n).toFixed(3)}, autocannon ${((bench.user + bench.system) / 1000 / n).toFixed(3)}`;
      return result;
    };
    log(
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    // BENCH_ONLY=post or get: only that route after the ceiling (for a focused --cpu-prof).
    const only = process.env.BENCH_ONLY;
    const skipped = { requests: { average: NaN, total: 0 }, latency: { p50: NaN, p99: NaN }, errors: 0, non2xx: 0 };
    // The ceiling before and after the filing routes; their mean is the comparator (bench/run.ts).
    const ceilingBefore = process.env.BENCH_SKIP_CEILING === '1' ? skipped : await cannon({ url: `${base}/health/live` });
    const create =
      only === 'get'
        ? skipped
        : await cannon({
            url: `${base}/contracts`,
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
            maxOverallRequests: FILING_MAX_REQUESTS,
          });
    if (only !== 'get') {
      // How the group commit grouped them: filings per insert statement.
      const metrics = await (await fetch(`${base}/metrics`)).text();
      const sum = Number(/^registry_contract_filing_batch_size_sum (\S+)/m.exec(metrics)?.[1]);
      const count = Number(/^registry_contract_filing_batch_size_count (\S+)/m.exec(metrics)?.[1]);
      log(`POST /contracts: ${count} insert statements for ${sum} filings, ${(sum / count).toFixed(1)} per statement`);
    }
    let dbLimitLine = '';
    if (only !== 'get') {
      const before = { pg: serverCpuSeconds(postmaster), bench: process.cpuUsage() };
      let pgAfter = NaN;
      const limit = await measureFilingDbLimit(
        url.toString(),
        { processorId: processor.id, recipientId: recipient.id, filerId: filer.id },
        {
          connections: Number(process.env.BENCH_DB_CONNECTIONS || FILING_DB_LIMIT_SHAPE.connections),
          batch: Number(process.env.BENCH_DB_BATCH || FILING_DB_LIMIT_SHAPE.batch),
          seconds: SECONDS,
          maxRequests: FILING_MAX_REQUESTS,
          beforeClose: () => (pgAfter = serverCpuSeconds(postmaster)),
        },
      );
      const bench = process.cpuUsage(before.bench);
      cpu['database limit'] =
        `CPU ms per filing: PostgreSQL ${((1000 * (pgAfter - before.pg)) / limit.total).toFixed(3)}, driver ${((bench.user + bench.system) / 1000 / limit.total).toFixed(3)}`;
      dbLimitLine =
        `${'database limit'.padEnd(20)} req/s ${limit.requestsPerSecond.toFixed(1).padStart(8)}  p50 ${limit.p50Ms.toFixed(1).padStart(5)} ms  p99 ${limit.p99Ms.toFixed(1).padStart(5)} ms  ` +
        `(the POST /contracts statement through pg; POST /contracts is ${(create.requests.average / limit.requestsPerSecond).toFixed(3)} of it)\n`;
    }
    const read = only === 'post' ? skipped : await cannon({ url: `${base}/contracts/${first.id}`, headers: { authorization: `Bearer ${token}` } });
    const ceilingAfter = process.env.BENCH_SKIP_CEILING === '1' ? skipped : await cannon({ url: `${base}/health/live` });
    const ceiling = {
      ...ceilingBefore,
      requests: {
        average: (ceilingBefore.requests.average + ceilingAfter.requests.average) / 2,
        total: ceilingBefore.requests.total + ceilingAfter.requests.total,
      },
      latency: { p50: Math.max(ceilingBefore.latency.p50, ceilingAfter.latency.p50), p99: Math.max(ceilingBefore.latency.p99, ceilingAfter.latency.p99) },
    };
    log(
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const row = (name: string, r: typeof ceiling) =>
      `${name.padEnd(20)} req/s ${r.requests.average.toFixed(1).padStart(8)}  p50 ${String(r.latency.p50).padStart(5)} ms  p99 ${String(r.latency.p99).padStart(5)} ms  ` +
      `ratio ${(r.requests.average / ceiling.requests.average).toFixed(3)}  errors ${r.errors} non2xx ${r.non2xx}`;
    for (const [url, line] of Object.entries(cpu)) log(`${url.replace(base, '')}: ${line}`);
    process.stdout.write(
      `${row('GET /health/live', ceiling)}  (mean of ${ceilingBefore.requests.average.toFixed(1)} before, ${ceilingAfter.requests.average.toFixed(1)} after)\n${row('POST /contracts', create)}\n${dbLimitLine}${row('GET /contracts/:id', read)}\n`,
    );
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await embedded.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`filing bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
