/**
 * Two builds of the registry on one database, one-record `POST /transfers` from SMALL_CLIENTS clients alternating
 * between them (README, Performance): the registry process's CPU per request of each, read from /proc (bench/cpu.ts)
 * around each timed chunk, and the requests per second. The chunks alternate in order A B, B A, … so the machine's
 * load falls on both alike. Prints each chunk's µs per request, the medians, their ratio and the load average as one
 * JSON line. Measures and prints; never asserts a time.
 *
 *   cp -r dist dist-before   # the build to compare with, then rebuild
 *   BENCH_AB="before=dist-before,after=dist" node -r @swc-node/register bench/small-ab.ts
 *   BENCH_AB_ROUNDS=8  BENCH_AB_SECONDS=5  (length of each chunk)
 *   SMALL_AB_BULK_FIRST=200000  (the first build logs that many records in 1,000-record requests before the rounds,
 *                                as the full bench's registry has before its one-record requests; both builds the
 *                                same dist compare a registry with that history against one without)
 *
 * Each path is a built `dist` directory inside the repository, where its `node_modules` resolve.
 */
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { processCpuSeconds } from './cpu';
import { Build, median, round, withTwoBuilds } from './ingest-ab';
import { ingest } from './phases/ingestion';
import { autocannon, log, SMALL_CLIENTS } from './registry';
import { transferRecord } from './rows';
import { keepTokensFresh, Seed } from './seed';

const ROUNDS = Number(process.env.BENCH_AB_ROUNDS || 8);
const SECONDS = Number(process.env.BENCH_AB_SECONDS || 5);

let recordNumber = 1_000_000_000;

/** One-record requests against one build for `seconds`: the 2xx answers and the failures. */
async function oneRecordRequests(build: Build, seedData: Seed, seconds: number): Promise<{ ok: number; failures: number }> {
  await keepTokensFresh(build.api, seedData);
  const token = seedData.processorTokens[0];
  const contracts = seedData.contractIds.filter((_, c) => seedData.contractProcessor[c] === 0);
  const result = await autocannon({
    url: `${build.api.base}/transfers`,
    connections: SMALL_CLIENTS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request: Record<string, unknown>) => {
          const n = recordNumber++;
          return {
            ...request,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
            body: JSON.stringify({ records: [transferRecord(contracts[n % contracts.length], n)] }),
          };
        },
      },
    ],
  });
  return { ok: result['2xx'], failures: result.errors + result.non2xx };
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg();
  await withTwoBuilds(async (builds, seedData) => {
    const bulk = Number(process.env.SMALL_AB_BULK_FIRST || 0);
    if (bulk > 0) await ingest([builds[0].api], seedData, 0, bulk);
    for (const build of builds) await oneRecordRequests(build, seedData, 3);
    const micros: number[][] = builds.map(() => []);
    const rates: number[][] = builds.map(() => []);
    let failures = 0;
    for (let r = 0; r < ROUNDS; r++) {
      for (const k of r % 2 === 0 ? [0, 1] : [1, 0]) {
        const pid = builds[k].child.pid as number;
        const before = processCpuSeconds(pid);
        const { ok, failures: failed } = await oneRecordRequests(builds[k], seedData, SECONDS);
        micros[k].push(round(((processCpuSeconds(pid) - before) * 1e6) / Math.max(1, ok)));
        rates[k].push(round(ok / SECONDS));
        failures += failed;
      }
    }
    const result = {
      registryCpuMicrosPerRequest: Object.fromEntries(builds.map((build, k) => [build.label, micros[k]])),
      requestsPerSecond: Object.fromEntries(builds.map((build, k) => [build.label, rates[k]])),
      medians: Object.fromEntries(builds.map((build, k) => [build.label, { micros: median(micros[k]), requestsPerSecond: median(rates[k]) }])),
      ratio: round(median(micros[0]) / median(micros[1])),
      failures,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: os.loadavg(),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  });
}

main().catch((error) => {
  log(`bench/small-ab.ts failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
