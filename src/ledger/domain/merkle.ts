// RFC 9162 (Certificate Transparency v2) §2.1, identical to RFC 6962 §2.1:
// https://www.rfc-editor.org/rfc/rfc9162#section-2.1
//
//   leaf hash  MTH({d}) = SHA-256(0x00 ‖ d)                         §2.1.1
//   node hash  SHA-256(0x01 ‖ left ‖ right)                          §2.1.1
//   MTH(D[n]) = HASH(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])), k the largest power of two < n
//   inclusion proof PATH(m, D[n])                                    §2.1.3.1
//   consistency proof PROOF(m, D[n]) / SUBPROOF                      §2.1.4.1
//   verification algorithms                                          §2.1.3.2, §2.1.4.2
//
// Storage model (docs/architecture.md#the-transfer-log): the ledger stores the hash of every *complete*
// subtree, keyed by NodeId {level, index}, covering leaves
// [index·2^level, (index+1)·2^level). Every subtree the RFC recursion visits
// starts at a multiple of a power of two at least as large as itself, so an
// incomplete one (on the right edge of the tree) is the concatenation, largest
// first, of the complete subtrees given by the binary digits of its size, and
// its hash is those complete hashes folded from the right:
//   MTH = HASH(0x01 ‖ h0 ‖ HASH(0x01 ‖ h1 ‖ … hk))
// (this is the MTH recursion itself, since h0 covers exactly the first k leaves).
// Hence proofs are generated as *plans* (which stored nodes to fetch and how to
// fold them), resolved once the O(log n) nodes have been read in one query.
import { createHash } from 'node:crypto';
import { sha256 } from './sha256';

/** SHA-256 output length; every hash in the tree has it. */
export const HASH_SIZE = 32;

/** RFC 9162 §2.1.1: the hash of an empty list is the hash of an empty string. */
export const EMPTY_ROOT_HASH: Buffer = createHash('sha256').digest();

/** A complete subtree: covers leaves [index·2^level, (index+1)·2^level). Level 0 is a leaf. */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** A complete subtree with its stored hash. */
export interface TreeNode extends NodeId {
  readonly hash: Buffer;
}

/**
 * How to compute one hash from stored complete subtrees: the subtrees in
 * left-to-right order (strictly decreasing size), folded from the right with
 * nodeHash. A single element means the stored hash is used as is.
 */
export type HashPlan = readonly NodeId[];

/** One HashPlan per proof element, in the RFC's proof order. */
export type ProofPlan = readonly HashPlan[];

// One-shot crypto.hash over one buffer instead of a Hash object and three update() calls per node:
// an append hashes every leaf and about as many internal nodes.
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE);

export function leafHash(leaf: Buffer | Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(1 + leaf.length);
  input[0] = 0x00;
  input.set(leaf, 1);
  return sha256(input);
}

/** RFC 9162 §2.1.1 domain separation: a leaf is hashed after the byte 0x00, an internal node after 0x01. */
export const LEAF_HASH_PREFIX = 0x00;

/** leafHash(leaf) from a buffer that already holds 0x00 ‖ leaf (written in place, e.g. in a COPY buffer: no copy). */
export function leafHashOfPrefixed(prefixed: Buffer | Uint8Array): Buffer {
  if (prefixed[0] !== LEAF_HASH_PREFIX) throw new RangeError('a leaf hash input starts with 0x00');
  return sha256(prefixed);
}

export function nodeHash(left: Buffer | Uint8Array, right: Buffer | Uint8Array): Buffer {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    return createHash('sha256')
      .update(Buffer.from([0x01]))
      .update(left)
      .update(right)
      .digest();
  }
  nodeInput[0] = 0x01;
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return sha256(nodeInput);
}

/** A stable string key for maps and SQL parameter building. */
export function nodeKey(id: NodeId): string {
  return `${id.level}:${id.index}`;
}

// ---------------------------------------------------------------------------
// Arithmetic on leaf counts. Plain numbers with division instead of bit
// operators, so sizes up to 2^53 work (JS bit operators are 32-bit).

function assertSize(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
  }
}

/** The largest power of two strictly less than n (n ≥ 2), the RFC's k. */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isOdd(value: number): boolean {
  return value % 2 === 1;
}

function half(value: number): number {
  return Math.floor(value / 2);
}

/**
 * The complete subtrees covering leaves [start, end), largest first, for a range
 * the RFC recursion can produce (start is a multiple of a power of two ≥ end − start).
 */
export function subtreePlan(start: number, end: number): HashPlan {
  assertSize('start', start);
  assertSize('end', end);
  if (end < start) throw new RangeError(`Range [${start}, ${end}) is reversed`);
  const nodes: NodeId[] = [];
  let position = start;
  let remaining = end - start;
  let size = 1;
  let level = 0;
  while (size * 2 <= remaining) {
    size *= 2;
    level++;
  }
  while (remaining > 0) {
    if (size <= remaining) {
      if (position % size !== 0) throw new RangeError(`Range [${start}, ${end}) is not an RFC 9162 subtree`);
      nodes.push({ level, index: position / size });
      position += size;
      remaining -= size;
    }
    size /= 2;
    level--;
  }
  return nodes;
}

