// Ledger verification in the browser with WebCrypto, independent of the server's code.
//
// - C2SP signed-note (https://c2sp.org/signed-note): note = text, blank line,
//   signature lines "— <name> <base64(4-byte key ID ‖ signature)>"; Ed25519
//   (type 0x01) signs the text including its final newline;
//   key ID = SHA-256(name ‖ 0x0A ‖ type ‖ 32-byte public key)[:4];
//   verifier key = "<name>+<hex key ID>+<base64(type ‖ public key)>".
// - C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature), cosignature/v1 (type 0x04): a witness's
//   signature line carries key ID ‖ 8-byte big-endian time ‖ Ed25519 signature over
//   "cosignature/v1\ntime <time>\n" ‖ checkpoint text.
// - C2SP tlog-checkpoint: text = origin, decimal tree size, base64 root hash, extensions.
// - RFC 9162 §2.1.1: leaf hash = SHA-256(0x00 ‖ leaf), node hash = SHA-256(0x01 ‖ left ‖ right);
//   §2.1.3.2: verifying an inclusion proof; §2.1.4.2: verifying a consistency proof.
// Sources in docs/architecture.md#trust-model. Each function returns the list of checks it made so the page can show them.

const encoder = new TextEncoder();

export function base64ToBytes(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new Error(`not base64: ${String(text).slice(0, 40)}`);
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function bytesToBase64(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

export const leafHash = (leaf) => sha256(concat(new Uint8Array([0x00]), leaf));
export const nodeHash = (left, right) => sha256(concat(new Uint8Array([0x01]), left, right));

/** Signature types of C2SP signed-note keys: a log's Ed25519 key, a witness's cosignature/v1 key. */
export const KEY_TYPE = { log: 0x01, witness: 0x04 };

export async function noteKeyId(name, rawPublicKey, type = KEY_TYPE.log) {
  return (await sha256(concat(encoder.encode(name), new Uint8Array([0x0a, type]), rawPublicKey))).slice(0, 4);
}

/**
 * Parses a verifier key "<name>+<hex key ID>+<base64(type ‖ key)>" of the given type and checks its key ID.
 * Returns { name, keyId, keyIdHex, rawKey, text }; throws an Error whose `rule` names what is wrong.
 */
export async function parseVerifierKey(text, type) {
  const trimmed = String(text ?? '').trim();
  const fail = (rule, message) => Object.assign(new Error(message), { rule });
  // The base64 part may itself hold '+': the name and the ID end at the first two.
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+={0,2})$/.exec(trimmed);
  if (!match) throw fail('format', 'a verifier key looks like <name>+<8 hex digits>+<base64 key>');
  const [, name, keyIdHex, encoded] = match;
  let material;
  try {
    material = base64ToBytes(encoded);
  } catch {
    throw fail('format', 'the key part is not base64');
  }
  if (material.length !== 33) throw fail('keyLength', `the key part has ${material.length} bytes, not 33`);
  if (material[0] !== type) throw fail('keyType', `the key type is 0x${material[0].toString(16).padStart(2, '0')}, not 0x0${type}`);
  const rawKey = material.slice(1);
  const keyId = await noteKeyId(name, rawKey, type);
  if (hex(keyId) !== keyIdHex) throw fail('keyId', `the key ID ${keyIdHex} is not ${hex(keyId)}, the hash of the name and key`);
  return { name, keyId, keyIdHex, rawKey, text: trimmed };
}

async function ed25519Verify(rawKey, signature, message) {
  const publicKey = await crypto.subtle.importKey('raw', rawKey, { name: 'Ed25519' }, false, ['verify']);
  return signature.length === 64 && crypto.subtle.verify({ name: 'Ed25519' }, publicKey, signature, message);
}

/** Split a signed note without trusting it. Throws on a malformed note. */
export function parseNote(note) {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('the note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (!block.endsWith('\n')) throw new Error('the signature block does not end with a newline');
  const signatures = block
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      const match = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (!match) throw new Error(`not a signature line: ${line.slice(0, 60)}`);
      const blob = base64ToBytes(match[2]);
      if (blob.length < 5) throw new Error('signature too short');
      return { name: match[1], keyId: blob.slice(0, 4), signature: blob.slice(4) };
    });
  return { text, signatures };
}

export function parseCheckpoint(text) {
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new Error('a checkpoint needs origin, tree size and root hash lines');
  const [origin, size, root] = lines;
  if (!origin) throw new Error('empty origin');
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) throw new Error(`bad tree size "${size}"`);
  const rootHash = base64ToBytes(root);
  if (rootHash.length !== 32) throw new Error(`root hash has ${rootHash.length} bytes, not 32`);
  return { origin, treeSize: Number(size), rootHash, extensions: lines.slice(3) };
}

