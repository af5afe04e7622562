import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { CalendarModule } from '../calendar/calendar.module';
import { ClusterModule } from '../cluster/cluster.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { RolloutModule } from '../rollout/rollout.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { ContractNotices } from './contract-notices';
import { ContractsController } from './contracts.controller';
import { ContractsService } from './contracts.service';
import { DocumentsService } from './documents.service';

/**
 * Contract versions, filings, materials, amendments, termination and incidents
 * (docs/rules.md, R2–R14). Other modules use the exported ContractsService only
 * (`scopeFactsFor`, `revisionsOf`, `assertVisible`, `documentParties`).
 */
@Module({
  imports: [AccessModule, OrganisationsModule, CalendarModule, RolloutModule, ClusterModule, WebhooksModule],
  controllers: [ContractsController],
  providers: [ContractsService, DocumentsService, ContractNotices],
  exports: [ContractsService],
})
export class ContractsModule {}
