// Known-answer vector: golang.org/x/mod/sumdb/note (note.go package doc and
// note_test.go), the PeterNeumann key. Ed25519 is deterministic (RFC 8032), so
// signing the same text with the same key must reproduce the Go note exactly.
import { createHash, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import {
  NoteError,
  checkpointBody,
  keyId,
  loadSigningKey,
  openCheckpoint,
  openNote,
  parseCheckpointBody,
  parseVerifierKey,
  privateKeySeed,
  rawPublicKey,
  signCheckpoint,
  signNote,
  verifierKey,
} from './checkpoint';

const GO_SIGNER_KEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VERIFIER_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = GO_TEXT + '\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';

const ORIGIN = 'ledger.example.org/gba-transfers';
const ROOT = Buffer.from('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328', 'hex');

function newSigner(name = ORIGIN) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { signer: { name, privateKey }, publicKey, vkey: verifierKey(name, publicKey) };
}

describe('checkpoint body (C2SP tlog-checkpoint)', () => {
  it('is origin, decimal size and base64 root, each ending in a newline', () => {
    expect(checkpointBody({ origin: ORIGIN, treeSize: 8, rootHash: ROOT })).toBe(`${ORIGIN}\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n`);
    expect(checkpointBody({ origin: ORIGIN, treeSize: 0, rootHash: ROOT, extensions: ['Timestamp: 1'] })).toMatch(/\n0\n.*\nTimestamp: 1\n$/);
  });

  it('parses what it writes', () => {
    const body = checkpointBody({ origin: ORIGIN, treeSize: 123456789, rootHash: ROOT, extensions: ['x y'] });
    expect(parseCheckpointBody(body)).toEqual({ origin: ORIGIN, treeSize: 123456789, rootHash: ROOT, extensions: ['x y'] });
  });

  it.each([
    ['missing final newline', `${ORIGIN}\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=`],
    ['leading zero size', `${ORIGIN}\n08\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n`],
    ['negative size', `${ORIGIN}\n-8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n`],
    ['short root', `${ORIGIN}\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQw==\n`],
    ['non-canonical base64', `${ORIGIN}\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg\n`],
    ['empty origin', `\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n`],
    ['two lines', `${ORIGIN}\n8\n`],
  ])('rejects a body with %s', (_what, body) => {
    expect(() => parseCheckpointBody(body)).toThrow(NoteError);
  });

  it('refuses to write an unparseable body', () => {
    expect(() => checkpointBody({ origin: 'a\nb', treeSize: 1, rootHash: ROOT })).toThrow(NoteError);
    expect(() => checkpointBody({ origin: ORIGIN, treeSize: -1, rootHash: ROOT })).toThrow(NoteError);
    expect(() => checkpointBody({ origin: ORIGIN, treeSize: 1, rootHash: ROOT.subarray(1) })).toThrow(NoteError);
  });
});

