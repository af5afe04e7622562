import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Public, Roles } from '../common/decorators';
import { Page } from '../common/pagination';
import type { Principal } from '../common/roles';
import { UuidParam } from '../common/uuid-param.pipe';
import { EnrolmentsService } from './enrolments.service';
import {
  ChangeEnrolmentDto,
  CreateEnrolmentDto,
  CreatePhaseDto,
  CreateRegimeDto,
  EnrolmentHistoryView,
  EnrolmentView,
  ListEnrolmentsQuery,
  ListPhasesQuery,
  PhaseView,
  RegimeView,
  RolloutStatsView,
  SectorView,
  StatsQuery,
} from './rollout.dto';
import { RolloutService } from './rollout.service';

@ApiTags('rollout')
@Controller('rollout')
export class RolloutController {
  constructor(
    private readonly rollout: RolloutService,
    private readonly enrolments: EnrolmentsService,
  ) {}

  @Get('regimes')
  @Public()
  listRegimes(): Promise<RegimeView[]> {
    return this.rollout.listRegimes();
  }

  @Post('regimes')
  @ApiBearerAuth()
  @Roles('SYSTEM_ADMIN')
  createRegime(@CurrentPrincipal() principal: Principal, @Body() dto: CreateRegimeDto): Promise<RegimeView> {
    return this.rollout.createRegime(principal, dto);
  }

  @Get('sectors')
  @Public()
  listSectors(): Promise<SectorView[]> {
    return this.rollout.listSectors();
  }

  @Get('phases')
  @Public()
  listPhases(@Query() query: ListPhasesQuery): Promise<PhaseView[]> {
    return this.rollout.listPhases(query.regime);
  }

  @Post('phases')
  @ApiBearerAuth()
  @Roles('SYSTEM_ADMIN')
  createPhase(@CurrentPrincipal() principal: Principal, @Body() dto: CreatePhaseDto): Promise<PhaseView> {
    return this.rollout.createPhase(principal, dto);
  }

  @Get('stats')
  @Public()
  stats(@Query() query: StatsQuery): Promise<RolloutStatsView> {
    return this.rollout.stats(query.regime);
  }

  @Post('enrolments')
  @ApiBearerAuth()
  @Roles('ORG_ADMIN', 'ORG_FILER')
  register(@CurrentPrincipal() principal: Principal, @Body() dto: CreateEnrolmentDto): Promise<EnrolmentView> {
    return this.enrolments.register(principal, dto);
  }

  @Get('enrolments')
  @ApiBearerAuth()
  @Roles('SYSTEM_ADMIN', 'REGULATOR', 'ORG_ADMIN', 'ORG_FILER')
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListEnrolmentsQuery): Promise<Page<EnrolmentView>> {
    return this.enrolments.list(principal, query);
  }

  @Get('enrolments/:id')
  @ApiBearerAuth()
  @Roles('SYSTEM_ADMIN', 'REGULATOR', 'ORG_ADMIN', 'ORG_FILER')
  get(@CurrentPrincipal() principal: Principal, @Param('id', new UuidParam('Enrolment')) id: string): Promise<EnrolmentView> {
    return this.enrolments.get(principal, id);
  }

  @Patch('enrolments/:id')
  @ApiBearerAuth()
  @Roles('SYSTEM_ADMIN', 'REGULATOR', 'ORG_ADMIN', 'ORG_FILER')
  change(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new UuidParam('Enrolment')) id: string,
    @Body() dto: ChangeEnrolmentDto,
  ): Promise<EnrolmentView> {
    return this.enrolments.change(principal, id, dto);
  }

  @Get('enrolments/:id/history')
  @ApiBearerAuth()
  @Roles('SYSTEM_ADMIN', 'REGULATOR', 'ORG_ADMIN', 'ORG_FILER')
  history(@CurrentPrincipal() principal: Principal, @Param('id', new UuidParam('Enrolment')) id: string): Promise<EnrolmentHistoryView[]> {
    return this.enrolments.history(principal, id);
  }
}
