import { createHash, KeyObject, sign, verify } from 'node:crypto';
import { NoteError, publicKeyFromRaw, rawPublicKey } from './checkpoint';

/**
 * C2SP tlog-cosignature, "cosignature/v1": a witness's Ed25519 signature on a checkpoint it has checked,
 * carried as one more signature line of the checkpoint's signed note (C2SP signed-note).
 *
 * - key ID: SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]; verifier key "<name>+<hex key ID>+<base64(0x04 ‖ public key)>";
 * - signed message: "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint body;
 * - signature line: "— <name> <base64(key ID ‖ timestamp as 8-byte big-endian ‖ 64-byte Ed25519 signature)>".
 */
export const COSIGNATURE_V1_TYPE = 0x04;

export interface CosignerKey {
  readonly name: string;
  readonly keyId: Buffer;
  readonly rawPublicKey: Buffer;
  readonly publicKey: KeyObject;
  /** The verifier key as given ("<name>+<id>+<base64>"). */
  readonly verifierKey: string;
}

export interface Cosignature {
  /** Seconds since the UNIX epoch at which the witness cosigned. */
  readonly timestamp: number;
  /** The whole signature line, newline included. */
  readonly line: string;
}

const EM_DASH_PREFIX = '\u2014 ';

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

export function cosignatureMessage(checkpointBody: string, timestamp: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${checkpointBody}`, 'utf8');
}

/** The cosignature line of `name`'s key on a checkpoint body, at `timestamp` (seconds). */
export function cosign(checkpointBody: string, name: string, privateKey: KeyObject, timestamp: number): string {
  assertKeyName(name);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new NoteError(`Cosignature timestamp ${timestamp} is not a non-negative integer`);
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(timestamp));
  const signature = sign(null, cosignatureMessage(checkpointBody, timestamp), privateKey);
  const blob = Buffer.concat([cosignerKeyId(name, privateKey), time, signature]).toString('base64');
  return `${EM_DASH_PREFIX}${name} ${blob}\n`;
}

/**
 * Finds `key`'s cosignature among signature lines (or a whole signed note's) on `checkpointBody`: the
 * verified cosignature, or null when no line is by that key. A line by that key that does not verify throws.
 */
export function findCosignature(lines: string, checkpointBody: string, key: CosignerKey): Cosignature | null {
  let found: Cosignature | null = null;
  for (const raw of lines.split('\n')) {
    if (!raw.startsWith(EM_DASH_PREFIX)) continue;
    const parts = raw.slice(EM_DASH_PREFIX.length).split(' ');
    if (parts.length !== 2 || parts[0] !== key.name) continue;
    const blob = Buffer.from(parts[1], 'base64');
    if (blob.length < 4 || !blob.subarray(0, 4).equals(key.keyId)) continue;
    if (blob.length !== 4 + 8 + 64) throw new NoteError(`Cosignature by ${key.name} has ${blob.length} bytes, not 76`);
    const timestamp = Number(blob.readBigUInt64BE(4));
    if (!Number.isSafeInteger(timestamp) || !verify(null, cosignatureMessage(checkpointBody, timestamp), key.publicKey, blob.subarray(12))) {
      throw new NoteError(`Cosignature by ${key.name} does not verify`);
    }
    found = { timestamp, line: `${raw}\n` };
  }
  return found;
}

function assertKeyName(name: string): void {
  if (name.length === 0 || /[\s+]/u.test(name)) throw new NoteError(`Key name "${name}" must be non-empty with no spaces or "+"`);
}