/** The complete subtrees whose hashes make MTH(D[0:treeSize]); also the compact range to append to. */
export function rootPlan(treeSize: number): HashPlan {
  return subtreePlan(0, treeSize);
}

/**
 * RFC 9162 §2.1.3.1 PATH(m, D[n]) as a plan: sibling subtrees from the leaf up.
 * At most one element (the sibling on the right edge) needs folding.
 */
export function inclusionProofPlan(leafIndex: number, treeSize: number): ProofPlan {
  assertSize('leafIndex', leafIndex);
  assertSize('treeSize', treeSize);
  if (leafIndex >= treeSize) throw new RangeError(`leafIndex ${leafIndex} is not below treeSize ${treeSize}`);
  const plan: HashPlan[] = [];
  path(leafIndex, 0, treeSize, plan);
  return plan;
}

// PATH(m, D[start:start+n]); appends so the deepest sibling comes first.
function path(m: number, start: number, n: number, out: HashPlan[]): void {
  if (n === 1) return;
  const k = largestPowerOfTwoBelow(n);
  if (m < k) {
    path(m, start, k, out);
    out.push(subtreePlan(start + k, start + n));
  } else {
    path(m - k, start + k, n - k, out);
    out.push(subtreePlan(start, start + k));
  }
}

/**
 * RFC 9162 §2.1.4.1 PROOF(m, D[n]) as a plan. Empty when first is 0 or equals
 * second (the RFC defines proofs for 0 < m < n; those cases need none).
 */
export function consistencyProofPlan(first: number, second: number): ProofPlan {
  assertSize('first', first);
  assertSize('second', second);
  if (first > second) throw new RangeError(`first ${first} is greater than second ${second}`);
  const plan: HashPlan[] = [];
  if (first === 0 || first === second) return plan;
  subproof(first, 0, second, true, plan);
  return plan;
}

// SUBPROOF(m, D[start:start+n], b)
function subproof(m: number, start: number, n: number, startFromOldRoot: boolean, out: HashPlan[]): void {
  if (m === n) {
    if (!startFromOldRoot) out.push(subtreePlan(start, start + n));
    return;
  }
  const k = largestPowerOfTwoBelow(n);
  if (m <= k) {
    subproof(m, start, k, startFromOldRoot, out);
    out.push(subtreePlan(start + k, start + n));
  } else {
    subproof(m - k, start + k, n - k, false, out);
    out.push(subtreePlan(start, start + k));
  }
}

/** The distinct stored nodes a plan reads (O(log n) for RFC proofs), in first-use order. */
export function nodesNeeded(plan: ProofPlan): NodeId[] {
  const seen = new Map<string, NodeId>();
  for (const element of plan) {
    for (const id of element) {
      const key = nodeKey(id);
      if (!seen.has(key)) seen.set(key, { level: id.level, index: id.index });
    }
  }
  return [...seen.values()];
}

/** Reads stored complete-subtree hashes; return undefined when a node is missing. */
export type NodeLookup = (id: NodeId) => Buffer | undefined;

/** Fold one HashPlan; an empty plan is the empty tree's root. */
export function resolveHashPlan(plan: HashPlan, lookup: NodeLookup): Buffer {
  if (plan.length === 0) return EMPTY_ROOT_HASH;
  let hash = fetch(plan[plan.length - 1], lookup);
  for (let i = plan.length - 2; i >= 0; i--) hash = nodeHash(fetch(plan[i], lookup), hash);
  return hash;
}

/** The proof hashes for a plan, in proof order. */
export function resolvePlan(plan: ProofPlan, lookup: NodeLookup): Buffer[] {
  return plan.map((element) => {
    if (element.length === 0) throw new RangeError('A proof element cannot be empty');
    return resolveHashPlan(element, lookup);
  });
}

function fetch(id: NodeId, lookup: NodeLookup): Buffer {
  const hash = lookup(id);
  if (hash === undefined) throw new Error(`Merkle node level ${id.level} index ${id.index} is not stored`);
  if (hash.length !== HASH_SIZE) throw new Error(`Merkle node level ${id.level} index ${id.index} has ${hash.length} bytes, not ${HASH_SIZE}`);
  return hash;
}

/** MTH of a full list of leaf hashes (reference use, tests, small trees). */
export function rootFromLeafHashes(hashes: readonly Buffer[]): Buffer {
  return appendLeaves([], 0, hashes).root;
}

// ---------------------------------------------------------------------------
// Incremental append over the compact range ("frontier").

export interface AppendResult {
  /** Every subtree completed by this batch, leaves (level 0) included, in creation order. */
  readonly completed: TreeNode[];
  /** The compact range of the new tree: rootPlan(treeSize) with hashes. */
  readonly frontier: TreeNode[];
  readonly treeSize: number;
  readonly root: Buffer;
}

