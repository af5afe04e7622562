import { Module } from '@nestjs/common';
import { ContractsModule } from '../contracts/contracts.module';
import { ContractsService } from '../contracts/contracts.service';
import { LedgerModule } from '../ledger/ledger.module';
import { RolloutModule } from '../rollout/rollout.module';
import { CONTRACT_SCOPES } from './contract-scope-cache';
import { IdempotencyKeyPurger } from './idempotency-purger';
import { TransfersController } from './transfers.controller';
import { TransfersService } from './transfers.service';

/** The transfer log (docs/architecture.md#the-transfer-log): ingestion, idempotency, flags, regulator queries and exports. */
@Module({
  imports: [ContractsModule, LedgerModule, RolloutModule],
  controllers: [TransfersController],
  providers: [TransfersService, IdempotencyKeyPurger, { provide: CONTRACT_SCOPES, useExisting: ContractsService }],
  exports: [TransfersService],
})
export class TransfersModule {}
