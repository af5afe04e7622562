import { Module } from '@nestjs/common';
import { LedgerAuditor } from './ledger.auditor';
import { LedgerCheckpointer } from './ledger.checkpointer';
import { LedgerController } from './ledger.controller';
import { LedgerIntegrity } from './ledger.integrity';
import { LedgerService } from './ledger.service';
import { LedgerWitnesses } from './ledger.witnesses';

@Module({
  controllers: [LedgerController],
  providers: [LedgerIntegrity, LedgerService, LedgerCheckpointer, LedgerAuditor, LedgerWitnesses],
  exports: [LedgerService, LedgerCheckpointer, LedgerIntegrity],
})
export class LedgerModule {}
