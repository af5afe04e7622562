import { generateKeyPairSync } from 'node:crypto';
import { ARCHIVE_FORMAT, ArchiveHeader, ArchiveVerifier } from './archive';
import { signCheckpoint, verifierKey } from './checkpoint';
import { appendLeaves, consistencyProofPlan, leafHash, lookupIn, nodeKey, resolvePlan, rootPlan } from './merkle';

const ORIGIN = 'registry.example/transfers';
const SIZE = 37;
const leaves = Array.from({ length: SIZE }, (_, i) => Buffer.from(`{"record":${i}}`));
const tree = appendLeaves([], 0, leaves.map(leafHash));
const lookup = lookupIn(tree.completed);
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const key = verifierKey(ORIGIN, publicKey);

/** The lines of an archive of leaves [start, end) whose own records are `own` (the others given as hashes). */
function archive(start: number, end: number, own: (index: number) => boolean = () => true): string[] {
  const header: ArchiveHeader = {
    format: ARCHIVE_FORMAT,
    origin: ORIGIN,
    partition: 'transfer_records_y2022m11',
    month: '2022-11-01',
    start,
    end,
    leftHashes: rootPlan(start).map((id) => (lookup(id) as Buffer).toString('base64')),
    checkpoint: signCheckpoint({ origin: ORIGIN, treeSize: SIZE, rootHash: tree.root }, { name: ORIGIN, privateKey }),
    consistency: resolvePlan(consistencyProofPlan(end, SIZE), lookup).map((h) => h.toString('base64')),
  };
  const lines = [JSON.stringify(header)];
  for (let i = start; i < end; i++) {
    lines.push(
      JSON.stringify(own(i) ? { leafIndex: i, leaf: leaves[i].toString('base64') } : { leafIndex: i, leafHash: leafHash(leaves[i]).toString('base64') }),
    );
  }
  return lines;
}

function check(lines: string[], vkey = key) {
  const verifier = new ArchiveVerifier(vkey);
  for (const line of lines) verifier.line(line);
  return verifier.finish();
}

describe('retention archive (docs/scaling.md#retention)', () => {
  it('verifies a range anywhere in the tree, with leaves of a neighbouring month given as hashes', () => {
    for (const [start, end] of [
      [0, 5],
      [5, 21],
      [16, 32],
      [3, 36],
    ]) {
      expect(check(archive(start, end))).toMatchObject({ entries: end - start, treeSize: SIZE });
    }
    expect(check(archive(5, 21, (i) => i !== 6 && i !== 20)).entries).toBe(14);
  });

  it('refuses a changed leaf, a changed left hash, a missing or repeated line, another key, or no record at all', () => {
    const changedLeaf = archive(5, 21);
    changedLeaf[3] = JSON.stringify({ leafIndex: 7, leaf: Buffer.from('{"record":700}').toString('base64') });
    expect(() => check(changedLeaf)).toThrow(/are not in the tree/);

    const changedLeft = archive(5, 21);
    const header = JSON.parse(changedLeft[0]) as ArchiveHeader;
    header.leftHashes[0] = leafHash(Buffer.from('x')).toString('base64');
    changedLeft[0] = JSON.stringify(header);
    expect(() => check(changedLeft)).toThrow(/are not in the tree/);

    const missing = archive(5, 21);
    missing.splice(4, 1);
    expect(() => check(missing)).toThrow(/where leaf 8 was expected/);
    const repeated = archive(5, 21);
    repeated.splice(4, 0, repeated[4]);
    expect(() => check(repeated)).toThrow(/where leaf 9 was expected/);
    const truncated = archive(5, 21).slice(0, -1);
    expect(() => check(truncated)).toThrow(/stops at leaf 20/);

    const other = generateKeyPairSync('ed25519').publicKey;
    expect(() => check(archive(5, 21), verifierKey(ORIGIN, other))).toThrow();
    expect(() => check(archive(5, 21, () => false))).toThrow(/no record/);
    expect(() => check(['{"format":"something else"}'])).toThrow(/header/);
  });

  it('names the subtrees left of the range as the tree needs them', () => {
    const lines = archive(5, 21);
    const header = JSON.parse(lines[0]) as ArchiveHeader;
    header.leftHashes = header.leftHashes.slice(1);
    lines[0] = JSON.stringify(header);
    expect(() => check(lines)).toThrow(/left hashes/);
    expect(rootPlan(5).map(nodeKey)).toEqual(['2:0', '0:4']);
  });
});