describe('signed note (C2SP signed-note, Ed25519)', () => {
  it('reproduces the Go sumdb/note known-answer note byte for byte', () => {
    const privateKey = loadSigningKey(GO_SIGNER_KEY);
    expect(signNote(GO_TEXT, { name: 'PeterNeumann', privateKey })).toBe(GO_NOTE);
    expect(verifierKey('PeterNeumann', privateKey)).toBe(GO_VERIFIER_KEY);
    expect(openNote(GO_NOTE, GO_VERIFIER_KEY).text).toBe(GO_TEXT);
  });

  it('computes the key ID as SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]', () => {
    const { publicKey, vkey } = newSigner('example.com/log');
    const raw = rawPublicKey(publicKey);
    const independent = createHash('sha256')
      .update(Buffer.concat([Buffer.from('example.com/log\n', 'utf8'), Buffer.from([1]), raw]))
      .digest()
      .subarray(0, 4);
    expect(keyId('example.com/log', raw)).toEqual(independent);
    expect(vkey).toBe(`example.com/log+${independent.toString('hex')}+${Buffer.concat([Buffer.from([1]), raw]).toString('base64')}`);
    expect(parseVerifierKey(vkey).rawPublicKey).toEqual(raw);
    // And the Go key's published ID.
    expect(keyId('PeterNeumann', parseVerifierKey(GO_VERIFIER_KEY).rawPublicKey).toString('hex')).toBe('c74f20a3');
  });

  it('exports the raw 32-byte public key that matches the JWK x value', () => {
    const { publicKey, signer } = newSigner();
    const x = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
    expect(rawPublicKey(publicKey)).toEqual(x);
    expect(rawPublicKey(signer.privateKey)).toEqual(x);
  });

  it('round-trips a signed checkpoint', () => {
    const { signer, vkey } = newSigner();
    const note = signCheckpoint({ origin: ORIGIN, treeSize: 8, rootHash: ROOT }, signer);
    expect(note.startsWith(`${ORIGIN}\n8\n${ROOT.toString('base64')}\n\n\u2014 ${ORIGIN} `)).toBe(true);
    expect(openCheckpoint(note, vkey, ORIGIN)).toEqual({ origin: ORIGIN, treeSize: 8, rootHash: ROOT, extensions: [] });
    expect(() => openCheckpoint(note, vkey, 'other.example/log')).toThrow(/origin/);
  });

  it('fails when any single byte of the note is changed', () => {
    const { signer, vkey } = newSigner();
    const note = Buffer.from(signCheckpoint({ origin: ORIGIN, treeSize: 42, rootHash: ROOT }, signer), 'utf8');
    fc.assert(
      fc.property(fc.nat(note.length - 1), fc.integer({ min: 1, max: 255 }), (position, delta) => {
        const tampered = Buffer.from(note);
        tampered[position] = (tampered[position] + delta) % 256;
        expect(() => openCheckpoint(tampered.toString('utf8'), vkey)).toThrow();
      }),
      { numRuns: 300 },
    );
    // Exhaustively too: every position, one change each.
    for (let position = 0; position < note.length; position++) {
      const tampered = Buffer.from(note);
      tampered[position] ^= 0x01;
      expect(() => openCheckpoint(tampered.toString('utf8'), vkey)).toThrow();
    }
  });

  it('fails with the wrong key, including one with the same name', () => {
    const { signer } = newSigner();
    const other = newSigner();
    const note = signCheckpoint({ origin: ORIGIN, treeSize: 1, rootHash: ROOT }, signer);
    expect(() => openNote(note, other.vkey)).toThrow(/not signed by/);
    expect(() => openNote(note, GO_VERIFIER_KEY)).toThrow(/not signed by/);
  });

  it('rejects a signature that claims a known key but does not verify', () => {
    const { signer, vkey } = newSigner();
    const impostor = generateKeyPairSync('ed25519').privateKey;
    const text = checkpointBody({ origin: ORIGIN, treeSize: 3, rootHash: ROOT });
    const forgedSignature = signNote(text, { name: ORIGIN, privateKey: impostor }).split(' ').pop() as string;
    const genuineKeyId = keyId(ORIGIN, signer.privateKey);
    const blob = Buffer.concat([genuineKeyId, Buffer.from(forgedSignature.trim(), 'base64').subarray(4)]).toString('base64');
    expect(() => openNote(`${text}\n\u2014 ${ORIGIN} ${blob}\n`, vkey)).toThrow(/does not verify/);
  });

  it('ignores signatures from unknown keys next to a valid one', () => {
    const { signer, vkey } = newSigner();
    const note = signNote(GO_TEXT, signer);
    const extra = GO_NOTE.slice(GO_TEXT.length + 1);
    expect(openNote(note + extra, vkey).signatures).toHaveLength(2);
    expect(openNote(note + extra, GO_VERIFIER_KEY).text).toBe(GO_TEXT);
  });

  it('rejects malformed verifier keys', () => {
    const bad = [
      '',
      'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      'PeterNeumann+c74f20a3+AhpjZHcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
      'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10',
      'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    ];
    for (const vkey of bad) expect(() => parseVerifierKey(vkey)).toThrow(NoteError);
  });
});

describe('loadSigningKey (LEDGER_SIGNING_KEY)', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const expected = rawPublicKey(privateKey);

  it('accepts a base64 32-byte seed', () => {
    expect(rawPublicKey(loadSigningKey(privateKeySeed(privateKey).toString('base64')))).toEqual(expected);
  });

  it('accepts base64 PKCS #8 DER', () => {
    const der = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    expect(rawPublicKey(loadSigningKey(`  ${der}\n`))).toEqual(expected);
  });

  it('accepts a Go note PRIVATE+KEY signer key and checks its key ID', () => {
    expect(verifierKey('PeterNeumann', loadSigningKey(GO_SIGNER_KEY))).toBe(GO_VERIFIER_KEY);
    expect(() => loadSigningKey(GO_SIGNER_KEY.replace('c74f20a3', 'c74f20a4'))).toThrow(/key ID/);
  });

  it('rejects other keys and garbage with a clear error', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    expect(() => loadSigningKey(rsa)).toThrow(/not Ed25519/);
    expect(() => loadSigningKey('not base64!')).toThrow(/not valid base64/);
    expect(() => loadSigningKey(Buffer.alloc(31).toString('base64'))).toThrow(/neither/);
  });
});
