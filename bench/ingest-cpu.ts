/**
 * The CPU a `POST /transfers` request costs the registry per record, without a database: stage by stage
 * (JSON.parse of the body, parseTransferBody, the Idempotency-Key request hash, prepareBatch — flags, leaf,
 * leaf hash, COPY row —, the leaf indexes patched and the COPY payload joined, the Merkle append), in
 * µs per record, with the heap allocated and the garbage collections per request.
 *
 *   node -r @swc-node/register --expose-gc bench/ingest-cpu.ts
 *   INGEST_CPU_BASELINE=/path/to/other/checkout node -r @swc-node/register --expose-gc bench/ingest-cpu.ts
 *
 * With INGEST_CPU_BASELINE (a checkout of another commit, its `node_modules` linked), the same stages of that
 * checkout's `src` run alternately with this one's, round by round in this process, and the ratio per stage is
 * printed (median of the rounds). With a large young generation (`--max-semi-space-size=1024`) no collection runs within a
 * request, and the heap's growth per stage is what it allocated (bytes per record, printed with INGEST_CPU_BYTES=1). Measures and prints; never asserts a time. INGEST_CPU_RECORDS (default 10,000)
 * records per body, INGEST_CPU_ROUNDS (default 15) rounds.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { METHOD } from './common';
import { BATCH, contractOfRow, transferRecord } from './rows';

const RECORDS = Number(process.env.INGEST_CPU_RECORDS || 10_000);
const ROUNDS = Number(process.env.INGEST_CPU_ROUNDS || 15);
const CONTRACTS = Math.max(1, Math.ceil(RECORDS / BATCH));
const STAGES = ['JSON.parse', 'parseTransferBody', 'requestKey', 'prepareBatch', 'patch+join', 'appendLeaves'] as const;
type Stage = (typeof STAGES)[number];

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any -- two copies of src loaded side by side */
interface Impl {
  name: string;
  parse: (body: unknown) => any;
  requestKey: (key: string, records: any[]) => any;
  prepareBatch: (...args: any[]) => any;
  joinTuples: (runs: Buffer[]) => Buffer;
  appendLeaves: (frontier: any[], start: number, hashes: Buffer[]) => any;
  contracts: Map<string, unknown>;
  geography: unknown;
}

function load(name: string, root: string): Impl {
  const src = (p: string) => require(path.join(root, 'src', p));
  const { versionSelector, buildScope } = src('transfers/domain/compliance-flags');
  const contracts = new Map<string, unknown>();
  for (let c = 0; c < CONTRACTS; c++) {
    const id = contractId(c);
    const scope = buildScope(
      {
        effectiveDate: '2025-01-01',
        expiryDate: '2027-12-31',
        pipia: { completedOn: '2024-12-01' },
        annex: {
          personalInformationCategories: ['BASIC_PROFILE', 'IDENTITY'],
          sensitiveCategories: [],
          purposes: ['credit assessment'],
          transferMethod: METHOD,
          retentionPeriod: { to: '2030-12-31' },
          onwardRecipients: [],
        },
      },
      { direction: 'MAINLAND_TO_HK', filings: [{ status: 'ACCEPTED', deadline: '2025-01-15', firstSubmittedOn: '2025-01-03' }] },
    );
    const versions = [{ version: 1, effectiveDate: '2025-01-01', scope }];
    const select = versionSelector(versions);
    const bundle = {
      contractId: id,
      regime: 'GBA_STANDARD_CONTRACT',
      revision: 1,
      processorId: partyId(c, 1),
      recipientId: partyId(c, 2),
      processorJurisdiction: 'MAINLAND',
      recipientJurisdiction: 'HK',
      processorSector: 'BANKING',
      direction: 'MAINLAND_TO_HK',
      versions,
    };
    contracts.set(id, { bundle, versionAt: (at: string) => select(at) });
  }
  return {
    name,
    parse: src('transfers/domain/transfer-records').parseTransferBody,
    requestKey: src('transfers/idempotency-keys').requestKey,
    prepareBatch: src('transfers/transfer-batch').prepareBatch,
    joinTuples: src('database/binary-copy').joinTuples,
    appendLeaves: src('ledger/domain/merkle').appendLeaves,
    contracts,
    geography: src('organisations/geography').SEEDED_GEOGRAPHY,
  };
}
/* eslint-enable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */

function contractId(c: number): string {
  return `7d3f0c2a-${(1000 + c).toString(16).padStart(4, '0')}-4a1b-8c2d-0e1f2a3b4c5d`;
}

function partyId(c: number, side: number): string {
  return `5b2e9f10-${(1000 + c).toString(16).padStart(4, '0')}-4c3d-9e4f-${side.toString(16).padStart(12, '0')}`;
}

/** The body the bench sends, as text: one contract per BATCH records (bench/rows.ts). */
function bodyText(round: number): string {
  const records = [];
  for (let i = 0; i < RECORDS; i++) records.push(transferRecord(contractId(contractOfRow(i, CONTRACTS)), round * RECORDS + i));
  return JSON.stringify({ records });
}

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcMs += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });

