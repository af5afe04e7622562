// Independent verifier for the transfer ledger, for regulators (docs/architecture.md#trust-model, docs/api.md#ledger).
//
// Deliberately imports nothing from src/: it re-implements, from the
// specifications and with node:crypto only, everything it checks, so a bug in
// the server's code cannot hide itself here.
//   - RFC 9162 §2.1.1 Merkle tree hash: leaf SHA-256(0x00 ‖ leaf), node SHA-256(0x01 ‖ l ‖ r)
//   - RFC 9162 §2.1.3.2 inclusion and §2.1.4.2 consistency proof verification
//   - C2SP signed-note (Ed25519, key ID = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4])
//     and C2SP tlog-checkpoint (origin, tree size, base64 root hash)
//   - C2SP tlog-cosignature cosignature/v1 (key ID = SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)[:4]) with --witness-key
//
// Online:  node -r @swc-node/register tools/verify.ts --url http://host:port --token <bearer>
//            [--key <vkey>] [--from-size N] [--previous-checkpoint old-note.txt] [--samples 8]
// Offline: node -r @swc-node/register tools/verify.ts --export entries.ndjson
//            --checkpoint note.txt [--checkpoint dir/ …] --log-key <vkey> [--witness-key <vkey> … [--quorum N]]
//          (without --export: the checkpoint files alone, their signatures and cosignatures)
//   (each ndjson line: {"leafIndex": n, "leaf": "<base64 leaf bytes>", …the leaf's members}; every member
//    but leafIndex, leaf and sector must equal the decoded leaf's; read line by line, in constant memory)
// Archive: node -r @swc-node/register tools/verify.ts --archive transfer_records_y2022m11.ndjson --log-key <vkey>
//            [--checkpoint later-note.txt] [--witness-key <vkey> … [--quorum N]]
//   a retention archive (docs/scaling.md#retention): its leaves, with the hashes left of them, give the root of a
//   tree that its consistency proof shows to be a prefix of its signed checkpoint's tree; with --checkpoint (a later
//   checkpoint, e.g. the current one) that checkpoint is checked to be the same log, at least as large.
// Full:    … --url http://host:port --token <bearer> --full [--checkpoint …] [--log-key <vkey>]
//   streams every entry through GET /ledger/entries, rebuilds the tree and checks every checkpoint given.
// Exit status 0 when every check passes, 1 on any failure, 2 on bad usage.
import { createHash, createPublicKey, KeyObject, randomInt, verify as verifySignature } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export class VerificationFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VerificationFailure';
  }
}

// ---------------------------------------------------------------------------
// RFC 9162 §2.1 hashing

export function hashLeaf(leaf: Buffer): Buffer {
  return createHash('sha256').update(Buffer.of(0)).update(leaf).digest();
}

export function hashChildren(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(Buffer.of(1)).update(left).update(right).digest();
}

/** MTH(D[n]) computed left to right with a stack of perfect subtrees. */
export function merkleRoot(leafHashes: readonly Buffer[]): Buffer {
  const stack: Array<{ size: number; hash: Buffer }> = [];
  for (const hash of leafHashes) {
    let node = { size: 1, hash };
    while (stack.length > 0 && stack[stack.length - 1].size === node.size) {
      const left = stack.pop() as { size: number; hash: Buffer };
      node = { size: left.size * 2, hash: hashChildren(left.hash, node.hash) };
    }
    stack.push(node);
  }
  if (stack.length === 0) return createHash('sha256').digest();
  let root = stack[stack.length - 1].hash;
  for (let i = stack.length - 2; i >= 0; i--) root = hashChildren(stack[i].hash, root);
  return root;
}

const odd = (n: number): boolean => n % 2 === 1;
const shift = (n: number): number => Math.floor(n / 2);

/** RFC 9162 §2.1.3.2, step by step. */
export function verifyInclusionProof(leafIndex: number, treeSize: number, leafHash: Buffer, proof: readonly Buffer[], root: Buffer): boolean {
  if (proof.some((p) => p.length !== 32)) return false;
  if (leafIndex >= treeSize || leafIndex < 0) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = hashChildren(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = shift(fn);
        sn = shift(sn);
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = shift(fn);
    sn = shift(sn);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2, step by step (0 < first < second; trivial cases handled first). */
export function verifyConsistencyProof(first: number, second: number, proof: readonly Buffer[], firstRoot: Buffer, secondRoot: Buffer): boolean {
  if (proof.some((p) => p.length !== 32) || first < 0 || first > second) return false;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = shift(fn);
    sn = shift(sn);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = shift(fn);
        sn = shift(sn);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = shift(fn);
    sn = shift(sn);
  }
  return fr.equals(firstRoot) && sr.equals(secondRoot) && sn === 0;
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(Math.log2(n)) && 2 ** Math.log2(n) === n;
}

// ---------------------------------------------------------------------------
// C2SP signed-note and tlog-checkpoint

export interface TrustedKey {
  name: string;
  keyId: Buffer;
  publicKey: KeyObject;
}

export interface SignedCheckpoint {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
}

function base64Strict(text: string, what: string): Buffer {
  const bytes = Buffer.from(text, 'base64');
  if (text.length === 0 || bytes.toString('base64') !== text) throw new VerificationFailure(`${what} is not valid base64`);
  return bytes;
}

export function parseVerifierKey(vkey: string): TrustedKey {
  const match = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(vkey.trim());
  if (!match) throw new VerificationFailure('verifier key must be <name>+<8 hex digits>+<base64 key>');
  const [, name, hexId, encoded] = match;
  const material = base64Strict(encoded, 'verifier key');
  if (material.length !== 33 || material[0] !== 0x01) throw new VerificationFailure('verifier key is not an Ed25519 (type 0x01) key');
  const raw = material.subarray(1);
  const computedId = createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.of(0x01), raw]))
    .digest()
    .subarray(0, 4);
  if (computedId.toString('hex') !== hexId) throw new VerificationFailure('verifier key ID does not match SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)');
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  return { name, keyId: computedId, publicKey };
}

