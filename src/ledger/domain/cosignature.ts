import { KeyObject, sign, verify } from 'node:crypto';
import { assertKeyName, CosignerKey, cosignerKeyId, NoteError } from '../../common/note-keys';

export { COSIGNATURE_V1_TYPE, cosignerKeyId, cosignerVerifierKey, parseCosignerVerifierKey } from '../../common/note-keys';
export type { CosignerKey } from '../../common/note-keys';

/**
 * C2SP tlog-cosignature, "cosignature/v1": a witness's Ed25519 signature on a checkpoint it has checked,
 * carried as one more signature line of the checkpoint's signed note (C2SP signed-note).
 *
 * - key ID: SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]; verifier key "<name>+<hex key ID>+<base64(0x04 ‖ public key)>";
 * - signed message: "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint body;
 * - signature line: "— <name> <base64(key ID ‖ timestamp as 8-byte big-endian ‖ 64-byte Ed25519 signature)>".
 */

export interface Cosignature {
  /** Seconds since the UNIX epoch at which the witness cosigned. */
  readonly timestamp: number;
  /** The whole signature line, newline included. */
  readonly line: string;
}

const EM_DASH_PREFIX = '\u2014 ';

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
