// A witness killed under load (docs/architecture.md#trust-model, part 4): two witnesses run as their own
// processes (`npm run witness`, src/witness/main.ts); the registry ingests continuously; one witness gets
// SIGKILL. Ingestion must go on (every request answered 201), that witness's lag metric must grow, the
// checkpoint served must still carry the quorum (checked by the independent verifier of test/support/c2sp.ts);
// restarted on the same WITNESS_DATA_DIR, the witness cosigns again and its lag returns to 0.
// RELIABILITY_FULL=1 ingests longer while it is down.
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { privateKeyFromSeed, verifierKey } from '../../src/ledger/domain/checkpoint';
import { Parties, startWithContract } from '../contracts/fixtures';
import { TestApp } from '../support/app';
import { leafHashOf, treeHash, verifyCosignedCheckpoint } from '../support/c2sp';
import { postTransfers, transferRecord } from '../transfers/support';
import { freePort, ROOT, saveSection, sized, sleep } from './support';
import { witnessedLogEnv } from '../support/witnessed-log';
import { waitFor } from '../support/wait-for';

const ORIGIN = 'gba-registry.test/witness-kill';
const SEED = randomBytes(32);
const LOG_VKEY = verifierKey(ORIGIN, privateKeyFromSeed(SEED));
const DOWN_MS = sized(3_000, 20_000);

interface WitnessProcess {
  child: ChildProcess;
  url: string;
  verifierKey: string;
}

/** `npm run witness` as a child process; resolves once it printed its verifier key. */
async function startWitnessProcess(name: string, dataDir: string, port: number): Promise<WitnessProcess> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(ROOT, 'src', 'witness', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, WITNESS_NAME: name, WITNESS_DATA_DIR: dataDir, WITNESS_PORT: String(port), WITNESS_LOGS: LOG_VKEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`witness ${name} did not start within 60 s: ${out}${err}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const key = /cosigner verifier key: (\S+)/.exec(out);
      if (key) {
        clearTimeout(timer);
        resolve({ child, url: `http://127.0.0.1:${port}`, verifierKey: key[1] });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`witness ${name} exited with ${code}: ${err}`));
    });
  });
}

async function stop(w: WitnessProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!w || w.child.exitCode !== null || w.child.signalCode !== null) return;
  const exited = new Promise((r) => w.child.once('exit', r));
  w.child.kill(signal);
  await exited;
}

