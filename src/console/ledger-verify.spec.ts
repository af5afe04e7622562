/*
 * The console's in-browser verifier (src/console/public/ledger-verify.js) against the registry's own
 * prover and signers: every consistency proof the prover makes between sizes 0..40 verifies, any rewritten
 * leaf or changed proof hash does not (RFC 9162 §2.1.4.2); signed checkpoints and cosignature/v1 lines made
 * by src/ledger/domain verify with the right keys only (C2SP signed-note, tlog-cosignature). Node's WebCrypto
 * stands in for the browser's.
 */
import { createHash, randomBytes } from 'node:crypto';
import { checkpointBody, privateKeyFromSeed, signCheckpoint, verifierKey } from '../ledger/domain/checkpoint';
import { cosign, cosignerVerifierKey } from '../ledger/domain/cosignature';
import { consistencyProofPlan, lookupIn, resolvePlan, TreeNode } from '../ledger/domain/merkle';
import { rewrittenTrees, tree } from '../ledger/domain/merkle-trees.fixture';

interface Check {
  id: string;
  ok: boolean;
}
interface BrowserVerifier {
  KEY_TYPE: { log: number; witness: number };
  parseNote(note: string): { text: string; signatures: unknown[] };
  parseVerifierKey(text: string, type: number): Promise<{ name: string; keyIdHex: string }>;
  verifyCheckpoint(note: string, logKey: string): Promise<{ ok: boolean; checks: Check[]; opened?: { text: string; signatures: unknown[] } }>;
  verifyCosignatures(
    opened: { text: string; signatures: unknown[] },
    keys: string[],
  ): Promise<Array<{ name: string; ok: boolean; time?: number; reason?: string }>>;
  verifyConsistency(input: {
    first: number;
    second: number;
    firstRoot: Uint8Array;
    secondRoot: Uint8Array;
    hashes: string[];
  }): Promise<{ ok: boolean; reason?: string }>;
}
// A plain browser ES module (served as is to the console), compiled to CommonJS by the test transform.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const browser = require('./public/ledger-verify.js') as BrowserVerifier;

const proofOf = (first: number, second: number, nodes: TreeNode[]): string[] =>
  resolvePlan(consistencyProofPlan(first, second), lookupIn(nodes)).map((h) => h.toString('base64'));

describe('verifyConsistency in the browser (RFC 9162 §2.1.4.2)', () => {
  it('accepts every proof the registry makes between sizes 0..40', async () => {
    for (let second = 0; second <= 40; second++) {
      const big = tree(second);
      for (let first = 0; first <= second; first++) {
        const outcome = await browser.verifyConsistency({
          first,
          second,
          firstRoot: tree(first).root,
          secondRoot: big.root,
          hashes: proofOf(first, second, big.nodes),
        });
        expect([first, second, outcome]).toEqual([first, second, { ok: true }]);
      }
    }
  });

  it('refuses a tree in which a leaf of the remembered one was rewritten, a changed hash, a shrunk tree and a fork', async () => {
    for (const { first, second, old, forged } of rewrittenTrees()) {
      const outcome = await browser.verifyConsistency({
        first,
        second,
        firstRoot: old.root,
        secondRoot: forged.root,
        hashes: proofOf(first, second, forged.nodes),
      });
      expect(outcome.ok).toBe(false);
    }
    const big = tree(21);
    const hashes = proofOf(20, 21, big.nodes);
    const small = tree(20).root;
    const flipped = Buffer.from(hashes[0], 'base64');
    flipped[0] ^= 1;
    expect(
      await browser.verifyConsistency({
        first: 20,
        second: 21,
        firstRoot: small,
        secondRoot: big.root,
        hashes: [flipped.toString('base64'), ...hashes.slice(1)],
      }),
    ).toMatchObject({ ok: false });
    expect(await browser.verifyConsistency({ first: 20, second: 21, firstRoot: small, secondRoot: big.root, hashes: [] })).toEqual({
      ok: false,
      reason: 'the proof is empty',
    });
    expect(await browser.verifyConsistency({ first: 21, second: 20, firstRoot: big.root, secondRoot: small, hashes })).toEqual({
      ok: false,
      reason: 'the tree shrank from 21 to 20',
    });
    expect(await browser.verifyConsistency({ first: 21, second: 21, firstRoot: small, secondRoot: big.root, hashes: [] })).toEqual({
      ok: false,
      reason: 'another root at the same size',
    });
    expect(await browser.verifyConsistency({ first: 0, second: 21, firstRoot: small, secondRoot: big.root, hashes: [] })).toMatchObject({ ok: false });
  });
});