/** Verify a signed note with the trusted key and return its text. */
export function openSignedNote(note: string, key: TrustedKey): string {
  // eslint-disable-next-line no-control-regex -- deliberate: a signed note may hold no control character but LF
  if (/[\u0000-\u0009\u000b-\u001f]/.test(note)) throw new VerificationFailure('checkpoint note contains control characters');
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new VerificationFailure('checkpoint is not a signed note');
  const text = note.slice(0, split + 1);
  let verified = false;
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const match = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!match) throw new VerificationFailure(`malformed signature line "${line}"`);
    const blob = base64Strict(match[2], 'signature');
    if (match[1] !== key.name || blob.length < 4 || !blob.subarray(0, 4).equals(key.keyId)) continue;
    if (blob.length !== 68 || !verifySignature(null, Buffer.from(text, 'utf8'), key.publicKey, blob.subarray(4))) {
      throw new VerificationFailure(`checkpoint signature by ${key.name} does not verify`);
    }
    verified = true;
  }
  if (!verified) throw new VerificationFailure(`checkpoint carries no signature by ${key.name}+${key.keyId.toString('hex')}`);
  return text;
}

export function openCheckpoint(note: string, key: TrustedKey): SignedCheckpoint {
  const lines = openSignedNote(note, key).split('\n');
  const [origin, size, root] = lines;
  if (lines.length < 4 || !origin || !/^(0|[1-9][0-9]*)$/.test(size ?? '')) throw new VerificationFailure('checkpoint body is malformed');
  const treeSize = Number(size);
  if (!Number.isSafeInteger(treeSize)) throw new VerificationFailure('checkpoint tree size is too large');
  const rootHash = base64Strict(root, 'checkpoint root hash');
  if (rootHash.length !== 32) throw new VerificationFailure('checkpoint root hash is not 32 bytes');
  return { origin, treeSize, rootHash };
}

/**
 * C2SP tlog-cosignature (cosignature/v1): the witness key "<name>+<hex id>+<base64(0x04 ‖ Ed25519 key)>", id =
 * SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)[:4]; its signature line in the checkpoint's note carries id ‖ 8-byte big-endian
 * timestamp ‖ Ed25519 signature over "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint body.
 * Returns the names of the witnesses whose cosignature verifies; fails below `quorum` or on a bad one.
 */
export function checkCosignatures(note: string, witnessKeys: readonly string[], quorum: number): string[] {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new VerificationFailure('checkpoint is not a signed note');
  const body = note.slice(0, split + 1);
  const lines = note.slice(split + 2).split('\n');
  const verified: string[] = [];
  for (const vkey of witnessKeys) {
    const match = /^([^+\s]+)\+([0-9a-f]{8})\+(\S+)$/.exec(vkey.trim());
    if (!match) throw new VerificationFailure('witness key must be <name>+<8 hex digits>+<base64 key>');
    const [, name, hexId, encoded] = match;
    const material = base64Strict(encoded, 'witness key');
    if (material.length !== 33 || material[0] !== 0x04) throw new VerificationFailure(`witness key ${name} is not a cosignature/v1 (type 0x04) key`);
    const raw = material.subarray(1);
    const id = createHash('sha256')
      .update(Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.of(0x04), raw]))
      .digest()
      .subarray(0, 4);
    if (id.toString('hex') !== hexId) throw new VerificationFailure(`witness key ID of ${name} does not match SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)`);
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    for (const line of lines) {
      const sig = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (!sig || sig[1] !== name) continue;
      const blob = base64Strict(sig[2], 'cosignature');
      if (blob.length < 4 || !blob.subarray(0, 4).equals(id)) continue;
      const time = blob.length === 76 ? blob.readBigUInt64BE(4) : -1n;
      if (time < 0n || !verifySignature(null, Buffer.from(`cosignature/v1\ntime ${time}\n${body}`, 'utf8'), publicKey, blob.subarray(12))) {
        throw new VerificationFailure(`cosignature by witness ${name} does not verify`);
      }
      verified.push(name);
    }
  }
  if (verified.length < quorum) {
    throw new VerificationFailure(
      `checkpoint carries ${verified.length} valid cosignature(s) of the ${witnessKeys.length} pinned witness keys, fewer than the quorum ${quorum}`,
    );
  }
  return verified;
}

// ---------------------------------------------------------------------------
// Entries

export interface RawEntry {
  leafIndex: unknown;
  leaf: unknown;
}

/** Leaf hashes of entries 0..treeSize−1, requiring every index exactly once. */
export function leafHashesFromEntries(entries: readonly RawEntry[], treeSize: number): Buffer[] {
  const hashes = new Array<Buffer | undefined>(treeSize);
  for (const entry of entries) {
    const index = entry.leafIndex;
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0)
      throw new VerificationFailure(`entry has an invalid leafIndex ${String(index)}`);
    if (typeof entry.leaf !== 'string') throw new VerificationFailure(`entry ${index} has no base64 leaf`);
    if (index >= treeSize) continue;
    if (hashes[index] !== undefined) throw new VerificationFailure(`entry ${index} appears twice`);
    hashes[index] = hashLeaf(base64Strict(entry.leaf, `leaf ${index}`));
  }
  for (let i = 0; i < treeSize; i++) if (hashes[i] === undefined) throw new VerificationFailure(`leaf ${i} is missing`);
  return hashes as Buffer[];
}

// ---------------------------------------------------------------------------
// Reports

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Report {
  ok: boolean;
  checks: Check[];
  checkpoint?: SignedCheckpoint;
  /** Only checkpoint files were checked, no entry of the log. */
  checkpointsOnly?: boolean;
}

