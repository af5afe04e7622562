import { KeyObject, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { NoteError, openNote, parseCheckpointBody, parseNote, parseVerifierKey, privateKeyFromSeed, type ParsedVerifierKey } from '../ledger/domain/checkpoint';
import { proveExtends } from '../ledger/domain/consistency-verifier';
import { cosign, cosignerVerifierKey } from '../ledger/domain/cosignature';

/**
 * A witness (C2SP tlog-witness): a process of its own, run by a regulator, that cosigns a log's checkpoints
 * (C2SP tlog-cosignature, cosignature/v1) only after checking that each extends the last one it cosigned for
 * that log. A regulator holding cosigned checkpoints knows every other holder was shown the same log.
 */
export interface WitnessOptions {
  /** The witness's key name, e.g. "witness.gdcac.example/w1". */
  readonly name: string;
  /** Durable state (state.json), the generated key when `seed` is unset, and verifier-key. */
  readonly dataDir: string;
  /** The 32-byte Ed25519 seed; generated into dataDir/witness-key (mode 0600) when unset. */
  readonly seed?: Buffer;
  /** Note verifier keys of the logs accepted; each key's name is the log's origin. */
  readonly logs: readonly string[];
  readonly host?: string;
  readonly port?: number;
}

export interface RunningWitness {
  readonly url: string;
  readonly verifierKey: string;
  close(): Promise<void>;
}

interface LogState {
  size: number;
  root: string;
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

/** tlog-witness: at most 63 consistency proof lines (a proof in a tree of up to 2^63 leaves). */
const MAX_PROOF_LINES = 63;
const MAX_BODY_BYTES = 64 * 1024;

export class WitnessError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable} ${message}`);
  }
}

/** The witness's seed: given, or read from (else generated into) dataDir/witness-key with mode 0600. */
export function witnessSeed(dataDir: string, given: string | undefined): Buffer {
  if (given) {
    const seed = Buffer.from(given.trim(), 'base64');
    if (seed.length !== 32 || seed.toString('base64') !== given.trim()) throw new WitnessError('WITNESS_KEY', 'must be a base64 32-byte Ed25519 seed');
    return seed;
  }
  const file = path.join(dataDir, 'witness-key');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const seed = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (seed.length !== 32) throw new WitnessError('WITNESS_KEY', `is unset and ${file} does not hold a base64 32-byte seed`);
  return seed;
}

export class Witness {
  private readonly logs = new Map<string, ParsedVerifierKey>();
  private readonly state: Record<string, LogState>;
  private readonly stateFile: string;
  private readonly privateKey: KeyObject;
  readonly verifierKey: string;
  /** add-checkpoint requests run one at a time: each check-and-update is atomic. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: WitnessOptions) {
    if (!options.name || /[\s+]/u.test(options.name)) throw new WitnessError('WITNESS_NAME', 'must be a key name without spaces or "+"');
    for (const vkey of options.logs) {
      let key: ParsedVerifierKey;
      try {
        key = parseVerifierKey(vkey);
      } catch (error) {
        throw new WitnessError('WITNESS_LOGS', `holds a key that is not a note verifier key: ${(error as Error).message}`);
      }
      this.logs.set(key.name, key);
    }
    if (this.logs.size === 0) throw new WitnessError('WITNESS_LOGS', 'must name at least one log verifier key');
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    this.privateKey = privateKeyFromSeed(options.seed ?? witnessSeed(options.dataDir, undefined));
    this.verifierKey = cosignerVerifierKey(options.name, this.privateKey);
    writeFileSync(path.join(options.dataDir, 'verifier-key'), `${this.verifierKey}\n`);
    this.stateFile = path.join(options.dataDir, 'state.json');
    this.state = readState(this.stateFile);
  }

  /** The latest size cosigned for a log (0 when none). */
  latestSize(origin: string): number {
    return this.state[origin]?.size ?? 0;
  }

  addCheckpoint(body: string): Promise<Answer> {
    const run = this.queue.then(() => this.check(body));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private check(body: string): Answer {
    const split = body.indexOf('\n\n');
    if (split < 0) return bad('the request has no blank line between the consistency proof and the checkpoint');
    const [oldLine, ...proofLines] = body.slice(0, split).split('\n');
    const old = /^old (0|[1-9][0-9]{0,15})$/.exec(oldLine);
    if (!old || !Number.isSafeInteger(Number(old[1]))) return bad('the first line must be "old <size>"');
    const oldSize = Number(old[1]);
    if (proofLines.length > MAX_PROOF_LINES) return bad(`the consistency proof has more than ${MAX_PROOF_LINES} lines`);
    const proof: Buffer[] = [];
    for (const line of proofLines) {
      const hash = Buffer.from(line, 'base64');
      if (hash.length !== 32 || hash.toString('base64') !== line) return bad('a consistency proof line is not a base64 32-byte hash');
      proof.push(hash);
    }
    const note = body.slice(split + 2);
    let origin: string;
    let size: number;
    let root: Buffer;
    let text: string;
    try {
      text = parseNote(note).text;
      ({ origin, treeSize: size, rootHash: root } = parseCheckpointBody(text));
    } catch (error) {
      return bad(`the checkpoint is malformed: ${(error as Error).message}`);
    }
    const key = this.logs.get(origin);
    if (!key) return answer(404, `unknown log origin "${origin}"\n`);
    try {
      openNote(note, key);
    } catch (error) {
      return answer(403, `${error instanceof NoteError ? error.message : 'the checkpoint signature does not verify'}\n`);
    }
    if (oldSize > size) return bad(`old size ${oldSize} is greater than the checkpoint size ${size}`);
    const latest = this.state[origin];
    const latestSize = latest?.size ?? 0;
    if (oldSize !== latestSize) return { status: 409, contentType: 'text/x.tlog.size', body: `${latestSize}\n` };
    if (latest && oldSize === size) {
      if (latest.root !== root.toString('base64')) return answer(409, `the checkpoint of size ${size} has another root than the one cosigned\n`);
      // tlog-witness add-checkpoint: a proof that does not verify is a 422; from a size to itself the RFC 6962 proof is empty.
      if (proof.length !== 0) return answer(422, `the consistency proof from size ${size} to ${size} must be empty\n`);
    } else if (latest) {
      if (!proveExtends(latest.size, size, proof, Buffer.from(latest.root, 'base64'), root)) {
        return answer(422, `the consistency proof from size ${latest.size} to ${size} does not verify\n`);
      }
    } else if (proof.length !== 0) {
      return answer(422, 'no checkpoint was cosigned for this log yet: the consistency proof must be empty\n');
    }
    if (!latest || latest.size !== size) {
      const next = { ...this.state, [origin]: { size, root: root.toString('base64') } };
      writeState(this.stateFile, next);
      this.state[origin] = next[origin];
    }
    return answer(200, cosign(text, this.options.name, this.privateKey, Math.floor(Date.now() / 1000)));
  }
}

function answer(status: number, body: string): Answer {
  return { status, contentType: 'text/plain; charset=utf-8', body };
}

function bad(reason: string): Answer {
  return answer(400, `${reason}\n`);
}

function readState(file: string): Record<string, LogState> {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const parsed = JSON.parse(raw) as { logs?: Record<string, LogState> };
  return { ...(parsed.logs ?? {}) };
}

/** Write-then-rename with fsync of the file and its directory, so a crash leaves the old or the new state. */
function writeState(file: string, logs: Record<string, LogState>): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify({ logs }, null, 2));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dir = openSync(path.dirname(file), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

function readBody(request: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    request.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > MAX_BODY_BYTES) {
        resolve(null);
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Starts a witness's HTTP server: POST /add-checkpoint (C2SP tlog-witness). */
export async function startWitness(options: WitnessOptions): Promise<RunningWitness> {
  const witness = new Witness(options);
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const reply = ({ status, contentType, body }: Answer): void => {
      response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
      response.end(body);
    };
    if (request.url !== '/add-checkpoint') return reply(answer(404, 'not found\n'));
    if (request.method !== 'POST') return reply(answer(405, 'use POST\n'));
    readBody(request)
      .then((body) => (body === null ? answer(413, 'request too large\n') : witness.addCheckpoint(body)))
      .then(reply, () => reply(answer(500, 'the witness could not record the checkpoint\n')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    verifierKey: witness.verifierKey,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
