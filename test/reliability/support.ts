/*
 * Shared machinery of the reliability suite (issue 8): the registry as a child
 * process, a bounded HTTP client, the seeded parties, log verification with the
 * independent verifier in tools/verify.ts, and the report.
 *
 * RELIABILITY_FULL=1 (npm run test:reliability) runs the full sizes; without it
 * the bounded sizes keep `npm test` (CI) fast.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeValidUscc } from '../../src/organisations/identifiers';
import { TRANSFER_RECORD_FIELDS } from '../../src/transfers/domain/transfer-records';
import { merkleRoot, openCheckpoint, parseVerifierKey, TrustedKey, verifyConsistencyProof, hashLeaf } from '../../tools/verify';
import { contractBody } from '../contracts/fixtures';
export { freePort } from '../support/free-port';

export const FULL = process.env.RELIABILITY_FULL === '1';
export const ROOT = path.join(__dirname, '..', '..');

/** Bounded size for `npm test`, full size for `npm run test:reliability`. */
export function sized<T>(bounded: T, full: T): T {
  return FULL ? full : bounded;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// HTTP with a bounded timeout: a hang is a failure, never a wait.

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body (undefined when empty or not JSON). */
  json: unknown;
  ms: number;
}

export class ClientTimeout extends Error {}

export async function call(
  baseUrl: string,
  method: string,
  url: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Reply> {
  const started = Date.now();
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const timeoutMs = options.timeoutMs ?? 10_000;
  let response: Response;
  try {
    response = await fetch(baseUrl + url, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') throw new ClientTimeout(`${method} ${url}: no answer within ${timeoutMs} ms`);
    throw error;
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') throw new ClientTimeout(`${method} ${url}: body not complete within ${timeoutMs} ms`);
    throw error;
  }
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json, ms: Date.now() - started };
}

/** A 4xx/5xx answer must be RFC 9457 problem+json with a matching status. */
export function isProblem(reply: Pick<Reply, 'status' | 'headers' | 'json'>): boolean {
  const type = reply.headers.get('content-type') ?? '';
  const problem = reply.json as { status?: unknown; code?: unknown } | null | undefined;
  return type.startsWith('application/problem+json') && problem?.status === reply.status && typeof problem?.code === 'string';
}

// ---------------------------------------------------------------------------
// The registry as a child process (src/main.ts through @swc-node/register).

export const JWT_SECRET = 'reliability-jwt-secret-long-enough-for-hs256-0123456789';
export const ADMIN_EMAIL = 'admin@reliability.test';
export const ADMIN_PASSWORD = 'reliability admin password 1';

export class RegistryProcess {
  child: ChildProcess | undefined;
  readonly baseUrl: string;
  private output: string[] = [];
  /** Log lines at error level or above (a 500 is logged with its cause). */
  readonly errorLines: string[] = [];
  starts = 0;

  constructor(private readonly env: Record<string, string>) {
    this.baseUrl = `http://127.0.0.1:${env.PORT}`;
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }

  /** The last lines the process printed (for a failure message). */
  tail(): string {
    return this.output.slice(-40).join('');
  }

  async start(timeoutMs = 90_000): Promise<number> {
    const started = Date.now();
    const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(ROOT, 'src', 'main.ts')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        JWT_SECRET,
        JWT_TTL_SECONDS: '7200',
        BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
        BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LOG_LEVEL: 'warn',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    const keep = (chunk: Buffer): void => {
      this.output.push(chunk.toString());
      for (const line of chunk.toString().split('\n')) if (/"level":(50|60)/.test(line)) this.errorLines.push(line.slice(0, 2000));
      if (this.output.length > 200) this.output.splice(0, 100);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`registry exited during start (${child.exitCode ?? child.signalCode}):\n${this.tail()}`);
      try {
        const ready = await call(this.baseUrl, 'GET', '/health/ready', { timeoutMs: 2000 });
        if (ready.status === 200) return Date.now() - started;
      } catch {
        // not listening yet
      }
      if (Date.now() - started > timeoutMs) throw new Error(`registry not ready within ${timeoutMs} ms:\n${this.tail()}`);
      await sleep(100);
    }
  }

  alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !this.alive()) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await Promise.race([exited, sleep(20_000)]);
  }

  /** Resident set size of the registry process, from /proc. */
  rssBytes(): number {
    const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : NaN;
  }
}