export class Recorder {
  readonly checks: Check[] = [];
  pass(name: string, detail = ''): void {
    this.checks.push({ name, ok: true, detail });
  }
  fail(name: string, detail: string): void {
    this.checks.push({ name, ok: false, detail });
  }
  async run<T>(name: string, step: () => T | Promise<T>, detail?: (value: T) => string): Promise<T | undefined> {
    try {
      const value = await step();
      this.pass(name, detail ? detail(value) : '');
      return value;
    } catch (error) {
      this.fail(name, error instanceof Error ? error.message : String(error));
      return undefined;
    }
  }
  report(checkpoint?: SignedCheckpoint): Report {
    return { ok: this.checks.length > 0 && this.checks.every((c) => c.ok), checks: this.checks, checkpoint };
  }
}

export function formatReport(report: Report): string {
  const lines = report.checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'}  ${c.name}${c.detail ? ` — ${c.detail}` : ''}`);
  if (report.checkpoint) {
    lines.unshift(`Log ${report.checkpoint.origin}: ${report.checkpoint.treeSize} entries, root ${report.checkpoint.rootHash.toString('hex')}`);
  }
  lines.push(
    report.ok ? (report.checkpointsOnly ? 'RESULT: checkpoints verified (no entries checked)' : 'RESULT: log verified') : 'RESULT: VERIFICATION FAILED',
  );
  return `${lines.join('\n')}\n`;
}

function expectRoot(leafHashes: readonly Buffer[], checkpoint: SignedCheckpoint): string {
  const root = merkleRoot(leafHashes);
  if (!root.equals(checkpoint.rootHash)) {
    throw new VerificationFailure(`recomputed root ${root.toString('hex')} differs from checkpoint root ${checkpoint.rootHash.toString('hex')}`);
  }
  return `root ${root.toString('hex')} over ${leafHashes.length} leaves`;
}

// ---------------------------------------------------------------------------
// Offline mode

export interface OfflineInput {
  checkpointNote: string;
  verifierKey: string;
  entries: readonly RawEntry[];
}

export function parseNdjson(text: string): RawEntry[] {
  return text
    .split('\n')
    .map((line, i) => ({ line: line.trim(), number: i + 1 }))
    .filter(({ line }) => line.length > 0)
    .map(({ line, number }) => {
      try {
        return JSON.parse(line) as RawEntry;
      } catch {
        throw new VerificationFailure(`export line ${number} is not JSON`);
      }
    });
}

/** The pinned verifier key, recorded as the check `verifier key`; undefined (and a failure recorded) when it cannot be read. */
function readVerifierKey(recorder: Recorder, vkey: string): Promise<TrustedKey | undefined> {
  return recorder.run(
    'verifier key',
    () => parseVerifierKey(vkey),
    (k) => `${k.name}+${k.keyId.toString('hex')}`,
  );
}

export async function verifyOffline(input: OfflineInput): Promise<Report> {
  const recorder = new Recorder();
  const key = await readVerifierKey(recorder, input.verifierKey);
  if (!key) return recorder.report();
  const checkpoint = await recorder.run(
    'checkpoint signature',
    () => openCheckpoint(input.checkpointNote, key),
    (c) => `size ${c.treeSize}`,
  );
  if (!checkpoint) return recorder.report();
  const leafHashes = await recorder.run(
    'entries complete',
    () => leafHashesFromEntries(input.entries, checkpoint.treeSize),
    (h) => `${h.length} leaves, gapless`,
  );
  if (leafHashes)
    await recorder.run(
      'root matches checkpoint',
      () => expectRoot(leafHashes, checkpoint),
      (d) => d,
    );
  return recorder.report(checkpoint);
}

// ---------------------------------------------------------------------------
// Streaming: the readable members of an export line, and the tree rebuilt in constant memory

/** Members of an export line that are not the leaf's: its place in the tree, the leaf itself, the processor's registered sector (not evidence). */
const LINE_ONLY_MEMBERS = new Set(['leafIndex', 'leaf', 'sector']);

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null || Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const bo = b as Record<string, unknown>;
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && sameJson((a as Record<string, unknown>)[k], bo[k]));
}

