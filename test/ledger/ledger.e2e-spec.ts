import { createHash, createPublicKey, verify as ed25519Verify } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { main as verifyCli, merkleRoot, hashLeaf, verifyConsistencyProof, verifyInclusionProof } from '../../tools/verify';
import { bearer, TestApp } from '../support/app';
import { fileContract, Parties, setupParties, startWithContract } from '../contracts/fixtures';
import { postTransfers, transferRecord, treeSize, waitForCheckpoint } from '../transfers/support';
import { appendLeaves, leafHash, nodeKey, rootFromLeafHashes, rootPlan } from '../../src/ledger/domain/merkle';
import { LedgerService } from '../../src/ledger/ledger.service';

/**
 * C2SP signed-note, checked by hand (https://c2sp.org/signed-note): the note
 * text ends at the blank line; each signature line is "— <name> <base64>"
 * where the blob is a 4-byte key ID, SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)[:4],
 * followed by the 64-byte Ed25519 signature over the text (final newline included).
 */
function checkSignedNote(note: string, name: string, rawPublicKey: Buffer): { origin: string; size: number; root: Buffer } {
  const split = note.indexOf('\n\n');
  expect(split).toBeGreaterThan(0);
  const text = note.slice(0, split + 1);
  const signatureLines = note
    .slice(split + 2)
    .split('\n')
    .filter(Boolean);
  expect(signatureLines).toHaveLength(1);
  const match = /^\u2014 (\S+) (\S+)$/.exec(signatureLines[0]);
  expect(match).not.toBeNull();
  expect(match![1]).toBe(name);
  const blob = Buffer.from(match![2], 'base64');
  expect(blob).toHaveLength(68);
  const expectedKeyId = createHash('sha256')
    .update(Buffer.concat([Buffer.from(name, 'utf8'), Buffer.from([0x0a, 0x01]), rawPublicKey]))
    .digest()
    .subarray(0, 4);
  expect(blob.subarray(0, 4).equals(expectedKeyId)).toBe(true);
  // SubjectPublicKeyInfo for Ed25519 (RFC 8410): fixed 12-byte prefix, then the 32-byte key.
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), rawPublicKey]);
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  expect(ed25519Verify(null, Buffer.from(text, 'utf8'), key, blob.subarray(4))).toBe(true);
  // A flipped byte of the text must not verify.
  expect(
    ed25519Verify(
      null,
      Buffer.from(
        text.replace(/\n(\d)/, (_, d) => `\n${(Number(d) + 1) % 10}`),
        'utf8',
      ),
      key,
      blob.subarray(4),
    ),
  ).toBe(false);
  // C2SP tlog-checkpoint body: origin, decimal size, base64 root hash.
  const [origin, size, root, ...rest] = text.split('\n');
  expect(rest).toEqual(['']);
  expect(size).toMatch(/^(0|[1-9]\d*)$/);
  return { origin, size: Number(size), root: Buffer.from(root, 'base64') };
}

async function allEntries(t: TestApp, token: string, size: number): Promise<Buffer[]> {
  const leaves: Buffer[] = [];
  for (let start = 0; start < size; start += 1000) {
    const res = await t.http.get(`/ledger/entries?start=${start}&end=${Math.min(size, start + 1000)}`).set(...bearer(token));
    expect(res.status).toBe(200);
    res.body.entries.forEach((e: { leafIndex: number; leaf: string }, i: number) => {
      expect(e.leafIndex).toBe(start + i);
      leaves.push(Buffer.from(e.leaf, 'base64'));
    });
  }
  expect(leaves).toHaveLength(size);
  return leaves;
}

