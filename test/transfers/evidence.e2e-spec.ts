// Views bound to the evidence (docs/architecture.md#trust-model, part 3). A record's readable columns are
// rewritten as the database superuser, as an operator with full rights could, leaving its leaf (and so the
// Merkle tree and the signed checkpoints) untouched: what regulators read (GET /transfers, both exports, the
// summary) is the leaf's value, GET /ledger/integrity names the record, and the offline verifier refuses an
// export whose readable member was edited, and (--full) a log whose leaf was rewritten.
import { createHash, generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { main as verifyCli } from '../../tools/verify';
import { fileContract, Parties, setupParties } from '../contracts/fixtures';
import { bearer, startTestApp, TestApp } from '../support/app';
import { parseCsv, postTransfers, transferRecord, waitForCheckpoint } from './support';

/** Runs SQL as the login role (a superuser in tests), with the append-only triggers switched off for this session. */
async function asSuperuser(t: TestApp, sql: string): Promise<void> {
  const client = new Client({ connectionString: t.databaseUrl });
  await client.connect();
  try {
    await client.query('SET session_replication_role = replica');
    expect((await client.query(sql)).rowCount).toBe(1);
  } finally {
    await client.end();
  }
}

interface Failure {
  kind: string;
  level: number | null;
  index: number | null;
  detail: string;
}

async function failuresOnceReported(t: TestApp, token: string, count: number): Promise<Failure[]> {
  for (let i = 0; i < 300; i++) {
    const res = await t.http.get('/ledger/integrity').set(...bearer(token));
    expect(res.status).toBe(200);
    const failures = (res.body as { failures: Failure[] }).failures;
    if (failures.length >= count) return failures;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the integrity failures were never reported');
}

async function verify(args: string[]): Promise<{ code: number; output: string }> {
  let output = '';
  const code = await verifyCli(args, (s) => (output += s));
  return { code, output };
}

describe('views bound to the evidence: a rewritten column is never served', () => {
  let t: TestApp;
  let p: Parties;
  let contractId: string;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp({ LEDGER_AUDIT_BATCH_SIZE: '16', LEDGER_AUDIT_PAUSE_MS: '10' });
    p = await setupParties(t);
    contractId = (await fileContract(t, p)).id;
    const res = await postTransfers(
      t,
      p.mainland,
      Array.from({ length: 3 }, () => transferRecord(contractId)),
    );
    expect(res.status).toBe(201);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gba-evidence-'));
    // Two checkpoints kept by a regulator, of sizes 3 and 5, taken before anything is rewritten (a failure stops signing).
    fs.mkdirSync(path.join(dir, 'checkpoints'));
    fs.writeFileSync(path.join(dir, 'checkpoints', '3.txt'), (await waitForCheckpoint(t, 3, 5000)).note);
    expect((await postTransfers(t, p.mainland, [transferRecord(contractId), transferRecord(contractId)])).status).toBe(201);
    fs.writeFileSync(path.join(dir, 'checkpoints', '5.txt'), (await waitForCheckpoint(t, 5, 5000)).note);
  });

  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  it('record_count and a category column rewritten: the list, both exports and the summary show the leaf; GET /ledger/integrity names both records', async () => {
    await asSuperuser(t, 'UPDATE transfer_records SET record_count = 999999 WHERE leaf_index = 1');
    await asSuperuser(t, `UPDATE transfer_records SET personal_information_categories = ARRAY['BASIC_PROFILE'] WHERE leaf_index = 2`);

    const list = await t.http.get(`/transfers?contractId=${contractId}`).set(...bearer(p.gdCac));
    expect(list.status).toBe(200);
    const items = list.body.items as Array<{ leafIndex: number; recordCount: number; personalInformationCategories: string[] }>;
    expect(items.map((i) => [i.leafIndex, i.recordCount, i.personalInformationCategories])).toEqual([
      [0, 480, ['BASIC_PROFILE', 'IDENTITY']],
      [1, 480, ['BASIC_PROFILE', 'IDENTITY']],
      [2, 480, ['BASIC_PROFILE', 'IDENTITY']],
      [3, 480, ['BASIC_PROFILE', 'IDENTITY']],
      [4, 480, ['BASIC_PROFILE', 'IDENTITY']],
    ]);

    const ndjson = await t.http.get(`/transfers/export?format=ndjson&contractId=${contractId}`).set(...bearer(p.hkDpo));
    expect(ndjson.status).toBe(200);
    const lines = ndjson.text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { leafIndex: number; leaf: string; recordCount: number; personalInformationCategories: string[] });
    expect(lines.map((l) => [l.leafIndex, l.recordCount, l.personalInformationCategories])).toEqual(
      items.map((i) => [i.leafIndex, i.recordCount, i.personalInformationCategories]),
    );
    // Each line carries its leaf index and the exact leaf.
    expect(JSON.parse(Buffer.from(lines[1].leaf, 'base64').toString('utf8')).recordCount).toBe(480);

    const csv = await t.http
      .get(`/transfers/export?format=csv&contractId=${contractId}`)
      .set(...bearer(p.gdCac))
      .buffer(true);
    expect(csv.status).toBe(200);
    const [header, ...rows] = parseCsv(csv.text.replace(/^\uFEFF/, ''));
    const column = (name: string) => header.indexOf(name);
    expect(rows.map((r) => [r[column('leafIndex')], r[column('recordCount')], r[column('personalInformationCategories')]])).toEqual([
      ['0', '480', 'BASIC_PROFILE; IDENTITY'],
      ['1', '480', 'BASIC_PROFILE; IDENTITY'],
      ['2', '480', 'BASIC_PROFILE; IDENTITY'],
      ['3', '480', 'BASIC_PROFILE; IDENTITY'],
      ['4', '480', 'BASIC_PROFILE; IDENTITY'],
    ]);

    const summary = await t.http.get(`/transfers/summary?contractId=${contractId}`).set(...bearer(p.gdCac));
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({ transfers: 5, records: 2400, dataSubjects: 600 });

    const failures = await failuresOnceReported(t, p.pcpd, 2);
    expect(failures.filter((f) => f.kind === 'record-column').map((f) => [f.level, f.index])).toEqual([
      [0, 1],
      [0, 2],
    ]);
    expect(failures.find((f) => f.index === 1)?.detail).toMatch(/recordCount/);
    expect(failures.find((f) => f.index === 2)?.detail).toMatch(/personalInformationCategories/);

    // A column no one has read since: the self-audit finds it on its own.
    await asSuperuser(t, `UPDATE transfer_records SET direction = 'HK_TO_MAINLAND' WHERE leaf_index = 3`);
    const audited = await failuresOnceReported(t, p.hkDpo, 3);
    expect(audited.find((f) => f.kind === 'record-column' && f.index === 3)?.detail).toBe(
      "record 3: the column of direction differs from its leaf; the leaf's value is served",
    );
  });

  it('verify --export refuses an export whose readable member was edited, naming the leaf index and the member', async () => {
    const key = (await t.http.get('/ledger/public-key')).body.verifierKey as string;
    const checkpoint = path.join(dir, 'checkpoints', '5.txt');
    const exported = await t.http.get('/transfers/export?format=ndjson').set(...bearer(p.hkDpo));
    const file = path.join(dir, 'entries.ndjson');
    fs.writeFileSync(file, exported.text);
    const clean = await verify(['--export', file, '--checkpoint', checkpoint, '--log-key', key]);
    expect(clean.output).toMatch(/RESULT: log verified/);
    expect(clean.code).toBe(0);

    const lines = exported.text.trimEnd().split('\n');
    lines[1] = lines[1].replace('"recordCount":480', '"recordCount":999999');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    // --key is the older name of --log-key.
    const edited = await verify(['--export', file, '--checkpoint', checkpoint, '--key', key]);
    expect(edited.code).toBe(1);
    expect(edited.output).toContain('FAIL  readable members equal their leaves — 1 member differs from the leaf: leaf 1 member recordCount');
    // The leaves are untouched: the tree still matches the checkpoint.
    expect(edited.output).toContain('PASS  root matches checkpoint 5');
  });

  it('verify --full: passes on the untouched tree (its columns rewritten) with every checkpoint of a directory, fails on a rewritten leaf; a checkpoint of another key is refused', async () => {
    await t.app.listen(0, '127.0.0.1');
    const url = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    const key = (await t.http.get('/ledger/public-key')).body.verifierKey as string;
    const checkpoints = path.join(dir, 'checkpoints');

    const full = await verify(['--url', url, '--token', p.gdCac, '--full', '--log-key', key, '--checkpoint', checkpoints, '--page-size', '2']);
    expect(full.output).toMatch(/PASS {2}root matches checkpoint 3/);
    expect(full.output).toMatch(/PASS {2}root matches checkpoint 5/);
    expect(full.output).toMatch(/PASS {2}entries complete — 5 leaves, gapless/);
    expect(full.output).toMatch(/RESULT: log verified/);
    expect(full.code).toBe(0);

    // Pinned to another key (of the same name): the server's key and every checkpoint are refused.
    const other = await verify(['--url', url, '--token', p.gdCac, '--full', '--log-key', otherKey(key), '--checkpoint', checkpoints]);
    expect(other.code).toBe(1);
    expect(other.output).toMatch(/FAIL {2}public key — server publishes .*, not the pinned key/);
    const offlineOther = await verify(['--export', path.join(dir, 'entries.ndjson'), '--checkpoint', checkpoints, '--log-key', otherKey(key)]);
    expect(offlineOther.code).toBe(1);
    expect(offlineOther.output).toMatch(/FAIL {2}checkpoint signature .*3\.txt — checkpoint carries no signature by/);
    expect(offlineOther.output).toMatch(/FAIL {2}checkpoint signature .*5\.txt — checkpoint carries no signature by/);

    // A rewritten leaf (its leaf_hash too, as a thorough forger would): the rebuilt tree no longer matches.
    await asSuperuser(
      t,
      `UPDATE transfer_records SET leaf = convert_to(replace(convert_from(leaf, 'UTF8'), '"recordCount":480', '"recordCount":4800'), 'UTF8'),
              leaf_hash = sha256('\\x00'::bytea || convert_to(replace(convert_from(leaf, 'UTF8'), '"recordCount":480', '"recordCount":4800'), 'UTF8'))
        WHERE leaf_index = 0`,
    );
    const rewritten = await verify(['--url', url, '--token', p.gdCac, '--full', '--log-key', key, '--checkpoint', checkpoints]);
    expect(rewritten.code).toBe(1);
    expect(rewritten.output).toMatch(/FAIL {2}root matches checkpoint 3 — .*3\.txt: recomputed root [0-9a-f]{64} differs/);
    expect(rewritten.output).toMatch(/FAIL {2}root matches checkpoint 5/);
    expect(rewritten.output).toMatch(/RESULT: VERIFICATION FAILED/);

    // Offline, the same export (it carries the rewritten leaf) fails --full the same way.
    const exported = await t.http.get('/transfers/export?format=ndjson').set(...bearer(p.hkDpo));
    fs.writeFileSync(path.join(dir, 'rewritten.ndjson'), exported.text);
    const offline = await verify(['--export', path.join(dir, 'rewritten.ndjson'), '--full', '--checkpoint', checkpoints, '--log-key', key]);
    expect(offline.code).toBe(1);
    expect(offline.output).toMatch(/FAIL {2}root matches checkpoint 3/);
  });

  it('occurred_at moved by one microsecond: GET /transfers serves the leaf instant and GET /ledger/integrity names the record', async () => {
    const posted = await postTransfers(t, p.mainland, [transferRecord(contractId)]);
    expect(posted.status).toBe(201);
    const index = (posted.body as { records: Array<{ leafIndex: number }> }).records[0].leafIndex;
    const [{ occurred_at: before }] = await t.dataSource.query<Array<{ occurred_at: string }>>(
      `SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS occurred_at FROM transfer_records WHERE leaf_index = $1`,
      [index],
    );
    await asSuperuser(t, `UPDATE transfer_records SET occurred_at = occurred_at + interval '1 microsecond' WHERE leaf_index = ${index}`);
    const list = await t.http.get(`/transfers?contractId=${contractId}`).set(...bearer(p.gdCac));
    expect(list.status).toBe(200);
    const item = (list.body.items as Array<{ leafIndex: number; occurredAt: string }>).find((i) => i.leafIndex === index);
    expect(item?.occurredAt).toBe(`${before.slice(0, 23)}Z`);
    const failures = await failuresOnceReported(t, p.pcpd, 1);
    expect(failures.find((f) => f.kind === 'record-column' && f.index === index)?.detail).toBe(
      `record ${index}: the column of occurredAt differs from its leaf; the leaf's value is served`,
    );
  });

  it('a leaf rewritten to bytes that are not UTF-8: the list refuses it with 503, and GET /ledger/integrity names it', async () => {
    await asSuperuser(t, `UPDATE transfer_records SET leaf = '\\xff'::bytea || leaf WHERE leaf_index = 4`);
    const list = await t.http.get(`/transfers?contractId=${contractId}`).set(...bearer(p.gdCac));
    expect(list.status).toBe(503);
    expect(list.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(list.body.detail).toBe('Transfer record 4 cannot be read from its leaf; it is listed at GET /ledger/integrity');
    let named: Failure | undefined;
    for (let i = 0; i < 300 && !named; i++) {
      named = (await failuresOnceReported(t, p.pcpd, 1)).find((f) => f.kind === 'record-column' && f.index === 4);
      if (!named) await new Promise((r) => setTimeout(r, 25));
    }
    expect(named?.detail).toBe('record 4: its leaf is not a JSON object');
  });
});

/** A well-formed verifier key of the same name with other key material (so other key ID). */
function otherKey(vkey: string): string {
  const [name] = vkey.split('+');
  const raw = Buffer.from(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  const id = createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`), Buffer.of(1), raw]))
    .digest()
    .subarray(0, 4)
    .toString('hex');
  return `${name}+${id}+${Buffer.concat([Buffer.of(1), raw]).toString('base64')}`;
}
