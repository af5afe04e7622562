// The regulator verifier is tested against logs built with the *server's*
// domain code (src/ledger/domain), so the two independent implementations must
// agree; and against the RFC 6962 vectors (transparency-dev/merkle testonly)
// on its own.
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { signCheckpoint, verifierKey } from '../src/ledger/domain/checkpoint';
import { cosign, cosignerVerifierKey } from '../src/ledger/domain/cosignature';
import { appendLeaves, consistencyProofPlan, inclusionProofPlan, leafHash, lookupIn, resolvePlan } from '../src/ledger/domain/merkle';
import {
  Report,
  formatReport,
  hashLeaf,
  lineMismatches,
  main,
  merkleRoot,
  parseArgs,
  TreeBuilder,
  verifyConsistencyProof,
  verifyInclusionProof,
  verifyOffline,
  verifyOnline,
} from './verify';

const ORIGIN = 'ledger.test/gba-transfers';

interface TestLog {
  leaves: Buffer[];
  privateKey: KeyObject;
  note: string;
  vkey: string;
  nodes: ReturnType<typeof appendLeaves>['completed'];
  sign: (treeSize: number) => string;
}

function buildLog(count: number, name = ORIGIN): TestLog {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const leaves = Array.from({ length: count }, (_, i) => Buffer.from(JSON.stringify({ record: i, contract: `C-${i % 7}` })));
  const { completed } = appendLeaves([], 0, leaves.map(leafHash));
  const sign = (treeSize: number) =>
    signCheckpoint({ origin: ORIGIN, treeSize, rootHash: appendLeaves([], 0, leaves.slice(0, treeSize).map(leafHash)).root }, { name, privateKey });
  return { leaves, privateKey, note: sign(count), vkey: verifierKey(name, publicKey), nodes: completed, sign };
}

const entriesOf = (leaves: Buffer[]) => leaves.map((leaf, leafIndex) => ({ leafIndex, leaf: leaf.toString('base64') }));
const failed = (report: Report) => report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);

