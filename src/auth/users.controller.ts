import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Roles } from '../common/decorators';
import { Page } from '../common/pagination';
import { ApiProblemResponses } from '../common/problem.view';
import { USER_ROLES } from '../common/roles';
import type { Principal } from '../common/roles';
import { UuidParam } from '../common/uuid-param.pipe';
import { setSessionCookie } from './auth.controller';
import { ChangePasswordDto, CreateUserDto, MeView, ResetPasswordDto, TokenResponse, UserListQuery, UserPage, UserView } from './auth.dto';
import { AuthService } from './auth.service';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiProblemResponses()
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Get()
  @Roles('SYSTEM_ADMIN', 'ORG_ADMIN')
  @ApiOperation({ summary: "The users the caller manages: administrators every user, an organisation's administrator its organisation's" })
  @ApiOkResponse({ type: UserPage })
  list(@CurrentPrincipal() principal: Principal, @Query() query: UserListQuery): Promise<Page<UserView>> {
    return this.users.list(principal, query);
  }

  @Post()
  @Roles('SYSTEM_ADMIN', 'ORG_ADMIN')
  @ApiCreatedResponse({ type: MeView })
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateUserDto): Promise<MeView> {
    return this.auth.createUser(principal, dto);
  }

  @Post('me/password')
  @HttpCode(200)
  @Roles(...USER_ROLES)
  @ApiOperation({ summary: 'Change your own password; your other tokens and sessions stop working, and a fresh token and session are returned' })
  @ApiOkResponse({ type: TokenResponse })
  async changeOwnPassword(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: ChangePasswordDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse> {
    const { token, session } = await this.users.changeOwnPassword(principal, dto, request.ip);
    setSessionCookie(request, reply, session);
    return token;
  }

  @Post(':id/password')
  @HttpCode(200)
  @Roles('SYSTEM_ADMIN', 'ORG_ADMIN')
  @ApiOperation({ summary: "Set a user's password (an administrator's reset); the user's tokens and sessions stop working" })
  @ApiOkResponse({ type: UserView })
  resetPassword(@CurrentPrincipal() principal: Principal, @Param('id', new UuidParam('User')) id: string, @Body() dto: ResetPasswordDto): Promise<UserView> {
    return this.users.resetPassword(principal, id, dto);
  }

  @Post(':id/disable')
  @HttpCode(204)
  @Roles('SYSTEM_ADMIN', 'ORG_ADMIN')
  @ApiNoContentResponse({ description: 'disabled; the tokens and sessions the user holds stop working' })
  disable(@CurrentPrincipal() principal: Principal, @Param('id', new UuidParam('User')) id: string): Promise<void> {
    return this.users.disable(principal, id);
  }
}