// ---------------------------------------------------------------------------
// Seeded parties: a Mainland processor and a Hong Kong recipient, one contract,
// and service accounts that log transfers (ORG_SYSTEM).

let seedCounter = Math.floor(Math.random() * 1_000_000);

export interface Seeded {
  adminToken: string;
  mainlandId: string;
  hongKongId: string;
  contractId: string;
  /** One bearer token per writer client (service accounts of either party). */
  writerTokens: string[];
  /** A regulator who reads the whole log. */
  readerToken: string;
}

/** The parsed body of an answer with the `expected` status, of the type the caller names. */
async function ok<T>(reply: Promise<Reply>, expected: number, what: string): Promise<T> {
  const r = await reply;
  if (r.status !== expected) throw new Error(`${what}: ${r.status} ${r.text}`);
  return r.json as T;
}

/** What POST /auth/token answers, as far as the seed reads it. */
interface Token {
  accessToken: string;
}

export async function seed(baseUrl: string, writers: number): Promise<Seeded> {
  const admin = await ok<Token>(
    call(baseUrl, 'POST', '/auth/token', { body: { grantType: 'password', email: ADMIN_EMAIL, password: ADMIN_PASSWORD } }),
    200,
    'admin sign-in',
  );
  const adminToken = admin.accessToken;
  const organisation = async (jurisdiction: 'MAINLAND' | 'HONG_KONG'): Promise<string> => {
    const seed = ++seedCounter;
    const body = {
      legalName: `Reliability ${jurisdiction} ${seed}`,
      jurisdiction,
      city: jurisdiction === 'MAINLAND' ? 'SHENZHEN' : 'HONG_KONG',
      identifierType: jurisdiction === 'MAINLAND' ? 'USCC' : 'HK_BRN',
      identifier: jurisdiction === 'MAINLAND' ? makeValidUscc(seed) : String(10_000_000 + ((seed * 7919) % 89_999_999)),
      sector: 'BANKING',
    };
    return (await ok<{ id: string }>(call(baseUrl, 'POST', '/organisations', { token: adminToken, body }), 201, 'organisation')).id;
  };
  const mainlandId = await organisation('MAINLAND');
  const hongKongId = await organisation('HONG_KONG');
  const seed = ++seedCounter;
  const filerEmail = `filer-${seed}@reliability.test`;
  const filerPassword = `filer password ${seed} x`;
  await ok<unknown>(
    call(baseUrl, 'POST', '/users', { token: adminToken, body: { email: filerEmail, password: filerPassword, role: 'ORG_FILER', organisationId: mainlandId } }),
    201,
    'filer',
  );
  const filer = (
    await ok<Token>(call(baseUrl, 'POST', '/auth/token', { body: { grantType: 'password', email: filerEmail, password: filerPassword } }), 200, 'filer sign-in')
  ).accessToken;
  const regulatorEmail = `gdcac-${seed}@reliability.test`;
  await ok<unknown>(
    call(baseUrl, 'POST', '/users', { token: adminToken, body: { email: regulatorEmail, password: filerPassword, role: 'REGULATOR', authority: 'GD_CAC' } }),
    201,
    'regulator',
  );
  const readerToken = (
    await ok<Token>(
      call(baseUrl, 'POST', '/auth/token', { body: { grantType: 'password', email: regulatorEmail, password: filerPassword } }),
      200,
      'regulator sign-in',
    )
  ).accessToken;
  const contract = await ok<{ id: string }>(call(baseUrl, 'POST', '/contracts', { token: filer, body: contractBody(mainlandId, hongKongId) }), 201, 'contract');
  const writerTokens: string[] = [];
  for (let i = 0; i < writers; i++) {
    const organisationId = i % 2 === 0 ? mainlandId : hongKongId;
    const account = await ok<{ clientId: string; clientSecret: string }>(
      call(baseUrl, 'POST', `/organisations/${organisationId}/service-accounts`, { token: adminToken, body: { name: `writer ${i}` } }),
      201,
      'service account',
    );
    const token = await ok<Token>(
      call(baseUrl, 'POST', '/auth/token', { body: { grantType: 'client_credentials', clientId: account.clientId, clientSecret: account.clientSecret } }),
      200,
      'service-account token',
    );
    writerTokens.push(token.accessToken);
  }
  return { adminToken, mainlandId, hongKongId, contractId: contract.id, writerTokens, readerToken };
}

