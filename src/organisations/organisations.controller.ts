import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../common/decorators';
import { ApiProblemResponses } from '../common/problem.view';
import { Page } from '../common/pagination';
import type { Principal } from '../common/roles';
import { UuidParam } from '../common/uuid-param.pipe';
import { CreateOrganisationDto, ListOrganisationsQuery, OrganisationPage, OrganisationView } from './organisation.dto';
import { OrganisationsService } from './organisations.service';

@ApiTags('organisations')
@ApiBearerAuth()
@ApiProblemResponses()
@Controller('organisations')
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

  @Post()
  @Roles('SYSTEM_ADMIN', 'REGULATOR')
  @ApiCreatedResponse({ type: OrganisationView })
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateOrganisationDto): Promise<OrganisationView> {
    return this.organisations.create(principal, dto);
  }

  @Get()
  @Roles('SYSTEM_ADMIN', 'REGULATOR', 'ORG_ADMIN', 'ORG_FILER')
  @ApiOkResponse({ type: OrganisationPage })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListOrganisationsQuery): Promise<Page<OrganisationView>> {
    return this.organisations.list(principal, query);
  }

  @Get(':id')
  @Roles('SYSTEM_ADMIN', 'REGULATOR', 'ORG_ADMIN', 'ORG_FILER')
  @ApiOkResponse({ type: OrganisationView })
  get(@CurrentPrincipal() principal: Principal, @Param('id', new UuidParam('Organisation')) id: string): Promise<OrganisationView> {
    return this.organisations.getView(principal, id);
  }

  @Post(':id/verify')
  @HttpCode(200)
  @Roles('REGULATOR')
  @ApiOkResponse({ type: OrganisationView })
  verify(@CurrentPrincipal() principal: Principal, @Param('id', new UuidParam('Organisation')) id: string): Promise<OrganisationView> {
    return this.organisations.verify(principal, id);
  }
}
