import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { OrganisationsController } from './organisations.controller';
import { OrganisationsService } from './organisations.service';
import { ReferenceController } from './reference.controller';

@Module({
  imports: [AccessModule],
  controllers: [OrganisationsController, ReferenceController],
  providers: [OrganisationsService],
  exports: [OrganisationsService],
})
export class OrganisationsModule {}