let recordSequence = 0;

/** A transfer record whose externalReference is unique in the whole run. */
export function transferRecord(contractId: string, tag: string): Record<string, unknown> {
  const n = ++recordSequence;
  return {
    contractId,
    occurredAt: new Date(Date.UTC(2025, 1, 1, 0, 0, 0) + (n % 86_400) * 1000).toISOString().replace('.000Z', 'Z'),
    direction: 'MAINLAND_TO_HK',
    dataSubjectCount: 1 + (n % 500),
    recordCount: 1 + (n % 5000),
    personalInformationCategories: n % 3 === 0 ? ['BASIC_PROFILE', 'IDENTITY'] : ['BASIC_PROFILE'],
    sensitiveCategories: n % 7 === 0 ? ['FINANCIAL_ACCOUNT'] : [],
    purposes: ['credit assessment'],
    transferMethod: 'encrypted API over dedicated line',
    separateConsentObtained: true,
    onwardRecipient: null,
    payloadDigest: createHash('sha256').update(`${tag} ${n}`).digest('hex'),
    externalReference: `${tag}-${n}-${randomUUID().slice(0, 8)}`,
  };
}

// ---------------------------------------------------------------------------
// Ingestion clients that remember every acknowledged record.

export interface SentBatch {
  key: string;
  records: Record<string, unknown>[];
}

/** A batch of 1 to `most` records under `contractId`, tagged `tag`, with its own Idempotency-Key. */
export function randomBatch(contractId: string, tag: string, most = 20): SentBatch {
  return { key: randomUUID(), records: Array.from({ length: 1 + Math.floor(Math.random() * most) }, () => transferRecord(contractId, tag)) };
}

export interface Ledgerbook {
  /** leafIndex → the record body that was acknowledged there. */
  acknowledged: Map<number, Record<string, unknown>>;
  /** Requests sent without an answer (the registry died or the database was down): retried with their key. */
  unacknowledged: SentBatch[];
  /** Retries of unacknowledged requests that the registry answered as a replay (it had committed before dying). */
  replayedRetries: number;
  requests: number;
  statuses: Record<string, number>;
  unexpected: string[];
}

export function newLedgerbook(): Ledgerbook {
  return { acknowledged: new Map(), unacknowledged: [], replayedRetries: 0, requests: 0, statuses: {}, unexpected: [] };
}

export function count(book: Ledgerbook, status: number | string): void {
  book.statuses[status] = (book.statuses[status] ?? 0) + 1;
}

/**
 * Sends one batch with its Idempotency-Key. Acknowledged: every leaf index is
 * recorded with its body. No answer, or 503: the batch stays unacknowledged.
 */
