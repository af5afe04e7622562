import { Module } from '@nestjs/common';
import { LedgerCheckpointer } from './ledger.checkpointer';
import { LedgerController } from './ledger.controller';
import { LedgerService } from './ledger.service';

@Module({
  controllers: [LedgerController],
  providers: [LedgerService, LedgerCheckpointer],
  exports: [LedgerService, LedgerCheckpointer],
})
export class LedgerModule {}
