// Ledger verification in the browser with WebCrypto, independent of the server's code.
//
// - C2SP signed-note (https://c2sp.org/signed-note): note = text, blank line,
//   signature lines "— <name> <base64(4-byte key ID ‖ signature)>"; Ed25519
//   (type 0x01) signs the text including its final newline;
//   key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key)[:4].
// - C2SP tlog-checkpoint: text = origin, decimal tree size, base64 root hash, extensions.
// - RFC 9162 §2.1.1: leaf hash = SHA-256(0x00 ‖ leaf), node hash = SHA-256(0x01 ‖ left ‖ right);
//   §2.1.3.2: verifying an inclusion proof.
// Each function returns the list of checks it made so the page can show them.

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

export async function noteKeyId(name, rawPublicKey) {
  return (await sha256(concat(encoder.encode(name), new Uint8Array([0x0a, 0x01]), rawPublicKey))).slice(0, 4);
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
 * Verify a signed checkpoint against the published key.
 * key: { origin, publicKey: base64 raw 32 bytes, verifierKey?: "<name>+<hex id>+<base64(0x01‖key)>" }
 * Returns { ok, checks: [{ id, params, ok, detail? }], checkpoint?, name? }.
 */
export async function verifyCheckpoint(note, key) {
  const checks = [];
  const record = (id, ok, params = {}, detail) => {
    checks.push({ id, ok, params, detail });
    return ok;
  };
  const fail = (reason) => ({ ok: false, checks, reason });

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
    return fail(error.message);
  }

  let rawKey;
  try {
    rawKey = base64ToBytes(key.publicKey);
    if (rawKey.length !== 32) throw new Error(`the public key has ${rawKey.length} bytes, not 32`);
  } catch (error) {
    record('check.verifierKey', false, { keyId: '—' }, error.message);
    return fail(error.message);
  }
  // The key's name: from the verifier key when published, else the log origin.
  const name = key.verifierKey ? key.verifierKey.split('+')[0] : key.origin;
  const keyId = await noteKeyId(name, rawKey);
  if (key.verifierKey) {
    const [, idHex, material] = /^[^+]+\+([0-9a-f]{8})\+(.+)$/.exec(key.verifierKey) ?? [];
    let sameKey;
    try {
      const decoded = base64ToBytes(material ?? '');
      sameKey = decoded.length === 33 && decoded[0] === 0x01 && equalBytes(decoded.slice(1), rawKey);
    } catch {
      sameKey = false;
    }
    if (!record('check.verifierKey', idHex === hex(keyId) && sameKey, { keyId: hex(keyId) }, idHex === hex(keyId) ? undefined : `published ${idHex}`)) {
      return fail('the verifier key does not match the public key');
    }
  } else {
    record('check.verifierKey', true, { keyId: hex(keyId) });
  }
  const origin = key.origin ?? name;
  if (!record('check.origin', checkpoint.origin === origin, { name: origin }, checkpoint.origin === origin ? undefined : checkpoint.origin)) {
    return fail(`the checkpoint origin "${checkpoint.origin}" is not "${origin}"`);
  }
  const signature = opened.signatures.find((s) => s.name === name && equalBytes(s.keyId, keyId));
  if (!record('check.signatureLine', Boolean(signature), { name, keyId: hex(keyId) })) {
    return fail(`no signature by ${name} with key ID ${hex(keyId)}`);
  }
  const textBytes = encoder.encode(opened.text);
  let valid = false;
  let detail;
  try {
    const publicKey = await crypto.subtle.importKey('raw', rawKey, { name: 'Ed25519' }, false, ['verify']);
    valid = signature.signature.length === 64 && (await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, signature.signature, textBytes));
  } catch (error) {
    detail = error.message;
  }
  if (!record('check.signature', valid, { bytes: textBytes.length }, detail)) return fail('the Ed25519 signature does not verify');
  return { ok: true, checks, checkpoint, name };
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
