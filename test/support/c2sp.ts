// A second, independent verifier for the tests: C2SP signed-note, tlog-checkpoint and tlog-cosignature
// (cosignature/v1), and the RFC 9162 §2.1 tree hash and consistency-proof check, written from the
// specifications with node:crypto only. It imports nothing from src/ or tools/, so a mistake shared by the
// registry, its witness and `npm run verify` cannot hide itself in the tests that use it.
import { createHash, createPublicKey, KeyObject, verify as ed25519Verify } from 'node:crypto';

export class C2spError extends Error {}

/** signed-note: a verifier key "<name>+<hex key ID>+<base64(type ‖ public key)>". */
export interface NoteKey {
  name: string;
  id: Buffer;
  /** 0x01 Ed25519 note signature; 0x04 cosignature/v1 (signed-note "Signature types"). */
  type: number;
  publicKey: KeyObject;
  text: string;
}

const sha256 = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();

function strictBase64(text: string, what: string): Buffer {
  const bytes = Buffer.from(text, 'base64');
  if (text.length === 0 || bytes.toString('base64') !== text) throw new C2spError(`${what} is not standard base64`);
  return bytes;
}

/** Key names must be non-empty and hold no Unicode space or '+' (signed-note "Format"). */
const KEY_NAME = /^[^\s+]+$/u;

export function parseNoteKey(vkey: string): NoteKey {
  // The base64 material may itself hold '+': the name and the ID end at the first two.
  const first = vkey.indexOf('+');
  const second = vkey.indexOf('+', first + 1);
  if (first <= 0 || second < 0) throw new C2spError('a verifier key is <name>+<hex id>+<base64 key>');
  const name = vkey.slice(0, first);
  const hexId = vkey.slice(first + 1, second);
  if (!KEY_NAME.test(name) || !/^[0-9a-f]{8}$/.test(hexId)) throw new C2spError('malformed verifier key name or ID');
  const material = strictBase64(vkey.slice(second + 1), 'verifier key');
  const type = material[0];
  if ((type !== 0x01 && type !== 0x04) || material.length !== 33) throw new C2spError(`unsupported signature type 0x${type?.toString(16)}`);
  const raw = material.subarray(1);
  // key ID = SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4]
  const id = sha256(Buffer.from(`${name}\n`, 'utf8'), Buffer.from([type]), raw).subarray(0, 4);
  if (id.toString('hex') !== hexId) throw new C2spError(`the key ID of ${name} is not SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4]`);
  return { name, id, type, publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' }), text: vkey };
}

export interface OpenedNote {
  /** The signed text: up to and including the newline before the last blank line. */
  text: string;
  /** Names of the given keys whose signature verified, in the order of the keys. */
  verifiedBy: string[];
  /** cosignature/v1 timestamps by cosigner name. */
  timestamps: Map<string, bigint>;
}

/** Verifiers SHOULD limit the number of signatures and MUST accept at least 16 (signed-note "Format"). */
const MAX_SIGNATURES = 100;

/**
 * signed-note: splits the text from the signature lines at the last blank line, checks every line's form, and
 * verifies each line by a known key (name and key ID both match). A known key's signature that does not verify
 * rejects the whole note; lines by unknown keys are ignored.
 */
export function openNote(note: string, keys: readonly NoteKey[]): OpenedNote {
  // eslint-disable-next-line no-control-regex -- the spec forbids every ASCII control character but newline
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) throw new C2spError('a signed note may hold no control character but newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new C2spError('no blank line before the signatures, or no final newline');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  if (lines.length === 0 || lines.length > MAX_SIGNATURES) throw new C2spError('a signed note carries 1 to 100 signatures here');
  const verified = new Set<string>();
  const timestamps = new Map<string, bigint>();
  for (const line of lines) {
    const match = /^\u2014 (\S+) (\S+)$/u.exec(line);
    if (!match || !KEY_NAME.test(match[1])) throw new C2spError(`malformed signature line ${JSON.stringify(line)}`);
    const blob = strictBase64(match[2], 'signature');
    if (blob.length < 5) throw new C2spError('a signature is a 4-byte key ID and the signature bytes');
    const key = keys.find((k) => k.name === match[1] && k.id.equals(blob.subarray(0, 4)));
    if (!key) continue;
    let ok: boolean;
    if (key.type === 0x01) {
      ok = blob.length === 68 && ed25519Verify(null, Buffer.from(text, 'utf8'), key.publicKey, blob.subarray(4));
    } else {
      // tlog-cosignature: timestamped_signature = u64 big-endian timestamp ‖ Ed25519 signature over
      // "cosignature/v1\n" ‖ "time <timestamp>\n" ‖ the whole note body.
      const timestamp = blob.length === 76 ? blob.readBigUInt64BE(4) : -1n;
      ok =
        timestamp >= 0n &&
        timestamp <= 2n ** 63n - 1n &&
        ed25519Verify(null, Buffer.from(`cosignature/v1\ntime ${timestamp}\n${text}`, 'utf8'), key.publicKey, blob.subarray(12));
      if (ok) timestamps.set(key.name, timestamp);
    }
    if (!ok) throw new C2spError(`the signature by ${key.name} does not verify`);
    verified.add(key.text);
  }
  return { text, verifiedBy: keys.filter((k) => verified.has(k.text)).map((k) => k.name), timestamps };
}

export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
}

