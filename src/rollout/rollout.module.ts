import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { RulesModule } from '../rules/rules.module';
import { EnrolmentsService } from './enrolments.service';
import { RolloutController } from './rollout.controller';
import { RolloutService } from './rollout.service';

/**
 * Regimes with their sides' authorities, windows and materials, sectors, phases (R8, R10, R11, R15, R16), pilot
 * enrolment and rollout figures. Imports only OrganisationsModule, RulesModule (and the access policy); contracts,
 * transfers and GET /reference (src/reference) call the exported RolloutService (no cycle).
 */
@Module({
  imports: [AccessModule, OrganisationsModule, RulesModule],
  controllers: [RolloutController],
  providers: [RolloutService, EnrolmentsService],
  exports: [RolloutService],
})
export class RolloutModule {}