/** The members of an export line that are not equal to the decoded leaf's (a member the leaf lacks included). */
export function lineMismatches(line: Record<string, unknown>, leaf: Buffer): string[] {
  let decoded: unknown;
  try {
    decoded = JSON.parse(leaf.toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const members = Object.keys(line).filter((k) => !LINE_ONLY_MEMBERS.has(k));
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) return members.length ? members : [];
  const leafObject = decoded as Record<string, unknown>;
  return members.filter((k) => !Object.prototype.hasOwnProperty.call(leafObject, k) || !sameJson(line[k], leafObject[k]));
}

/** RFC 9162 §2.1.1 MTH over leaves pushed one by one: a stack of at most log2(n) perfect subtrees. */
export class TreeBuilder {
  private readonly stack: Array<{ size: number; hash: Buffer }> = [];
  size = 0;
  push(leafHash: Buffer): void {
    let node = { size: 1, hash: leafHash };
    while (this.stack.length > 0 && this.stack[this.stack.length - 1].size === node.size) {
      const left = this.stack.pop() as { size: number; hash: Buffer };
      node = { size: left.size * 2, hash: hashChildren(left.hash, node.hash) };
    }
    this.stack.push(node);
    this.size++;
  }
  root(): Buffer {
    if (this.stack.length === 0) return createHash('sha256').digest();
    let root = this.stack[this.stack.length - 1].hash;
    for (let i = this.stack.length - 2; i >= 0; i--) root = hashChildren(this.stack[i].hash, root);
    return root;
  }
}

export interface NamedCheckpoint {
  source: string;
  checkpoint: SignedCheckpoint;
}

/** The most member mismatches named in the report; the count says how many there were. */
const MISMATCHES_NAMED = 20;

/**
 * Reads every entry in order (leaf 0 first, no gap), checks every line's readable members against its leaf,
 * rebuilds the tree and compares its root at each checkpoint's size. Memory: the tree's stack and the
 * checkpoints, whatever the number of entries.
 */
export async function verifyEntryStream(
  recorder: Recorder,
  entries: AsyncIterable<Record<string, unknown>>,
  checkpoints: readonly NamedCheckpoint[],
): Promise<void> {
  const pending = [...checkpoints].sort((a, b) => a.checkpoint.treeSize - b.checkpoint.treeSize);
  const tree = new TreeBuilder();
  const mismatches: string[] = [];
  let mismatchCount = 0;
  const compare = () => {
    while (pending.length > 0 && pending[0].checkpoint.treeSize === tree.size) {
      const { source, checkpoint } = pending.shift() as NamedCheckpoint;
      const root = tree.root();
      if (root.equals(checkpoint.rootHash)) recorder.pass(`root matches checkpoint ${checkpoint.treeSize}`, `${source}: root ${root.toString('hex')}`);
      else
        recorder.fail(
          `root matches checkpoint ${checkpoint.treeSize}`,
          `${source}: recomputed root ${root.toString('hex')} differs from checkpoint root ${checkpoint.rootHash.toString('hex')}`,
        );
    }
  };
  const started = Date.now();
  let broken: string | undefined;
  compare();
  for await (const entry of entries) {
    const index = entry.leafIndex;
    if (index !== tree.size) {
      broken =
        typeof index === 'number' && Number.isSafeInteger(index) && index > tree.size
          ? `leaf ${tree.size} is missing`
          : `entry after leaf ${tree.size - 1} has leafIndex ${String(index)}, expected ${tree.size}`;
      break;
    }
    if (typeof entry.leaf !== 'string') {
      broken = `entry ${index} has no base64 leaf`;
      break;
    }
    let leaf: Buffer;
    try {
      leaf = base64Strict(entry.leaf, `leaf ${index}`);
    } catch (error) {
      broken = (error as Error).message;
      break;
    }
    const members = lineMismatches(entry, leaf);
    if (members.length > 0) {
      mismatchCount += members.length;
      for (const member of members) if (mismatches.length < MISMATCHES_NAMED) mismatches.push(`leaf ${index} member ${member}`);
    }
    tree.push(hashLeaf(leaf));
    compare();
  }
  if (!broken && pending.length > 0) broken = `leaf ${tree.size} is missing`;
  const seconds = Math.max((Date.now() - started) / 1000, 0.001);
  if (broken) recorder.fail('entries complete', broken);
  else recorder.pass('entries complete', `${tree.size} leaves, gapless, ${Math.round(tree.size / seconds)} leaves/s`);
  for (const { checkpoint, source } of pending) recorder.fail(`root matches checkpoint ${checkpoint.treeSize}`, `${source}: the entries end before its size`);
  if (mismatchCount === 0) recorder.pass('readable members equal their leaves', `${tree.size} lines`);
  else
    recorder.fail(
      'readable members equal their leaves',
      `${mismatchCount} member${mismatchCount > 1 ? 's differ' : ' differs'} from the leaf: ${mismatches.join(', ')}${mismatchCount > mismatches.length ? ', …' : ''}`,
    );
}

/** The registry's export line: leafIndex, sector and the base64 leaf, then members to compare with the leaf's. */
const EXPORT_LINE = /^\{"leafIndex":(0|[1-9][0-9]{0,15}),"sector":"(?:[^"\\]|\\.)*","leaf":"([A-Za-z0-9+/]*={0,2})",(.*)$/s;

/**
 * A line whose members after the leaf are the leaf's own bytes (the registry writes its export so) needs no
 * parsing to compare: it is read as its leaf index and leaf. Any other line is parsed and compared member by member.
 */
function fastLine(line: string): Record<string, unknown> | null {
  const match = EXPORT_LINE.exec(line);
  if (!match) return null;
  const leaf = Buffer.from(match[2], 'base64');
  if (leaf.length < 2 || leaf[0] !== 0x7b || leaf.toString('base64') !== match[2]) return null;
  const rest = match[3];
  if (Buffer.byteLength(rest, 'utf8') !== leaf.length - 1 || !leaf.subarray(1).equals(Buffer.from(rest, 'utf8'))) return null;
  return { leafIndex: Number(match[1]), leaf: match[2] };
}

/** The lines of an ndjson export file, parsed one at a time. */
export async function* ndjsonFile(path: string): AsyncGenerator<Record<string, unknown>> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let number = 0;
  for await (const raw of lines) {
    number++;
    const line = raw.trim();
    if (line.length === 0) continue;
    const fast = fastLine(line);
    if (fast) {
      yield fast;
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new VerificationFailure(`export line ${number} is not JSON`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new VerificationFailure(`export line ${number} is not a JSON object`);
    yield value as Record<string, unknown>;
  }
}

/** Checkpoint files: each path is a file, or a directory whose files are all checkpoints. */
export function checkpointFiles(paths: readonly string[]): Array<{ source: string; note: string }> {
  const out: Array<{ source: string; note: string }> = [];
  for (const path of paths) {
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        const file = join(path, name);
        if (statSync(file).isFile()) out.push({ source: file, note: readFileSync(file, 'utf8') });
      }
    } else out.push({ source: path, note: readFileSync(path, 'utf8') });
  }
  return out;
}

/** The pinned witnesses (--witness-key) and how many of them must have cosigned (--quorum, default all). */
export interface WitnessPolicy {
  keys: readonly string[];
  quorum: number;
}

