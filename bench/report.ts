/**
 * Report writing: every figure beside its limit of the same run, printed as a table and written to
 * bench/results/<date>.json and .md (and BENCH_JSON=path if set), with the machine and its load.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FILING_DB_LIMIT_SHAPE } from './common';
import { INGEST_CLIENTS, log, ROOT, round, ROWS, SMALL_CLIENTS } from './registry';
import { BATCH } from './rows';

/** What the run knew before it measured anything. */
export interface RunStart {
  startedAt: number;
  loadAverage: number[];
  uptime: string;
}

interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
}

function machine(): Machine {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

/** The machine's `uptime` line (load averages over 1, 5 and 15 minutes), or os.loadavg() where uptime is missing. */
export function uptime(): string {
  const out = spawnSync('uptime', [], { encoding: 'utf8' });
  return out.status === 0
    ? out.stdout.trim()
    : `load average: ${os
        .loadavg()
        .map((v) => v.toFixed(2))
        .join(', ')}`;
}

export function startRun(): RunStart {
  return { startedAt: Date.now(), loadAverage: os.loadavg(), uptime: uptime() };
}

// Targets of the issues on ingestion and witnesses; every limit below is measured in this run except the fixed latencies.
const TARGETS: Array<[string, string, number, (v: number) => boolean, string]> = [
  ['API ingestion', 'ingest.ratioToCopy', 0.5, (v) => v >= 0.5, '≥ 0.5 of the honest limit'],
  ['One-record requests', 'small.ratioToLimit', 0.5, (v) => v >= 0.5, '≥ 0.5 of single-row INSERTs'],
  ['One-record requests p99 (ms)', 'small.p99Ms', 50, (v) => v <= 50, '≤ 50 ms'],
  ['20-record requests (records/s)', 'small.batch20RecordsPerSecond', 10_000, (v) => v >= 10_000, '≥ 10,000 records/s'],
  ['Ingestion with two witnesses', 'ingest.withWitnessesRatio', 0.9, (v) => v >= 0.9, '≥ 0.9 of ingestion without'],
  ['Audit query p99 (ms)', 'query.p99Ms', 10, (v) => v <= 10, '≤ 10 ms'],
  ['Export', 'export.ratioToCopyTo', 0.5, (v) => v >= 0.5, "≥ 50% of the export's own COPY TO rows/s"],
  ['Export peak RSS (MB)', 'export.peakRssMb', 300, (v) => v <= 300, '≤ 300 MB'],
  ['Inclusion proof p99 (ms)', 'proof.inclusionP99Ms', 5, (v) => v <= 5, '≤ 5 ms'],
  ['Consistency proof p99 (ms)', 'proof.consistencyP99Ms', 5, (v) => v <= 5, '≤ 5 ms'],
  ['POST /contracts p99 (ms)', 'filing.createP99Ms', 50, (v) => v <= 50, '≤ 50 ms'],
  ['GET /contracts/:id p99 (ms)', 'filing.readP99Ms', 20, (v) => v <= 20, '≤ 20 ms'],
];

interface Target {
  name: string;
  key: string;
  value: number;
  limit: number;
  target: string;
  met: boolean;
}

const n = (v: number): string => v.toLocaleString('en-US');

/** The table's rows on ingestion, small requests, witnesses and instances. */
function writeRows(f: Record<string, number>, met: (key: string) => string, targets: Target[]): string[][] {
  return [
    [
      'API ingestion (records/s)',
      n(f['ingest.recordsPerSecond']),
      `honest limit ${n(f['ingest.copyRowsPerSecond'])} rows/s (one COPY ${n(f['ingest.limitOneCopyRowsPerSecond'])}, ${BATCH}-row COPYs × ${INGEST_CLIENTS} ${n(f['ingest.limitBatchedRowsPerSecond'])})`,
      `${f['ingest.ratioToCopy']} (≥ 0.5)`,
      met('ingest.ratioToCopy'),
    ],
    [
      'API ingestion, old figure',
      n(f['ingest.recordsPerSecond']),
      `one COPY of all ${n(ROWS)} rows into an empty twin ${n(f['ingest.singleCopyRowsPerSecond'])} rows/s`,
      `${f['ingest.ratioToSingleCopy']} (ratioToSingleCopy)`,
      '-',
    ],
    [
      'WAL per record (bytes)',
      n(f['ingest.walBytesPerRecord']),
      `twin, batched COPYs ${n(f['ingest.limitWalBytesPerRow'])}`,
      `${round(f['ingest.walBytesPerRecord'] / f['ingest.limitWalBytesPerRow'], 2)} of it`,
      '-',
    ],
    [
      'CPU per record (µs)',
      `registry ${f['ingest.registryCpuMicrosPerRecord']}, PostgreSQL ${f['ingest.postgresCpuMicrosPerRecord']}, bench client ${f['ingest.clientCpuMicrosPerRecord']}`,
      `batched limit, per row: PostgreSQL ${f['ingest.limitPostgresCpuMicrosPerRow']}, client ${f['ingest.limitClientCpuMicrosPerRow']}`,
      `${round(
        (f['ingest.registryCpuMicrosPerRecord'] + f['ingest.postgresCpuMicrosPerRecord'] + f['ingest.clientCpuMicrosPerRecord']) /
          (f['ingest.limitPostgresCpuMicrosPerRow'] + f['ingest.limitClientCpuMicrosPerRow']),
        2,
      )}× the limit's CPU per row`,
      '-',
    ],
    [
      `1-record POST /transfers × ${SMALL_CLIENTS} (records/s)`,
      `${n(f['small.recordsPerSecond'])}, p50 ${f['small.p50Ms']} ms, p99 ${f['small.p99Ms']} ms`,
      `1-row INSERT per transaction, best of ${SMALL_CLIENTS} and 8 connections: ${n(f['small.limitInsertsPerSecond'])}/s from ${f['small.limitConnections'] ?? SMALL_CLIENTS}, p99 ${f['small.limitP99Ms']} ms${f['small.rounds'] ? `; ${f['small.rounds']} rounds of ${f['small.chunkSeconds']} s chunks alternating with the registry's (p50 the median chunk's, p99 the worst chunk's)` : ''}`,
      `${f['small.ratioToLimit']} (≥ 0.5; p99 ≤ 50 ms)`,
      String(targets.filter((t) => t.key.startsWith('small.ratio') || t.key === 'small.p99Ms').every((t) => t.met)),
    ],
    [
      '20-record POST /transfers × 8 (records/s)',
      `${n(f['small.batch20RecordsPerSecond'])}, p99 ${f['small.batch20P99Ms']} ms`,
      '10,000 records/s',
      `${round(f['small.batch20RecordsPerSecond'] / 10_000, 3)} of target`,
      met('small.batch20RecordsPerSecond'),
    ],
    [
      'Ingestion with two witnesses (records/s)',
      n(f['ingest.withWitnessesRecordsPerSecond']),
      `without witnesses ${n(f['ingest.plainRecordsPerSecond'])} (alternating chunks)`,
      `${f['ingest.withWitnessesRatio']} (≥ 0.9)`,
      met('ingest.withWitnessesRatio'),
    ],
    [
      'Ingestion on two instances (records/s)',
      n(f['scale.twoInstancesRecordsPerSecond']),
      `one instance ${n(f['ingest.plainRecordsPerSecond'])} (same ${INGEST_CLIENTS} clients)`,
      `${f['scale.twoInstancesRatio']}`,
      '-',
    ],
  ];
}

/** The table's rows on reads (queries, the replica, export, proofs). */
function readRows(f: Record<string, number>, met: (key: string) => string, replica: string | undefined): string[][] {
  return [
    [
      'Audit query p50 / p99 (ms)',
      `${f['query.p50Ms']} / ${f['query.p99Ms']}; ${Math.round(f['query.fullPageShare'] * 100)}% returned a full page of 100 records`,
      '10 ms',
      `${round(f['query.p99Ms'] / 10, 3)} of limit`,
      met('query.p99Ms'),
    ],
    replicaRow(f, replica),
    [
      'Export (rows/s)',
      `${n(f['export.rowsPerSecond'])}, the better of two exports on a fresh registry (the first, on a new backend: ${n(f['export.firstRowsPerSecond'])})`,
      `the export's own binary COPY TO, received and dropped, ${n(f['export.copyToRowsPerSecond'])} rows/s, best of two runs before the exports and one after, on one connection (${n(f['export.copyToBeforeRowsPerSecond'])}, ${n(f['export.copyToAfterRowsPerSecond'])}; its first run, on a new backend: ${n(f['export.copyToFirstRowsPerSecond'])}; every column as text: ${n(f['export.allColumnsCopyToRowsPerSecond'])}, ratio ${f['export.ratioToAllColumnsCopyTo']})`,
      `${f['export.ratioToCopyTo']} (≥ 0.5)`,
      met('export.ratioToCopyTo'),
    ],
    ['Export peak RSS (MB)', String(f['export.peakRssMb']), '300 MB', `${round(f['export.peakRssMb'] / 300, 3)} of limit`, met('export.peakRssMb')],
    [
      'Inclusion proof p50 / p99 (ms)',
      `${f['proof.inclusionP50Ms']} / ${f['proof.inclusionP99Ms']}`,
      '5 ms',
      `${round(f['proof.inclusionP99Ms'] / 5, 3)} of limit`,
      met('proof.inclusionP99Ms'),
    ],
    [
      'Consistency proof p50 / p99 (ms)',
      `${f['proof.consistencyP50Ms']} / ${f['proof.consistencyP99Ms']}`,
      '5 ms',
      `${round(f['proof.consistencyP99Ms'] / 5, 3)} of limit`,
      met('proof.consistencyP99Ms'),
    ],
  ];
}

/** The replica row: the regulators' audit query on the streaming standby beside the same query on the primary, or why there is none. */
function replicaRow(f: Record<string, number>, skipped: string | undefined): string[] {
  const name = 'Audit query on a streaming replica p50 / p99 (ms)';
  if (skipped !== undefined) return [name, 'not measured', skipped, '-', '-'];
  return [
    name,
    `${f['scale.replicaAuditP50Ms']} / ${f['scale.replicaAuditP99Ms']}`,
    `same query on the primary ${f['scale.primaryAuditP50Ms']} / ${f['scale.primaryAuditP99Ms']} ms (interleaved)`,
    `${round(f['scale.replicaAuditP99Ms'] / f['scale.primaryAuditP99Ms'], 3)} of the primary's p99; ${round(f['scale.replicaReadShare'] * 100, 1)}% served by the replica`,
    '-',
  ];
}

/** The table's rows on filing. */
function filingRows(f: Record<string, number>, met: (key: string) => string): string[][] {
  return [
    [
      'Filing POST /contracts p99 (ms), req/s',
      `${f['filing.createP99Ms']}, ${n(f['filing.createRequestsPerSecond'])}`,
      `50 ms; ceiling ${n(f['filing.ceilingRequestsPerSecond'])} req/s (${n(f['filing.ceilingBeforeRequestsPerSecond'])} before, ${n(f['filing.ceilingAfterRequestsPerSecond'])} after)`,
      `${round(f['filing.createRequestsPerSecond'] / f['filing.ceilingRequestsPerSecond'], 3)} of ceiling`,
      met('filing.createP99Ms'),
    ],
    [
      'Filing database limit p99 (ms), req/s',
      `${f['filing.dbLimitP99Ms']}, ${n(f['filing.dbLimitRequestsPerSecond'])}`,
      `the POST /contracts statement through pg, ${FILING_DB_LIMIT_SHAPE.batch} filings per statement on ${FILING_DB_LIMIT_SHAPE.connections} connections`,
      `POST is ${f['filing.createRatioToDbLimit']} of it`,
      '-',
    ],
    [
      'Filing GET /contracts/:id p99 (ms), req/s',
      `${f['filing.readP99Ms']}, ${n(f['filing.readRequestsPerSecond'])}`,
      `20 ms; ceiling ${n(f['filing.ceilingRequestsPerSecond'])} req/s`,
      `${round(f['filing.readRequestsPerSecond'] / f['filing.ceilingRequestsPerSecond'], 3)} of ceiling`,
      met('filing.readP99Ms'),
    ],
  ];
}

export interface Outcome {
  start: RunStart;
  postgresVersion: string;
  figures: Record<string, number>;
  growth: Array<Record<string, number>>;
  /** Why the replica figures are missing (BENCH_REPLICA=0, or the standby could not be built or used); undefined when measured. */
  replicaSkipped?: string;
}

/** Prints the table and writes bench/results/<date>[-BENCH_NAME].json and .md (and BENCH_JSON). */
export function writeReport({ start, postgresVersion, figures: f, growth, replicaSkipped }: Outcome): void {
  const loadAtEnd = os.loadavg();
  const result = {
    date: new Date().toISOString(),
    machine: {
      ...machine(),
      postgres: postgresVersion,
      loadAverageAtStart: start.loadAverage.map((v) => round(v)),
      loadAverageAtEnd: loadAtEnd.map((v) => round(v)),
      uptimeAtStart: start.uptime,
      uptimeAtEnd: uptime(),
    },
    seconds: round((Date.now() - start.startedAt) / 1000, 1),
    figures: f,
    ...(replicaSkipped !== undefined ? { replicaSkipped } : {}),
    growth,
    targets: TARGETS.map(([name, key, limit, ok, text]) => ({ name, key, value: f[key], limit, target: text, met: ok(f[key]) })),
  };
  const met = (key: string): string => String(result.targets.find((t) => t.key === key)?.met ?? '-');
  const table = [
    ['figure', 'value', 'limit (same run)', 'ratio / target', 'met'],
    ...writeRows(f, met, result.targets),
    ...readRows(f, met, replicaSkipped),
    ...filingRows(f, met),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const printed = table.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ')).join('\n');
  const m = result.machine;
  const header =
    `GBA registry benchmark, ${n(ROWS)} rows, ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB, PostgreSQL ${postgresVersion}, Node ${m.node}; ` +
    `load average ${m.loadAverageAtStart.join(', ')} at the start and ${m.loadAverageAtEnd.join(', ')} at the end (1, 5, 15 min); ${result.seconds} s`;
  const growthLines = growth.map(
    (g) =>
      `  ${n(g.rows)} rows: ingest ${n(g.ingestRecordsPerSecond)} records/s against a limit of ${n(g.limitRowsPerSecond)} rows/s (one COPY ${n(g.limitOneCopyRowsPerSecond)}, batched ${n(g.limitBatchedRowsPerSecond)}), ratio ${g.ratioToLimit}; ` +
      `WAL ${n(g.walBytesPerRecord)} bytes per record (twin ${n(g.limitWalBytesPerRow)}); ` +
      `CPU µs per record: registry ${g.registryCpuMicrosPerRecord}, PostgreSQL ${g.postgresCpuMicrosPerRecord} (limit's PostgreSQL ${g.limitPostgresCpuMicrosPerRow}); query p99 ${g.queryP99Ms} ms, inclusion proof p99 ${g.inclusionP99Ms} ms`,
  );
  process.stdout.write(
    `\n${header}\n\n${printed}\n\nGrowth:\n${growthLines.join('\n')}\n` +
      `During the audit queries: autovacuum of the log ${Math.round(f['query.autovacuumShare'] * 100)}% of the time, checkpoint ${Math.round(f['query.checkpointShare'] * 100)}%\n`,
  );
  const markdown = [
    `# Benchmark ${result.date}`,
    '',
    header,
    '',
    `\`uptime\` at the start: ${m.uptimeAtStart}; at the end: ${m.uptimeAtEnd}`,
    '',
    `| ${table[0].join(' | ')} |`,
    `| ${table[0].map(() => '---').join(' | ')} |`,
    ...table.slice(1).map((row) => `| ${row.join(' | ')} |`),
    '',
    'Growth (same run):',
    '',
    ...growthLines.map((l) => `- ${l.trim()}`),
    '',
    `After each load the bench ran VACUUM (ANALYZE) and CHECKPOINT (${f['maintenance.settleSeconds']} s at ${n(ROWS)} rows), as a registry in steady state would have, and again after the small requests (${f['maintenance.settleSecondsAfterSmall']} s) and before the export (${f['maintenance.settleSecondsBeforeExport']} s). During the audit queries at ${n(ROWS)} rows, PostgreSQL was vacuuming the log's tables in ${Math.round(f['query.autovacuumShare'] * 100)}% of 250 ms samples and checkpointing in ${Math.round(f['query.checkpointShare'] * 100)}%.`,
    '',
    REPLICA_NOTE,
    '',
    `Reproduce: \`BENCH_ROWS=${ROWS} npm run bench\``,
    '',
  ].join('\n');
  save(result.date, JSON.stringify(result, null, 2) + '\n', markdown);
}

const REPLICA_NOTE =
  'The replica row: after every other phase, the bench copies the bench database into a hot standby with the low-level backup API ' +
  '(`pg_backup_start`, the data directory, `pg_backup_stop`, `standby.signal`, `primary_conninfo`), starts a second registry with ' +
  "`DATABASE_READ_URLS` pointing at it, and times the regulators' audit query (`GET /transfers` of one contract and a month) through it " +
  '(`scale.replicaAuditP99Ms`) and through a registry without replicas (`scale.primaryAuditP99Ms`), in alternating blocks. ' +
  '`scale.replicaReadShare` is the share of those reads that `registry_replica_reads_total{served_by="replica"}` counted as served by the standby.';

function save(date: string, json: string, markdown: string): void {
  const resultsDir = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  // BENCH_NAME keeps several runs of one day apart (bench/results/<date>-<name>.json).
  const stamp = date.slice(0, 10) + (process.env.BENCH_NAME ? `-${process.env.BENCH_NAME}` : '');
  fs.writeFileSync(path.join(resultsDir, `${stamp}.json`), json);
  fs.writeFileSync(path.join(resultsDir, `${stamp}.md`), markdown);
  if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, json);
  log(`wrote bench/results/${stamp}.json and .md`);
}