describe('independent hashing agrees with RFC 6962 vectors', () => {
  const leaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));

  it('computes the published 8-leaf and 7-leaf roots', () => {
    expect(merkleRoot(leaves.map(hashLeaf)).toString('hex')).toBe('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
    expect(merkleRoot(leaves.slice(0, 7).map(hashLeaf)).toString('hex')).toBe('ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c');
    expect(merkleRoot([]).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('verifies proofs produced by the server code, and rejects altered ones', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 700 }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1), fc.integer({ min: 1, max: n }))),
        ([size, leafIndex, first]) => {
          const hashes = Array.from({ length: size }, (_, i) => leafHash(Buffer.from(`x${i}`)));
          const lookup = lookupIn(appendLeaves([], 0, hashes).completed);
          const root = merkleRoot(hashes);
          const inclusion = resolvePlan(inclusionProofPlan(leafIndex, size), lookup);
          expect(verifyInclusionProof(leafIndex, size, hashes[leafIndex], inclusion, root)).toBe(true);
          expect(verifyInclusionProof(leafIndex, size, hashLeaf(Buffer.from('other')), inclusion, root)).toBe(false);
          const consistency = resolvePlan(consistencyProofPlan(first, size), lookup);
          const firstRoot = merkleRoot(hashes.slice(0, first));
          expect(verifyConsistencyProof(first, size, consistency, firstRoot, root)).toBe(true);
          if (consistency.length > 0) {
            const altered = consistency.map((h, i) => (i === consistency.length - 1 ? hashLeaf(h) : h));
            expect(verifyConsistencyProof(first, size, altered, firstRoot, root)).toBe(false);
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('offline verification', () => {
  const log = buildLog(1234);

  it('passes a valid export', async () => {
    const report = await verifyOffline({ checkpointNote: log.note, verifierKey: log.vkey, entries: entriesOf(log.leaves) });
    expect(failed(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(formatReport(report)).toContain('RESULT: log verified');
  });

  it('passes an export that already holds entries beyond the checkpoint', async () => {
    const report = await verifyOffline({ checkpointNote: log.sign(1000), verifierKey: log.vkey, entries: entriesOf(log.leaves) });
    expect(report.ok).toBe(true);
  });

  it('fails when one leaf byte is modified', async () => {
    const entries = entriesOf(log.leaves);
    const leaf = Buffer.from(entries[777].leaf, 'base64');
    leaf[3] ^= 1;
    entries[777] = { leafIndex: 777, leaf: leaf.toString('base64') };
    const report = await verifyOffline({ checkpointNote: log.note, verifierKey: log.vkey, entries });
    expect(report.ok).toBe(false);
    expect(failed(report).join()).toMatch(/root matches checkpoint: recomputed root .* differs/);
  });

  it('fails when a leaf is missing', async () => {
    const entries = entriesOf(log.leaves).filter((e) => e.leafIndex !== 500);
    const report = await verifyOffline({ checkpointNote: log.note, verifierKey: log.vkey, entries });
    expect(failed(report)).toEqual(['entries complete: leaf 500 is missing']);
  });

  it('fails when a leaf is duplicated or reordered to another index', async () => {
    const entries = entriesOf(log.leaves);
    entries[10] = { leafIndex: 10, leaf: entries[11].leaf };
    expect((await verifyOffline({ checkpointNote: log.note, verifierKey: log.vkey, entries })).ok).toBe(false);
  });

  it('fails on a forged checkpoint: other key, edited root, edited size', async () => {
    const entries = entriesOf(log.leaves);
    const forger = buildLog(1234);
    const otherKey = await verifyOffline({ checkpointNote: forger.note, verifierKey: log.vkey, entries });
    expect(failed(otherKey).join()).toMatch(/no signature by/);

    const lines = log.note.split('\n');
    lines[2] = Buffer.alloc(32, 7).toString('base64');
    const editedRoot = await verifyOffline({ checkpointNote: lines.join('\n'), verifierKey: log.vkey, entries });
    expect(failed(editedRoot).join()).toMatch(/does not verify/);

    const editedSize = await verifyOffline({ checkpointNote: log.note.replace('\n1234\n', '\n1233\n'), verifierKey: log.vkey, entries });
    expect(editedSize.ok).toBe(false);
  });

  it('fails a correctly signed checkpoint whose root does not match the entries', async () => {
    // Same key, signing the root of different leaves: the signature is fine, the log is not.
    const honest = buildLog(20);
    const report = await verifyOffline({ checkpointNote: honest.note, verifierKey: honest.vkey, entries: entriesOf(log.leaves.slice(1, 21)) });
    expect(failed(report).join()).toMatch(/root matches checkpoint/);
  });

  it('runs from the command line and exits non-zero on failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-verify-'));
    const exportFile = join(dir, 'entries.ndjson');
    const checkpointFile = join(dir, 'checkpoint.txt');
    writeFileSync(
      exportFile,
      entriesOf(log.leaves)
        .map((e) => JSON.stringify(e))
        .join('\n') + '\n',
    );
    writeFileSync(checkpointFile, log.note);
    let output = '';
    const write = (text: string) => {
      output += text;
    };
    expect(await main(['--export', exportFile, '--checkpoint', checkpointFile, '--key', log.vkey], write)).toBe(0);
    expect(output).toContain(`Log ${ORIGIN}: 1234 entries`);
    writeFileSync(
      exportFile,
      entriesOf(log.leaves.slice(0, 1233))
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    expect(await main(['--export', exportFile, '--checkpoint', checkpointFile, '--key', log.vkey], write)).toBe(1);
    expect(output).toContain('FAIL  entries complete — leaf 1233 is missing');
    expect(await main(['--export', exportFile], write)).toBe(2);
  });
});

describe('online verification against an HTTP server', () => {
  interface Behaviour {
    corruptInclusion?: boolean;
    corruptConsistency?: boolean;
    skipEntry?: number;
    publishedKey?: string;
  }
  let server: Server;
  let url: string;
  let behaviour: Behaviour = {};
  const log = buildLog(2345);
  const lookup = lookupIn(log.nodes);
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const target = new URL(request.url ?? '/', 'http://localhost');
      requests.push(`${request.headers.authorization ?? ''} ${target.pathname}`);
      const json = (body: unknown) => {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(body));
      };
      const q = (name: string) => Number(target.searchParams.get(name));
      switch (target.pathname) {
        case '/ledger/public-key':
          return json({ origin: ORIGIN, algorithm: 'Ed25519', publicKey: 'unused', verifierKey: behaviour.publishedKey ?? log.vkey });
        case '/ledger/checkpoint':
          response.setHeader('content-type', 'text/plain; charset=utf-8');
          return response.end(log.note);
        case '/ledger/entries': {
          const end = Math.min(q('end'), q('start') + 1000, log.leaves.length);
          const entries = [];
          for (let i = q('start'); i < end; i++) if (i !== behaviour.skipEntry) entries.push({ leafIndex: i, leaf: log.leaves[i].toString('base64') });
          return json({ entries });
        }
        case '/ledger/proofs/inclusion': {
          const hashes = resolvePlan(inclusionProofPlan(q('leafIndex'), q('treeSize')), lookup);
          if (behaviour.corruptInclusion && hashes.length > 0) hashes[0] = leafHash(hashes[0]);
          return json({ leafIndex: q('leafIndex'), treeSize: q('treeSize'), hashes: hashes.map((h) => h.toString('base64')) });
        }
        case '/ledger/proofs/consistency': {
          const hashes = resolvePlan(consistencyProofPlan(q('first'), q('second')), lookup);
          if (behaviour.corruptConsistency && hashes.length > 0) hashes[hashes.length - 1] = leafHash(hashes[0]);
          return json({ first: q('first'), second: q('second'), hashes: hashes.map((h) => h.toString('base64')) });
        }
        default:
          response.statusCode = 404;
          return response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    behaviour = {};
    requests.length = 0;
  });

  it('verifies a valid log: signature, all entries, root, inclusion samples, consistency', async () => {
    const report = await verifyOnline({ url, token: 'regulator-token', verifierKey: log.vkey, fromSize: 1000, previousCheckpoint: log.sign(17), samples: 5 });
    expect(failed(report)).toEqual([]);
    expect(report.ok).toBe(true);
    const names = report.checks.map((c) => c.name);
    expect(names.filter((n) => n.startsWith('inclusion proof'))).toHaveLength(7);
    expect(names).toEqual(expect.arrayContaining(['root matches checkpoint', 'consistency 1000 -> 2345', 'consistency 17 -> 2345']));
    expect(requests.every((r) => r.startsWith('Bearer regulator-token '))).toBe(true);
    expect(requests.filter((r) => r.endsWith('/ledger/entries'))).toHaveLength(3);
  });

  it('fails when an inclusion proof is wrong', async () => {
    behaviour.corruptInclusion = true;
    const report = await verifyOnline({ url, verifierKey: log.vkey, samples: 2 });
    expect(report.ok).toBe(false);
    expect(failed(report).join()).toMatch(/inclusion proof leaf \d+: proof does not lead to the checkpoint root/);
  });

  it('fails when a consistency proof is wrong', async () => {
    behaviour.corruptConsistency = true;
    const report = await verifyOnline({ url, verifierKey: log.vkey, fromSize: 1500, samples: 0 });
    expect(failed(report)).toEqual(['consistency 1500 -> 2345: the current tree does not extend the earlier one']);
  });

  it('fails when the server omits an entry', async () => {
    behaviour.skipEntry = 1500;
    const report = await verifyOnline({ url, verifierKey: log.vkey, samples: 0 });
    expect(failed(report).join()).toMatch(/expected leaf 1500, got 1501/);
    behaviour.skipEntry = 1999;
    const atPageEnd = await verifyOnline({ url, verifierKey: log.vkey, samples: 0 });
    expect(failed(atPageEnd).join()).toMatch(/page 1000-2000 has 999 entries/);
  });

  it('fails when the server publishes a different key than the pinned one', async () => {
    behaviour.publishedKey = buildLog(1).vkey;
    const report = await verifyOnline({ url, verifierKey: log.vkey, samples: 0 });
    expect(failed(report).join()).toMatch(/not the pinned key/);
  });

  it('fails against a forged previous checkpoint', async () => {
    const other = buildLog(2345);
    const report = await verifyOnline({ url, verifierKey: log.vkey, previousCheckpoint: other.sign(100), samples: 0 });
    expect(failed(report).join()).toMatch(/previous checkpoint signature/);
  });

  it('warns when the key is not pinned, and the CLI exits 0 on success', async () => {
    const report = await verifyOnline({ url, samples: 0 });
    expect(report.ok).toBe(true);
    expect(report.checks[0].detail).toMatch(/NOT PINNED/);
    let output = '';
    expect(await main(['--url', url, '--token', 't', '--key', log.vkey, '--from-size', '5', '--samples', '1'], (t) => (output += t))).toBe(0);
    expect(output).toMatch(/PASS {2}consistency 5 -> 2345/);
  });

  it('reports an unreachable server as a failure', async () => {
    const report = await verifyOnline({ url: 'http://127.0.0.1:1', verifierKey: log.vkey });
    expect(report.ok).toBe(false);
  });
});

describe('parseArgs', () => {
  it('requires a mode', () => {
    expect(() => parseArgs([])).toThrow(/--url/);
    expect(() => parseArgs(['--export', 'a'])).toThrow(/offline mode needs/);
    expect(() => parseArgs(['--url', 'http://x', '--from-size', '-1'])).toThrow(/non-negative integer/);
    expect(() => parseArgs(['--bogus', '1'])).toThrow(/unknown option/);
    expect(parseArgs(['--url', 'http://x', '--token', 't', '--from-size', '10'])).toEqual({ url: 'http://x', token: 't', fromSize: 10 });
  });
});

describe('streaming: the tree rebuilt leaf by leaf, and export lines against their leaves', () => {
  it('TreeBuilder gives the same root as merkleRoot at every size', () => {
    const hashes = Array.from({ length: 70 }, (_, i) => hashLeaf(Buffer.from(`leaf ${i}`)));
    const tree = new TreeBuilder();
    expect(tree.root()).toEqual(merkleRoot([]));
    hashes.forEach((hash, i) => {
      tree.push(hash);
      expect(tree.root()).toEqual(merkleRoot(hashes.slice(0, i + 1)));
    });
  });

  it("names every member of a line that is not the decoded leaf's; leafIndex, leaf and sector are the line's own", () => {
    const leaf = Buffer.from(JSON.stringify({ recordCount: 480, categories: ['A', 'B'], onward: { city: 'Shenzhen', name: 'X' } }));
    const line = {
      leafIndex: 7,
      leaf: leaf.toString('base64'),
      sector: 'FINANCE',
      recordCount: 480,
      categories: ['A', 'B'],
      onward: { name: 'X', city: 'Shenzhen' },
    };
    expect(lineMismatches(line, leaf)).toEqual([]);
    expect(lineMismatches({ ...line, recordCount: 481, categories: ['A'], added: 1 }, leaf)).toEqual(['recordCount', 'categories', 'added']);
    expect(lineMismatches({ ...line, onward: { name: 'X', city: 'Macau' } }, leaf)).toEqual(['onward']);
    expect(lineMismatches(line, Buffer.from('not json'))).toEqual(['recordCount', 'categories', 'onward']);
  });

  it('the command line: --full, --log-key, --checkpoint repeated; --checkpoint with --url needs --full', () => {
    expect(parseArgs(['--export', 'e', '--checkpoint', 'a', '--checkpoint', 'dir', '--log-key', 'k', '--full'])).toEqual({
      exportFile: 'e',
      checkpointFiles: ['a', 'dir'],
      key: 'k',
      full: true,
    });
    expect(() => parseArgs(['--url', 'http://x', '--checkpoint', 'a'])).toThrow(/needs --full/);
    expect(() => parseArgs(['--url', 'http://x', '--key', 'a', '--log-key', 'b'])).toThrow(/give it once/);
  });
});

describe('offline, with pinned witnesses: --checkpoint files must carry the quorum, as online', () => {
  const log = buildLog(40);
  const witnessA = generateKeyPairSync('ed25519');
  const witnessB = generateKeyPairSync('ed25519');
  const stranger = generateKeyPairSync('ed25519');
  const keyA = cosignerVerifierKey('witness.gdcac.test/w1', witnessA.publicKey);
  const keyB = cosignerVerifierKey('witness.pcpd.test/w1', witnessB.publicKey);
  const body = (note: string) => note.slice(0, note.lastIndexOf('\n\n') + 1);
  /** The note with cosignature/v1 lines appended, as GET /ledger/checkpoint serves it. */
  const cosigned = (note: string, ...by: Array<[string, KeyObject]>) => note + by.map(([name, key]) => cosign(body(note), name, key, 1_790_000_000)).join('');
  const both = cosigned(log.sign(40), ['witness.gdcac.test/w1', witnessA.privateKey], ['witness.pcpd.test/w1', witnessB.privateKey]);
  const onlyA = cosigned(log.sign(40), ['witness.gdcac.test/w1', witnessA.privateKey]);
  const dir = mkdtempSync(join(tmpdir(), 'ledger-verify-witnesses-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const exportFile = file(
    'entries.ndjson',
    entriesOf(log.leaves)
      .map((e) => JSON.stringify(e))
      .join('\n'),
  );
  const run = async (...args: string[]) => {
    let output = '';
    const code = await main(args, (t) => (output += t));
    return { code, output };
  };

  it('accepts a checkpoint file cosigned by the quorum, with or without the export', async () => {
    const checkpoint = file('both.txt', both);
    const withExport = await run('--export', exportFile, '--checkpoint', checkpoint, '--log-key', log.vkey, '--witness-key', keyA, '--witness-key', keyB);
    expect(withExport.output).toMatch(/PASS {2}witness cosignatures .*both\.txt — 2 of 2 pinned witnesses \(quorum 2\)/);
    expect(withExport.output).toContain('RESULT: log verified');
    expect(withExport.code).toBe(0);
    const alone = await run('--checkpoint', checkpoint, '--log-key', log.vkey, '--witness-key', keyA, '--witness-key', keyB);
    expect(alone.output).toContain('RESULT: checkpoints verified (no entries checked)');
    expect(alone.code).toBe(0);
  });

  it('refuses a checkpoint file without the quorum, with the same message as online', async () => {
    const checkpoint = file('only-a.txt', onlyA);
    const refused = await run('--export', exportFile, '--checkpoint', checkpoint, '--log-key', log.vkey, '--witness-key', keyA, '--witness-key', keyB);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(
      'FAIL  witness cosignatures ' + checkpoint + ' — checkpoint carries 1 valid cosignature(s) of the 2 pinned witness keys, fewer than the quorum 2',
    );
    // A refused checkpoint is not used: nothing is compared with it.
    expect(refused.output).not.toMatch(/root matches checkpoint 40/);
    expect(refused.output).toContain('RESULT: VERIFICATION FAILED');
    // The same file with a quorum of 1 passes; a log signature alone (no cosignature) never does.
    expect((await run('--checkpoint', checkpoint, '--log-key', log.vkey, '--witness-key', keyA, '--witness-key', keyB, '--quorum', '1')).code).toBe(0);
    const bare = file('bare.txt', log.sign(40));
    expect((await run('--checkpoint', bare, '--log-key', log.vkey, '--witness-key', keyA, '--quorum', '1')).code).toBe(1);
  });

  it('refuses a forged cosignature, a cosignature by an unpinned key, and a directory holding one bad file', async () => {
    const forged = both.replace(/(\u2014 witness\.pcpd\.test\/w1 )(\S+)/u, (_, prefix: string, blob: string) => {
      const bytes = Buffer.from(blob, 'base64');
      bytes[bytes.length - 1] ^= 1;
      return prefix + bytes.toString('base64');
    });
    const bad = await run('--checkpoint', file('forged.txt', forged), '--log-key', log.vkey, '--witness-key', keyA, '--witness-key', keyB, '--quorum', '1');
    expect(bad.output).toMatch(/cosignature by witness witness\.pcpd\.test\/w1 does not verify/);
    expect(bad.code).toBe(1);
    const byStranger = cosigned(log.sign(40), ['witness.gdcac.test/w1', stranger.privateKey]);
    expect((await run('--checkpoint', file('stranger.txt', byStranger), '--log-key', log.vkey, '--witness-key', keyA)).code).toBe(1);
    const folder = mkdtempSync(join(tmpdir(), 'ledger-verify-dir-'));
    writeFileSync(join(folder, '1-both.txt'), both);
    writeFileSync(join(folder, '2-only-a.txt'), onlyA);
    const mixed = await run('--checkpoint', folder, '--log-key', log.vkey, '--witness-key', keyA, '--witness-key', keyB);
    expect(mixed.output).toMatch(/PASS {2}witness cosignatures .*1-both\.txt/);
    expect(mixed.output).toMatch(/FAIL {2}witness cosignatures .*2-only-a\.txt — .*fewer than the quorum 2/);
    expect(mixed.code).toBe(1);
  });

  it('finds two checkpoint files of one size with different roots (a fork), each well signed and cosigned', async () => {
    // The same log key signing another tree of 40 leaves (leaf 7 rewritten): a fork, as a compromised signer could make.
    const forked = log.leaves.map((leaf, i) => leafHash(i === 7 ? Buffer.from('{"rewritten":true}') : leaf));
    const forkNote = signCheckpoint({ origin: ORIGIN, treeSize: 40, rootHash: appendLeaves([], 0, forked).root }, { name: ORIGIN, privateKey: log.privateKey });
    const fork = cosigned(forkNote, ['witness.gdcac.test/w1', witnessA.privateKey], ['witness.pcpd.test/w1', witnessB.privateKey]);
    const result = await run(
      '--checkpoint',
      file('a.txt', both),
      '--checkpoint',
      file('b.txt', fork),
      '--log-key',
      log.vkey,
      '--witness-key',
      keyA,
      '--witness-key',
      keyB,
    );
    expect(result.output).toMatch(/FAIL {2}no fork at size 40 — .*a\.txt and .*b\.txt are both signed for size 40 with different roots/);
    expect(result.code).toBe(1);
  });

  it('the command line: --witness-key offline needs --log-key; --quorum at most the keys given', () => {
    expect(parseArgs(['--checkpoint', 'c', '--log-key', 'k', '--witness-key', 'w'])).toEqual({ checkpointFiles: ['c'], key: 'k', witnessKeys: ['w'] });
    expect(() => parseArgs(['--checkpoint', 'c', '--witness-key', 'w'])).toThrow(/offline mode needs --checkpoint and --log-key/);
    expect(() => parseArgs(['--checkpoint', 'c', '--log-key', 'k', '--witness-key', 'w', '--quorum', '2'])).toThrow(/--quorum must be between 1/);
  });
});