/**
 * Verify a signed checkpoint with the log's verifier key held by this browser (pinned or pasted), never a key
 * the same answer supplies. Returns { ok, checks: [{ id, params, ok, detail? }], checkpoint?, opened?, name?, reason? }.
 */
export async function verifyCheckpoint(note, logVerifierKey) {
  const checks = [];
  const record = (id, ok, params = {}, detail) => {
    checks.push({ id, ok, params, detail });
    return ok;
  };
  const fail = (reason, extra = {}) => ({ ok: false, checks, reason, ...extra });

  let opened;
  try {
    opened = parseNote(note);
    record('check.noteParsed', true);
  } catch (error) {
    record('check.noteParsed', false, {}, error.message);
    return fail(error.message);
  }
  let checkpoint;
  try {
    checkpoint = parseCheckpoint(opened.text);
    record('check.checkpointParsed', true);
  } catch (error) {
    record('check.checkpointParsed', false, {}, error.message);
    return fail(error.message, { opened });
  }
  let key;
  try {
    key = await parseVerifierKey(logVerifierKey, KEY_TYPE.log);
    record('check.verifierKey', true, { keyId: key.keyIdHex });
  } catch (error) {
    record('check.verifierKey', false, { keyId: '—' }, error.message);
    return fail(error.message, { opened, checkpoint });
  }
  const { name } = key;
  // In this registry the log's key is named after its origin (LEDGER_ORIGIN), as C2SP tlog-checkpoint advises.
  if (!record('check.origin', checkpoint.origin === name, { name }, checkpoint.origin === name ? undefined : checkpoint.origin)) {
    return fail(`the checkpoint origin "${checkpoint.origin}" is not "${name}"`, { opened, checkpoint });
  }
  const signature = opened.signatures.find((s) => s.name === name && equalBytes(s.keyId, key.keyId));
  if (!record('check.signatureLine', Boolean(signature), { name, keyId: key.keyIdHex })) {
    return fail(`no signature by ${name} with key ID ${key.keyIdHex}`, { opened, checkpoint });
  }
  const textBytes = encoder.encode(opened.text);
  let valid = false;
  let detail;
  try {
    valid = await ed25519Verify(key.rawKey, signature.signature, textBytes);
  } catch (error) {
    detail = error.message;
  }
  if (!record('check.signature', valid, { bytes: textBytes.length }, detail)) {
    return fail('the Ed25519 signature does not verify', { opened, checkpoint });
  }
  return { ok: true, checks, checkpoint, opened, name, keyIdHex: key.keyIdHex };
}

/**
 * C2SP tlog-cosignature: checks, for each witness verifier key held by this browser, the cosignature/v1 line
 * by that key on the checkpoint text. Returns [{ name, keyIdHex, ok, time?, reason? }], one per key, in order;
 * a key that does not parse, a missing line, a malformed line and a bad signature are each `ok: false`.
 */
export async function verifyCosignatures(opened, witnessVerifierKeys) {
  const message = (time) => encoder.encode(`cosignature/v1\ntime ${time}\n${opened.text}`);
  const results = [];
  for (const text of witnessVerifierKeys) {
    let key;
    try {
      key = await parseVerifierKey(text, KEY_TYPE.witness);
    } catch (error) {
      results.push({ name: String(text).split('+')[0], keyIdHex: '—', ok: false, reason: 'key-unreadable', detail: error.message });
      continue;
    }
    const lines = opened.signatures.filter((s) => s.name === key.name && equalBytes(s.keyId, key.keyId));
    if (lines.length === 0) {
      results.push({ name: key.name, keyIdHex: key.keyIdHex, ok: false, reason: 'missing' });
      continue;
    }
    let outcome = { name: key.name, keyIdHex: key.keyIdHex, ok: false, reason: 'bad-signature' };
    for (const line of lines) {
      // The blob after the key ID: 8-byte big-endian time, then the 64-byte Ed25519 signature.
      if (line.signature.length !== 8 + 64) {
        outcome = { ...outcome, reason: 'malformed' };
        continue;
      }
      const time = new DataView(line.signature.buffer, line.signature.byteOffset, 8).getBigUint64(0);
      let valid;
      try {
        valid = await ed25519Verify(key.rawKey, line.signature.slice(8), message(time));
      } catch {
        valid = false;
      }
      if (valid) {
        outcome = { name: key.name, keyIdHex: key.keyIdHex, ok: true, time: Number(time) };
        break;
      }
    }
    results.push(outcome);
  }
  return results;
}

/**
 * RFC 9162 §2.1.4.2: true when `hashes` (base64) prove that the tree of `first` leaves with root `firstRoot`
 * is a prefix of the tree of `second` leaves with root `secondRoot`. Returns { ok, reason? }.
 */
