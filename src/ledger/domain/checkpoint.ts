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
// The key formats (key IDs, verifier keys, LEDGER_SIGNING_KEY) are in src/common/note-keys.ts.
import { KeyObject, sign, verify } from 'node:crypto';
import { assertKeyName, keyId, NoteError, ParsedVerifierKey, parseVerifierKey, strictBase64 } from '../../common/note-keys';

export {
  ED25519_SIGNATURE_TYPE,
  keyId,
  loadSigningKey,
  NoteError,
  parseVerifierKey,
  privateKeyFromSeed,
  privateKeySeed,
  publicKeyFromRaw,
  rawPublicKey,
  verifierKey,
} from '../../common/note-keys';
export type { ParsedVerifierKey } from '../../common/note-keys';

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

const EM_DASH_PREFIX = '\u2014 ';

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

function assertLine(what: string, value: string): void {
  // eslint-disable-next-line no-control-regex -- deliberate: a checkpoint line may hold no control character
  if (/[\u0000-\u001f]/.test(value)) throw new NoteError(`Checkpoint ${what} must be a single line without control characters`);
}

function assertNoteText(text: string): void {
  if (!text.endsWith('\n')) throw new NoteError('Note text must end with a newline');
  // eslint-disable-next-line no-control-regex -- deliberate: note text may hold no control character but LF
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) throw new NoteError('Note text contains control characters');
}
