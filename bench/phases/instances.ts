/**
 * Witnesses and instances (README "Performance"): bulk ingestion in alternating chunks, plain, with
 * two witness processes that really cosign, and on two registry processes against one database,
 * each chunk on a freshly started registry.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../common';
import { Api, LEDGER_ORIGIN, log, ROOT, round, ROWS, CONTRACTS, SECRETS, startRegistry, stopRegistry } from '../registry';
import { BATCH } from '../rows';
import { keepTokensFresh, RunContext } from '../seed';
import { privateKeyFromSeed, verifierKey } from '../../src/ledger/domain/checkpoint';
import { ingest, leafCount, settle } from './ingestion';

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
export async function startWitness(name: string, parent = os.tmpdir()): Promise<Witness> {
  const dataDir = fs.mkdtempSync(path.join(parent, 'gba-bench-witness-'));
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

export async function stopWitness(witness: Witness): Promise<void> {
  const exited = new Promise((r) => witness.process.once('exit', r));
  witness.process.kill('SIGTERM');
  await exited;
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

type ChunkKind = 'plain' | 'witnessed' | 'twoInstances';

/**
 * Records each freshly started registry logs before its chunk is timed. A fresh registry's first 20,000 records cost
 * it about twice the CPU of later ones (its code not yet compiled), and more with witnesses (their HTTP client loaded
 * on the first submission): with 20,000-record chunks timed from the start, the witnessed chunks ran at 0.80–0.89 of
 * the plain ones in every 200,000-row run, and at 0.85–0.87 of them in bench/witness-ab.ts (six pairs); with 20,000
 * records off the clock and a VACUUM and CHECKPOINT before each chunk, at 0.99 (the median of six pairs, each pair
 * 0.83–1.03; 2 December, night, README, Performance).
 */
const WARM_UP_ROWS = 20_000;

/**
 * Rounds of the three kinds of chunk. Two rounds of 20,000-record chunks (about a second each at 200,000 rows) gave
 * a witness ratio of 0.757 in one run where six such pairs in bench/witness-ab.ts ranged 0.83–1.03: a second of the
 * machine's noise decided the figure. Three rounds of at least 50,000 records.
 */
const ROUNDS = 3;

/** Chunks of ingestion after the others (N/10 rows, 50,000 to 200,000): from the first multiple of BATCH × CONTRACTS above N. */
function chunkPlan(): { chunk: number; firstRow: number } {
  const chunk = Number(process.env.BENCH_CHUNK_ROWS) || Math.min(200_000, Math.max(50_000, Math.floor(ROWS / 10 / BATCH) * BATCH));
  return { chunk, firstRow: Math.ceil(ROWS / (BATCH * CONTRACTS)) * BATCH * CONTRACTS };
}

/**
 * Two witnesses, and a second instance: alternating chunks at the same size, each on a freshly
 * started registry, so neither side runs while the other's restart (and start-up audit) settles; each
 * timed after WARM_UP_ROWS records off the clock and a VACUUM and CHECKPOINT (`settle`), so that no
 * chunk pays for the start-up or for autovacuum of the chunks before it.
 * Stops `app` and every registry it starts; the caller starts the next one.
 */
export async function measureWitnessesAndInstances(run: RunContext, app: ChildProcess): Promise<Record<string, number>> {
  const { ownerUrl, api, seedData, port } = run;
  const { chunk, firstRow } = chunkPlan();
  log(`witnesses and instances: starting two witness processes; chunks of ${chunk} rows`);
  const witnesses = [await startWitness('witness.gdcac.bench/w1'), await startWitness('witness.pcpd.bench/w1')];
  const witnessEnv = { LEDGER_WITNESSES: witnesses.map((w) => `${w.url} ${w.verifierKey}`).join(',') };
  const port2 = await freePort();
  let cosignedChunks = 0;
  const totals: Record<ChunkKind, { rows: number; seconds: number }> = {
    plain: { rows: 0, seconds: 0 },
    witnessed: { rows: 0, seconds: 0 },
    twoInstances: { rows: 0, seconds: 0 },
  };
  let nextRow = firstRow;
  try {
    for (let round_ = 0; round_ < ROUNDS; round_++) {
      for (const kind of ['plain', 'witnessed', 'twoInstances'] as const) {
        await stopRegistry(app);
        app = await startRegistry(ownerUrl, port, kind === 'witnessed' ? witnessEnv : {});
        const second = kind === 'twoInstances' ? await startRegistry(ownerUrl, port2) : undefined;
        try {
          await keepTokensFresh(api, seedData);
          const apis = second ? [api, new Api(`http://127.0.0.1:${port2}`)] : [api];
          // Off the clock: the fresh registry's first records (its code compiled, its witness client loaded) and
          // PostgreSQL's maintenance of the rows so far, so that the chunk times each kind in its steady state.
          await ingest(apis, seedData, nextRow, nextRow + WARM_UP_ROWS);
          nextRow += WARM_UP_ROWS;
          await settle(ownerUrl);
          log(`  ${kind}: ${nextRow} → ${nextRow + chunk}`);
          const done = await ingest(apis, seedData, nextRow, nextRow + chunk);
          totals[kind].rows += chunk;
          totals[kind].seconds += done.seconds;
          nextRow += chunk;
          // Off the clock: the witnesses really cosigned what was logged.
          if (kind === 'witnessed') {
            const size = await leafCount(ownerUrl);
            if (await waitForCosigned(api, size, witnesses.length, 300)) cosignedChunks++;
            else log(`WARNING: no checkpoint of ${size} leaves cosigned by both witnesses within 300 s`);
          }
        } finally {
          if (second) await stopRegistry(second);
        }
      }
    }
  } finally {
    await stopRegistry(app);
    for (const w of witnesses) await stopWitness(w);
  }
  const rate = (t: { rows: number; seconds: number }) => t.rows / t.seconds;
  return {
    'witness.cosignedChunks': cosignedChunks,
    'ingest.plainRecordsPerSecond': round(rate(totals.plain)),
    'ingest.withWitnessesRecordsPerSecond': round(rate(totals.witnessed)),
    'ingest.withWitnessesRatio': round(rate(totals.witnessed) / rate(totals.plain), 3),
    'scale.twoInstancesRecordsPerSecond': round(rate(totals.twoInstances)),
    'scale.twoInstancesRatio': round(rate(totals.twoInstances) / rate(totals.plain), 3),
  };
}
