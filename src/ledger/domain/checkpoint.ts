// Signed checkpoints of the ledger (docs/architecture.md#the-transfer-log).
//
// C2SP tlog-checkpoint, https://c2sp.org/tlog-checkpoint: the note text is
//   <origin>\n<decimal tree size>\n<base64 root hash>\n[<extension line>\n]*
// C2SP signed-note, https://c2sp.org/signed-note: the text, a blank line, then
// one or more lines "— <key name> <base64(4-byte key ID ‖ signature)>\n"
// (U+2014 EM DASH, space). Ed25519 (signature type 0x01, RFC 8032) signs the
// note text including its final newline, and
//   key ID = SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key)[:4]
// A verifier key is "<name>+<8 hex digits of key ID>+<base64(0x01 ‖ public key)>"
// as in golang.org/x/mod/sumdb/note, so standard tooling (e.g. the Go note
// package, transparency-dev/formats/log) can verify our checkpoints.
//
// LEDGER_SIGNING_KEY (see loadSigningKey) accepts, in order of preference:
//   1. base64 of the 32-byte Ed25519 private key seed (RFC 8032 §5.1.5);
//   2. base64 of a PKCS #8 DER Ed25519 private key
//      (`openssl genpkey -algorithm ed25519 -outform DER | base64 -w0`);
//   3. a Go note signer key "PRIVATE+KEY+<name>+<key ID>+<base64(0x01 ‖ seed)>".
import { createHash, createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';

export const ED25519_SIGNATURE_TYPE = 0x01;

/** A tlog-checkpoint. treeSize is bounded by 2^53 − 1 here (the spec allows uint64). */
export interface Checkpoint {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Buffer;
  /** Optional extension lines after the root hash (tlog-checkpoint "Extension lines"). */
  readonly extensions?: readonly string[];
}

export interface NoteSigner {
  /** The key name, e.g. the log origin "ledger.example.org/gba-transfers". */
  readonly name: string;
  readonly privateKey: KeyObject;
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: Buffer;
  readonly signature: Buffer;
}

export interface OpenedNote {
  readonly text: string;
  readonly signatures: NoteSignature[];
}

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

const EM_DASH_PREFIX = '\u2014 ';
// DER prefixes of RFC 8410 Ed25519 keys, followed by the 32 raw bytes.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

// ---------------------------------------------------------------------------
// Checkpoint body

export function checkpointBody(checkpoint: Checkpoint): string {
  const { origin, treeSize, rootHash, extensions = [] } = checkpoint;
  assertLine('origin', origin);
  if (origin.length === 0) throw new NoteError('Checkpoint origin must not be empty');
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw new NoteError(`Checkpoint tree size ${treeSize} is not a non-negative integer`);
  if (rootHash.length !== 32) throw new NoteError(`Checkpoint root hash has ${rootHash.length} bytes, not 32`);
  for (const line of extensions) {
    assertLine('extension line', line);
    if (line.length === 0) throw new NoteError('Checkpoint extension lines must not be empty');
  }
  return [origin, String(treeSize), rootHash.toString('base64'), ...extensions].map((line) => `${line}\n`).join('');
}

export function parseCheckpointBody(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new NoteError('Checkpoint must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new NoteError('Checkpoint needs origin, tree size and root hash lines');
  const [origin, size, root, ...extensions] = lines;
  if (origin.length === 0) throw new NoteError('Checkpoint origin is empty');
  if (!/^(0|[1-9][0-9]*)$/.test(size)) throw new NoteError(`Checkpoint tree size "${size}" is not a decimal number`);
  const treeSize = Number(size);
  if (!Number.isSafeInteger(treeSize)) throw new NoteError(`Checkpoint tree size ${size} is too large`);
  const rootHash = strictBase64(root, 'root hash');
  if (rootHash.length !== 32) throw new NoteError(`Checkpoint root hash has ${rootHash.length} bytes, not 32`);
  if (extensions.some((line) => line.length === 0)) throw new NoteError('Checkpoint has an empty extension line');
  return { origin, treeSize, rootHash, extensions };
}

// ---------------------------------------------------------------------------
// Keys

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

// ---------------------------------------------------------------------------
// Notes

export function signNote(text: string, signer: NoteSigner): string {
  assertNoteText(text);
  assertKeyName(signer.name);
  const signature = sign(null, Buffer.from(text, 'utf8'), signer.privateKey);
  const blob = Buffer.concat([keyId(signer.name, signer.privateKey), signature]).toString('base64');
  return `${text}\n${EM_DASH_PREFIX}${signer.name} ${blob}\n`;
}

export function signCheckpoint(checkpoint: Checkpoint, signer: NoteSigner): string {
  return signNote(checkpointBody(checkpoint), signer);
}

/** Split a signed note into its text and signature lines, without verifying. */
export function parseNote(note: string): OpenedNote {
  // eslint-disable-next-line no-control-regex -- deliberate: a note may hold no control character but LF
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) throw new NoteError('Note contains control characters');
  if (note.includes('\uFFFD')) throw new NoteError('Note is not valid UTF-8');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('Note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (!block.endsWith('\n')) throw new NoteError('Note signatures must end with a newline');
  const signatures = block
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      if (!line.startsWith(EM_DASH_PREFIX)) throw new NoteError('Signature line does not start with "— "');
      const rest = line.slice(EM_DASH_PREFIX.length).split(' ');
      if (rest.length !== 2) throw new NoteError('Signature line must be "— <name> <base64>"');
      const [name, encoded] = rest;
      assertKeyName(name);
      const blob = strictBase64(encoded, 'signature');
      if (blob.length < 5) throw new NoteError('Signature is too short');
      return { name, keyId: blob.subarray(0, 4), signature: blob.subarray(4) };
    });
  if (signatures.length === 0) throw new NoteError('Note has no signatures');
  if (signatures.length > 100) throw new NoteError('Note has too many signatures');
  return { text, signatures };
}

