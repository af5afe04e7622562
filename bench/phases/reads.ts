/**
 * Proofs and queries: regulators' audit queries (`GET /transfers` of one contract and a month) and
 * inclusion and consistency proofs, timed one at a time, and what PostgreSQL's own maintenance was
 * doing meanwhile.
 */
import { Client } from 'pg';
import { percentile } from '../common';
import { Api, log, PROOF_SAMPLES, QUERY_SAMPLES, round, timed } from '../registry';
import { occurredSpanMs, START_MS } from '../rows';
import { keepTokensFresh, RunContext, Seed } from '../seed';

export interface Latency {
  p50: number;
  p99: number;
}

export interface Proofs {
  inclusionP50: number;
  inclusionP99: number;
  consistencyP50: number;
  consistencyP99: number;
}

/**
 * One regulator's audit query: a random contract, a window of an hour to a month starting within the time that the
 * first `rows` rows occurred in (`occurredSpanMs`), at most 100 records. The window starts where the log has records,
 * so the query returns a full page of them (`fullPageShare` of `measureQueries` says so): a window of months with no
 * transfers times an empty answer, as 9 in 10 queries at 200,000 rows did before 2 December 2026.
 */
export async function auditQuery(api: Api, seedData: Seed, rows: number): Promise<{ ms: number; items: number }> {
  const contractId = seedData.contractIds[Math.floor(Math.random() * seedData.contractIds.length)];
  const fromMs = START_MS + Math.floor(Math.random() * occurredSpanMs(rows) * 0.9);
  const toMs = fromMs + Math.floor(Math.random() * 30 * 24 * 3600 * 1000) + 3600 * 1000;
  const url = `/transfers?contractId=${contractId}&from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}&limit=100`;
  let items = 0;
  const ms = await timed(async () => {
    const body = await api.ok<{ items?: unknown }>('GET', url, seedData.regulatorToken);
    if (!Array.isArray(body.items)) throw new Error('GET /transfers returned no items array');
    items = body.items.length;
  });
  return { ms, items };
}

/** `samples` audit queries one at a time over the first `rows` rows: their latency, and the share that returned a full page of 100 records. */
export async function measureQueries(api: Api, seedData: Seed, samples: number, rows: number): Promise<Latency & { fullPageShare: number }> {
  const latencies: number[] = [];
  let full = 0;
  for (let i = 0; i < samples; i++) {
    const { ms, items } = await auditQuery(api, seedData, rows);
    latencies.push(ms);
    if (items === 100) full++;
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), fullPageShare: full / samples };
}

export async function measureProofs(api: Api, token: string, treeSize: number, samples: number): Promise<Proofs> {
  const inclusion: number[] = [];
  const consistency: number[] = [];
  for (let i = 0; i < samples; i++) {
    const leafIndex = Math.floor(Math.random() * treeSize);
    inclusion.push(await timed(() => api.ok('GET', `/ledger/proofs/inclusion?leafIndex=${leafIndex}&treeSize=${treeSize}`, token)));
    const first = 1 + Math.floor(Math.random() * (treeSize - 1));
    consistency.push(await timed(() => api.ok('GET', `/ledger/proofs/consistency?first=${first}&second=${treeSize}`, token)));
  }
  inclusion.sort((a, b) => a - b);
  consistency.sort((a, b) => a - b);
  return {
    inclusionP50: percentile(inclusion, 50),
    inclusionP99: percentile(inclusion, 99),
    consistencyP50: percentile(consistency, 50),
    consistencyP99: percentile(consistency, 99),
  };
}

/**
 * What PostgreSQL's own maintenance was doing while a phase ran: the share of 250 ms samples with an
 * autovacuum worker on the log's tables, and with a checkpoint in progress. Not a limit: it explains
 * tails (right after a large ingestion both are busy on the same two cores).
 */