/** tlog-checkpoint: origin line, decimal tree size without leading zeros, base64 32-byte root hash, then optional extension lines. */
export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw new C2spError('a checkpoint body is at least three newline-terminated lines');
  const [origin, size, root, ...extensions] = lines.slice(0, -1);
  if (!origin) throw new C2spError('empty origin line');
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) throw new C2spError(`bad tree size ${JSON.stringify(size)}`);
  const rootHash = strictBase64(root, 'root hash');
  if (rootHash.length !== 32) throw new C2spError('the root hash is not 32 bytes');
  if (extensions.some((line) => line === '')) throw new C2spError('an extension line is empty');
  return { origin, treeSize: Number(size), rootHash };
}

export interface CosignedCheckpoint extends Checkpoint {
  cosigners: string[];
}

/**
 * What a regulator's client does with a served checkpoint: the log's own signature must verify (the note is
 * rejected otherwise), then at least `quorum` of the pinned witnesses' cosignature/v1 lines must.
 */
export function verifyCosignedCheckpoint(note: string, logKey: string, witnessKeys: readonly string[], quorum: number): CosignedCheckpoint {
  const log = parseNoteKey(logKey);
  if (log.type !== 0x01) throw new C2spError('the log key is not an Ed25519 note key');
  const witnesses = witnessKeys.map(parseNoteKey);
  if (witnesses.some((w) => w.type !== 0x04)) throw new C2spError('a witness key is not a cosignature/v1 key');
  const opened = openNote(note, [log, ...witnesses]);
  if (!opened.verifiedBy.includes(log.name)) throw new C2spError(`no signature by the log key ${log.name}`);
  const checkpoint = parseCheckpoint(opened.text);
  if (checkpoint.origin !== log.name) throw new C2spError(`origin ${checkpoint.origin} is not the log key's name ${log.name}`);
  const cosigners = opened.verifiedBy.filter((name) => witnesses.some((w) => w.name === name));
  if (cosigners.length < quorum) throw new C2spError(`${cosigners.length} valid cosignatures, fewer than the quorum ${quorum}`);
  return { ...checkpoint, cosigners };
}

// ---------------------------------------------------------------------------
// RFC 9162 §2.1

export const leafHashOf = (leaf: Buffer): Buffer => sha256(Buffer.from([0]), leaf);
const nodeHashOf = (left: Buffer, right: Buffer): Buffer => sha256(Buffer.from([1]), left, right);

/** MTH(D[n]) (§2.1.1): the largest power of two smaller than n splits the leaves. */
export function treeHash(leafHashes: readonly Buffer[]): Buffer {
  const n = leafHashes.length;
  if (n === 0) return sha256();
  if (n === 1) return leafHashes[0];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return nodeHashOf(treeHash(leafHashes.slice(0, k)), treeHash(leafHashes.slice(k)));
}

/** §2.1.4.2: verifies a consistency proof from the tree of `first` leaves to the tree of `second`. */
export function consistent(first: number, second: number, proof: readonly Buffer[], firstRoot: Buffer, secondRoot: Buffer): boolean {
  if (first > second) return false;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHashOf(c, fr);
      sr = nodeHashOf(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHashOf(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}
