import { createHash } from 'node:crypto';
import { proveExtends } from './consistency-verifier';
import { rewrittenTrees, tree } from './merkle-trees.fixture';
import { consistencyProofPlan, EMPTY_ROOT_HASH, lookupIn, resolvePlan } from './merkle';

describe('proveExtends (RFC 9162 §2.1.4.2, independent of the prover)', () => {
  it('accepts every proof the prover makes between sizes 0..40', () => {
    for (let second = 0; second <= 40; second++) {
      const big = tree(second);
      for (let first = 0; first <= second; first++) {
        const proof = resolvePlan(consistencyProofPlan(first, second), lookupIn(big.nodes));
        expect(proveExtends(first, second, proof, first === 0 ? EMPTY_ROOT_HASH : tree(first).root, big.root)).toBe(true);
      }
    }
  });

  it('refuses a second tree in which any leaf of the first was rewritten', () => {
    for (const { first, second, old, forged } of rewrittenTrees()) {
      const proof = resolvePlan(consistencyProofPlan(first, second), lookupIn(forged.nodes));
      expect(proveExtends(first, second, proof, old.root, forged.root)).toBe(false);
    }
  });

  it('refuses wrong sizes, a changed proof element and malformed input', () => {
    const big = tree(21);
    const proof = resolvePlan(consistencyProofPlan(20, 21), lookupIn(big.nodes));
    const small = tree(20).root;
    expect(proveExtends(20, 21, proof, small, big.root)).toBe(true);
    expect(proveExtends(19, 21, proof, small, big.root)).toBe(false);
    expect(proveExtends(21, 20, proof, small, big.root)).toBe(false);
    expect(proveExtends(20, 21, [], small, big.root)).toBe(false);
    expect(proveExtends(20, 21, [createHash('sha256').update('x').digest(), ...proof.slice(1)], small, big.root)).toBe(false);
    expect(proveExtends(20, 21, [proof[0].subarray(1), ...proof.slice(1)], small, big.root)).toBe(false);
    expect(proveExtends(21, 21, [], big.root, big.root)).toBe(true);
    expect(proveExtends(21, 21, [], small, big.root)).toBe(false);
    expect(proveExtends(0, 21, [], small, big.root)).toBe(false);
  });
});
