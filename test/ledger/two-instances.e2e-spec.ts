// Two registry instances and the same two witnesses (docs/architecture.md#trust-model, parts 1 and 4).
// On one database, both ingest and both serve checkpoints; the leader signs (src/cluster/leadership.ts), the
// compare-and-swap stops any other signer from forking, and every checkpoint either serves is cosigned and
// consistent with every other. On two databases with the same log key
// (a backup restored elsewhere, a failover that split), the second history is never cosigned: the witnesses
// stand on the first; that second registry runs as its own process, as it would in production (two Nest apps
// on two databases in one process refused each other's tokens). Checked with the independent verifier of
// test/support/c2sp.ts.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/config';
import { privateKeyFromSeed, verifierKey } from '../../src/ledger/domain/checkpoint';
import { RunningWitness, startWitness } from '../../src/witness/witness';
import { fileContract, setupParties } from '../contracts/fixtures';
import { bearer, startTestApp, TestApp, TEST_JWT_SECRET } from '../support/app';
import { consistent, leafHashOf, treeHash, verifyCosignedCheckpoint, CosignedCheckpoint } from '../support/c2sp';
import { createTestDatabase } from '../support/database';
import { transferRecord } from '../transfers/support';
import { call, freePort, RegistryProcess, seed, transferRecord as reliabilityRecord } from '../reliability/support';
import { witnessedLogEnv } from '../support/witnessed-log';
import { waitFor } from '../support/wait-for';