/** The cosignature check of one checkpoint, the same online and offline; undefined when it fails (recorded). */
async function checkQuorum(recorder: Recorder, note: string, witnesses: WitnessPolicy, source?: string): Promise<string[] | undefined> {
  return recorder.run(
    source === undefined ? 'witness cosignatures' : `witness cosignatures ${source}`,
    () => checkCosignatures(note, witnesses.keys, witnesses.quorum),
    (names) => `${names.length} of ${witnesses.keys.length} pinned witnesses (quorum ${witnesses.quorum}): ${names.join(', ')}`,
  );
}

/**
 * Opens each checkpoint with the key, one check each, and with witnesses pinned checks its cosignatures too:
 * the ones that pass every check. A checkpoint below the quorum is refused, not compared with anything.
 */
async function openAll(
  recorder: Recorder,
  notes: ReadonlyArray<{ source: string; note: string }>,
  key: TrustedKey,
  witnesses?: WitnessPolicy,
): Promise<NamedCheckpoint[]> {
  const opened: NamedCheckpoint[] = [];
  for (const { source, note } of notes) {
    const checkpoint = await recorder.run(
      `checkpoint signature ${source}`,
      () => openCheckpoint(note, key),
      (c) => `size ${c.treeSize}, signed by ${key.name}+${key.keyId.toString('hex')}`,
    );
    if (!checkpoint) continue;
    if (witnesses && !(await checkQuorum(recorder, note, witnesses, source))) continue;
    opened.push({ source, checkpoint });
  }
  return opened;
}

/** Two checkpoints of one size with different roots are a fork the log signed (C2SP tlog-checkpoint: one tree per size). */
function checkNoFork(recorder: Recorder, checkpoints: readonly NamedCheckpoint[]): void {
  const bySize = new Map<number, NamedCheckpoint>();
  for (const named of checkpoints) {
    const seen = bySize.get(named.checkpoint.treeSize);
    if (!seen) bySize.set(named.checkpoint.treeSize, named);
    else if (!seen.checkpoint.rootHash.equals(named.checkpoint.rootHash)) {
      recorder.fail(
        `no fork at size ${named.checkpoint.treeSize}`,
        `${seen.source} and ${named.source} are both signed for size ${named.checkpoint.treeSize} with different roots: the log showed two different trees`,
      );
    }
  }
}

/**
 * Every given checkpoint that the pinned key opens (and, with witnesses pinned, their quorum cosigns), checked for
 * forks; undefined when the key itself cannot be read.
 */
async function openPinned(recorder: Recorder, input: CheckpointsInput): Promise<NamedCheckpoint[] | undefined> {
  const key = await readVerifierKey(recorder, input.verifierKey);
  if (!key) return undefined;
  if (input.checkpoints.length === 0) recorder.fail('checkpoint signature', 'no checkpoint given');
  const checkpoints = await openAll(recorder, input.checkpoints, key, input.witnesses);
  checkNoFork(recorder, checkpoints);
  return checkpoints;
}

export interface CheckpointsInput {
  checkpoints: ReadonlyArray<{ source: string; note: string }>;
  verifierKey: string;
  witnesses?: WitnessPolicy;
}

/**
 * Offline, checkpoints only (no export): each is signed by the pinned log key and, with witnesses pinned, carries
 * the quorum of their cosignatures; no two of one size differ. Without entries or proofs nothing more can be said.
 */
export async function verifyCheckpoints(input: CheckpointsInput): Promise<Report> {
  const recorder = new Recorder();
  const checkpoints = await openPinned(recorder, input);
  if (!checkpoints) return recorder.report();
  return { ...recorder.report(largest(checkpoints)), checkpointsOnly: true };
}

function largest(checkpoints: readonly NamedCheckpoint[]): SignedCheckpoint | undefined {
  return checkpoints.reduce<SignedCheckpoint | undefined>((a, { checkpoint }) => (!a || checkpoint.treeSize > a.treeSize ? checkpoint : a), undefined);
}

export interface ExportStreamInput extends CheckpointsInput {
  entries: AsyncIterable<Record<string, unknown>>;
}

/** Offline, streaming: an export file against one or more signed checkpoints and the pinned key. */
export async function verifyExportStream(input: ExportStreamInput): Promise<Report> {
  const recorder = new Recorder();
  const checkpoints = await openPinned(recorder, input);
  if (!checkpoints) return recorder.report();
  if (checkpoints.length === 0) return recorder.report();
  try {
    await verifyEntryStream(recorder, input.entries, checkpoints);
  } catch (error) {
    recorder.fail('entries complete', error instanceof Error ? error.message : String(error));
  }
  return recorder.report(largest(checkpoints));
}

// ---------------------------------------------------------------------------
// Online mode

export interface OnlineOptions {
  url: string;
  token?: string;
  verifierKey?: string;
  fromSize?: number;
  previousCheckpoint?: string;
  samples?: number;
  pageSize?: number;
  fetch?: typeof fetch;
  /** Stream every entry, rebuild the tree, check the current checkpoint and every one in `checkpoints` against it. */
  full?: boolean;
  checkpoints?: ReadonlyArray<{ source: string; note: string }>;
  /** --witness-key, repeatable: cosignature/v1 verifier keys of the witnesses pinned (online mode). */
  witnessKeys?: string[];
  /** --quorum: cosignatures required (default: every --witness-key). */
  quorum?: number;
}

