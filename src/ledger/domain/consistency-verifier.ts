// An RFC 9162 §2.1.4.2 consistency-proof verifier, written from the RFC text alone and kept apart from the
// prover (merkle.ts): it imports nothing from the ledger, hashes with its own code and steps with BigInt
// shifts, so a fault in the code that builds proofs from storage cannot also make this check pass.
// The signer uses it before signing a tree (docs/architecture.md#trust-model, part 1).
// https://www.rfc-editor.org/rfc/rfc9162#section-2.1.4.2
import { createHash } from 'node:crypto';

const HASH_BYTES = 32;

function interior(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(Uint8Array.of(0x01)).update(left).update(right).digest();
}

function lsbSet(value: bigint): boolean {
  return (value & 1n) === 1n;
}

function isExactPowerOfTwo(value: bigint): boolean {
  return value > 0n && (value & (value - 1n)) === 0n;
}

/**
 * True when `proof` proves that the tree of `firstSize` leaves with root `firstRoot` is a prefix of the
 * tree of `secondSize` leaves with root `secondRoot`. Equal sizes need an empty proof and equal roots; the
 * empty tree is a prefix of every tree (its root is SHA-256 of nothing, RFC 9162 §2.1.1).
 */
export function proveExtends(firstSize: number, secondSize: number, proof: readonly Uint8Array[], firstRoot: Uint8Array, secondRoot: Uint8Array): boolean {
  if (!Number.isSafeInteger(firstSize) || !Number.isSafeInteger(secondSize) || firstSize < 0 || secondSize < firstSize) return false;
  if (firstRoot.length !== HASH_BYTES || secondRoot.length !== HASH_BYTES || proof.some((p) => p.length !== HASH_BYTES)) return false;
  const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
  if (firstSize === secondSize) return proof.length === 0 && same(firstRoot, secondRoot);
  if (firstSize === 0) return proof.length === 0 && same(firstRoot, createHash('sha256').digest());
  // 1. If consistency_path is an empty array, stop and fail the proof verification.
  if (proof.length === 0) return false;
  // 2. If first is an exact power of 2, then prepend first_hash to the consistency_path array.
  const path: Uint8Array[] = isExactPowerOfTwo(BigInt(firstSize)) ? [firstRoot, ...proof] : [...proof];
  // 3. Set fn to first - 1 and sn to second - 1.
  let fn = BigInt(firstSize) - 1n;
  let sn = BigInt(secondSize) - 1n;
  // 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set.
  while (lsbSet(fn)) {
    fn >>= 1n;
    sn >>= 1n;
  }
  // 5. Set both fr and sr to the first value in the consistency_path array.
  let fr: Uint8Array = path[0];
  let sr: Uint8Array = path[0];
  // 6. For each subsequent value c in the consistency_path array:
  for (let i = 1; i < path.length; i++) {
    const c = path[i];
    // a. If sn is 0, then stop the iteration and fail the proof verification.
    if (sn === 0n) return false;
    // b. If LSB(fn) is set, or if fn is equal to sn, then:
    if (lsbSet(fn) || fn === sn) {
      // 1. Set fr to HASH(0x01 || c || fr). Set sr to HASH(0x01 || c || sr).
      fr = interior(c, fr);
      sr = interior(c, sr);
      // 2. If LSB(fn) is not set, then right-shift both fn and sn equally until either LSB(fn) is set or fn is 0.
      if (!lsbSet(fn)) {
        while (!lsbSet(fn) && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      // Otherwise: Set sr to HASH(0x01 || sr || c).
      sr = interior(sr, c);
    }
    // c. Finally, right-shift both fn and sn one time.
    fn >>= 1n;
    sn >>= 1n;
  }
  // 7. After completing iterating through the consistency_path array as described above, verify that the
  //    fr calculated is equal to the first_hash supplied, that the sr calculated is equal to the
  //    second_hash supplied, and that sn is 0.
  return same(fr, firstRoot) && same(sr, secondRoot) && sn === 0n;
}
