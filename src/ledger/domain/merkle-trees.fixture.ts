import { appendLeaves, leafHash, TreeNode } from './merkle';

/**
 * Every subtree of a tree of `size` leaves, and its root, built with the prover's code; the leaf at `tamperAt` is
 * rewritten. For the verifiers' unit tests (kept out of the build by tsconfig.build.json).
 */
export function tree(size: number, tamperAt = -1): { nodes: TreeNode[]; root: Buffer } {
  const leaves = Array.from({ length: size }, (_, i) => leafHash(Buffer.from(i === tamperAt ? `forged ${i}` : `leaf ${i}`)));
  const result = appendLeaves([], 0, leaves);
  return { nodes: result.completed, root: result.root };
}

/**
 * For a few pairs of sizes, the first tree and each second tree in which one leaf of the first was rewritten: no
 * consistency proof may link them (RFC 9162 §2.1.4.2).
 */
export function* rewrittenTrees(): Generator<{ first: number; second: number; old: ReturnType<typeof tree>; forged: ReturnType<typeof tree> }> {
  for (const [first, second] of [
    [20, 21],
    [16, 33],
    [7, 8],
    [31, 64],
  ]) {
    const old = tree(first);
    for (let at = 0; at < first; at++) yield { first, second, old, forged: tree(second, at) };
  }
}