/**
 * Append leaf hashes to a tree of size startIndex whose compact range
 * (rootPlan(startIndex), read from storage with hashes) is `frontier`.
 * Returns the nodes to insert: each is complete, so stored once and never updated.
 */
export function appendLeaves(frontier: readonly TreeNode[], startIndex: number, leafHashes: readonly Buffer[]): AppendResult {
  assertSize('startIndex', startIndex);
  const expected = rootPlan(startIndex);
  if (frontier.length !== expected.length || expected.some((id, i) => id.level !== frontier[i].level || id.index !== frontier[i].index)) {
    throw new Error(
      `Frontier [${frontier.map(nodeKey).join(', ')}] is not the compact range of a tree of size ${startIndex} ([${expected.map(nodeKey).join(', ')}])`,
    );
  }
  const stack: TreeNode[] = frontier.map((node) => {
    if (node.hash.length !== HASH_SIZE) throw new Error(`Frontier node ${nodeKey(node)} hash has ${node.hash.length} bytes`);
    return node;
  });
  const completed: TreeNode[] = [];
  let index = startIndex;
  for (const hash of leafHashes) {
    if (hash.length !== HASH_SIZE) throw new Error(`Leaf hash ${index} has ${hash.length} bytes, not ${HASH_SIZE}`);
    let node: TreeNode = { level: 0, index, hash };
    completed.push(node);
    // Two adjacent subtrees of equal level are siblings: merge them.
    while (stack.length > 0 && stack[stack.length - 1].level === node.level) {
      const left = stack.pop() as TreeNode;
      node = { level: node.level + 1, index: left.index / 2, hash: nodeHash(left.hash, node.hash) };
      completed.push(node);
    }
    stack.push(node);
    index++;
    assertSize('treeSize', index);
  }
  return { completed, frontier: stack, treeSize: index, root: resolveHashPlan(stack, lookupIn(stack)) };
}

/** A NodeLookup over an in-memory list of nodes. */
export function lookupIn(nodes: Iterable<TreeNode>): NodeLookup {
  const byKey = new Map<string, Buffer>();
  for (const node of nodes) byKey.set(nodeKey(node), node.hash);
  return (id) => byKey.get(nodeKey(id));
}

// ---------------------------------------------------------------------------
// Verification, following the RFC 9162 algorithms step by step.

/**
 * RFC 9162 §2.1.3.2: verify that `hash` (a leaf hash) is at leafIndex in the
 * tree of size treeSize with root rootHash.
 */
export function verifyInclusion(leafIndex: number, treeSize: number, hash: Buffer, inclusionPath: readonly Buffer[], rootHash: Buffer): boolean {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize) || leafIndex < 0) return false;
  if (inclusionPath.some((p) => p.length !== HASH_SIZE)) return false;
  // 1. leaf_index ≥ tree_size fails.
  if (leafIndex >= treeSize) return false;
  // 2. fn = leaf_index, sn = tree_size − 1.
  let fn = leafIndex;
  let sn = treeSize - 1;
  // 3. r = hash.
  let r = hash;
  // 4. For each p in inclusion_path:
  for (const p of inclusionPath) {
    // a. sn = 0 fails.
    if (sn === 0) return false;
    // b.
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    // c.
    fn = half(fn);
    sn = half(sn);
  }
  // 5.
  return sn === 0 && r.equals(rootHash);
}

/**
 * RFC 9162 §2.1.4.2: verify that the tree of size `first` with root firstHash is
 * a prefix of the tree of size `second` with root secondHash. The RFC defines
 * proofs for 0 < first < second; for first = second the proof must be empty and
 * the roots equal, and every tree is consistent with the empty tree (first = 0,
 * empty proof), as transparency-dev/merkle's proof.VerifyConsistency also does.
 */
export function verifyConsistency(first: number, second: number, consistencyPath: readonly Buffer[], firstHash: Buffer, secondHash: Buffer): boolean {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) return false;
  if (consistencyPath.some((p) => p.length !== HASH_SIZE)) return false;
  if (first === second) return consistencyPath.length === 0 && firstHash.equals(secondHash);
  if (first === 0) return consistencyPath.length === 0;
  // 1. An empty consistency_path fails.
  if (consistencyPath.length === 0) return false;
  // 2. If first is an exact power of 2, prepend first_hash.
  const path = isPowerOfTwo(first) ? [firstHash, ...consistencyPath] : [...consistencyPath];
  // 3. fn = first − 1, sn = second − 1.
  let fn = first - 1;
  let sn = second - 1;
  // 4. If LSB(fn) is set, right-shift both until it is not.
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 5. fr = sr = first value of the path.
  let fr = path[0];
  let sr = path[0];
  // 6. For each subsequent value c:
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // 7.
  return fr.equals(firstHash) && sr.equals(secondHash) && sn === 0;
}

function isPowerOfTwo(value: number): boolean {
  if (value < 1) return false;
  while (value % 2 === 0) value /= 2;
  return value === 1;
}
