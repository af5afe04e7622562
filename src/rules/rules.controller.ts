import { Body, Controller, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../common/decorators';
import type { Principal } from '../common/roles';
import { PutRefilingTriggerDto, PutRuleSettingDto, RefilingTriggerView, RuleSettingView } from './rules.dto';
import { RulesService } from './rules.service';

/** Administrators change the rules that are data (docs/rules.md#rules-as-data); GET /reference lists them. */
@ApiTags('rules')
@Controller('rules')
export class RulesController {
  constructor(private readonly rules: RulesService) {}

  @Put('settings/:code')
  @ApiBearerAuth()
  @Roles('SYSTEM_ADMIN')
  @ApiOkResponse({ type: RuleSettingView })
  putSetting(@CurrentPrincipal() principal: Principal, @Param('code') code: string, @Body() dto: PutRuleSettingDto): Promise<RuleSettingView> {
    return this.rules.putSetting(principal, code, dto);
  }

  @Put('refiling-triggers/:code')
  @ApiBearerAuth()
  @Roles('SYSTEM_ADMIN')
  @ApiOkResponse({ type: RefilingTriggerView })
  putTrigger(@CurrentPrincipal() principal: Principal, @Param('code') code: string, @Body() dto: PutRefilingTriggerDto): Promise<RefilingTriggerView> {
    return this.rules.putTrigger(principal, code, dto);
  }
}
