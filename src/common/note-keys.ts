// Ed25519 key formats of C2SP signed notes (https://c2sp.org/signed-note) and of C2SP tlog-cosignature
// (https://c2sp.org/tlog-cosignature, "cosignature/v1"): key names, key IDs, verifier keys and the accepted
// forms of LEDGER_SIGNING_KEY. Pure, with no dependency on the registry's modules, so the configuration (which
// checks LEDGER_SIGNING_KEY and LEDGER_WITNESSES at boot), the ledger, the witness and the verifier share one
// parser (docs/architecture.md#modules).
//
//   key ID = SHA-256(key name ‖ 0x0A ‖ signature type ‖ 32-byte public key)[:4]
//   verifier key = "<name>+<8 hex digits of key ID>+<base64(signature type ‖ public key)>"
// with signature type 0x01 for Ed25519 note signatures (as golang.org/x/mod/sumdb/note) and 0x04 for
// cosignature/v1.
//
// LEDGER_SIGNING_KEY (see loadSigningKey) accepts, in order of preference:
//   1. base64 of the 32-byte Ed25519 private key seed (RFC 8032 §5.1.5);
//   2. base64 of a PKCS #8 DER Ed25519 private key
//      (`openssl genpkey -algorithm ed25519 -outform DER | base64 -w0`);
//   3. a Go note signer key "PRIVATE+KEY+<name>+<key ID>+<base64(0x01 ‖ seed)>".
import { createHash, createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';

export const ED25519_SIGNATURE_TYPE = 0x01;

export interface ParsedVerifierKey {
  readonly name: string;
  readonly keyId: Buffer;
  readonly rawPublicKey: Buffer;
  readonly publicKey: KeyObject;
}

/** A note, checkpoint or key that is malformed or does not verify. */
export class NoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoteError';
  }
}

// DER prefixes of RFC 8410 Ed25519 keys, followed by the 32 raw bytes.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The 32-byte RFC 8032 public key of an Ed25519 KeyObject (public or private). */
export function rawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new NoteError(`Key is ${publicKey.asymmetricKeyType}, not Ed25519`);
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