function watchMaintenance(ownerUrl: string): () => Promise<{ autovacuumShare: number; checkpointShare: number }> {
  const client = new Client({ connectionString: ownerUrl });
  let samples = 0;
  let autovacuum = 0;
  let checkpoint = 0;
  let stopped = false;
  const loop = (async () => {
    await client.connect();
    while (!stopped) {
      const { rows } = await client.query(
        `SELECT count(*) FILTER (WHERE backend_type = 'autovacuum worker' AND (query LIKE '%transfer_records%' OR query LIKE '%ledger_nodes%'))::int AS av,
                count(*) FILTER (WHERE backend_type = 'checkpointer' AND wait_event IS DISTINCT FROM 'CheckpointerMain')::int AS cp
           FROM pg_stat_activity`,
      );
      samples++;
      if (rows[0].av > 0) autovacuum++;
      if (rows[0].cp > 0) checkpoint++;
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return async () => {
    stopped = true;
    await loop.catch(() => undefined);
    await client.end().catch(() => undefined);
    return { autovacuumShare: samples ? autovacuum / samples : NaN, checkpointShare: samples ? checkpoint / samples : NaN };
  };
}

/** Audit queries and proofs of each kind run before the timed ones at the full size, off the clock. */
const READ_WARM_UP = 1000;

/**
 * The read figures at `treeSize` leaves: at the full size READ_WARM_UP of each read off the clock, then QUERY_SAMPLES
 * audit queries (with the maintenance shares, `query.*`) and PROOF_SAMPLES of each proof; at a growth step 200 of each.
 */
export async function measureReads(
  run: RunContext,
  treeSize: number,
  full: boolean,
): Promise<{ query: Latency; proof: Proofs; figures: Record<string, number> }> {
  const { api, seedData } = run;
  if (!full) {
    const query = await measureQueries(api, seedData, Math.min(200, QUERY_SAMPLES), treeSize);
    return { query, proof: await measureProofs(api, seedData.regulatorToken, treeSize, Math.min(200, PROOF_SAMPLES)), figures: {} };
  }
  // Off the clock first: V8 is still compiling the read paths through a process's first thousands of requests (the
  // registry's CPU per inclusion proof fell from 2.7 to 0.9-1.2 ms over its first 4,000, per audit query from 5.3 to
  // 3.8-4.0 ms, with TurboFan at work on its helper threads meanwhile; docs/scaling.md#read-tails), and a registry that
  // regulators read all day is past that. The warm-up's own p99s are reported beside the timed ones.
  log(`warming up the reads: ${READ_WARM_UP} audit queries and ${READ_WARM_UP} of each proof, not timed`);
  await keepTokensFresh(api, seedData);
  const warmQuery = await measureQueries(api, seedData, READ_WARM_UP, treeSize);
  const warmProof = await measureProofs(api, seedData.regulatorToken, treeSize, READ_WARM_UP);
  log(
    `warm-up: audit query p99 ${round(warmQuery.p99, 2)} ms, inclusion proof p99 ${round(warmProof.inclusionP99, 2)} ms, consistency proof p99 ${round(warmProof.consistencyP99, 2)} ms`,
  );
  log('audit queries');
  await keepTokensFresh(api, seedData);
  const stopWatching = watchMaintenance(run.ownerUrl);
  const query = await measureQueries(api, seedData, QUERY_SAMPLES, treeSize);
  const maintenance = await stopWatching();
  log('proofs');
  await keepTokensFresh(api, seedData);
  const proof = await measureProofs(api, seedData.regulatorToken, treeSize, PROOF_SAMPLES);
  return {
    query,
    proof,
    figures: {
      'query.fullPageShare': round(query.fullPageShare, 3),
      'query.warmUpP99Ms': round(warmQuery.p99, 2),
      'proof.warmUpInclusionP99Ms': round(warmProof.inclusionP99, 2),
      'proof.warmUpConsistencyP99Ms': round(warmProof.consistencyP99, 2),
      'query.autovacuumShare': round(maintenance.autovacuumShare, 2),
      'query.checkpointShare': round(maintenance.checkpointShare, 2),
    },
  };
}
