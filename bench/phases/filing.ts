/**
 * Filing (README "Performance"): POST /contracts and GET /contracts/:id under FILING_CONNECTIONS
 * connections, beside the framework's ceiling (GET /health/live, before and after) and the
 * database's own limit for the statement POST /contracts sends (bench/common.ts).
 */
import { contractBody, FILING_DB_LIMIT_SHAPE, FILING_MAX_REQUESTS, measureFilingDbLimit } from '../common';
import { autocannon, AutocannonResult, FILING_CONNECTIONS, FILING_SECONDS, log, round } from '../registry';
import { keepTokensFresh, RunContext } from '../seed';

async function cannon(opts: Record<string, unknown>): Promise<AutocannonResult> {
  return autocannon({ connections: FILING_CONNECTIONS, duration: FILING_SECONDS, ...opts });
}

/** The `filing.*` figures. */
export async function measureFiling(run: RunContext): Promise<Record<string, number>> {
  const { api, seedData, ownerUrl } = run;
  log(`filing under ${FILING_CONNECTIONS} connections, ${FILING_SECONDS} s each`);
  await keepTokensFresh(api, seedData);
  const base = `http://127.0.0.1:${run.port}`;
  const processorId = seedData.processorIds[0];
  const token = seedData.filerTokenByProcessor.get(processorId)!;
  // The ceiling before and after the filing routes, their mean the comparator: this VM drifts by
  // ±10–15% over a minute, and bracketing keeps drift from favouring either side.
  const ceilingBefore = await cannon({ url: `${base}/health/live` });
  const create = await cannon({
    url: `${base}/contracts`,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(contractBody(processorId, seedData.recipientIds[0])),
    // Bounded in count too, so the table does not grow without limit (`amount` would ignore the duration).
    maxOverallRequests: FILING_MAX_REQUESTS,
  });
  // The database's own limit for the statement POST /contracts sends, straight through pg (bench/common.ts).
  const dbLimit = await measureFilingDbLimit(
    ownerUrl,
    { processorId, recipientId: seedData.recipientIds[0], filerId: seedData.credentials.filers[0].userId },
    { ...FILING_DB_LIMIT_SHAPE, seconds: FILING_SECONDS, maxRequests: FILING_MAX_REQUESTS },
  );
  const read = await cannon({ url: `${base}/contracts/${seedData.contractIds[0]}`, headers: { authorization: `Bearer ${token}` } });
  const ceilingAfter = await cannon({ url: `${base}/health/live` });
  const ceiling = (ceilingBefore.requests.average + ceilingAfter.requests.average) / 2;
  return {
    'filing.createP99Ms': round(create.latency.p99),
    'filing.createRequestsPerSecond': round(create.requests.average),
    'filing.dbLimitRequestsPerSecond': round(dbLimit.requestsPerSecond),
    'filing.dbLimitP99Ms': round(dbLimit.p99Ms),
    'filing.createRatioToDbLimit': round(create.requests.average / dbLimit.requestsPerSecond, 3),
    'filing.readP99Ms': round(read.latency.p99),
    'filing.readRequestsPerSecond': round(read.requests.average),
    'filing.p99Ms': round(Math.max(create.latency.p99, read.latency.p99)),
    'filing.ceilingRequestsPerSecond': round(ceiling),
    'filing.ceilingBeforeRequestsPerSecond': round(ceilingBefore.requests.average),
    'filing.ceilingAfterRequestsPerSecond': round(ceilingAfter.requests.average),
    'filing.ratioToCeiling': round(Math.min(create.requests.average, read.requests.average) / ceiling, 3),
    'filing.failures': [create, read, ceilingBefore, ceilingAfter].reduce((n, r) => n + r.errors + r.non2xx, 0),
  };
}