export async function send(
  baseUrl: string,
  token: string,
  book: Ledgerbook,
  batch: SentBatch,
  options: { retry?: boolean; timeoutMs?: number } = {},
): Promise<boolean> {
  book.requests++;
  let reply: Reply;
  try {
    reply = await call(baseUrl, 'POST', '/transfers', {
      token,
      body: { records: batch.records },
      headers: { 'idempotency-key': batch.key },
      timeoutMs: options.timeoutMs ?? 15_000,
    });
  } catch (error) {
    count(book, error instanceof ClientTimeout ? 'timeout' : 'no answer');
    if (error instanceof ClientTimeout) book.unexpected.push(String(error.message));
    return false;
  }
  count(book, reply.status);
  if (reply.status === 201) {
    const { records } = reply.json as { records: Array<{ leafIndex: number }> };
    records.forEach((r, i) => {
      const earlier = book.acknowledged.get(r.leafIndex);
      if (earlier && earlier.externalReference !== batch.records[i].externalReference) {
        book.unexpected.push(`leaf ${r.leafIndex} acknowledged twice for different records`);
      }
      book.acknowledged.set(r.leafIndex, batch.records[i]);
    });
    if (options.retry && reply.headers.get('idempotent-replayed') === 'true') book.replayedRetries++;
    return true;
  }
  if (reply.status === 503 && isProblem(reply)) return false;
  book.unexpected.push(`POST /transfers → ${reply.status} ${reply.text.slice(0, 300)}`);
  return false;
}

// ---------------------------------------------------------------------------
// Verifying the log over HTTP, with the independent verifier's arithmetic.

/** A batch that got no answer, sent again with its key and body up to 20 times: whether it was acknowledged at last. */
export async function resend(baseUrl: string, token: string, book: Ledgerbook, batch: SentBatch): Promise<boolean> {
  for (let attempt = 0; attempt < 20; attempt++) if (await send(baseUrl, token, book, batch, { retry: true })) return true;
  return false;
}

export interface LogState {
  key: TrustedKey;
  /** leafIndex → leaf bytes seen at an earlier check (they may never change). */
  leaves: Map<number, Buffer>;
  /** Every signed checkpoint seen, by tree size → root. */
  checkpoints: Map<number, Buffer>;
  /** Checkpoints already linked to a later one by a verified consistency proof. */
  linked: Set<number>;
  recordsChecked: number;
  consistencyProofs: number;
}

export async function newLogState(baseUrl: string): Promise<LogState> {
  const key = await call(baseUrl, 'GET', '/ledger/public-key');
  return {
    key: parseVerifierKey((key.json as { verifierKey: string }).verifierKey),
    leaves: new Map(),
    checkpoints: new Map(),
    linked: new Set(),
    recordsChecked: 0,
    consistencyProofs: 0,
  };
}

/** Reads the current checkpoint, verifies its signature and remembers it. */
export async function observeCheckpoint(baseUrl: string, state: LogState, timeoutMs = 5000): Promise<{ treeSize: number; rootHash: Buffer } | null> {
  const reply = await call(baseUrl, 'GET', '/ledger/checkpoint', { timeoutMs });
  if (reply.status !== 200) return null;
  const checkpoint = openCheckpoint(reply.text, state.key);
  state.checkpoints.set(checkpoint.treeSize, checkpoint.rootHash);
  return checkpoint;
}

/** Sent fields of a record, as they must appear in its leaf: every member a record has. */
const SENT_FIELDS = TRANSFER_RECORD_FIELDS;

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The whole check after a restart or an outage: every acknowledged record is
 * in its leaf, every leaf byte is unchanged since the last check, indexes are
 * gapless, nothing is duplicated, the root recomputed from the entries is the
 * newest signed checkpoint's, and consistency proofs link every checkpoint seen.
 */
