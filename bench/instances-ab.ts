/**
 * Two builds of the registry, each as two instances on one database, bulk `POST /transfers` from INGEST_CLIENTS
 * clients spread over one build's two instances (as the bench's two-instance chunks, bench/phases/instances.ts),
 * alternating between the builds (README, Performance): the records per second of each chunk, and how each build's
 * groups were written (`registry_transfer_groups_total` by path, summed over its two instances). The chunks alternate
 * in order A B, B A, … so the machine's load falls on both alike. Prints the chunks, the medians, the pairs each build
 * won and the load average as one JSON line. Measures and prints; never asserts a time.
 *
 *   cp -r dist dist-before   # the build to compare with, then rebuild
 *   BENCH_AB="before=dist-before,after=dist" node -r @swc-node/register bench/instances-ab.ts
 *   BENCH_AB_ROUNDS=8  BENCH_AB_CHUNK=20000  (records per chunk)
 *   BENCH_AB_FRESH=1  (start each chunk's two instances afresh, as the bench's two-instance chunks do)
 *
 * Each path is a built `dist` directory inside the repository, where its `node_modules` resolve.
 */
import * as os from 'node:os';
import { openDatabase } from './database';
import { Build, groupPaths, median, round, startBuild } from './ingest-ab';
import { ingest } from './phases/ingestion';
import { log, stopRegistry } from './registry';
import { keepTokensFresh, seed } from './seed';

const ROUNDS = Number(process.env.BENCH_AB_ROUNDS || 8);
const CHUNK = Number(process.env.BENCH_AB_CHUNK || 20_000);
/** Records each build's instances log before the chunks are measured (their code warmed up). */
const WARM_UP = 10_000;
const FRESH = process.env.BENCH_AB_FRESH === '1';

async function main(): Promise<void> {
  const specs = (process.env.BENCH_AB ?? '').split(',').filter(Boolean);
  if (specs.length !== 2) throw new Error('BENCH_AB="labelA=distA,labelB=distB" names two built dist directories');
  const loadAtStart = os.loadavg();
  const db = await openDatabase();
  const builds: Array<{ label: string; dist: string; instances: Build[] }> = [];
  try {
    for (const spec of specs) {
      const [label, dist] = spec.split('=');
      builds.push({ label, dist, instances: [await startBuild(`${label}-1`, dist, db.ownerUrl), await startBuild(`${label}-2`, dist, db.ownerUrl)] });
    }
    const seedData = await seed(builds[0].instances[0].api);
    let next = 0;
    for (const build of builds) {
      await ingest(
        build.instances.map((i) => i.api),
        seedData,
        next,
        next + WARM_UP,
      );
      next += WARM_UP;
    }
    const rates: number[][] = builds.map(() => []);
    const paths: Array<Array<Record<string, number>>> = builds.map(() => []);
    for (let r = 0; r < ROUNDS; r++) {
      for (const k of r % 2 === 0 ? [0, 1] : [1, 0]) {
        if (FRESH) {
          const { label, dist, instances } = builds[k];
          for (const instance of instances.splice(0)) await stopRegistry(instance.child);
          instances.push(await startBuild(`${label}-1`, dist, db.ownerUrl), await startBuild(`${label}-2`, dist, db.ownerUrl));
        }
        const apis = builds[k].instances.map((i) => i.api);
        for (const api of apis) await keepTokensFresh(api, seedData);
        const before = await groupPaths(builds[k].instances);
        const done = await ingest(apis, seedData, next, next + CHUNK);
        next += CHUNK;
        const after = await groupPaths(builds[k].instances);
        rates[k].push(round(done.recordsPerSecond));
        paths[k].push(Object.fromEntries(Object.keys(after).map((p) => [p, after[p] - before[p]])));
      }
    }
    const [a, b] = rates.map(median);
    const result = {
      recordsPerSecond: Object.fromEntries(builds.map((build, k) => [build.label, rates[k]])),
      groups: Object.fromEntries(builds.map((build, k) => [build.label, paths[k]])),
      medians: Object.fromEntries(builds.map((build, k) => [build.label, [a, b][k]])),
      ratio: round(b / a),
      pairsWonBySecond: rates[1].filter((rate, r) => rate > rates[0][r]).length,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: os.loadavg(),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    for (const build of builds) for (const instance of build.instances) await stopRegistry(instance.child);
    await db.close();
  }
}

if (require.main === module) {
  main().catch((error) => {
    log(`bench/instances-ab.ts failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  });
}
