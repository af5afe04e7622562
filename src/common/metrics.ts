import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One Prometheus registry per application instance (tests boot several in one process). */
export class RegistryMetrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route template, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly transfersLogged = new Counter({
    name: 'registry_transfers_logged_total',
    help: 'Transfer records appended to the log',
    labelNames: ['flagged'] as const,
    registers: [this.registry],
  });

  readonly contractFilings = new Counter({
    name: 'registry_contract_filings_total',
    help: 'Contracts filed through POST /contracts, by path: "assumed" (one statement re-checking remembered party facts and revisions) or "checked" (read first)',
    labelNames: ['path'] as const,
    registers: [this.registry],
  });

  readonly contractFilingBatch = new Histogram({
    name: 'registry_contract_filing_batch_size',
    help: 'Filings sent per insert statement (group commit: concurrent POST /contracts share one statement; a statement PostgreSQL refused is sent again one filing per statement)',
    buckets: [1, 2, 4, 8, 16, 32],
    registers: [this.registry],
  });

  readonly contractFilingsWaiting = new Gauge({
    name: 'registry_contract_filings_waiting',
    help: 'Filings planned and waiting for an insert statement (group commit) while the statements in flight run',
    registers: [this.registry],
  });

  readonly transferGroupSize = new Histogram({
    name: 'registry_transfer_group_size',
    help: 'POST /transfers requests sequenced per transaction (group commit: concurrent requests share one transaction and one commit; a group PostgreSQL refused is sent again one request per transaction)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [this.registry],
  });

  readonly transferGroups = new Counter({
    name: 'registry_transfer_groups_total',
    help: 'POST /transfers groups, by how they were written: "expected" in one round trip from what this process last committed, "checked" after reading the log first (the first group, after another process appended, or after an expectation failed), "expectation_failed" an expected group PostgreSQL refused before any of its writes (it is then written checked)',
    labelNames: ['path'] as const,
    registers: [this.registry],
  });

  readonly transferRequestsWaiting = new Gauge({
    name: 'registry_transfer_requests_waiting',
    help: 'POST /transfers requests prepared and waiting to be sequenced while a group commits (group commit)',
    registers: [this.registry],
  });

  readonly ledgerIntegrityOk = new Gauge({
    name: 'registry_ledger_integrity_ok',
    help: 'The transfer log passed every self-audit check and consistency proof so far (1) or not (0: signing has stopped; GET /ledger/integrity says what failed)',
    registers: [this.registry],
  });

  readonly ledgerWitnessLag = new Gauge({
    name: 'registry_ledger_witness_lag',
    help: 'Tree sizes between the latest signed checkpoint and the latest one each witness (LEDGER_WITNESSES, by key name) cosigned',
    labelNames: ['witness'] as const,
    registers: [this.registry],
  });

  readonly backgroundLeader = new Gauge({
    name: 'registry_background_leader',
    help: 'This instance holds the PostgreSQL advisory lock that elects one instance to run the background jobs (checkpointing, witness submission, self-audit, idempotency purge, webhook delivery, deadline and expiry scan): 1, or 0 while another instance leads',
    labelNames: ['instance'] as const,
    registers: [this.registry],
  });

  readonly replicaReads = new Counter({
    name: 'registry_replica_reads_total',
    help: 'Regulators\' reads (DATABASE_READ_URLS) by where they were answered: "replica", or "primary" when no replica was reachable or a replica had not yet replayed the tree size a proof names',
    labelNames: ['served_by'] as const,
    registers: [this.registry],
  });

  readonly transferPartitionFailures = new Counter({
    name: 'registry_transfer_partition_failures_total',
    help: 'Monthly partitions of transfer_records the maintainer could not create ahead (records of that month then go to the DEFAULT partition; none is lost)',
    registers: [this.registry],
  });

  readonly ledgerArchives = new Counter({
    name: 'registry_ledger_archives_total',
    help: 'Retention runs on a partition past TRANSFER_RETENTION_YEARS (R18), by outcome: "archived" (archive written, read back, verified, then the partition detached) or "failed" (the partition stays attached)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    this.ledgerIntegrityOk.set(1);
    collectDefaultMetrics({ register: this.registry });
  }
}