const ORIGIN = 'gba-registry.test/two-instances';
const SEED = randomBytes(32);
const LOG_VKEY = verifierKey(ORIGIN, privateKeyFromSeed(SEED));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('two registry instances sharing two witnesses', () => {
  const dirs: string[] = [];
  const witnesses: RunningWitness[] = [];
  const apps: TestApp[] = [];
  const extra: NestFastifyApplication[] = [];
  let env: Record<string, string>;
  let keys: string[];

  beforeAll(async () => {
    for (const name of ['witness.gdcac.test/w1', 'witness.pcpd.test/w1']) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'two-instances-'));
      dirs.push(dir);
      witnesses.push(await startWitness({ name, dataDir: dir, logs: [LOG_VKEY] }));
    }
    keys = witnesses.map((w) => w.verifierKey);
    env = witnessedLogEnv(ORIGIN, SEED, witnesses);
  });
  afterAll(async () => {
    for (const app of extra) await app.close();
    for (const t of apps) await t.close();
    for (const w of witnesses) await w.close();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('on one database: both ingest, one leader signs, and every checkpoint either serves is cosigned and consistent with the others', async () => {
    const t = await startTestApp({ ...env, INSTANCE_ID: 'first' });
    apps.push(t);
    const second = await createApp(
      loadConfig({ NODE_ENV: 'test', DATA_DIR: t.config.dataDir, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', ...env, INSTANCE_ID: 'second' }),
      t.databaseUrl,
      {
        silent: true,
      },
    );
    extra.push(second);
    const instances = [t.http, request(second.getHttpServer())];
    const p = await setupParties(t);
    const contractId = (await fileContract(t, p)).id;

    // Two writers on each instance, and a reader of GET /ledger/checkpoint on each, at the same time.
    const notes: Array<{ instance: number; note: string }> = [];
    let writing = true;
    const statuses: number[] = [];
    const writer = async (instance: number) => {
      for (let i = 0; i < 6; i++) {
        const res = await instances[instance]
          .post('/transfers')
          .set(...bearer(p.mainland))
          .send({ records: Array.from({ length: 3 }, () => transferRecord(contractId)) });
        statuses.push(res.status);
      }
    };
    const reader = async (instance: number) => {
      while (writing) {
        const res = await instances[instance].get('/ledger/checkpoint');
        if (res.status === 200) notes.push({ instance, note: res.text });
        await sleep(100);
      }
    };
    const readers = [reader(0), reader(1)];
    await Promise.all([writer(0), writer(0), writer(1), writer(1)]);
    expect(statuses).toEqual(Array.from({ length: 24 }, () => 201));
    const leaves = await t.dataSource.query<Array<{ leaf: Buffer }>>('SELECT leaf FROM transfer_records ORDER BY leaf_index');
    expect(leaves).toHaveLength(72);
    // Both end up serving the whole log, cosigned by both witnesses.
    for (const instance of instances) {
      await waitFor('the whole log cosigned', async () => {
        const res = await instance.get('/ledger/checkpoint');
        return verifyCosignedCheckpoint(res.text, LOG_VKEY, keys, 2).treeSize === 72 ? true : undefined;
      });
    }
    writing = false;
    await Promise.all(readers);
    for (const instance of instances) notes.push({ instance: instances.indexOf(instance), note: (await instance.get('/ledger/checkpoint')).text });

    // Every checkpoint served, by either instance, is cosigned by both and is the stored log at its size.
    const hashes = leaves.map((r) => leafHashOf(r.leaf));
    const opened: Array<CosignedCheckpoint & { instance: number }> = notes.map(({ instance, note }) => ({
      instance,
      ...verifyCosignedCheckpoint(note, LOG_VKEY, keys, 2),
    }));
    expect(new Set(opened.map((c) => c.instance))).toEqual(new Set([0, 1]));
    for (const checkpoint of opened) expect(checkpoint.rootHash.equals(treeHash(hashes.slice(0, checkpoint.treeSize)))).toBe(true);
    // And with each other: the consistency proof from each one instance served to the last the other served verifies.
    const lastOf = (instance: number) => opened.filter((c) => c.instance === instance).reverse()[0];
    for (const checkpoint of opened) {
      const last = lastOf(1 - checkpoint.instance);
      const proof = await instances[1 - checkpoint.instance]
        .get(`/ledger/proofs/consistency?first=${checkpoint.treeSize}&second=${last.treeSize}`)
        .set(...bearer(p.gdCac));
      expect(proof.status).toBe(200);
      const hashesOfProof = (proof.body as { hashes: string[] }).hashes.map((h) => Buffer.from(h, 'base64'));
      expect(consistent(checkpoint.treeSize, last.treeSize, hashesOfProof, checkpoint.rootHash, last.rootHash)).toBe(true);
    }
    // The signed checkpoints form one chain: each extends the one before it.
    const chain = await t.dataSource.query<Array<{ tree_size: number; extends_size: number | null }>>(
      'SELECT tree_size::int AS tree_size, extends_size::int AS extends_size FROM ledger_checkpoints ORDER BY tree_size',
    );
    chain.slice(1).forEach((row, i) => expect(row.extends_size).toBe(chain[i].tree_size));
    // One signer at a time: every checkpoint in this run was signed by the instance holding leadership.
    const signers = await t.dataSource.query<Array<{ signed_by: string | null }>>('SELECT DISTINCT signed_by FROM ledger_checkpoints WHERE tree_size > 0');
    expect(signers.length).toBe(1);
  }, 180_000);

  it('on two databases with the same log key: the witnesses cosign one history only, and the other is never served as cosigned', async () => {
    // The first registry (the log of the test above, on which the witnesses stand).
    const first = apps[0];
    const firstParties = await setupParties(first);
    const firstContract = (await fileContract(first, firstParties)).id;
    // A second registry process with the log's key and origin but its own database: a backup restored elsewhere.
    const database = await createTestDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'two-instances-split-'));
    const split = new RegistryProcess({ ...env, DATABASE_URL: database.url, DATA_DIR: dataDir, PORT: String(await freePort()) });
    try {
      await split.start();
      const seeded = await seed(split.baseUrl, 1);
      for (let i = 0; i < 4; i++) {
        const res = await call(split.baseUrl, 'POST', '/transfers', {
          token: seeded.writerTokens[0],
          body: { records: Array.from({ length: 50 }, (_, n) => reliabilityRecord(seeded.contractId, `split-${i}-${n}`)) },
        });
        expect(res.status).toBe(201);
      }
      // It signs its own history (200 records, past the 72 the witnesses cosigned) and sends it to them.
      await waitFor('the split registry to sign 200 records', async () => {
        const metrics = await call(split.baseUrl, 'GET', '/metrics');
        return /registry_ledger_witness_lag\{witness="witness\.pcpd\.test\/w1"\} 200/.test(metrics.text) ? true : undefined;
      });
      // Neither witness cosigns it: its lag stays at its whole log, and it serves no cosigned checkpoint beyond the empty tree.
      await sleep(1_500);
      const metrics = (await call(split.baseUrl, 'GET', '/metrics')).text;
      expect(metrics).toMatch(/registry_ledger_witness_lag\{witness="witness\.gdcac\.test\/w1"\} 200/);
      expect(metrics).toMatch(/registry_ledger_witness_lag\{witness="witness\.pcpd\.test\/w1"\} 200/);
      const served = await call(split.baseUrl, 'GET', '/ledger/checkpoint');
      if (served.status === 200) {
        // At most the empty tree, which both histories share.
        expect(verifyCosignedCheckpoint(served.text, LOG_VKEY, keys, 2).treeSize).toBe(0);
      } else {
        expect(served.status).toBe(503);
        expect(served.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    } finally {
      await split.kill('SIGTERM');
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }

    // The first registry goes on being cosigned, from where the witnesses stood.
    const res = await first.http
      .post('/transfers')
      .set(...bearer(firstParties.mainland))
      .send({ records: [transferRecord(firstContract), transferRecord(firstContract)] });
    expect(res.status).toBe(201);
    const checkpoint = await waitFor('the first log cosigned at 74', async () => {
      const opened = verifyCosignedCheckpoint((await first.http.get('/ledger/checkpoint')).text, LOG_VKEY, keys, 2);
      return opened.treeSize === 74 ? opened : undefined;
    });
    const leaves = await first.dataSource.query<Array<{ leaf: Buffer }>>('SELECT leaf FROM transfer_records ORDER BY leaf_index');
    expect(checkpoint.rootHash.equals(treeHash(leaves.map((r) => leafHashOf(r.leaf))))).toBe(true);
  }, 180_000);
});
