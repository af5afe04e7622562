import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { ClusterModule } from '../cluster/cluster.module';
import { ContractsModule } from '../contracts/contracts.module';
import { ContractsService } from '../contracts/contracts.service';
import { LedgerArchiver } from '../ledger/ledger.archiver';
import { LedgerAuditor } from '../ledger/ledger.auditor';
import { LedgerCheckpointer } from '../ledger/ledger.checkpointer';
import { LedgerController } from '../ledger/ledger.controller';
import { LedgerIntegrity } from '../ledger/ledger.integrity';
import { LedgerProofs } from '../ledger/ledger.proofs';
import { LedgerService } from '../ledger/ledger.service';
import { LedgerWitnesses } from '../ledger/ledger.witnesses';
import { OrganisationsModule } from '../organisations/organisations.module';
import { RolloutModule } from '../rollout/rollout.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { CONTRACT_SCOPES, ContractScopeCache, ContractScopeSource } from './contract-scope-cache';
import { TransferFiguresService } from './figures.service';
import { IdempotencyKeyPurger } from './idempotency-purger';
import { TransferPartitions } from './transfer-partitions';
import { TransfersController } from './transfers.controller';
import { IdempotencyKeys } from './idempotency-keys';
import { TransferExport } from './transfer-export';
import { TransferIngestion } from './transfer-ingestion';
import { TransferQueries } from './transfer-queries';

/**
 * The transfer log (docs/architecture.md#the-transfer-log), one module in two folders: src/transfers holds the
 * records (ingestion, idempotency, flags, regulators' queries and exports), src/ledger the Merkle tree over them
 * (sequencing, checkpoints, proofs, witnesses, the self-audit). The leaves are the records' rows, so the two
 * share their tables, their writer lock and their transaction (docs/architecture.md#modules).
 */
@Module({
  imports: [AccessModule, ClusterModule, ContractsModule, OrganisationsModule, RolloutModule, WebhooksModule],
  controllers: [LedgerController, TransfersController],
  providers: [
    TransferIngestion,
    TransferQueries,
    TransferExport,
    IdempotencyKeys,
    TransferFiguresService,
    IdempotencyKeyPurger,
    TransferPartitions,
    { provide: CONTRACT_SCOPES, useExisting: ContractsService },
    // One cache of contract scopes for ingestion and the reads.
    { provide: ContractScopeCache, useFactory: (source: ContractScopeSource) => new ContractScopeCache(source), inject: [CONTRACT_SCOPES] },
    LedgerIntegrity,
    LedgerService,
    LedgerProofs,
    LedgerCheckpointer,
    LedgerAuditor,
    LedgerArchiver,
    LedgerWitnesses,
  ],
})
export class TransfersModule {}
