/**
 * Small requests (README "Performance"): one-record POST /transfers from SMALL_CLIENTS concurrent
 * clients beside a pgbench-style limit measured at the same size, and 20-record requests from 8. The CPU of
 * both loads is split as the ingestion phase's is (../cpu.ts), per record and per insert.
 */
import { randomUUID } from 'node:crypto';
import { FILING_MAX_REQUESTS } from '../common';
import { CpuSplit, cpuPerItem, postmasterPid } from '../cpu';
import { dropTable, measureSingleRowInserts, SingleRowLimit, withWal } from '../limits';
import { autocannon, FILING_SECONDS, log, round, ROWS, SMALL_CLIENTS } from '../registry';
import { TransferRows, transferRecord } from '../rows';
import { keepTokensFresh, RunContext } from '../seed';
import { checkpoint } from './ingestion';

interface SmallRequests {
  records: number;
  requestsPerSecond: number;
  recordsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: number;
  walBytesPerRecord: number;
}

let smallRecordNumber = 1_000_000_000;

/** The single-row limit's connection counts: SMALL_CLIENTS, as the registry's clients, and 8; the better one is the limit. */
const LIMIT_CONNECTIONS = [SMALL_CLIENTS, 8];

/**
 * POST /transfers of `recordsPerRequest` records from `connections` concurrent clients for
 * FILING_SECONDS (autocannon), each request with its own Idempotency-Key and its own records, for
 * the contracts of the first processor, logged by its service account.
 */
async function measureSmallRequests(run: RunContext, connections: number, recordsPerRequest: number): Promise<SmallRequests> {
  const { api, seedData } = run;
  await keepTokensFresh(api, seedData);
  const token = seedData.processorTokens[0];
  const contracts = seedData.contractIds.filter((_, c) => seedData.contractProcessor[c] === 0);
  const { result, walBytes } = await withWal(run.ownerUrl, () =>
    autocannon({
      url: `${api.base}/transfers`,
      connections,
      duration: FILING_SECONDS,
      requests: [
        {
          method: 'POST',
          setupRequest: (request: Record<string, unknown>) => {
            const records = [];
            for (let k = 0; k < recordsPerRequest; k++) {
              const n = smallRecordNumber++;
              records.push(transferRecord(contracts[n % contracts.length], n));
            }
            return {
              ...request,
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
              body: JSON.stringify({ records }),
            };
          },
        },
      ],
    }),
  );
  const ok = result['2xx'];
  return {
    records: ok * recordsPerRequest,
    requestsPerSecond: ok / result.duration,
    recordsPerSecond: (ok * recordsPerRequest) / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.errors + result.non2xx,
    walBytesPerRecord: walBytes / Math.max(1, ok * recordsPerRequest),
  };
}

/** The single-row limit at each of LIMIT_CONNECTIONS, and the best of them. */
export interface SmallLimit {
  limits: Array<{ connections: number; singleRows: SingleRowLimit; limitCpu: CpuSplit }>;
  best: { connections: number; singleRows: SingleRowLimit; limitCpu: CpuSplit };
}

/**
 * The small-request limit at N rows, on the batched twin that the ingestion phase filled to N rows, which it then
 * drops. The ingestion phase calls it before its read figures at N rows (`measureIngestion`), so that the twin is
 * gone while the regulators' reads are timed.
 */
