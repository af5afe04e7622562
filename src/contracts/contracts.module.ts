import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { AuthModule } from '../auth/auth.module';
import { CalendarModule } from '../calendar/calendar.module';
import { ClusterModule } from '../cluster/cluster.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { RolloutModule } from '../rollout/rollout.module';
import { RulesModule } from '../rules/rules.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { ContractAmendmentService } from './contract-amendment.service';
import { ContractFilingService } from './contract-filing.service';
import { ContractIncidentsService } from './contract-incidents.service';
import { ContractInserts } from './contract-insert.repository';
import { ContractNotices } from './contract-notices';
import { ContractQueriesService } from './contract-queries.service';
import { ContractTerminationService } from './contract-termination.service';
import { ContractsController } from './contracts.controller';
import { ContractsService } from './contracts.service';
import { DocumentsService } from './documents.service';
import { FilingReviewService } from './filing-review.service';
import { FilingSubmissionService } from './filing-submission.service';
import { IncidentsController, NoticesController } from './notices.controller';
import { NoticesService } from './notices.service';

/**
 * Contract versions, filings, materials, amendments, termination (with its notices to the regulators) and
 * incidents (docs/rules.md, R2–R14), one service per use case; the statements in the *.repository.ts files.
 * Other modules use the exported ContractsService only (`scopeFactsFor`, `revisionsOf`,
 * `assertVisible`, `documentParties`).
 */
@Module({
  imports: [AccessModule, AuthModule, OrganisationsModule, CalendarModule, RolloutModule, RulesModule, ClusterModule, WebhooksModule],
  controllers: [ContractsController, NoticesController, IncidentsController],
  providers: [
    ContractsService,
    ContractFilingService,
    ContractInserts,
    FilingSubmissionService,
    FilingReviewService,
    ContractAmendmentService,
    ContractTerminationService,
    ContractIncidentsService,
    ContractQueriesService,
    DocumentsService,
    ContractNotices,
    NoticesService,
  ],
  exports: [ContractsService],
})
export class ContractsModule {}