async function lag(t: TestApp, name: string): Promise<number> {
  const text = (await t.http.get('/metrics')).text;
  const match = new RegExp(`^registry_ledger_witness_lag\\{witness="${name.replace(/[.\\/]/g, '\\$&')}"\\} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}

describe('a witness killed under load', () => {
  let t: TestApp;
  let p: Parties;
  let contractId: string;
  const dirs: string[] = [];
  const witnesses: WitnessProcess[] = [];
  const names = ['witness.gdcac.test/w1', 'witness.pcpd.test/w1'];

  beforeAll(async () => {
    const ports = [await freePort(), await freePort()];
    for (const [i, name] of names.entries()) {
      dirs.push(fs.mkdtempSync(path.join(os.tmpdir(), 'witness-kill-')));
      witnesses.push(await startWitnessProcess(name, dirs[i], ports[i]));
    }
    ({ t, p, contractId } = await startWithContract(witnessedLogEnv(ORIGIN, SEED, witnesses)));
  }, 180_000);
  afterAll(async () => {
    for (const w of witnesses) await stop(w, 'SIGTERM');
    await t?.close();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ingestion goes on, the lag grows, the served checkpoint keeps the quorum; restarted, the witness catches up', async () => {
    const keys = witnesses.map((w) => w.verifierKey);
    const served = async () => verifyCosignedCheckpoint((await t.http.get('/ledger/checkpoint')).text, LOG_VKEY, keys, 2);

    // Continuous ingestion: two writers, 5 records a request, back to back, until told to stop.
    const answers = new Map<number, number>();
    let acknowledged = 0;
    let running = true;
    const writer = async () => {
      while (running) {
        const res = await postTransfers(
          t,
          p.mainland,
          Array.from({ length: 5 }, () => transferRecord(contractId)),
        );
        answers.set(res.status, (answers.get(res.status) ?? 0) + 1);
        if (res.status === 201) acknowledged += 5;
      }
    };
    const writers = [writer(), writer()];
    try {
      // Both witnesses cosign while both are up.
      await waitFor('a cosigned checkpoint of 20 records or more', async () => ((await served()).treeSize >= 20 ? true : undefined));

      // SIGKILL the second witness, mid-load.
      const atKill = (await served()).treeSize;
      const port = Number(new URL(witnesses[1].url).port);
      await stop(witnesses[1], 'SIGKILL');
      const downSince = Date.now();
      const lags: number[] = [];
      const servedSizes: number[] = [];
      // At least 8 samples, however slow the machine.
      while (Date.now() - downSince < DOWN_MS || lags.length < 8) {
        lags.push(await lag(t, names[1]));
        // Every checkpoint served while it is down carries both cosignatures (quorum 2, the default): the one
        // both cosigned before the kill, or one the second witness cosigned just before it died.
        const checkpoint = await served();
        expect(checkpoint.cosigners).toEqual(names);
        servedSizes.push(checkpoint.treeSize);
        await sleep(100);
      }
      const acknowledgedWhileDown = acknowledged;
      expect(answers.get(201) ?? 0).toBeGreaterThan(0);
      expect([...answers.keys()]).toEqual([201]);
      // The lag grew while it was down, and never went back.
      const measured = lags.filter((n) => Number.isFinite(n));
      expect(measured.length).toBeGreaterThanOrEqual(8);
      expect(measured[measured.length - 1]).toBeGreaterThan(measured[0]);
      for (let i = 1; i < measured.length; i++) expect(measured[i]).toBeGreaterThanOrEqual(measured[i - 1]);
      // The served checkpoint stopped moving once the kill had landed (one in flight may have finished).
      expect(new Set(servedSizes.slice(-5)).size).toBe(1);
      expect(servedSizes[servedSizes.length - 1]).toBeGreaterThanOrEqual(atKill);
      const [logged] = await t.dataSource.query<Array<{ n: number }>>('SELECT max(tree_size)::int AS n FROM ledger_checkpoints');
      expect(logged.n).toBeGreaterThan(servedSizes[servedSizes.length - 1]);

      // Restarted on the same state directory and port: the same key, and cosigning resumes.
      const restartedAt = Date.now();
      witnesses[1] = await startWitnessProcess(names[1], dirs[1], port);
      expect(witnesses[1].verifierKey).toBe(keys[1]);
      await sleep(1_000);
      running = false;
      await Promise.all(writers);
      const [final] = await t.dataSource.query<Array<{ n: number }>>('SELECT count(*)::int AS n FROM transfer_records');
      expect(final.n).toBe(acknowledged);
      const caughtUp = await waitFor(`a checkpoint of ${final.n} records cosigned by both`, async () => {
        const checkpoint = await served();
        return checkpoint.treeSize === final.n ? checkpoint : undefined;
      });
      const catchUpMs = Date.now() - restartedAt;
      await waitFor('the lag back to 0', async () => ((await lag(t, names[1])) === 0 ? true : undefined));
      // What both witnesses cosigned is the log as stored.
      const leaves = await t.dataSource.query<Array<{ leaf: Buffer }>>('SELECT leaf FROM transfer_records ORDER BY leaf_index');
      expect(caughtUp.rootHash.equals(treeHash(leaves.map((r) => leafHashOf(r.leaf))))).toBe(true);
      saveSection('witness-kill', {
        title: 'A witness killed under load',
        figures: {
          'records acknowledged': acknowledged,
          'records acknowledged while the witness was down': acknowledgedWhileDown,
          'requests answered': [...answers.values()].reduce((a, b) => a + b, 0),
          'non-201 answers': [...answers.entries()].filter(([s]) => s !== 201).reduce((a, [, n]) => a + n, 0),
          'witness down (ms)': DOWN_MS,
          'largest lag (records)': Math.max(...measured),
          'restart to both cosigned (ms)': catchUpMs,
        },
      });
    } finally {
      running = false;
      await Promise.all(writers);
    }
  }, 240_000);
});