export async function verifyConsistency({ first, second, firstRoot, secondRoot, hashes }) {
  const fail = (reason) => ({ ok: false, reason });
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0) return fail('bad tree sizes');
  if (second < first) return fail(`the tree shrank from ${first} to ${second}`);
  let proof;
  try {
    proof = hashes.map(base64ToBytes);
  } catch (error) {
    return fail(error.message);
  }
  if (proof.some((p) => p.length !== 32)) return fail('a proof hash is not 32 bytes');
  if (first === second) return proof.length === 0 && equalBytes(firstRoot, secondRoot) ? { ok: true } : fail('another root at the same size');
  // RFC 9162 §2.1.1: the empty tree's root is SHA-256 of nothing, and it is a prefix of every tree.
  if (first === 0) {
    if (!equalBytes(firstRoot, await sha256(new Uint8Array(0)))) return fail('the remembered empty tree has a root other than SHA-256 of nothing');
    return proof.length === 0 ? { ok: true } : fail('a proof from the empty tree must be empty');
  }
  // 1. If consistency_path is an empty array, stop and fail the proof verification.
  if (proof.length === 0) return fail('the proof is empty');
  // 2. If first is an exact power of 2, then prepend first_hash to the consistency_path array.
  const path = (BigInt(first) & (BigInt(first) - 1n)) === 0n ? [firstRoot, ...proof] : proof;
  // 3. Set fn to first - 1 and sn to second - 1.
  let fn = BigInt(first) - 1n;
  let sn = BigInt(second) - 1n;
  // 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set.
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  // 5. Set both fr and sr to the first value in the consistency_path array.
  let fr = path[0];
  let sr = path[0];
  // 6. For each subsequent value c in the consistency_path array:
  for (const c of path.slice(1)) {
    // a. If sn is 0, then stop the iteration and fail the proof verification.
    if (sn === 0n) return fail('the proof is too long');
    // b. If LSB(fn) is set, or if fn is equal to sn, then:
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      // If LSB(fn) is not set, then right-shift both fn and sn equally until either LSB(fn) is set or fn is 0.
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      // Otherwise: set sr to HASH(0x01 || sr || c).
      sr = await nodeHash(sr, c);
    }
    // c. Finally, right-shift both fn and sn one time.
    fn >>= 1n;
    sn >>= 1n;
  }
  // 7. Verify that fr equals first_hash, sr equals second_hash, and sn is 0.
  if (sn !== 0n) return fail('the proof is too short');
  if (!equalBytes(fr, firstRoot)) return fail('the proof does not lead to the remembered root');
  if (!equalBytes(sr, secondRoot)) return fail('the proof does not lead to the current root');
  return { ok: true };
}

/**
 * RFC 9162 §2.1.3.2: verify that `leaf` (its exact bytes) is at `leafIndex` in the
 * tree of `treeSize` leaves whose root is `rootHash`, given the proof `hashes` (base64).
 * Returns { ok, checks, steps: [{ sibling, side, result }], reason? }.
 */
export async function verifyInclusion({ leafIndex, treeSize, leaf, hashes, rootHash }) {
  const checks = [];
  const steps = [];
  const record = (id, ok, params = {}, detail) => {
    checks.push({ id, ok, params, detail });
    return ok;
  };
  const fail = (reason) => ({ ok: false, checks, steps, reason });

  if (!record('check.leafIndex', Number.isSafeInteger(leafIndex) && leafIndex >= 0 && leafIndex < treeSize, { leaf: leafIndex, size: treeSize })) {
    return fail(`leaf ${leafIndex} is not in a tree of ${treeSize}`);
  }
  record('check.leafBytes', true, { bytes: leaf.length });
  let r = await leafHash(leaf);
  record('check.leafHash', true, { hash: hex(r) });
  const path = hashes.map(base64ToBytes);
  record(
    'check.proofLength',
    path.every((p) => p.length === 32),
    { count: path.length, size: treeSize },
  );

  let fn = leafIndex;
  let sn = treeSize - 1;
  for (const p of path) {
    if (sn === 0) {
      record('check.pathConsumed', false, {}, 'the proof has more hashes than the path to the root');
      return fail('the proof is too long');
    }
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      steps.push({ sibling: hex(p), side: 'left', result: hex(r) });
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
      steps.push({ sibling: hex(p), side: 'right', result: hex(r) });
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (!record('check.pathConsumed', sn === 0, {}, sn === 0 ? undefined : 'the proof is too short')) return fail('the proof is too short');
  const ok = equalBytes(r, rootHash);
  record('check.rootMatches', ok, { computed: hex(r) }, ok ? undefined : `checkpoint root ${hex(rootHash)}`);
  return ok ? { ok, checks, steps } : fail('the computed root differs from the checkpoint root');
}
