import { Module } from '@nestjs/common';
import { RulesController } from './rules.controller';
import { RulesService } from './rules.service';

/**
 * The rules that are data (docs/rules.md#rules-as-data): settings of R5, R6 and R15 and the R12 re-filing triggers.
 * Imports no other feature module; contracts and the reference call the exported RulesService.
 */
@Module({
  controllers: [RulesController],
  providers: [RulesService],
  exports: [RulesService],
})
export class RulesModule {}