export async function verifyOnline(options: OnlineOptions): Promise<Report> {
  const doFetch = options.fetch ?? fetch;
  const base = options.url.replace(/\/+$/, '');
  const pageSize = options.pageSize ?? 1000;
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const get = async (path: string): Promise<Response> => {
    const response = await doFetch(`${base}${path}`, { headers });
    if (!response.ok) throw new VerificationFailure(`GET ${path} answered ${response.status}`);
    return response;
  };
  const getJson = async <T>(path: string): Promise<T> => (await (await get(path)).json()) as T;
  const recorder = new Recorder();

  const published = await recorder.run(
    'public key',
    async () => {
      const body = await getJson<{ origin?: string; algorithm?: string; verifierKey?: string }>('/ledger/public-key');
      if (typeof body.verifierKey !== 'string') throw new VerificationFailure('response has no verifierKey');
      if (options.verifierKey && body.verifierKey.trim() !== options.verifierKey.trim()) {
        throw new VerificationFailure(`server publishes ${body.verifierKey}, not the pinned key ${options.verifierKey}`);
      }
      return body;
    },
    (b) => (options.verifierKey ? 'matches the pinned --key' : `NOT PINNED: trusting ${b.verifierKey} from the server; pass --key to pin it`),
  );
  const keyText = options.verifierKey ?? published?.verifierKey;
  if (!keyText) return recorder.report();
  const key = await readVerifierKey(recorder, keyText);
  if (!key) return recorder.report();

  let checkpointNote = '';
  const checkpoint = await recorder.run(
    'checkpoint signature',
    async () => {
      checkpointNote = await (await get('/ledger/checkpoint')).text();
      const opened = openCheckpoint(checkpointNote, key);
      if (published?.origin !== undefined && published.origin !== opened.origin) {
        throw new VerificationFailure(`checkpoint origin ${opened.origin} differs from published origin ${published.origin}`);
      }
      return opened;
    },
    (c) => `size ${c.treeSize}`,
  );
  if (!checkpoint) return recorder.report();
  const size = checkpoint.treeSize;
  const witnesses = options.witnessKeys ? { keys: options.witnessKeys, quorum: options.quorum ?? options.witnessKeys.length } : undefined;
  if (witnesses) await checkQuorum(recorder, checkpointNote, witnesses);

  if (options.full) {
    const given = await openAll(recorder, options.checkpoints ?? [], key, witnesses);
    checkNoFork(recorder, [{ source: 'GET /ledger/checkpoint', checkpoint }, ...given]);
    const end = Math.max(size, ...given.map((g) => g.checkpoint.treeSize));
    async function* pages(): AsyncGenerator<Record<string, unknown>> {
      for (let start = 0; start < end; start += pageSize) {
        const page = await getJson<{ entries?: Array<Record<string, unknown>> }>(`/ledger/entries?start=${start}&end=${Math.min(end, start + pageSize)}`);
        if (!Array.isArray(page.entries)) throw new VerificationFailure(`entries page from ${start} has no entries array`);
        yield* page.entries;
      }
    }
    try {
      await verifyEntryStream(recorder, pages(), [{ source: 'GET /ledger/checkpoint', checkpoint }, ...given]);
    } catch (error) {
      recorder.fail('entries complete', error instanceof Error ? error.message : String(error));
    }
    return recorder.report(checkpoint);
  }

  const leafHashes = await recorder.run(
    'entries complete',
    async () => {
      const entries: RawEntry[] = [];
      for (let start = 0; start < size; start += pageSize) {
        const end = Math.min(size, start + pageSize);
        const page = await getJson<{ entries?: RawEntry[] }>(`/ledger/entries?start=${start}&end=${end}`);
        if (!Array.isArray(page.entries)) throw new VerificationFailure(`entries page ${start}-${end} has no entries array`);
        page.entries.forEach((entry, i) => {
          if (entry.leafIndex !== start + i)
            throw new VerificationFailure(`entries page ${start}-${end}: expected leaf ${start + i}, got ${String(entry.leafIndex)}`);
        });
        if (page.entries.length !== end - start) throw new VerificationFailure(`entries page ${start}-${end} has ${page.entries.length} entries`);
        entries.push(...page.entries);
      }
      return leafHashesFromEntries(entries, size);
    },
    (h) => `${h.length} leaves, gapless`,
  );
  if (leafHashes)
    await recorder.run(
      'root matches checkpoint',
      () => expectRoot(leafHashes, checkpoint),
      (d) => d,
    );

  if (leafHashes && size > 0) {
    const sample = new Set<number>([0, size - 1]);
    const wanted = Math.min(size, (options.samples ?? 8) + 2);
    while (sample.size < wanted) sample.add(randomInt(0, size));
    for (const leafIndex of [...sample].sort((a, b) => a - b)) {
      await recorder.run(`inclusion proof leaf ${leafIndex}`, async () => {
        const body = await getJson<{ hashes?: unknown }>(`/ledger/proofs/inclusion?leafIndex=${leafIndex}&treeSize=${size}`);
        const proof = proofHashes(body.hashes);
        if (!verifyInclusionProof(leafIndex, size, leafHashes[leafIndex], proof, checkpoint.rootHash)) {
          throw new VerificationFailure('proof does not lead to the checkpoint root');
        }
      });
    }
  }

  const previous: Array<{ size: number; root: Buffer; source: string }> = [];
  if (options.fromSize !== undefined) {
    if (!leafHashes || options.fromSize > size)
      recorder.fail('consistency', `--from-size ${options.fromSize} is beyond the checkpoint size ${size} or leaves are unavailable`);
    else previous.push({ size: options.fromSize, root: merkleRoot(leafHashes.slice(0, options.fromSize)), source: 'recomputed from entries' });
  }
  if (options.previousCheckpoint !== undefined) {
    const old = await recorder.run(
      'previous checkpoint signature',
      () => openCheckpoint(options.previousCheckpoint as string, key),
      (c) => `size ${c.treeSize}`,
    );
    if (old) previous.push({ size: old.treeSize, root: old.rootHash, source: 'previous signed checkpoint' });
  }
  for (const old of previous) {
    await recorder.run(
      `consistency ${old.size} -> ${size}`,
      async () => {
        if (old.size > size) throw new VerificationFailure(`the log shrank from ${old.size} to ${size}`);
        const body = await getJson<{ hashes?: unknown }>(`/ledger/proofs/consistency?first=${old.size}&second=${size}`);
        if (!verifyConsistencyProof(old.size, size, proofHashes(body.hashes), old.root, checkpoint.rootHash)) {
          throw new VerificationFailure('the current tree does not extend the earlier one');
        }
      },
      () => old.source,
    );
  }
  return recorder.report(checkpoint);
}