export function publicKeyFromRaw(raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new NoteError(`Ed25519 public key has ${raw.length} bytes, not 32`);
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function privateKeyFromSeed(seed: Buffer): KeyObject {
  if (seed.length !== 32) throw new NoteError(`Ed25519 seed has ${seed.length} bytes, not 32`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** The 32-byte seed of an Ed25519 private key (to print a new LEDGER_SIGNING_KEY). */
export function privateKeySeed(privateKey: KeyObject): Buffer {
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return Buffer.from(der.subarray(der.length - 32));
}

/** signed-note key ID: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]. */
export function keyId(name: string, publicKey: Buffer | KeyObject): Buffer {
  const raw = Buffer.isBuffer(publicKey) ? publicKey : rawPublicKey(publicKey);
  return createHash('sha256')
    .update(Buffer.from(name, 'utf8'))
    .update(Buffer.from([0x0a, ED25519_SIGNATURE_TYPE]))
    .update(raw)
    .digest()
    .subarray(0, 4);
}

/** "<name>+<hex key ID>+<base64(0x01 ‖ public key)>". */
export function verifierKey(name: string, publicKey: Buffer | KeyObject): string {
  assertKeyName(name);
  const raw = Buffer.isBuffer(publicKey) ? publicKey : rawPublicKey(publicKey);
  if (raw.length !== 32) throw new NoteError(`Ed25519 public key has ${raw.length} bytes, not 32`);
  return `${name}+${keyId(name, raw).toString('hex')}+${Buffer.concat([Buffer.from([ED25519_SIGNATURE_TYPE]), raw]).toString('base64')}`;
}

export function parseVerifierKey(vkey: string): ParsedVerifierKey {
  // The name has no '+', the key ID is hex; the base64 part may contain '+'.
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(vkey.trim());
  if (!match) throw new NoteError('Verifier key must look like <name>+<8 hex digits>+<base64 key>');
  const [, name, hexId, encoded] = match;
  assertKeyName(name);
  const material = strictBase64(encoded, 'verifier key');
  if (material.length !== 33 || material[0] !== ED25519_SIGNATURE_TYPE) {
    throw new NoteError('Verifier key is not an Ed25519 (type 0x01) key');
  }
  const rawKey = material.subarray(1);
  const id = Buffer.from(hexId, 'hex');
  if (!keyId(name, rawKey).equals(id)) throw new NoteError('Verifier key ID does not match its name and public key');
  return { name, keyId: id, rawPublicKey: Buffer.from(rawKey), publicKey: publicKeyFromRaw(rawKey) };
}

/** Load the ledger's Ed25519 signing key from the LEDGER_SIGNING_KEY formats above. */
export function loadSigningKey(value: string): KeyObject {
  const trimmed = value.trim();
  if (trimmed.startsWith('PRIVATE+KEY+')) {
    const parts = trimmed.split('+');
    // PRIVATE, KEY, name, key ID, then base64 that may itself contain '+'.
    const encoded = parts.slice(4).join('+');
    const material = strictBase64(encoded, 'signer key');
    if (parts.length < 5 || material.length !== 33 || material[0] !== ED25519_SIGNATURE_TYPE) {
      throw new NoteError('Signer key is not a PRIVATE+KEY+<name>+<id>+<base64(0x01 ‖ seed)> Ed25519 key');
    }
    const privateKey = privateKeyFromSeed(material.subarray(1));
    if (!keyId(parts[2], privateKey).equals(Buffer.from(parts[3], 'hex'))) {
      throw new NoteError('Signer key ID does not match its name and key');
    }
    return privateKey;
  }
  const bytes = strictBase64(trimmed, 'signing key');
  if (bytes.length === 32) return privateKeyFromSeed(bytes);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' });
  } catch {
    throw new NoteError('Signing key is neither a base64 32-byte Ed25519 seed nor base64 PKCS #8 DER');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new NoteError(`Signing key is ${key.asymmetricKeyType}, not Ed25519`);
  return key;
}

export function assertKeyName(name: string): void {
  if (name.length === 0 || /[\s+]/u.test(name)) throw new NoteError(`Key name "${name}" must be non-empty with no spaces or "+"`);
}

export function strictBase64(value: string, what: string): Buffer {
  const bytes = Buffer.from(value, 'base64');
  // Buffer.from ignores bad characters; insist on canonical RFC 4648 §4 text.
  if (value.length === 0 || bytes.toString('base64') !== value) throw new NoteError(`The ${what} is not valid base64`);
  return bytes;
}

// cosignature/v1 keys

export const COSIGNATURE_V1_TYPE = 0x04;

export interface CosignerKey {
  readonly name: string;
  readonly keyId: Buffer;
  readonly rawPublicKey: Buffer;
  readonly publicKey: KeyObject;
  /** The verifier key as given ("<name>+<id>+<base64>"). */
  readonly verifierKey: string;
}

export function cosignerKeyId(name: string, publicKey: Buffer | KeyObject): Buffer {
  const raw = Buffer.isBuffer(publicKey) ? publicKey : rawPublicKey(publicKey);
  return createHash('sha256')
    .update(Buffer.from(name, 'utf8'))
    .update(Buffer.from([0x0a, COSIGNATURE_V1_TYPE]))
    .update(raw)
    .digest()
    .subarray(0, 4);
}

export function cosignerVerifierKey(name: string, publicKey: Buffer | KeyObject): string {
  assertKeyName(name);
  const raw = Buffer.isBuffer(publicKey) ? publicKey : rawPublicKey(publicKey);
  if (raw.length !== 32) throw new NoteError(`Ed25519 public key has ${raw.length} bytes, not 32`);
  return `${name}+${cosignerKeyId(name, raw).toString('hex')}+${Buffer.concat([Buffer.from([COSIGNATURE_V1_TYPE]), raw]).toString('base64')}`;
}

export function parseCosignerVerifierKey(vkey: string): CosignerKey {
  const trimmed = vkey.trim();
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(trimmed);
  if (!match) throw new NoteError('Cosigner verifier key must look like <name>+<8 hex digits>+<base64 key>');
  const [, name, hexId, encoded] = match;
  assertKeyName(name);
  const material = Buffer.from(encoded, 'base64');
  if (material.toString('base64') !== encoded || material.length !== 33 || material[0] !== COSIGNATURE_V1_TYPE) {
    throw new NoteError('Cosigner verifier key is not a cosignature/v1 (type 0x04) Ed25519 key');
  }
  const raw = Buffer.from(material.subarray(1));
  const id = Buffer.from(hexId, 'hex');
  if (!cosignerKeyId(name, raw).equals(id)) throw new NoteError('Cosigner verifier key ID does not match its name and public key');
  return { name, keyId: id, rawPublicKey: raw, publicKey: publicKeyFromRaw(raw), verifierKey: trimmed };
}