export async function measureSmallLimit(run: RunContext, rows: TransferRows): Promise<SmallLimit> {
  const { ownerUrl } = run;
  const postmaster = await postmasterPid(ownerUrl);
  // The best PostgreSQL does for single-row durable inserts here: from 32 connections and from 8 (the issue's pgbench
  // counts). On a shared machine 32 backends can spend their CPU waiting on each other's WAL locks, and a limit the
  // registry's group commit beats is not a limit.
  const limits: Array<{ connections: number; singleRows: SingleRowLimit; limitCpu: CpuSplit }> = [];
  let firstLeafIndex = ROWS;
  for (const connections of LIMIT_CONNECTIONS) {
    log(`small-request limit: one-row INSERT per transaction from ${connections} connections, ${FILING_SECONDS} s`);
    await checkpoint(ownerUrl);
    // The CPU of a time-bound load, counted as one item and divided by what it did once it is known.
    const { result: singleRows, cpu: limitCpu } = await cpuPerItem({ postmaster }, 1, () =>
      measureSingleRowInserts(ownerUrl, 'bench_twin_batched', rows, {
        clients: connections,
        seconds: FILING_SECONDS,
        firstLeafIndex,
        maxInserts: FILING_MAX_REQUESTS,
      }),
    );
    firstLeafIndex += singleRows.total;
    limits.push({ connections, singleRows, limitCpu });
  }
  await dropTable(ownerUrl, 'bench_twin_batched');
  return { limits, best: limits.reduce((best, l) => (l.singleRows.insertsPerSecond > best.singleRows.insertsPerSecond ? l : best)) };
}

/** The `small.*` figures, at N rows, beside the limit that `measureSmallLimit` measured in the same run. */
export async function measureSmall(run: RunContext, limit: SmallLimit): Promise<Record<string, number>> {
  const { ownerUrl } = run;
  const postmaster = await postmasterPid(ownerUrl);
  const {
    limits,
    best: { connections: limitConnections, singleRows, limitCpu },
  } = limit;
  log(`POST /transfers, 1 record per request, ${SMALL_CLIENTS} clients`);
  await checkpoint(ownerUrl);
  const { result: small, cpu: smallCpu } = await cpuPerItem({ registry: run.registryPid, postmaster }, 1, () => measureSmallRequests(run, SMALL_CLIENTS, 1));
  // The bench checks itself, as for ingestion: a limit that the registry beats is not a limit.
  if (small.recordsPerSecond > singleRows.insertsPerSecond) {
    throw new Error(
      `the limit is wrong: one-record requests reached ${round(small.recordsPerSecond)} records/s, above the single-row limit of ${round(singleRows.insertsPerSecond)} inserts/s (${limits.map((l) => `${round(l.singleRows.insertsPerSecond)} from ${l.connections} connections`).join(', ')})`,
    );
  }
  log(`POST /transfers, 20 records per request, 8 clients`);
  await checkpoint(ownerUrl);
  const small20 = await measureSmallRequests(run, 8, 20);
  return {
    'small.limitInsertsPerSecond': round(singleRows.insertsPerSecond),
    'small.limitConnections': limitConnections,
    ...Object.fromEntries(limits.map((l) => [`small.limit${l.connections}ConnectionsInsertsPerSecond`, round(l.singleRows.insertsPerSecond)])),
    'small.limitP99Ms': round(singleRows.p99Ms),
    'small.limitWalBytesPerInsert': round(singleRows.walBytesPerInsert, 0),
    'small.limitPostgresCpuMicrosPerInsert': round(limitCpu.postgres / Math.max(1, singleRows.total), 1),
    'small.limitClientCpuMicrosPerInsert': round(limitCpu.client / Math.max(1, singleRows.total), 1),
    'small.recordsPerSecond': round(small.recordsPerSecond),
    'small.ratioToLimit': round(small.recordsPerSecond / singleRows.insertsPerSecond, 3),
    'small.p50Ms': round(small.p50Ms),
    'small.p99Ms': round(small.p99Ms),
    'small.walBytesPerRecord': round(small.walBytesPerRecord, 0),
    'small.registryCpuMicrosPerRecord': round(smallCpu.registry / Math.max(1, small.records), 1),
    'small.postgresCpuMicrosPerRecord': round(smallCpu.postgres / Math.max(1, small.records), 1),
    'small.clientCpuMicrosPerRecord': round(smallCpu.client / Math.max(1, small.records), 1),
    'small.failures': small.failures,
    'small.batch20RecordsPerSecond': round(small20.recordsPerSecond),
    'small.batch20RequestsPerSecond': round(small20.requestsPerSecond),
    'small.batch20P99Ms': round(small20.p99Ms),
    'small.batch20WalBytesPerRecord': round(small20.walBytesPerRecord, 0),
    'small.batch20Failures': small20.failures,
  };
}