/**
 * Verify a signed note with one trusted verifier key. Signatures by other keys
 * are ignored; a signature by this key that fails rejects the note
 * (signed-note "Signatures"). Returns the verified text.
 */
export function openNote(note: string, vkey: string | ParsedVerifierKey): OpenedNote {
  const key = typeof vkey === 'string' ? parseVerifierKey(vkey) : vkey;
  const opened = parseNote(note);
  let verified = false;
  for (const signature of opened.signatures) {
    if (signature.name !== key.name || !signature.keyId.equals(key.keyId)) continue;
    if (signature.signature.length !== 64 || !verify(null, Buffer.from(opened.text, 'utf8'), key.publicKey, signature.signature)) {
      throw new NoteError(`Signature by ${key.name} does not verify`);
    }
    verified = true;
  }
  if (!verified) throw new NoteError(`Note is not signed by ${key.name}+${key.keyId.toString('hex')}`);
  return opened;
}

/** Verify a signed checkpoint and parse it; optionally require a given origin. */
export function openCheckpoint(note: string, vkey: string | ParsedVerifierKey, expectedOrigin?: string): Checkpoint {
  const checkpoint = parseCheckpointBody(openNote(note, vkey).text);
  if (expectedOrigin !== undefined && checkpoint.origin !== expectedOrigin) {
    throw new NoteError(`Checkpoint origin "${checkpoint.origin}" is not "${expectedOrigin}"`);
  }
  return checkpoint;
}

// ---------------------------------------------------------------------------

function assertKeyName(name: string): void {
  if (name.length === 0 || /[\s+]/u.test(name)) throw new NoteError(`Key name "${name}" must be non-empty with no spaces or "+"`);
}

function assertLine(what: string, value: string): void {
  // eslint-disable-next-line no-control-regex -- deliberate: a checkpoint line may hold no control character
  if (/[\u0000-\u001f]/.test(value)) throw new NoteError(`Checkpoint ${what} must be a single line without control characters`);
}

function assertNoteText(text: string): void {
  if (!text.endsWith('\n')) throw new NoteError('Note text must end with a newline');
  // eslint-disable-next-line no-control-regex -- deliberate: note text may hold no control character but LF
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) throw new NoteError('Note text contains control characters');
}

function strictBase64(value: string, what: string): Buffer {
  const bytes = Buffer.from(value, 'base64');
  // Buffer.from ignores bad characters; insist on canonical RFC 4648 §4 text.
  if (value.length === 0 || bytes.toString('base64') !== value) throw new NoteError(`The ${what} is not valid base64`);
  return bytes;
}
