// Test vectors: transparency-dev/merkle testonly/constants.go and
// proof/verify_test.go (the RFC 6962 vectors inherited from
// certificate-transparency-go); reference algorithms transcribed from
// RFC 9162 §2.1 (MTH, PATH, PROOF/SUBPROOF) on plain arrays.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  EMPTY_ROOT_HASH,
  HashPlan,
  NodeId,
  TreeNode,
  appendLeaves,
  consistencyProofPlan,
  inclusionProofPlan,
  leafHash,
  lookupIn,
  nodeHash,
  nodeKey,
  nodesNeeded,
  resolveHashPlan,
  resolvePlan,
  rootFromLeafHashes,
  rootPlan,
  subtreePlan,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

const h = (hex: string): Buffer => Buffer.from(hex, 'hex');

const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(h);

// NodeHashes(): [level][index] for all complete subtrees of the 8-leaf tree.
const NODE_HASHES = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  ['d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];

// RootHashes(), indexed by tree size.
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

// proof/verify_test.go inclusionProofs; the Go table's leaf numbers are 1-based.
const INCLUSION_VECTORS: Array<{ leafIndex: number; treeSize: number; proof: string[] }> = [
  {
    leafIndex: 0,
    treeSize: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    leafIndex: 5,
    treeSize: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { leafIndex: 2, treeSize: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    leafIndex: 1,
    treeSize: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  { leafIndex: 0, treeSize: 1, proof: [] },
];

const CONSISTENCY_VECTORS: Array<{ first: number; second: number; proof: string[] }> = [
  { first: 1, second: 1, proof: [] },
  {
    first: 1,
    second: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    first: 6,
    second: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    first: 2,
    second: 5,
    proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'],
  },
  {
    first: 6,
    second: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

// ---- RFC 9162 §2.1 reference algorithms, directly on arrays of leaf hashes ----
function referenceMth(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) return createHash('sha256').digest();
  if (hashes.length === 1) return hashes[0];
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return nodeHash(referenceMth(hashes.slice(0, k)), referenceMth(hashes.slice(k)));
}

function referencePath(m: number, hashes: readonly Buffer[]): Buffer[] {
  if (hashes.length <= 1) return [];
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  if (m < k) return [...referencePath(m, hashes.slice(0, k)), referenceMth(hashes.slice(k))];
  return [...referencePath(m - k, hashes.slice(k)), referenceMth(hashes.slice(0, k))];
}

function referenceSubproof(m: number, hashes: readonly Buffer[], b: boolean): Buffer[] {
  const n = hashes.length;
  if (m === n) return b ? [] : [referenceMth(hashes)];
  let k = 1;
  while (k * 2 < n) k *= 2;
  if (m <= k) return [...referenceSubproof(m, hashes.slice(0, k), b), referenceMth(hashes.slice(k))];
  return [...referenceSubproof(m - k, hashes.slice(k), false), referenceMth(hashes.slice(0, k))];
}

function referenceProof(m: number, hashes: readonly Buffer[]): Buffer[] {
  return referenceSubproof(m, hashes, true);
}

// ---- helpers ----
const leafHashesOf = (count: number, seed = 0): Buffer[] => Array.from({ length: count }, (_, i) => leafHash(Buffer.from(`leaf ${seed} ${i}`)));

function buildStore(hashes: readonly Buffer[]): { nodes: TreeNode[]; lookup: (id: NodeId) => Buffer | undefined } {
  const { completed } = appendLeaves([], 0, hashes);
  return { nodes: completed, lookup: lookupIn(completed) };
}

function flipBit(hashes: Buffer[], element: number, bit: number): Buffer[] {
  return hashes.map((hash, i) => {
    if (i !== element) return hash;
    const copy = Buffer.from(hash);
    copy[bit >> 3] ^= 1 << (bit & 7);
    return copy;
  });
}

const hex = (buffers: readonly Buffer[]): string[] => buffers.map((b) => b.toString('hex'));

describe('Merkle tree hashing (RFC 9162 §2.1.1)', () => {
  const leafHashes = LEAVES.map(leafHash);

  it('hashes the test leaves to the published level-0 node hashes', () => {
    expect(hex(leafHashes)).toEqual(NODE_HASHES[0]);
  });

  it('hashes internal nodes with the 0x01 prefix', () => {
    expect(nodeHash(leafHashes[0], leafHashes[1]).toString('hex')).toBe(NODE_HASHES[1][0]);
    expect(nodeHash(h(NODE_HASHES[2][0]), h(NODE_HASHES[2][1])).toString('hex')).toBe(NODE_HASHES[3][0]);
  });

  it.each(ROOTS.map((root, size) => [size, root] as const))('computes the root of the first %i test leaves', (size, root) => {
    expect(rootFromLeafHashes(leafHashes.slice(0, size)).toString('hex')).toBe(root);
    expect(referenceMth(leafHashes.slice(0, size)).toString('hex')).toBe(root);
  });

  it('the empty tree root is SHA-256 of the empty string', () => {
    expect(EMPTY_ROOT_HASH.toString('hex')).toBe(ROOTS[0]);
    expect(resolveHashPlan(rootPlan(0), () => undefined).toString('hex')).toBe(ROOTS[0]);
  });

  it('stores exactly the published complete subtrees of the 8-leaf tree', () => {
    const { completed, frontier } = appendLeaves([], 0, leafHashes);
    const byLevel: string[][] = [];
    for (const node of completed) (byLevel[node.level] ??= [])[node.index] = node.hash.toString('hex');
    expect(byLevel).toEqual(NODE_HASHES);
    expect(frontier.map(nodeKey)).toEqual(['3:0']);
  });

  it('frontiers match transparency-dev CompactTrees for every size', () => {
    const expected: string[][] = [
      [],
      [NODE_HASHES[0][0]],
      [NODE_HASHES[1][0]],
      [NODE_HASHES[1][0], NODE_HASHES[0][2]],
      [NODE_HASHES[2][0]],
      [NODE_HASHES[2][0], NODE_HASHES[0][4]],
      [NODE_HASHES[2][0], NODE_HASHES[1][2]],
      [NODE_HASHES[2][0], NODE_HASHES[1][2], NODE_HASHES[0][6]],
      [NODE_HASHES[3][0]],
    ];
    for (let size = 0; size <= 8; size++) {
      const { frontier, root } = appendLeaves([], 0, leafHashes.slice(0, size));
      expect(frontier.map((n) => n.hash.toString('hex'))).toEqual(expected[size]);
      expect(root.toString('hex')).toBe(ROOTS[size]);
    }
  });
});

describe('plans over stored complete subtrees', () => {
  it('decomposes ranges into complete subtrees, largest first', () => {
    expect(rootPlan(0)).toEqual([]);
    expect(rootPlan(1)).toEqual([{ level: 0, index: 0 }]);
    expect(rootPlan(7)).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(rootPlan(1000).map(nodeKey)).toEqual(['9:0', '8:2', '7:6', '6:14', '5:30', '3:124']);
    expect(subtreePlan(8, 13).map(nodeKey)).toEqual(['2:2', '0:12']);
    expect(() => subtreePlan(2, 6)).toThrow(/not an RFC 9162 subtree/);
  });

  it('plans the published 8-leaf inclusion proof for leaf 5', () => {
    expect(inclusionProofPlan(5, 8)).toEqual([[{ level: 0, index: 4 }], [{ level: 1, index: 3 }], [{ level: 2, index: 0 }]]);
  });

  it('folds the incomplete right-edge sibling from its complete pieces', () => {
    // Leaf 0 of 7: the last sibling is D[4:7] = (level 1, index 2) ‖ (level 0, index 6).
    expect(inclusionProofPlan(0, 7)[2]).toEqual([
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
  });

  it.each(INCLUSION_VECTORS)('reproduces the published inclusion proof for leaf $leafIndex of $treeSize', ({ leafIndex, treeSize, proof }) => {
    const leafHashes = LEAVES.map(leafHash).slice(0, treeSize);
    const { lookup } = buildStore(leafHashes);
    const proofHashes = resolvePlan(inclusionProofPlan(leafIndex, treeSize), lookup);
    expect(hex(proofHashes)).toEqual(proof);
    expect(verifyInclusion(leafIndex, treeSize, leafHashes[leafIndex], proofHashes, h(ROOTS[treeSize]))).toBe(true);
  });

  it.each(CONSISTENCY_VECTORS)('reproduces the published consistency proof $first -> $second', ({ first, second, proof }) => {
    const leafHashes = LEAVES.map(leafHash).slice(0, second);
    const { lookup } = buildStore(leafHashes);
    const proofHashes = resolvePlan(consistencyProofPlan(first, second), lookup);
    expect(hex(proofHashes)).toEqual(proof);
    expect(verifyConsistency(first, second, proofHashes, h(ROOTS[first]), h(ROOTS[second]))).toBe(true);
  });

  it('rejects impossible requests', () => {
    expect(() => inclusionProofPlan(3, 3)).toThrow(RangeError);
    expect(() => inclusionProofPlan(-1, 3)).toThrow(RangeError);
    expect(() => consistencyProofPlan(5, 4)).toThrow(RangeError);
    expect(() => rootPlan(1.5)).toThrow(RangeError);
    expect(consistencyProofPlan(0, 5)).toEqual([]);
    expect(consistencyProofPlan(5, 5)).toEqual([]);
  });

  it('names the node a lookup is missing', () => {
    expect(() => resolvePlan(inclusionProofPlan(0, 2), () => undefined)).toThrow('Merkle node level 0 index 1 is not stored');
    expect(() => resolvePlan([[{ level: 0, index: 0 }]], () => Buffer.alloc(31))).toThrow(/31 bytes/);
  });

  it('needs O(log n) distinct nodes, deduplicated', () => {
    for (const size of [1, 2, 3, 7, 8, 1000, 1023, 1025, 2 ** 40 + 12345]) {
      const bound = 2 * Math.ceil(Math.log2(size + 1)) + 1;
      expect(nodesNeeded(inclusionProofPlan(size - 1, size)).length).toBeLessThanOrEqual(bound);
      expect(nodesNeeded(inclusionProofPlan(0, size)).length).toBeLessThanOrEqual(bound);
      expect(nodesNeeded(consistencyProofPlan(Math.ceil(size / 3), size)).length).toBeLessThanOrEqual(bound);
      expect(nodesNeeded([rootPlan(size)]).length).toBeLessThanOrEqual(bound);
    }
    const plan = [
      [{ level: 1, index: 0 }],
      [
        { level: 1, index: 0 },
        { level: 0, index: 2 },
      ],
    ];
    expect(nodesNeeded(plan)).toEqual([
      { level: 1, index: 0 },
      { level: 0, index: 2 },
    ]);
  });

  it('handles sizes beyond 32-bit arithmetic', () => {
    const size = 2 ** 33 + 5;
    expect(rootPlan(size).map(nodeKey)).toEqual(['33:0', '2:2147483648', '0:8589934596']);
    const plan = inclusionProofPlan(2 ** 33 + 4, size);
    expect(plan.map((element) => element.map(nodeKey))).toEqual([['2:2147483648'], ['33:0']]);
  });
});

describe('appendLeaves', () => {
  it('rejects a frontier that is not the compact range of startIndex', () => {
    const { frontier } = appendLeaves([], 0, leafHashesOf(3));
    expect(() => appendLeaves(frontier, 4, leafHashesOf(1))).toThrow(/not the compact range of a tree of size 4/);
    expect(() => appendLeaves(frontier.slice(1), 3, leafHashesOf(1))).toThrow(/compact range/);
    expect(() => appendLeaves([], 0, [Buffer.alloc(5)])).toThrow(/5 bytes/);
  });

  it('completes a level-k node exactly when 2^k leaves are done', () => {
    const { completed } = appendLeaves(appendLeaves([], 0, leafHashesOf(7)).frontier, 7, leafHashesOf(1, 7));
    expect(completed.map(nodeKey)).toEqual(['0:7', '1:3', '2:1', '3:0']);
  });
});

describe('properties against the RFC reference algorithms', () => {
  const sizeArb = fc.integer({ min: 1, max: 2000 });

  it('every stored node hash equals MTH of the leaves it covers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), (size) => {
        const leafHashes = leafHashesOf(size);
        const { completed, root } = appendLeaves([], 0, leafHashes);
        let expectedCount = 0;
        for (let width = 1; width <= size; width *= 2) expectedCount += Math.floor(size / width);
        expect(completed.length).toBe(expectedCount);
        for (const node of completed) {
          const width = 2 ** node.level;
          expect(node.hash.equals(referenceMth(leafHashes.slice(node.index * width, (node.index + 1) * width)))).toBe(true);
        }
        expect(root.equals(referenceMth(leafHashes))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('inclusion proofs from plans equal RFC PATH, verify, and fail when tampered', () => {
    fc.assert(
      fc.property(
        sizeArb.chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 }), fc.nat(255))),
        ([size, leafIndex, bit]) => {
          const leafHashes = leafHashesOf(size, size);
          const { lookup } = buildStore(leafHashes);
          const root = resolveHashPlan(rootPlan(size), lookup);
          expect(root.equals(referenceMth(leafHashes))).toBe(true);
          const proof = resolvePlan(inclusionProofPlan(leafIndex, size), lookup);
          expect(hex(proof)).toEqual(hex(referencePath(leafIndex, leafHashes)));
          expect(verifyInclusion(leafIndex, size, leafHashes[leafIndex], proof, root)).toBe(true);
          if (proof.length > 0) {
            const element = bit % proof.length;
            expect(verifyInclusion(leafIndex, size, leafHashes[leafIndex], flipBit(proof, element, bit), root)).toBe(false);
            expect(verifyInclusion(leafIndex, size, leafHashes[leafIndex], proof.slice(1), root)).toBe(false);
          }
          expect(verifyInclusion(leafIndex, size, leafHashes[leafIndex], [...proof, root], root)).toBe(false);
          expect(verifyInclusion(leafIndex, size, flipBit([leafHashes[leafIndex]], 0, bit)[0], proof, root)).toBe(false);
          expect(verifyInclusion(leafIndex, size, leafHashes[leafIndex], proof, flipBit([root], 0, bit)[0])).toBe(false);
          if (size > 1) {
            const otherIndex = (leafIndex + 1) % size;
            expect(verifyInclusion(otherIndex, size, leafHashes[leafIndex], proof, root)).toBe(false);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('consistency proofs from plans equal RFC PROOF, verify, and fail when tampered', () => {
    fc.assert(
      fc.property(
        sizeArb.chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 1, max: size }), fc.nat(255))),
        ([second, first, bit]) => {
          const leafHashes = leafHashesOf(second, 1);
          const { lookup } = buildStore(leafHashes);
          const firstRoot = resolveHashPlan(rootPlan(first), lookup);
          const secondRoot = resolveHashPlan(rootPlan(second), lookup);
          const proof = resolvePlan(consistencyProofPlan(first, second), lookup);
          const expected = first === second ? [] : referenceProof(first, leafHashes);
          expect(hex(proof)).toEqual(hex(expected));
          expect(verifyConsistency(first, second, proof, firstRoot, secondRoot)).toBe(true);
          if (proof.length > 0) {
            const element = bit % proof.length;
            expect(verifyConsistency(first, second, flipBit(proof, element, bit), firstRoot, secondRoot)).toBe(false);
            expect(verifyConsistency(first, second, proof.slice(0, -1), firstRoot, secondRoot)).toBe(false);
            expect(verifyConsistency(first, second, [...proof, secondRoot], firstRoot, secondRoot)).toBe(false);
            expect(verifyConsistency(first, second, proof, flipBit([firstRoot], 0, bit)[0], secondRoot)).toBe(false);
            expect(verifyConsistency(first, second, proof, firstRoot, flipBit([secondRoot], 0, bit)[0])).toBe(false);
          }
          // A different old tree (other leaves) must not be proven a prefix.
          if (first < second) {
            const forgedFirstRoot = referenceMth(leafHashesOf(first, 99));
            expect(verifyConsistency(first, second, proof, forgedFirstRoot, secondRoot)).toBe(false);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('appending in random batches gives the same root and the same completed nodes as one batch', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600 }), fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 1, maxLength: 40 }), (size, batchSizes) => {
        const leafHashes = leafHashesOf(size, 3);
        const whole = appendLeaves([], 0, leafHashes);
        let frontier: TreeNode[] = [];
        let start = 0;
        const completed: TreeNode[] = [];
        let batch = 0;
        while (start < size) {
          const end = Math.min(size, start + batchSizes[batch++ % batchSizes.length]);
          const result = appendLeaves(frontier, start, leafHashes.slice(start, end));
          expect(result.treeSize).toBe(end);
          expect(result.root.equals(referenceMth(leafHashes.slice(0, end)))).toBe(true);
          expect(result.frontier.map(nodeKey)).toEqual(rootPlan(end).map(nodeKey));
          completed.push(...result.completed);
          frontier = result.frontier;
          start = end;
        }
        const asSet = (nodes: TreeNode[]) => nodes.map((n) => `${nodeKey(n)}=${n.hash.toString('hex')}`).sort();
        expect(asSet(completed)).toEqual(asSet(whole.completed));
        expect(new Set(completed.map(nodeKey)).size).toBe(completed.length);
        expect(resolveHashPlan(rootPlan(size), lookupIn(completed)).equals(whole.root)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('plans only ever reference complete subtrees inside the tree', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 2 ** 40 })
          .chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 }), fc.integer({ min: 0, max: size }))),
        ([size, leafIndex, first]) => {
          const plans: HashPlan[] = [...inclusionProofPlan(leafIndex, size), ...consistencyProofPlan(first, size), rootPlan(size)];
          for (const id of nodesNeeded(plans)) {
            expect((id.index + 1) * 2 ** id.level).toBeLessThanOrEqual(size);
          }
        },
      ),
    );
  });
});
