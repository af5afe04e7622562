import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module';
import { RolloutModule } from '../rollout/rollout.module';
import { RulesModule } from '../rules/rules.module';
import { ReferenceController } from './reference.controller';

/**
 * GET /reference: the regimes and authorities (rollout), the sides and code lists with their labels (organisations),
 * the annex's categories and the compliance flags (the code lists of contracts and transfers), and the rules that are
 * data (rules). Nothing imports it, so it may read them all (docs/architecture.md#modules).
 */
@Module({
  imports: [OrganisationsModule, RolloutModule, RulesModule],
  controllers: [ReferenceController],
})
export class ReferenceModule {}
