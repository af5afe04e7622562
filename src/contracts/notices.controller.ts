import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../common/decorators';
import { Page } from '../common/pagination';
import type { Principal } from '../common/roles';
import { UuidParam } from '../common/uuid-param.pipe';
import { ListIncidentsQuery, ListNoticesQuery } from './contract.dto';
import { ContractIncidentsService, IncidentView } from './contract-incidents.service';
import { NoticesService, NoticeView } from './notices.service';

/** R13: the regulators' queue of contracts' ends, scoped by the access policy (`notice.read`). */
@ApiTags('notices')
@ApiBearerAuth()
@Controller('notices')
export class NoticesController {
  constructor(private readonly notices: NoticesService) {}

  @Get()
  @Roles('SYSTEM_ADMIN', 'REGULATOR', 'ORG_ADMIN', 'ORG_FILER')
  @ApiOkResponse({
    description: "One page of notices, oldest first: a regulator its side's, an organisation's users those of its contracts, administrators all.",
  })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListNoticesQuery): Promise<Page<NoticeView>> {
    return this.notices.list(principal, query);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @Roles('REGULATOR')
  acknowledge(@CurrentPrincipal() principal: Principal, @Param('id', new UuidParam('Notice')) id: string): Promise<NoticeView> {
    return this.notices.acknowledge(principal, id);
  }
}

/** R14: incidents across the registry, for regulators and administrators, scoped as contracts are (`contract.read`). */
@ApiTags('incidents')
@ApiBearerAuth()
@Controller('incidents')
export class IncidentsController {
  constructor(private readonly incidents: ContractIncidentsService) {}

  @Get()
  @Roles('SYSTEM_ADMIN', 'REGULATOR')
  @ApiOkResponse({ description: 'One page of incidents in reporting order, of the contracts the caller may read.' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListIncidentsQuery): Promise<Page<IncidentView>> {
    return this.incidents.registryIncidents(principal, query);
  }
}
