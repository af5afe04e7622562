/**
 * Audit queries on a streaming replica (docs/scaling.md#read-replicas): the bench database copied into
 * a hot standby with PostgreSQL's own means (tools/pg-cluster.ts), a second registry whose
 * DATABASE_READ_URLS names the standby, and the regulators' audit query timed through it beside the
 * same query through the registry that reads only the primary, in alternating blocks. The metric
 * registry_replica_reads_total{served_by="replica"} shows which reads the standby answered.
 *
 *   BENCH_REPLICA=0   skip this phase (the results say so)
 */
import { freePort, percentile } from '../common';
import { Api, log, QUERY_SAMPLES, ROWS, round, startRegistry, stopRegistry } from '../registry';
import { keepTokensFresh, RunContext } from '../seed';
import { pgBinaries, PgCluster } from '../../tools/pg-cluster';
import { auditQuery } from './reads';

const STANDBY = 'bench_standby';
/** Queries per block; the blocks alternate between the two registries so that drift on a shared machine favours neither. */
const BLOCK = 50;
const WARM_UP = 50;

/** Where the bench database lives: its server (a superuser URL) and, for the embedded server, its data directory. */
export interface PrimaryServer {
  serverUrl: string;
  database: string;
  /** The embedded cluster's data directory; undefined for DATABASE_URL, whose standby pg_basebackup copies. */
  clusterDir: string | undefined;
}

/** The served_by counters of registry_replica_reads_total on one registry. */
async function replicaReads(api: Api): Promise<{ replica: number; primary: number }> {
  const text = await (await fetch(`${api.base}/metrics`)).text();
  const count = (servedBy: string): number =>
    Number(new RegExp(`^registry_replica_reads_total\\{served_by="${servedBy}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  return { replica: count('replica'), primary: count('primary') };
}

/** The replica registry connects to the standby on its first regulator's read; wait until one was served there. */
async function untilServedByReplica(run: RunContext, replicaApi: Api): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await auditQuery(replicaApi, run.seedData, ROWS);
    if ((await replicaReads(replicaApi)).replica > 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('no regulator read reached the standby in 100 tries (registry_replica_reads_total{served_by="replica"} stayed 0)');
}

async function timeBothInTurn(run: RunContext, primaryApi: Api, replicaApi: Api): Promise<{ primary: number[]; replica: number[] }> {
  const primary: number[] = [];
  const replica: number[] = [];
  for (let block = 0; block * BLOCK < QUERY_SAMPLES; block++) {
    await keepTokensFresh(primaryApi, run.seedData);
    const order: Array<[Api, number[]]> =
      block % 2 === 0
        ? [
            [primaryApi, primary],
            [replicaApi, replica],
          ]
        : [
            [replicaApi, replica],
            [primaryApi, primary],
          ];
    for (const [api, latencies] of order) for (let i = 0; i < BLOCK; i++) latencies.push((await auditQuery(api, run.seedData, ROWS)).ms);
  }
  return { primary: primary.sort((a, b) => a - b), replica: replica.sort((a, b) => a - b) };
}

/** Builds the standby, measures through both registries, and tears the standby down again. */
async function measureOnStandby(run: RunContext, server: PrimaryServer): Promise<Record<string, number>> {
  const bin = await pgBinaries();
  if (!server.clusterDir && bin.backup !== 'pg_basebackup')
    throw new Error(`DATABASE_URL names a server whose binaries have no pg_basebackup (${bin.description})`);
  const primary = PgCluster.running(bin, 'bench-primary', server.serverUrl, server.clusterDir ?? '');
  log(`replica: building a streaming standby of the bench database (${bin.backup}, ${bin.description})`);
  const started = process.hrtime.bigint();
  let standby: PgCluster | undefined;
  let replicaRegistry: Awaited<ReturnType<typeof startRegistry>> | undefined;
  try {
    standby = await primary.standby(STANDBY);
    const buildSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const port = await freePort();
    replicaRegistry = await startRegistry(run.ownerUrl, port, { DATABASE_READ_URLS: standby.url(server.database) });
    const replicaApi = new Api(`http://127.0.0.1:${port}`);
    await keepTokensFresh(run.api, run.seedData);
    await untilServedByReplica(run, replicaApi);
    log(`replica: ${WARM_UP} warm-up queries on each, then ${QUERY_SAMPLES} each in alternating blocks of ${BLOCK}`);
    for (let i = 0; i < WARM_UP; i++) await auditQuery(run.api, run.seedData, ROWS).then(() => auditQuery(replicaApi, run.seedData, ROWS));
    const before = await replicaReads(replicaApi);
    const times = await timeBothInTurn(run, run.api, replicaApi);
    const after = await replicaReads(replicaApi);
    const served = after.replica - before.replica;
    return {
      'scale.replicaAuditP50Ms': round(percentile(times.replica, 50)),
      'scale.replicaAuditP99Ms': round(percentile(times.replica, 99)),
      'scale.primaryAuditP50Ms': round(percentile(times.primary, 50)),
      'scale.primaryAuditP99Ms': round(percentile(times.primary, 99)),
      'scale.replicaReadShare': round(served / times.replica.length, 3),
      'scale.replicaBuildSeconds': round(buildSeconds, 1),
    };
  } finally {
    if (replicaRegistry) await stopRegistry(replicaRegistry);
    if (standby) await standby.destroy();
    await primary.dropStandbySlot(STANDBY).catch(() => undefined);
  }
}

/**
 * The `scale.replica*` and `scale.primaryAudit*` figures, or why there are none: BENCH_REPLICA=0, or the
 * standby could not be built or used (the run goes on; the results say what failed).
 */
export async function measureReplica(run: RunContext, server: PrimaryServer): Promise<{ figures: Record<string, number>; skipped?: string }> {
  if (process.env.BENCH_REPLICA === '0') return { figures: {}, skipped: 'skipped: BENCH_REPLICA=0' };
  try {
    return { figures: await measureOnStandby(run, server) };
  } catch (error) {
    const reason = `no standby: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    log(`WARNING: replica phase failed, ${reason}`);
    return { figures: {}, skipped: reason };
  }
}