export async function verifyLog(baseUrl: string, readerToken: string, book: Ledgerbook, state: LogState, contractId: string): Promise<string[]> {
  const problems: string[] = [];
  const expectedSize = book.acknowledged.size;
  // The checkpointer signs within a second of an append; wait for it to cover everything.
  let checkpoint: { treeSize: number; rootHash: Buffer } | null = null;
  for (const started = Date.now(); Date.now() - started < 15_000; await sleep(100)) {
    checkpoint = await observeCheckpoint(baseUrl, state);
    if (checkpoint && checkpoint.treeSize >= expectedSize) break;
  }
  if (!checkpoint) return ['no checkpoint'];
  if (checkpoint.treeSize !== expectedSize) problems.push(`newest checkpoint covers ${checkpoint.treeSize} leaves, ${expectedSize} records were acknowledged`);
  const size = checkpoint.treeSize;
  const hashes: Buffer[] = [];
  const references = new Set<string>();
  for (let start = 0; start < size; start += 1000) {
    const end = Math.min(size, start + 1000);
    const page = await call(baseUrl, 'GET', `/ledger/entries?start=${start}&end=${end}`, { token: readerToken, timeoutMs: 20_000 });
    if (page.status !== 200) {
      problems.push(`GET /ledger/entries ${start}-${end} → ${page.status}`);
      return problems;
    }
    const { entries } = page.json as { entries: Array<{ leafIndex: number; leaf: string }> };
    entries.forEach((entry, i) => {
      if (entry.leafIndex !== start + i) problems.push(`gap: expected leaf ${start + i}, got ${entry.leafIndex}`);
    });
    if (entries.length !== end - start) problems.push(`entries ${start}-${end}: ${entries.length} returned`);
    for (const entry of entries) {
      const bytes = Buffer.from(entry.leaf, 'base64');
      hashes.push(hashLeaf(bytes));
      const earlier = state.leaves.get(entry.leafIndex);
      if (earlier && !earlier.equals(bytes)) problems.push(`leaf ${entry.leafIndex} changed between checks`);
      state.leaves.set(entry.leafIndex, bytes);
      const leaf = JSON.parse(bytes.toString('utf8'));
      if (references.has(leaf.externalReference)) problems.push(`duplicate record ${leaf.externalReference} at leaf ${entry.leafIndex}`);
      references.add(leaf.externalReference);
      const sent = book.acknowledged.get(entry.leafIndex);
      if (!sent) {
        problems.push(`leaf ${entry.leafIndex} holds a record nobody saw acknowledged (${leaf.externalReference})`);
        continue;
      }
      for (const field of SENT_FIELDS) {
        // The registry stores instants normalised to milliseconds (…Z → ….000Z): the same instant.
        const same = field === 'occurredAt' ? Date.parse(leaf[field]) === Date.parse(sent[field] as string) : sameValue(leaf[field], sent[field]);
        if (!same) problems.push(`leaf ${entry.leafIndex}.${field}: sent ${JSON.stringify(sent[field])}, logged ${JSON.stringify(leaf[field])}`);
      }
      state.recordsChecked++;
    }
  }
  for (const index of book.acknowledged.keys()) if (index >= size) problems.push(`acknowledged leaf ${index} is missing (tree size ${size})`);
  const root = merkleRoot(hashes);
  if (!root.equals(checkpoint.rootHash)) problems.push(`root recomputed from ${size} entries differs from the signed checkpoint`);
  // Every checkpoint seen so far must be a prefix of the newest one.
  for (const [first, firstRoot] of state.checkpoints) {
    if (first === size || state.linked.has(first)) continue;
    if (first > size) {
      problems.push(`a checkpoint of size ${first} was seen, larger than the log now (${size})`);
      continue;
    }
    const proof = await call(baseUrl, 'GET', `/ledger/proofs/consistency?first=${first}&second=${size}`, { token: readerToken });
    state.consistencyProofs++;
    const hashesProof = ((proof.json as { hashes?: string[] } | undefined)?.hashes ?? []).map((h) => Buffer.from(h, 'base64'));
    if (proof.status !== 200 || !verifyConsistencyProof(first, size, hashesProof, firstRoot, checkpoint.rootHash)) {
      problems.push(`checkpoint ${first} is not consistent with checkpoint ${size}`);
    } else state.linked.add(first);
  }
  // The regulators' query path sees the same rows.
  const summary = await call(baseUrl, 'GET', `/transfers/summary?contractId=${contractId}`, { token: readerToken });
  const counted = summary.json as { transfers?: number } | undefined;
  if (summary.status !== 200 || counted?.transfers !== expectedSize)
    problems.push(`GET /transfers/summary counts ${counted?.transfers}, expected ${expectedSize}`);
  return problems;
}