describe('ledger', () => {
  let t: TestApp;
  let p: Parties;
  let contractId: string;

  beforeAll(async () => ({ t, p, contractId } = await startWithContract()));
  afterAll(async () => t?.close());

  it('publishes the Ed25519 key and a signed checkpoint of the empty tree at once', async () => {
    const key = await t.http.get('/ledger/public-key');
    expect(key.status).toBe(200);
    expect(key.body.algorithm).toBe('Ed25519');
    expect(key.body.origin).toBe(t.config.ledgerOrigin);
    const raw = Buffer.from(key.body.publicKey, 'base64');
    expect(raw).toHaveLength(32);
    const keyId = createHash('sha256')
      .update(Buffer.concat([Buffer.from(key.body.origin), Buffer.from([0x0a, 0x01]), raw]))
      .digest()
      .subarray(0, 4);
    expect(key.body.verifierKey).toBe(`${key.body.origin}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([1]), raw]).toString('base64')}`);
    const res = await t.http.get('/ledger/checkpoint');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const checkpoint = checkSignedNote(res.text, key.body.origin, raw);
    expect(checkpoint.origin).toBe(key.body.origin);
    expect(checkpoint.size).toBe(0);
    expect(checkpoint.root.equals(createHash('sha256').digest())).toBe(true);
  });

  it('8 concurrent writers: gapless indexes, a checkpoint within a second, root equal to one recomputed from the entries', async () => {
    const writers = 8;
    const batches = 5;
    const perBatch = 25;
    const results = await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const token = w % 2 ? p.hongKong : p.mainland;
        const indexes: number[] = [];
        for (let b = 0; b < batches; b++) {
          const res = await postTransfers(
            t,
            token,
            Array.from({ length: perBatch }, () => transferRecord(contractId, { externalReference: `writer-${w}-batch-${b}` })),
          );
          expect(res.status).toBe(201);
          const batch = res.body.records.map((r: { leafIndex: number }) => r.leafIndex);
          // One request's records are contiguous.
          expect(batch).toEqual(Array.from({ length: perBatch }, (_, i) => batch[0] + i));
          indexes.push(...batch);
        }
        return indexes;
      }),
    );
    const all = results.flat().sort((a, b) => a - b);
    const total = writers * batches * perBatch;
    expect(all).toEqual(Array.from({ length: total }, (_, i) => i));

    // Issue 5: a checkpoint covering every acknowledged record within one second (waitForCheckpoint fails after 1 s).
    const { note } = await waitForCheckpoint(t, total, 1000);
    const key = (await t.http.get('/ledger/public-key')).body;
    const checkpoint = checkSignedNote(note, key.origin, Buffer.from(key.publicKey, 'base64'));
    expect(checkpoint.size).toBe(total);

    const leaves = await allEntries(t, p.gdCac, total);
    // Each leaf is the record it claims to be, in the transfer_records row with the same index.
    const stored = await t.dataSource.query('SELECT leaf_index, external_reference FROM transfer_records ORDER BY leaf_index');
    stored.forEach((row: { leaf_index: string; external_reference: string }, i: number) => {
      expect(Number(row.leaf_index)).toBe(i);
      expect(JSON.parse(leaves[i].toString('utf8')).externalReference).toBe(row.external_reference);
    });
    // RFC 9162 §2.1.1, recomputed here from the raw leaves.
    expect(merkleRoot(leaves.map(hashLeaf)).equals(checkpoint.root)).toBe(true);
  });

  it('serves inclusion and consistency proofs that verify against recomputed roots', async () => {
    const size = Number((await waitForCheckpoint(t, 1)).size);
    const leaves = await allEntries(t, p.hkDpo, size);
    const hashes = leaves.map(hashLeaf);
    for (const treeSize of [1, 2, 3, 7, 64, 100, size]) {
      const root = merkleRoot(hashes.slice(0, treeSize));
      for (const leafIndex of new Set([0, treeSize - 1, Math.floor(treeSize / 2)])) {
        const res = await t.http.get(`/ledger/proofs/inclusion?leafIndex=${leafIndex}&treeSize=${treeSize}`).set(...bearer(p.gdCac));
        expect(res.status).toBe(200);
        expect(res.body.leafIndex).toBe(leafIndex);
        expect(res.body.treeSize).toBe(treeSize);
        const proof = res.body.hashes.map((h: string) => Buffer.from(h, 'base64'));
        expect(verifyInclusionProof(leafIndex, treeSize, hashes[leafIndex], proof, root)).toBe(true);
      }
      for (const first of [1, 3, Math.floor(treeSize / 2), treeSize]) {
        if (first > treeSize) continue;
        const res = await t.http.get(`/ledger/proofs/consistency?first=${first}&second=${treeSize}`).set(...bearer(t.adminToken));
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ first, second: treeSize });
        const proof = res.body.hashes.map((h: string) => Buffer.from(h, 'base64'));
        expect(verifyConsistencyProof(first, treeSize, proof, merkleRoot(hashes.slice(0, first)), root)).toBe(true);
      }
    }
    // Beyond the log, and malformed ranges.
    expect((await t.http.get(`/ledger/proofs/inclusion?leafIndex=0&treeSize=${size + 1}`).set(...bearer(p.gdCac))).status).toBe(400);
    expect((await t.http.get(`/ledger/proofs/consistency?first=1&second=${size + 1}`).set(...bearer(p.gdCac))).status).toBe(400);
    expect((await t.http.get(`/ledger/proofs/inclusion?leafIndex=5&treeSize=5`).set(...bearer(p.gdCac))).status).toBe(400);
    expect((await t.http.get(`/ledger/entries?start=0&end=1001`).set(...bearer(p.gdCac))).status).toBe(400);
    expect((await t.http.get(`/ledger/entries?start=0&end=10`)).status).toBe(401);
  });

  it('parties read their own leaves only; a proof for another contract’s leaf is 404', async () => {
    const outsiderParties = await setupParties(t);
    const foreign = (await fileContract(t, outsiderParties)).id;
    const res = await postTransfers(t, outsiderParties.mainland, [transferRecord(foreign)]);
    const foreignIndex = res.body.records[0].leafIndex;
    await waitForCheckpoint(t, foreignIndex + 1);
    const own = await t.http.get(`/ledger/entries?start=${foreignIndex - 5}&end=${foreignIndex + 1}`).set(...bearer(p.mainland));
    expect(own.status).toBe(200);
    expect(own.body.entries.map((e: { leafIndex: number }) => e.leafIndex)).toEqual([0, 1, 2, 3, 4].map((i) => foreignIndex - 5 + i));
    const theirs = await t.http.get(`/ledger/entries?start=${foreignIndex}&end=${foreignIndex + 1}`).set(...bearer(outsiderParties.hongKong));
    expect(theirs.body.entries).toHaveLength(1);
    expect((await t.http.get(`/ledger/proofs/inclusion?leafIndex=${foreignIndex}&treeSize=${foreignIndex + 1}`).set(...bearer(p.mainland))).status).toBe(404);
    expect((await t.http.get(`/ledger/proofs/inclusion?leafIndex=0&treeSize=${foreignIndex + 1}`).set(...bearer(p.mainland))).status).toBe(200);
    expect(
      (await t.http.get(`/ledger/proofs/inclusion?leafIndex=${foreignIndex}&treeSize=${foreignIndex + 1}`).set(...bearer(outsiderParties.mainland))).status,
    ).toBe(200);
  });

  describe('the database refuses to change the log', () => {
    // The leaves are columns of transfer_records (issue 6).
    const tables = ['ledger_nodes', 'ledger_checkpoints', 'transfer_records'];

    it.each(tables)('UPDATE, DELETE and TRUNCATE on %s fail for the application role', async (table) => {
      const [{ current_user }] = await t.dataSource.query('SELECT current_user');
      expect(current_user).toBe('registry_app');
      const column = table === 'ledger_nodes' ? 'hash' : table === 'ledger_checkpoints' ? 'note' : 'contract_id';
      await expect(t.dataSource.query(`UPDATE ${table} SET ${column} = ${column}`)).rejects.toThrow(/permission denied/);
      await expect(t.dataSource.query(`DELETE FROM ${table}`)).rejects.toThrow(/permission denied/);
      await expect(t.dataSource.query(`TRUNCATE ${table}`)).rejects.toThrow(/permission denied/);
    });

    it.each(tables)('a trigger refuses UPDATE, DELETE and TRUNCATE on %s even for the owner', async (table) => {
      // A plain connection as the login (owner, superuser here) role, without the application role.
      const owner = new Client({ connectionString: t.databaseUrl });
      await owner.connect();
      try {
        const [{ current_user }] = (await owner.query('SELECT current_user')).rows;
        expect(current_user).not.toBe('registry_app');
        const column = table === 'ledger_nodes' ? 'hash' : table === 'ledger_checkpoints' ? 'note' : 'contract_id';
        await expect(owner.query(`UPDATE ${table} SET ${column} = ${column}`)).rejects.toThrow(/append-only/);
        await expect(owner.query(`DELETE FROM ${table}`)).rejects.toThrow(/append-only/);
        await expect(owner.query(`TRUNCATE ${table}`)).rejects.toThrow(/append-only/);
      } finally {
        await owner.end();
      }
    });
  });

  describe('tools/verify against the live registry', () => {
    let url: string;
    beforeAll(async () => {
      await t.app.listen(0, '127.0.0.1');
      url = await t.app.getUrl();
      url = url.replace('[::1]', '127.0.0.1');
    });

    it('online: checkpoint, every entry, sampled inclusion proofs and a consistency proof pass', async () => {
      const key = (await t.http.get('/ledger/public-key')).body.verifierKey;
      const output: string[] = [];
      const code = await verifyCli(['--url', url, '--token', p.gdCac, '--key', key, '--from-size', '7', '--samples', '5'], (s) => output.push(s));
      expect(output.join('')).toMatch(/RESULT: log verified/);
      expect(code).toBe(0);
    });

    it('offline: a full ndjson export and the checkpoint taken before it', async () => {
      const key = (await t.http.get('/ledger/public-key')).body.verifierKey;
      const checkpoint = (await t.http.get('/ledger/checkpoint')).text;
      const exported = await t.http.get('/transfers/export?format=ndjson').set(...bearer(p.hkDpo));
      expect(exported.status).toBe(200);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gba-verify-'));
      try {
        fs.writeFileSync(path.join(dir, 'entries.ndjson'), exported.text);
        fs.writeFileSync(path.join(dir, 'checkpoint.txt'), checkpoint);
        const output: string[] = [];
        const code = await verifyCli(['--export', path.join(dir, 'entries.ndjson'), '--checkpoint', path.join(dir, 'checkpoint.txt'), '--key', key], (s) =>
          output.push(s),
        );
        expect(output.join('')).toMatch(/RESULT: log verified/);
        expect(code).toBe(0);
        // Tampering with one exported leaf is caught.
        const lines = exported.text.trimEnd().split('\n');
        const row = JSON.parse(lines[3]);
        const leaf = JSON.parse(Buffer.from(row.leaf, 'base64').toString('utf8'));
        leaf.recordCount += 1;
        row.leaf = Buffer.from(JSON.stringify(leaf)).toString('base64');
        lines[3] = JSON.stringify(row);
        fs.writeFileSync(path.join(dir, 'entries.ndjson'), lines.join('\n'));
        const tampered: string[] = [];
        expect(
          await verifyCli(['--export', path.join(dir, 'entries.ndjson'), '--checkpoint', path.join(dir, 'checkpoint.txt'), '--key', key], (s) =>
            tampered.push(s),
          ),
        ).toBe(1);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

describe('ledger: an instance whose log lost committed leaves', () => {
  let t: TestApp;
  let p: Parties;
  let contractId: string;

  beforeAll(async () => ({ t, p, contractId } = await startWithContract()));
  afterAll(async () => t?.close());

  it('builds the tree from storage again, not on the leaves it saw committed before they were lost', async () => {
    const ledger = t.app.get(LedgerService);
    const manager = t.dataSource.manager;
    const size = await treeSize(t);
    // What this instance remembers after committing three leaves that a failover to a standby then lost.
    const ids = rootPlan(size);
    const stored = await ledger.fetchNodes(manager, ids);
    const frontier = ids.map((id) => ({ ...id, hash: stored.get(nodeKey(id))! }));
    const lost = appendLeaves(
      frontier,
      size,
      [1, 2, 3].map((n) => leafHash(Buffer.from(`a lost leaf ${n}`))),
    );
    ledger.committed({ startIndex: size, treeSize: lost.treeSize, root: lost.root, frontier: lost.frontier });

    // Other leaves take indexes size, size + 1, size + 2; then a request starts at the lost size and completes a stored subtree of 16.
    expect(
      (
        await postTransfers(
          t,
          p.mainland,
          [1, 2, 3].map(() => transferRecord(contractId)),
        )
      ).status,
    ).toBe(201);
    const more = 32 - ((size + 3) % 16);
    expect(
      (
        await postTransfers(
          t,
          p.mainland,
          Array.from({ length: more }, () => transferRecord(contractId)),
        )
      ).status,
    ).toBe(201);

    const end = size + 3 + more;
    const hashes: Array<{ leaf_hash: Buffer }> = await t.dataSource.query('SELECT leaf_hash FROM transfer_records ORDER BY leaf_index');
    expect(hashes).toHaveLength(end);
    expect((await ledger.rootAt(end)).toString('hex')).toBe(rootFromLeafHashes(hashes.map((h) => h.leaf_hash)).toString('hex'));
  });
});
