/**
 * Bulk ingestion with and without two witnesses, in alternating chunks (the bench's `ingest.withWitnessesRatio`,
 * bench/phases/instances.ts, with more rounds): each chunk on a freshly started registry, after WITNESS_AB_WARM records
 * off the clock and a VACUUM and CHECKPOINT, as there; per chunk the
 * records per second and the CPU µs per record of the registry, the two witness processes and the
 * PostgreSQL server. Prints one JSON line. Measures and prints; never asserts a time.
 *
 *   node -r @swc-node/register bench/witness-ab.ts
 *   WITNESS_AB_ROUNDS=6  WITNESS_AB_CHUNK=20000  (records per chunk)
 *   WITNESS_AB_WARM=0  (no records off the clock after each start; default 20,000, as the bench)
 *   WITNESS_AB_SETTLE=0  (a CHECKPOINT before each chunk instead of VACUUM (ANALYZE) and CHECKPOINT)
 *   WITNESS_AB_DATA=/dev/shm  (the witnesses' data directories elsewhere: their fsyncs off PostgreSQL's disk)
 */
import * as os from 'node:os';
import { freePort } from './common';
import { postmasterPid, processCpuSeconds, serverCpuSeconds } from './cpu';
import { openDatabase } from './database';
import { median } from './ingest-ab';
import { checkpoint, ingest, settle } from './phases/ingestion';
import { startWitness, stopWitness } from './phases/instances';
import { Api, log, round, startRegistry, stopRegistry } from './registry';
import { keepTokensFresh, seed } from './seed';

const ROUNDS = Number(process.env.WITNESS_AB_ROUNDS || 6);
const CHUNK = Number(process.env.WITNESS_AB_CHUNK || 20_000);
const WARM = Number(process.env.WITNESS_AB_WARM ?? 20_000);

async function main(): Promise<void> {
  const loadAtStart = os.loadavg();
  const db = await openDatabase();
  const port = await freePort();
  let app = await startRegistry(db.ownerUrl, port);
  const api = new Api(`http://127.0.0.1:${port}`);
  const witnesses = [
    await startWitness('witness.gdcac.bench/w1', process.env.WITNESS_AB_DATA),
    await startWitness('witness.pcpd.bench/w1', process.env.WITNESS_AB_DATA),
  ];
  const witnessEnv = { LEDGER_WITNESSES: witnesses.map((w) => `${w.url} ${w.verifierKey}`).join(',') };
  const kinds = ['plain', 'witnessed'] as const;
  const rates: Record<(typeof kinds)[number], number[]> = { plain: [], witnessed: [] };
  const cpu: Record<(typeof kinds)[number], Array<Record<string, number>>> = { plain: [], witnessed: [] };
  try {
    const seedData = await seed(api);
    const postmaster = await postmasterPid(db.ownerUrl);
    let next = 0;
    await ingest([api], seedData, next, (next += 20_000));
    for (let r = 0; r < ROUNDS; r++) {
      for (const kind of r % 2 === 0 ? kinds : [...kinds].reverse()) {
        await stopRegistry(app);
        app = await startRegistry(db.ownerUrl, port, kind === 'witnessed' ? witnessEnv : {});
        await keepTokensFresh(api, seedData);
        if (WARM > 0) await ingest([api], seedData, next, (next += WARM));
        if (process.env.WITNESS_AB_SETTLE === '0') await checkpoint(db.ownerUrl);
        else await settle(db.ownerUrl);
        const before = [processCpuSeconds(app.pid!), ...witnesses.map((w) => processCpuSeconds(w.process.pid!)), serverCpuSeconds(postmaster)];
        const done = await ingest([api], seedData, next, (next += CHUNK));
        const after = [processCpuSeconds(app.pid!), ...witnesses.map((w) => processCpuSeconds(w.process.pid!)), serverCpuSeconds(postmaster)];
        const micros = after.map((a, i) => round(((a - before[i]) * 1e6) / CHUNK, 1));
        rates[kind].push(round(CHUNK / done.seconds));
        cpu[kind].push({ registry: micros[0], witness1: micros[1], witness2: micros[2], postgres: micros[3] });
        log(`${kind}: ${round(CHUNK / done.seconds)} records/s; CPU µs per record ${JSON.stringify(cpu[kind][cpu[kind].length - 1])}`);
      }
    }
  } finally {
    await stopRegistry(app);
    for (const w of witnesses) await stopWitness(w);
    await db.close();
  }
  const plain = median(rates.plain);
  const witnessed = median(rates.witnessed);
  process.stdout.write(
    `${JSON.stringify({ rates, cpu, medians: { plain, witnessed }, ratio: round(witnessed / plain, 3), loadAverageAtStart: loadAtStart, loadAverageAtEnd: os.loadavg() })}\n`,
  );
}

main().catch((error) => {
  log(`bench/witness-ab.ts failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