// ---------------------------------------------------------------------------
// The report: each file saves its section; the sections of this run make report.json and report.md.

const REPORT_DIR = path.join(ROOT, 'test-artifacts', 'reliability');

export interface Section {
  title: string;
  figures: Record<string, number | string>;
}

/** A section as saveSection writes it to its file. */
type SavedSection = Section & { runId: string; mode: string; at: string };

function runId(): string {
  return process.env.TEST_RUN_ID ?? 'standalone';
}

export function saveSection(name: string, section: Section): void {
  const sections = path.join(REPORT_DIR, 'sections');
  fs.mkdirSync(sections, { recursive: true });
  const file = path.join(sections, `${name}.json`);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify({ runId: runId(), mode: FULL ? 'full' : 'bounded', at: new Date().toISOString(), ...section }, null, 2));
  fs.renameSync(`${file}.tmp`, file);
  process.stdout.write(
    `\n[reliability] ${section.title}: ${Object.entries(section.figures)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}\n`,
  );
  writeReport();
}

const ORDER = ['crash', 'database-faults', 'instances', 'standby', 'load', 'fuzz', 'access-matrix', 'tokens'];

/** Rewrites report.json and report.md from every section of this run (files finish in any order). */
export function writeReport(): void {
  const lock = path.join(REPORT_DIR, '.lock');
  for (let i = 0; ; i++) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (i > 200) fs.rmSync(lock, { recursive: true, force: true });
      const until = Date.now() + 10;
      while (Date.now() < until);
    }
  }
  try {
    const dir = path.join(REPORT_DIR, 'sections');
    const sections: Record<string, SavedSection> = {};
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const content = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as SavedSection;
      if (content.runId === runId()) sections[file.replace(/\.json$/, '')] = content;
    }
    const names = Object.keys(sections).sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
    const total5xx = names.reduce((n, name) => n + Number(sections[name].figures.unexpected5xx ?? 0), 0);
    const summary = {
      mode: FULL ? 'full' : 'bounded',
      generatedAt: new Date().toISOString(),
      killsSurvived: sections.crash?.figures.killsSurvived,
      recordsChecked:
        Number(sections.crash?.figures.recordsChecked ?? 0) +
        Number(sections['database-faults']?.figures.recordsChecked ?? 0) +
        Number(sections.load?.figures.recordsChecked ?? 0),
      fuzzCases: sections.fuzz?.figures.cases,
      matrixCells: sections['access-matrix']?.figures.cells,
      unexpected5xx: total5xx,
      loadRecordsPerSecond: sections.load?.figures.recordsPerSecond,
      loadRequestsPerSecond: sections.load?.figures.requestsPerSecond,
      rssStartMiB: sections.load?.figures.rssStartMiB,
      rssEndMiB: sections.load?.figures.rssEndMiB,
    };
    fs.writeFileSync(path.join(REPORT_DIR, 'report.json'), JSON.stringify({ summary, sections }, null, 2) + '\n');
    const lines = [`# Reliability report (${summary.mode})`, '', `Generated ${summary.generatedAt}.`, '', '| Figure | Value |', '|---|---|'];
    for (const [k, v] of Object.entries(summary)) if (k !== 'generatedAt' && k !== 'mode') lines.push(`| ${k} | ${v ?? '(not run)'} |`);
    for (const name of names) {
      lines.push('', `## ${sections[name].title}`, '', '| Figure | Value |', '|---|---|');
      for (const [k, v] of Object.entries(sections[name].figures)) lines.push(`| ${k} | ${v} |`);
    }
    fs.writeFileSync(path.join(REPORT_DIR, 'report.md'), lines.join('\n') + '\n');
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}
