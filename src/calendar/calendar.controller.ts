import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Public, Roles } from '../common/decorators';
import type { Principal } from '../common/roles';
import { CoverageView, CreateOverrideDto, DeadlineQuery, DeadlineView, ListOverridesQuery, OverrideView } from './calendar.dto';
import { CalendarService } from './calendar.service';

@ApiTags('calendar')
@Controller('calendar')
export class CalendarController {
  constructor(private readonly calendar: CalendarService) {}

  /** R9: `from` is day 0; the answer is the `workingDays`-th working day after it. */
  @Get('deadline')
  @Public()
  @ApiOkResponse({ type: DeadlineView })
  deadline(@Query() query: DeadlineQuery): Promise<DeadlineView> {
    return this.calendar.deadlineFromQuery(query);
  }

  @Get('coverage')
  @Public()
  coverage(): CoverageView[] {
    return this.calendar.coverage();
  }

  @Get('overrides')
  @Public()
  listOverrides(@Query() query: ListOverridesQuery): Promise<OverrideView[]> {
    return this.calendar.listOverrides(query);
  }

  @Post('overrides')
  @ApiBearerAuth()
  @Roles('SYSTEM_ADMIN')
  createOverride(@CurrentPrincipal() principal: Principal, @Body() dto: CreateOverrideDto): Promise<OverrideView> {
    return this.calendar.createOverride(principal, dto);
  }
}
