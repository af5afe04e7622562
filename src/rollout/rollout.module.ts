import { Module } from '@nestjs/common';
import { RolloutService } from './rollout.service';

/**
 * Regimes, sectors, phases (R15, R16), pilot enrolment and rollout figures. Imports no other
 * feature module; contracts and transfers call the exported RolloutService.
 */
@Module({
  providers: [RolloutService],
  exports: [RolloutService],
})
export class RolloutModule {}
