/**
 * Two builds of the registry on one database, bulk `POST /transfers` alternating between them (README, Performance):
 * the registry process's CPU per record of each, read from /proc (bench/cpu.ts) around each chunk of records. Both
 * builds append to the same log; the chunks alternate in order A B, B A, … so the machine's load falls on both alike.
 * Prints each chunk's µs per record, the medians, their ratio and the load average as one JSON line. Measures and
 * prints; never asserts a time.
 *
 *   cp -r dist dist-before   # the build to compare with, then rebuild
 *   BENCH_AB="before=dist-before,after=dist" node -r @swc-node/register bench/ingest-ab.ts
 *   BENCH_AB_ROUNDS=10  BENCH_AB_CHUNK=16000  (records per chunk)
 *   BENCH_AB_PRELOAD=0  records the first build logs before the warm-up, off the clock (the log at a larger size)
 *
 * Each path is a built `dist` directory inside the repository, where its `node_modules` resolve.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './common';
import { processCpuSeconds } from './cpu';
import { openDatabase } from './database';
import { ingest } from './phases/ingestion';
import { Api, log, registryEnv, registryNodeArgs, ROOT, stopRegistry } from './registry';
import { seed, Seed } from './seed';

const ROUNDS = Number(process.env.BENCH_AB_ROUNDS || 10);
const CHUNK = Number(process.env.BENCH_AB_CHUNK || 16_000);
/** Records each build logs before the chunks are measured (its code warmed up). */
const WARM_UP = 10_000;
const PRELOAD = Number(process.env.BENCH_AB_PRELOAD || 0);

export interface Build {
  label: string;
  api: Api;
  child: ChildProcess;
}

export async function startBuild(label: string, dist: string, databaseUrl: string): Promise<Build> {
  const port = await freePort();
  // Both builds get the run's secrets (bench/registry.ts SECRETS), so one token works on both.
  const child = spawn(process.execPath, [...registryNodeArgs(), path.join(path.resolve(ROOT, dist), 'main.js')], {
    cwd: ROOT,
    env: registryEnv(databaseUrl, port, 'gba-ingest-ab-'),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const api = new Api(`http://127.0.0.1:${port}`);
  for (let i = 0; ; i++) {
    const ready = await fetch(`${api.base}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (i > 600 || child.exitCode !== null) throw new Error(`${label}: registry not ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { label, api, child };
}

const PATHS = ['expected', 'checked', 'expectation_failed'] as const;

/** A build's groups so far by path (`registry_transfer_groups_total`), summed over its instances (zero for a path the build does not count). */
export async function groupPaths(instances: Build[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = Object.fromEntries(PATHS.map((p) => [p, 0]));
  for (const { api } of instances) {
    const text = await (await fetch(`${api.base}/metrics`)).text();
    for (const p of PATHS) counts[p] += Number(new RegExp(`^registry_transfer_groups_total\\{path="${p}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  }
  return counts;
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
export const round = (x: number): number => Number(x.toFixed(2));

/**
 * The two builds BENCH_AB names, started on one fresh database and seeded through the first; `run` measures them.
 * The builds are stopped and the database closed afterwards, whatever happens.
 */
export async function withTwoBuilds(run: (builds: Build[], seedData: Seed) => Promise<void>): Promise<void> {
  const specs = (process.env.BENCH_AB ?? '').split(',').filter(Boolean);
  if (specs.length !== 2) throw new Error('BENCH_AB="labelA=distA,labelB=distB" names two built dist directories');
  const db = await openDatabase();
  const builds: Build[] = [];
  try {
    for (const spec of specs) {
      const [label, dist] = spec.split('=');
      builds.push(await startBuild(label, dist, db.ownerUrl));
    }
    await run(builds, await seed(builds[0].api));
  } finally {
    for (const build of builds) await stopRegistry(build.child);
    await db.close();
  }
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg();
  await withTwoBuilds(async (builds, seedData) => {
    let next = 0;
    if (PRELOAD > 0) {
      log(`preloading ${PRELOAD} records through ${builds[0].label}`);
      await ingest([builds[0].api], seedData, 0, PRELOAD);
      next = PRELOAD;
    }
    for (const build of builds) {
      await ingest([build.api], seedData, next, next + WARM_UP);
      next += WARM_UP;
    }
    const micros: number[][] = builds.map(() => []);
    const rates: number[][] = builds.map(() => []);
    for (let r = 0; r < ROUNDS; r++) {
      for (const k of r % 2 === 0 ? [0, 1] : [1, 0]) {
        const pid = builds[k].child.pid as number;
        const before = processCpuSeconds(pid);
        const { recordsPerSecond } = await ingest([builds[k].api], seedData, next, next + CHUNK);
        next += CHUNK;
        rates[k].push(Math.round(recordsPerSecond));
        micros[k].push(round(((processCpuSeconds(pid) - before) * 1e6) / CHUNK));
      }
    }
    const [a, b] = micros.map(median);
    const result = {
      registryCpuMicrosPerRecord: Object.fromEntries(builds.map((build, k) => [build.label, micros[k]])),
      medians: Object.fromEntries(builds.map((build, k) => [build.label, [a, b][k]])),
      ratio: round(a / b),
      recordsPerSecond: Object.fromEntries(builds.map((build, k) => [build.label, rates[k]])),
      recordsPerSecondMedians: Object.fromEntries(builds.map((build, k) => [build.label, median(rates[k])])),
      recordsPerSecondRatio: round(median(rates[0]) / median(rates[1])),
      groups: Object.fromEntries(await Promise.all(builds.map(async (build) => [build.label, await groupPaths([build])]))),
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: os.loadavg(),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  });
}

if (require.main === module) {
  main().catch((error) => {
    log(`bench/ingest-ab.ts failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  });
}
