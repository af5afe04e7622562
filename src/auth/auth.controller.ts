import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal, Public, Roles } from '../common/decorators';
import { ApiProblemResponses } from '../common/problem.view';
import { ROLES, USER_ROLES } from '../common/roles';
import type { Principal } from '../common/roles';
import { UuidParam } from '../common/uuid-param.pipe';
import { ChangePasswordDto, CreateServiceAccountDto, CreateUserDto, MeView, ServiceAccountCreated, TokenRequestDto, TokenResponse } from './auth.dto';
import { AuthService } from './auth.service';

@ApiTags('auth')
@ApiProblemResponses()
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('auth/token')
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponse })
  token(@Body() body: TokenRequestDto, @Req() request: FastifyRequest): Promise<TokenResponse> {
    return this.auth.issueToken(body, request.ip);
  }

  @Get('auth/me')
  @ApiBearerAuth()
  @Roles(...ROLES)
  @ApiOkResponse({ type: MeView })
  me(@CurrentPrincipal() principal: Principal): Promise<MeView> {
    return this.auth.me(principal);
  }

  @Post('users')
  @ApiBearerAuth()
  @Roles('SYSTEM_ADMIN', 'ORG_ADMIN')
  @ApiCreatedResponse({ type: MeView })
  createUser(@CurrentPrincipal() principal: Principal, @Body() dto: CreateUserDto): Promise<MeView> {
    return this.auth.createUser(principal, dto);
  }

  @Post('users/me/password')
  @ApiBearerAuth()
  @HttpCode(200)
  @Roles(...USER_ROLES)
  @ApiOperation({ summary: 'Change your own password; the tokens issued to you before stop working, and a fresh one is returned' })
  @ApiOkResponse({ type: TokenResponse })
  changeOwnPassword(@CurrentPrincipal() principal: Principal, @Body() dto: ChangePasswordDto, @Req() request: FastifyRequest): Promise<TokenResponse> {
    return this.auth.changeOwnPassword(principal, dto, request.ip);
  }

  @Post('users/:id/disable')
  @ApiBearerAuth()
  @HttpCode(204)
  @Roles('SYSTEM_ADMIN', 'ORG_ADMIN')
  @ApiNoContentResponse({ description: 'disabled; tokens already issued to the user stop working' })
  disableUser(@CurrentPrincipal() principal: Principal, @Param('id', new UuidParam('User')) id: string): Promise<void> {
    return this.auth.disableUser(principal, id);
  }

  @Post('organisations/:id/service-accounts')
  @ApiBearerAuth()
  @Roles('SYSTEM_ADMIN', 'ORG_ADMIN')
  @ApiCreatedResponse({ type: ServiceAccountCreated })
  createServiceAccount(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new UuidParam('Organisation')) organisationId: string,
    @Body() dto: CreateServiceAccountDto,
  ): Promise<ServiceAccountCreated> {
    return this.auth.createServiceAccount(principal, organisationId, dto.name);
  }

  @Get('organisations/:id/service-accounts')
  @ApiBearerAuth()
  @Roles('SYSTEM_ADMIN', 'ORG_ADMIN')
  @ApiOperation({ summary: "The organisation's service accounts (never their secrets)" })
  listServiceAccounts(@CurrentPrincipal() principal: Principal, @Param('id', new UuidParam('Organisation')) organisationId: string) {
    return this.auth.listServiceAccounts(principal, organisationId);
  }

  @Post('organisations/:id/service-accounts/:accountId/disable')
  @ApiBearerAuth()
  @HttpCode(200)
  @Roles('SYSTEM_ADMIN', 'ORG_ADMIN')
  @ApiOperation({ summary: 'Disable a service account: its secret and every token it holds stop working' })
  disableServiceAccount(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new UuidParam('Organisation')) organisationId: string,
    @Param('accountId', new UuidParam('Service account')) accountId: string,
  ) {
    return this.auth.disableServiceAccount(principal, organisationId, accountId);
  }

  @Post('organisations/:id/service-accounts/:accountId/rotate-secret')
  @ApiBearerAuth()
  @HttpCode(200)
  @Roles('SYSTEM_ADMIN', 'ORG_ADMIN')
  @ApiOperation({ summary: 'Issue a new client secret, shown once; the old one stops signing in' })
  rotateServiceAccountSecret(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new UuidParam('Organisation')) organisationId: string,
    @Param('accountId', new UuidParam('Service account')) accountId: string,
  ) {
    return this.auth.rotateServiceAccountSecret(principal, organisationId, accountId);
  }
}
