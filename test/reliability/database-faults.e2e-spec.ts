/*
 * Issue 8.2 — database faults. PostgreSQL is stopped mid-load and started
 * again, under a running registry. While it is down readiness is 503 and every
 * request that needs the database fails fast with 503 problem+json — never a
 * hang, never a 500; afterwards the registry recovers by itself (same process)
 * and the log is whole.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  call,
  ClientTimeout,
  count,
  freePort,
  isProblem,
  newLedgerbook,
  newLogState,
  observeCheckpoint,
  RegistryProcess,
  ROOT,
  saveSection,
  seed,
  sized,
  sleep,
  verifyLog,
} from './support';
import { resendAll, startWriters, Switch, unansweredOf, Writers } from './writers';

const OUTAGES = Number(process.env.RELIABILITY_OUTAGES ?? sized(1, 3));
const OUTAGE_MS = sized(4000, 10_000);
/** A request that needs the database must be answered within this (the pool's connect timeout is 3 s). */
const ANSWER_WITHIN_MS = 10_000;

class PgServer {
  private child: ChildProcess | undefined;
  constructor(
    private readonly dataDir: string,
    private readonly port: number,
  ) {}

  async start(): Promise<string> {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', path.join(__dirname, '..', 'support', 'embedded-pg-child.ts'), this.dataDir, String(this.port), 'registry'],
      {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    let output = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`PostgreSQL did not start: ${output}`)), 120_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        const match = /READY (\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`PostgreSQL exited with ${code}: ${output}`));
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.stdin!.end();
      setTimeout(() => {
        child.kill('SIGKILL');
        resolve();
      }, 60_000).unref();
    });
  }
}

/** What a request answered in each phase: status code, "timeout", or "no answer". */
type Tally = Record<string, Record<string, number>>;

