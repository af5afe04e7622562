import { hash } from 'node:crypto';

const HASH_SIZE = 32;

/**
 * SHA-256 of `input` as a 32-byte Buffer from Node's small-buffer pool. `hash(…, 'buffer')` gives each digest its
 * own ArrayBuffer, which costs more than the hash of a leaf (measured alternating in one process: 0.9–1.2 µs per
 * 700-byte leaf against 0.67–0.75 µs this way); the digest as a 'binary' (latin1) string is one byte per character, so
 * writing it back gives the same 32 bytes.
 */
export function sha256(input: Buffer | Uint8Array): Buffer {
  const digest = Buffer.allocUnsafe(HASH_SIZE);
  digest.write(hash('sha256', input, 'binary'), 0, HASH_SIZE, 'latin1');
  return digest;
}