interface Sample {
  us: Record<Stage, number>;
  /** Heap growth per record in each stage, in bytes: what it allocated when no collection ran meanwhile (a large --max-semi-space-size). */
  bytes: Record<Stage, number>;
  gcMs: number;
}

/** One request's CPU path through `impl`, timed stage by stage (µs per record). */
function request(impl: Impl, text: string, round: number, outputs?: unknown[]): Sample {
  const us = {} as Record<Stage, number>;
  const bytes = {} as Record<Stage, number>;
  let heap = process.memoryUsage().heapUsed;
  let t = performance.now();
  const lap = (stage: Stage) => {
    const now = performance.now();
    us[stage] = ((now - t) * 1000) / RECORDS;
    const used = process.memoryUsage().heapUsed;
    bytes[stage] = (used - heap) / RECORDS;
    heap = used;
    t = performance.now();
  };
  const body = JSON.parse(text);
  lap('JSON.parse');
  const parsed = impl.parse(body);
  lap('parseTransferBody');
  if ('errors' in parsed) throw new Error(JSON.stringify(parsed.errors.slice(0, 3)));
  const key = impl.requestKey(`key-${round}`, parsed.records);
  lap('requestKey');
  const by = { organisationId: partyId(0, 1), principalType: 'service_account', principalId: partyId(0, 1) };
  const batch = impl.prepareBatch(parsed.records, impl.contracts, new Date(Date.UTC(2026, 0, 1) + round).toISOString(), by, impl.geography);
  lap('prepareBatch');
  const first = round * RECORDS;
  batch.indexAt.forEach((position: number, i: number) => batch.payload.patchInt8(position, first + i));
  const payload = impl.joinTuples([batch.payload.tuples()]);
  lap('patch+join');
  const appended = impl.appendLeaves(
    [],
    0,
    batch.leaves.map((l: { leafHash: Buffer }) => l.leafHash),
  );
  lap('appendLeaves');
  if (!key || payload.length === 0 || appended.treeSize !== RECORDS) throw new Error('nothing computed');
  outputs?.push(key.requestHash, payload, appended.root, JSON.stringify([batch.flagsOut, [...batch.rolloutGroups], [...batch.figures]]));
  return { us, bytes, gcMs: 0 };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Lets the GC observer report what happened so far. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** One timed request, with the collections it caused (the forced one before it excluded). */
async function measured(impl: Impl, text: string, round: number): Promise<Sample> {
  (global as { gc?: () => void }).gc?.();
  await flush();
  const gcMsBefore = gcMs;
  const sample = request(impl, text, round);
  await flush();
  return { ...sample, gcMs: gcMs - gcMsBefore };
}

async function main(): Promise<void> {
  const impls = [load('this', path.join(__dirname, '..'))];
  if (process.env.INGEST_CPU_BASELINE) impls.unshift(load('baseline', path.resolve(process.env.INGEST_CPU_BASELINE)));
  const texts = Array.from({ length: 3 }, (_, r) => bodyText(r));
  const samples = new Map<string, Sample[]>(impls.map((impl) => [impl.name, []]));
  // Warm-up: every implementation sees every body before the clock counts, and gives the same bytes for it.
  for (let r = 0; r < 3; r++) {
    const outputs = impls.map((impl) => {
      const out: unknown[] = [];
      request(impl, texts[r % texts.length], r, out);
      return out;
    });
    for (const [i, value] of outputs[0].entries()) {
      const other = outputs[outputs.length - 1][i];
      const same = Buffer.isBuffer(value) ? value.equals(other as Buffer) : value === other;
      if (!same) throw new Error(`output ${i} of body ${r} differs between ${impls[0].name} and ${impls[impls.length - 1].name}`);
    }
  }
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? impls : [...impls].reverse();
    for (const impl of order) (samples.get(impl.name) as Sample[]).push(await measured(impl, texts[r % texts.length], r));
  }
  console.log(
    `${RECORDS} records per body, ${ROUNDS} rounds, Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`median µs per record${impls.length > 1 ? ' (baseline → this, ratio)' : ''}:`);
  const total = (s: Sample) => STAGES.reduce((sum, stage) => sum + s.us[stage], 0);
  const row = (label: string, of: (s: Sample) => number, digits = 2) => {
    const values = impls.map((impl) => median((samples.get(impl.name) as Sample[]).map(of)));
    const ratio = values.length > 1 ? `  ×${(values[0] / values[1]).toFixed(2)}` : '';
    console.log(`  ${label.padEnd(20)} ${values.map((v) => v.toFixed(digits).padStart(8)).join(' → ')}${ratio}`);
  };
  for (const stage of STAGES) row(stage, (s) => s.us[stage]);
  row('total', total);
  row('GC ms per request', (s) => s.gcMs, 1);
  // Meaningful only when no collection runs within a request (see the top of this file).
  if (process.env.INGEST_CPU_BYTES) for (const stage of STAGES) row(`${stage} B/rec`, (s) => s.bytes[stage], 0);
}

void main();