function proofHashes(hashes: unknown): Buffer[] {
  if (!Array.isArray(hashes) || hashes.some((h) => typeof h !== 'string')) throw new VerificationFailure('proof has no hashes array');
  return hashes.map((h: string, i) => base64Strict(h, `proof hash ${i}`));
}

// ---------------------------------------------------------------------------
// CLI

// ---------------------------------------------------------------------------
// Archive mode: a retention archive of one month of the log, checked offline (docs/scaling.md#retention)

export interface ArchiveInput {
  lines: AsyncIterable<Record<string, unknown>>;
  verifierKey: string;
  witnesses?: WitnessPolicy;
  /** Later checkpoints (files): each must be signed by the log and no smaller than the archive's. */
  later: Array<{ source: string; note: string }>;
}

/** The tree of size `end` from the complete subtrees covering [0, start) (largest first) and the leaf hashes of [start, end). */
function rootFromLeft(start: number, left: readonly Buffer[], leafHashes: readonly Buffer[]): Buffer {
  const stack: Array<{ size: number; hash: Buffer }> = [];
  let rest = start;
  for (let size = 2 ** 52; size >= 1; size /= 2) {
    if (rest >= size) {
      const hash = left[stack.length];
      if (!hash || hash.length !== 32) throw new VerificationFailure(`the archive lacks the hash of the subtree of ${size} leaves left of leaf ${start}`);
      stack.push({ size, hash });
      rest -= size;
    }
  }
  if (stack.length !== left.length)
    throw new VerificationFailure(`the archive has ${left.length} left hashes, a tree of ${start} leaves needs ${stack.length}`);
  for (const hash of leafHashes) {
    let node = { size: 1, hash };
    while (stack.length > 0 && stack[stack.length - 1].size === node.size) {
      const l = stack.pop() as { size: number; hash: Buffer };
      node = { size: l.size * 2, hash: hashChildren(l.hash, node.hash) };
    }
    stack.push(node);
  }
  let root = stack[stack.length - 1].hash;
  for (let i = stack.length - 2; i >= 0; i--) root = hashChildren(stack[i].hash, root);
  return root;
}

export async function verifyArchive(input: ArchiveInput): Promise<Report> {
  const recorder = new Recorder();
  const key = parseVerifierKey(input.verifierKey);
  let header: Record<string, unknown> | undefined;
  const leafHashes: Buffer[] = [];
  let records = 0;
  for await (const line of input.lines) {
    if (!header) {
      header = line;
      if (header.format !== 'gba-registry-archive/v1') throw new VerificationFailure('the first line is not a gba-registry-archive/v1 header');
      continue;
    }
    const expected = (header.start as number) + leafHashes.length;
    if (line.leafIndex !== expected) throw new VerificationFailure(`line for leaf ${String(line.leafIndex)} where leaf ${expected} was expected`);
    if (typeof line.leaf === 'string') {
      leafHashes.push(hashLeaf(base64Strict(line.leaf, `leaf ${expected}`)));
      records++;
    } else if (typeof line.leafHash === 'string') leafHashes.push(base64Strict(line.leafHash, `leaf hash ${expected}`));
    else throw new VerificationFailure(`line for leaf ${expected} has neither a leaf nor a leaf hash`);
  }
  if (!header) throw new VerificationFailure('the archive is empty');
  const start = header.start as number;
  const end = header.end as number;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start + leafHashes.length !== end || records === 0) {
    throw new VerificationFailure(`the archive's lines do not cover leaves [${String(start)}, ${String(end)}) with at least one record`);
  }
  const checkpoint = openCheckpoint(String(header.checkpoint), key);
  recorder.pass('archive checkpoint signature', `${checkpoint.origin}, size ${checkpoint.treeSize}, signed by ${key.name}`);
  if (checkpoint.origin !== header.origin) recorder.fail('archive origin', `the header names ${String(header.origin)}, the checkpoint ${checkpoint.origin}`);
  if (input.witnesses) await checkQuorum(recorder, String(header.checkpoint), input.witnesses, 'archive checkpoint');
  const left = (header.leftHashes as string[]).map((h, i) => base64Strict(h, `left hash ${i}`));
  const proof = (header.consistency as string[]).map((h, i) => base64Strict(h, `consistency hash ${i}`));
  const root = rootFromLeft(start, left, leafHashes);
  if (checkpoint.treeSize >= end && verifyConsistencyProof(end, checkpoint.treeSize, proof, root, checkpoint.rootHash)) {
    recorder.pass(
      'archive entries in the checkpoint',
      `${records} records, leaves [${start}, ${end}) of ${String(header.partition)}, in the tree of size ${checkpoint.treeSize}`,
    );
  } else {
    recorder.fail(
      'archive entries in the checkpoint',
      `the leaves [${start}, ${end}) do not give a tree that the checkpoint of size ${checkpoint.treeSize} extends`,
    );
  }
  for (const later of input.later) {
    await recorder.run(
      `later checkpoint ${later.source}`,
      () => {
        const opened = openCheckpoint(later.note, key);
        if (opened.origin !== checkpoint.origin || opened.treeSize < checkpoint.treeSize) {
          throw new VerificationFailure(`${opened.origin} size ${opened.treeSize} is not this log at or after size ${checkpoint.treeSize}`);
        }
        if (opened.treeSize === checkpoint.treeSize && !opened.rootHash.equals(checkpoint.rootHash))
          throw new VerificationFailure('same size, another root: a fork');
        return opened.treeSize;
      },
      (size) => `size ${size}; ask the registry for GET /ledger/proofs/consistency?first=${checkpoint.treeSize}&second=${size} to link them`,
    );
  }
  return recorder.report(checkpoint);
}

