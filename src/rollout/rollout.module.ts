import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { EnrolmentsService } from './enrolments.service';
import { RolloutController } from './rollout.controller';
import { RolloutService } from './rollout.service';

/**
 * Regimes, sectors, phases (R15, R16), pilot enrolment and rollout figures. Imports only
 * OrganisationsModule (and the access policy); contracts and transfers call the exported RolloutService (no cycle).
 */
@Module({
  imports: [AccessModule, OrganisationsModule],
  controllers: [RolloutController],
  providers: [RolloutService, EnrolmentsService],
  exports: [RolloutService],
})
export class RolloutModule {}
