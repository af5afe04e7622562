import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../common/decorators';
import { Page } from '../common/pagination';
import type { Principal } from '../common/roles';
import { UuidParam } from '../common/uuid-param.pipe';
import { CreateOrganisationDto, ListOrganisationsQuery, OrganisationView } from './organisation.dto';
import { OrganisationsService } from './organisations.service';

@ApiTags('organisations')
@ApiBearerAuth()
@Controller('organisations')
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

  @Post()
  @Roles('SYSTEM_ADMIN', 'REGULATOR')
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateOrganisationDto): Promise<OrganisationView> {
    return this.organisations.create(principal, dto);
  }

  @Get()
  @Roles('SYSTEM_ADMIN', 'REGULATOR', 'ORG_ADMIN', 'ORG_FILER')
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListOrganisationsQuery): Promise<Page<OrganisationView>> {
    return this.organisations.list(principal, query);
  }

  @Get(':id')
  @Roles('SYSTEM_ADMIN', 'REGULATOR', 'ORG_ADMIN', 'ORG_FILER')
  get(@CurrentPrincipal() principal: Principal, @Param('id', new UuidParam('Organisation')) id: string): Promise<OrganisationView> {
    return this.organisations.getView(principal, id);
  }

  @Post(':id/verify')
  @HttpCode(200)
  @Roles('REGULATOR')
  verify(@CurrentPrincipal() principal: Principal, @Param('id', new UuidParam('Organisation')) id: string): Promise<OrganisationView> {
    return this.organisations.verify(principal, id);
  }
}