describe('database faults: PostgreSQL stopped and started under load', () => {
  let pg: PgServer;
  let registry: RegistryProcess;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gba-reliability-dbfault-'));
    // As root the cluster runs as the `postgres` user, which must reach its directory.
    fs.chmodSync(dataDir, 0o755);
    pg = new PgServer(path.join(dataDir, 'db'), await freePort());
    const url = await pg.start();
    const migrate = spawnSync(process.execPath, ['-r', '@swc-node/register', path.join(ROOT, 'src', 'bin', 'migrate.ts'), url], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (migrate.status !== 0) throw new Error(`migrate failed: ${migrate.stderr || migrate.stdout}`);
    registry = new RegistryProcess({ DATABASE_URL: url, DATA_DIR: path.join(dataDir, 'app'), PORT: String(await freePort()), DATABASE_POOL_SIZE: '8' });
    await registry.start();
  }, 180_000);

  afterAll(async () => {
    await registry?.kill('SIGKILL');
    await pg?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    `answers 503 while the database is down and recovers without a restart (${OUTAGES} outage(s))`,
    async () => {
      const base = registry.baseUrl;
      const pid = registry.pid;
      const seeded = await seed(base, 2);
      const book = newLedgerbook();
      const state = await newLogState(base);
      const tally: Tally = {};
      const bad: string[] = [];
      let phase = 'up';
      const on: Switch = { running: true };

      const note = (what: string, outcome: string): void => {
        const key = `${phase} ${what}`;
        tally[key] ??= {};
        tally[key][outcome] = (tally[key][outcome] ?? 0) + 1;
      };
      /** One request; anything but 2xx or 503 problem+json (or a timeout) is a failure. */
      const probe = async (
        what: string,
        method: string,
        url: string,
        options: Parameters<typeof call>[3] = {},
        alsoFine: number[] = [],
      ): Promise<number | string> => {
        try {
          const reply = await call(base, method, url, { timeoutMs: ANSWER_WITHIN_MS, ...options });
          note(what, String(reply.status));
          const fine = (reply.status >= 200 && reply.status < 300) || ((reply.status === 503 || alsoFine.includes(reply.status)) && isProblem(reply));
          if (!fine) bad.push(`${phase}: ${method} ${url} → ${reply.status} ${reply.text.slice(0, 200)}`);
          return reply.status;
        } catch (error) {
          const outcome = error instanceof ClientTimeout ? 'timeout' : 'no answer';
          note(what, outcome);
          bad.push(`${phase}: ${method} ${url} → ${outcome} (${(error as Error).message})`);
          return outcome;
        }
      };

      const writers: Writers = {
        seeded,
        name: 'dbfault',
        most: 10,
        book,
        target: () => base,
        pauseMs: 100,
        timeoutMs: ANSWER_WITHIN_MS,
        answered: (acknowledged, sent) => note('POST /transfers', acknowledged ? '201' : sent ? 'unacknowledged' : '?'),
      };
      const reader = async (): Promise<void> => {
        while (on.running) {
          await probe('GET /transfers', 'GET', `/transfers?contractId=${seeded.contractId}&limit=20`, { token: seeded.readerToken });
          await probe('GET /ledger/checkpoint', 'GET', '/ledger/checkpoint');
          await observeCheckpoint(base, state, ANSWER_WITHIN_MS).catch(() => undefined);
          await probe('GET /health/ready', 'GET', '/health/ready');
          await probe('GET /auth/me', 'GET', '/auth/me', { token: seeded.readerToken });
          // Wrong credentials: 401, then 429 once the sign-in throttle trips; 503 while the account cannot be looked up.
          await probe(
            'POST /auth/token',
            'POST',
            '/auth/token',
            { body: { grantType: 'client_credentials', clientId: 'nobody', clientSecret: 'nothing' } },
            [401, 429],
          );
          await sleep(50);
        }
      };

      const recoveryMs: number[] = [];
      const problems: string[] = [];
      for (let outage = 1; outage <= OUTAGES; outage++) {
        on.running = true;
        phase = 'up';
        const load = [...startWriters(on, 2, writers), reader(), reader()];
        await sleep(1500);
        phase = 'stopping';
        await pg.stop();
        phase = 'down';
        const downSince = Date.now();
        while (Date.now() - downSince < OUTAGE_MS) {
          const ready = await probe('GET /health/ready', 'GET', '/health/ready');
          if (ready !== 503) bad.push(`down: GET /health/ready → ${ready}, expected 503`);
          await sleep(200);
        }
        phase = 'restarting';
        await pg.start();
        const restarted = Date.now();
        phase = 'recovering';
        for (;;) {
          const ready = await call(base, 'GET', '/health/ready', { timeoutMs: ANSWER_WITHIN_MS }).catch(() => null);
          if (ready?.status === 200) break;
          if (Date.now() - restarted > 30_000) {
            problems.push(`outage ${outage}: not ready 30 s after PostgreSQL came back`);
            break;
          }
          await sleep(100);
        }
        recoveryMs.push(Date.now() - restarted);
        phase = 'up';
        await sleep(1000);
        on.running = false;
        await Promise.all(load);
        if (!registry.alive() || registry.pid !== pid) problems.push(`outage ${outage}: the registry process died:\n${registry.tail()}`);

        problems.push(...(await resendAll(unansweredOf(book).splice(0), () => base, book)));
        problems.push(...(await verifyLog(base, seeded.readerToken, book, state, seeded.contractId)).map((p) => `after outage ${outage}: ${p}`));
        if (problems.length) break;
      }
      count(book, 'done');

      const downAnswers = Object.entries(tally).filter(([k]) => k.startsWith('down '));
      const down503 = downAnswers.reduce((n, [, v]) => n + (v['503'] ?? 0), 0);
      const unexpected5xx = Object.values(tally).reduce(
        (n, v) =>
          n +
          Object.entries(v)
            .filter(([s]) => /^5\d\d$/.test(s) && s !== '503')
            .reduce((m, [, c]) => m + c, 0),
        0,
      );
      saveSection('database-faults', {
        title: 'Database faults (PostgreSQL stopped and restarted under load)',
        figures: {
          outages: OUTAGES,
          outageSeconds: OUTAGE_MS / 1000,
          answers503WhileDown: down503,
          timeoutsOrHangs: Object.values(tally).reduce((n, v) => n + (v.timeout ?? 0), 0),
          maxRecoveryMs: Math.max(...recoveryMs),
          registryRestarts: 0,
          recordsAcknowledged: book.acknowledged.size,
          recordsChecked: state.recordsChecked,
          retriesAnsweredAsReplay: book.replayedRetries,
          answersByPhase: JSON.stringify(tally),
          unexpected5xx,
        },
      });
      if (bad.length || book.unexpected.length) process.stdout.write(`registry errors:\n${registry.errorLines.join('\n')}\n`);
      expect(bad).toEqual([]);
      expect(problems).toEqual([]);
      expect(book.unexpected).toEqual([]);
      expect(down503).toBeGreaterThan(0);
      expect(unexpected5xx).toBe(0);
    },
    120_000 * OUTAGES + 60_000,
  );
});