export interface CliOptions {
  url?: string;
  token?: string;
  key?: string;
  fromSize?: number;
  previousCheckpoint?: string;
  samples?: number;
  pageSize?: number;
  exportFile?: string;
  /** --archive: a retention archive file (docs/scaling.md#retention). */
  archiveFile?: string;
  /** --checkpoint, repeatable: files, or directories of checkpoint files. */
  checkpointFiles?: string[];
  full?: boolean;
  /** --witness-key, repeatable: cosignature/v1 verifier keys of the witnesses pinned (online mode). */
  witnessKeys?: string[];
  /** --quorum: cosignatures required (default: every --witness-key). */
  quorum?: number;
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = {};
  const integer = (flag: string, value: string): number => {
    if (!/^\d+$/.test(value)) throw new Error(`${flag} needs a non-negative integer`);
    return Number(value);
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--full') {
      options.full = true;
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    i++;
    switch (flag) {
      case '--url':
        options.url = value;
        break;
      case '--token':
        options.token = value;
        break;
      case '--key':
      case '--log-key':
        if (options.key !== undefined && options.key !== value) throw new Error('--key and --log-key name the same pinned key; give it once');
        options.key = value;
        break;
      case '--from-size':
        options.fromSize = integer(flag, value);
        break;
      case '--previous-checkpoint':
        options.previousCheckpoint = value;
        break;
      case '--samples':
        options.samples = integer(flag, value);
        break;
      case '--page-size':
        options.pageSize = integer(flag, value);
        break;
      case '--export':
        options.exportFile = value;
        break;
      case '--archive':
        options.archiveFile = value;
        break;
      case '--checkpoint':
        (options.checkpointFiles ??= []).push(value);
        break;
      case '--witness-key':
        (options.witnessKeys ??= []).push(value);
        break;
      case '--quorum':
        options.quorum = integer(flag, value);
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  if (options.quorum !== undefined && (options.quorum < 1 || options.quorum > (options.witnessKeys?.length ?? 0))) {
    throw new Error('--quorum must be between 1 and the number of --witness-key');
  }
  if (options.archiveFile !== undefined) {
    if (!options.key || options.url || options.exportFile) throw new Error('--archive needs --log-key (or --key), and neither --url nor --export');
  } else if (options.exportFile !== undefined || (!options.url && options.checkpointFiles)) {
    if (!options.checkpointFiles || !options.key) throw new Error('offline mode needs --checkpoint and --log-key (or --key), and --export to check entries');
  } else if (!options.url) {
    throw new Error('give --url (online) or --checkpoint/--log-key with or without --export (offline)');
  } else if (options.checkpointFiles && !options.full) {
    throw new Error('--checkpoint with --url needs --full (the checkpoints are checked against the rebuilt tree)');
  }
  return options;
}

const USAGE = `usage:
  verify --url http://host:port --token <bearer> [--key <vkey>] [--witness-key <vkey> ... [--quorum N]] [--from-size N] [--previous-checkpoint note.txt] [--samples N]
  verify --url http://host:port --token <bearer> --full [--log-key <vkey>] [--checkpoint note.txt|dir ...] [--page-size N]
  verify --export entries.ndjson --checkpoint note.txt|dir [--checkpoint ...] --log-key <vkey> [--witness-key <vkey> ... [--quorum N]]
  verify --checkpoint note.txt|dir [--checkpoint ...] --log-key <vkey> --witness-key <vkey> ... [--quorum N]
  verify --archive transfer_records_yYYYYmMM.ndjson --log-key <vkey> [--checkpoint later-note.txt ...] [--witness-key <vkey> ... [--quorum N]]
--log-key (or --key) pins the log's note verifier key: a checkpoint not signed by it fails.
--witness-key <vkey> (repeatable) pins a witness's cosignature/v1 key; every checkpoint checked (the one served at
  --url and every --checkpoint file) must carry --quorum N valid cosignatures (default: all of them).
--checkpoint without --export or --url checks the files alone: signatures, cosignatures, no two of one size differing.
--export is always read line by line (constant memory), every line's readable members checked against its leaf.
`;

export async function main(argv: readonly string[], write: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  let options: CliOptions;
  try {
    options = parseArgs(argv);
  } catch (error) {
    write(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  let report: Report;
  const witnesses = options.witnessKeys ? { keys: options.witnessKeys, quorum: options.quorum ?? options.witnessKeys.length } : undefined;
  try {
    report =
      options.archiveFile !== undefined
        ? await verifyArchive({
            lines: ndjsonFile(options.archiveFile),
            verifierKey: options.key as string,
            witnesses,
            later: checkpointFiles(options.checkpointFiles ?? []),
          })
        : options.exportFile !== undefined
          ? await verifyExportStream({
              checkpoints: checkpointFiles(options.checkpointFiles as string[]),
              verifierKey: options.key as string,
              entries: ndjsonFile(options.exportFile),
              witnesses,
            })
          : options.url === undefined
            ? await verifyCheckpoints({ checkpoints: checkpointFiles(options.checkpointFiles as string[]), verifierKey: options.key as string, witnesses })
            : await verifyOnline({
                url: options.url,
                token: options.token,
                verifierKey: options.key,
                fromSize: options.fromSize,
                previousCheckpoint: options.previousCheckpoint === undefined ? undefined : readFileSync(options.previousCheckpoint, 'utf8'),
                samples: options.samples,
                pageSize: options.pageSize,
                full: options.full,
                witnessKeys: options.witnessKeys,
                quorum: options.quorum,
                checkpoints: checkpointFiles(options.checkpointFiles ?? []),
              });
  } catch (error) {
    report = { ok: false, checks: [{ name: 'verification', ok: false, detail: (error as Error).message }] };
  }
  write(formatReport(report));
  return report.ok ? 0 : 1;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