describe('verifyCheckpoint and verifyCosignatures in the browser (C2SP signed-note, tlog-cosignature)', () => {
  const origin = 'gba-registry.test/browser';
  const logKey = privateKeyFromSeed(randomBytes(32));
  const witnessKeys = [privateKeyFromSeed(randomBytes(32)), privateKeyFromSeed(randomBytes(32))];
  const names = ['witness.gdcac.test/w1', 'witness.pcpd.test/w1'];
  const checkpoint = { origin, treeSize: 5, rootHash: createHash('sha256').update('root').digest() };
  const body = checkpointBody(checkpoint);
  const note =
    signCheckpoint(checkpoint, { name: origin, privateKey: logKey }) +
    cosign(body, names[0], witnessKeys[0], 1796000000) +
    cosign(body, names[1], witnessKeys[1], 1796000001);
  const witnessVkeys = witnessKeys.map((key, i) => cosignerVerifierKey(names[i], key));

  it('verifies the log signature with the pinned key only', async () => {
    const good = await browser.verifyCheckpoint(note, verifierKey(origin, logKey));
    expect(good.ok).toBe(true);
    expect(good.checks.map((c) => [c.id, c.ok])).toEqual([
      ['check.noteParsed', true],
      ['check.checkpointParsed', true],
      ['check.verifierKey', true],
      ['check.origin', true],
      ['check.signatureLine', true],
      ['check.signature', true],
    ]);
    const other = await browser.verifyCheckpoint(note, verifierKey(origin, privateKeyFromSeed(randomBytes(32))));
    expect(other.checks.find((c) => c.id === 'check.signatureLine')?.ok).toBe(false);
    const changed = await browser.verifyCheckpoint(note.replace('\n5\n', '\n6\n'), verifierKey(origin, logKey));
    expect(changed.checks.find((c) => c.id === 'check.signature')?.ok).toBe(false);
  });

  it('verifies each cosignature/v1 with its witness key, and names a missing or forged one', async () => {
    const opened = browser.parseNote(note);
    expect(await browser.verifyCosignatures(opened, witnessVkeys)).toEqual([
      { name: names[0], keyIdHex: expect.stringMatching(/^[0-9a-f]{8}$/), ok: true, time: 1796000000 },
      { name: names[1], keyIdHex: expect.stringMatching(/^[0-9a-f]{8}$/), ok: true, time: 1796000001 },
    ]);
    // A log key is not a witness key (type 0x01, not 0x04), and a stranger's key has no line.
    const stranger = cosignerVerifierKey(names[1], privateKeyFromSeed(randomBytes(32)));
    const results = await browser.verifyCosignatures(opened, [verifierKey(origin, logKey), stranger]);
    expect(results.map((r) => [r.ok, r.reason])).toEqual([
      [false, 'key-unreadable'],
      [false, 'missing'],
    ]);
    // A cosignature over another body (the tree size changed) does not verify.
    const other = browser.parseNote(note.replace('\n5\n', '\n6\n'));
    expect((await browser.verifyCosignatures(other, witnessVkeys)).map((r) => r.reason)).toEqual(['bad-signature', 'bad-signature']);
  });

  it('parses verifier keys by the C2SP rules and says which rule a bad one breaks', async () => {
    const vkey = witnessVkeys[0];
    expect(await browser.parseVerifierKey(vkey, browser.KEY_TYPE.witness)).toMatchObject({ name: names[0] });
    const [, name, id, material] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(vkey)!;
    const rule = (text: string, type = browser.KEY_TYPE.witness) =>
      browser.parseVerifierKey(text, type).then(
        () => 'ok',
        (e: { rule: string }) => e.rule,
      );
    expect(await rule(`${name}+${id === '00000000' ? '00000001' : '00000000'}+${material}`)).toBe('keyId');
    expect(await rule(vkey, browser.KEY_TYPE.log)).toBe('keyType');
    expect(await rule(`${name}+${id}+AAAA`)).toBe('keyLength');
    expect(await rule('not a key')).toBe('format');
  });
});
