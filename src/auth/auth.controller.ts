import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Public, Roles } from '../common/decorators';
import { ApiProblemResponses } from '../common/problem.view';
import { ROLES } from '../common/roles';
import type { Principal } from '../common/roles';
import { UuidParam } from '../common/uuid-param.pipe';
import { CreateServiceAccountDto, MeView, ServiceAccountCreated, TokenRequestDto, TokenResponse } from './auth.dto';
import { AuthService } from './auth.service';
import { ServiceAccountsService } from './service-accounts.service';
import { secureCookie, sessionCookie, sessionTokenOf } from './session-cookie';
import { IssuedRefreshToken } from './sessions.service';

@ApiTags('auth')
@ApiProblemResponses()
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly serviceAccounts: ServiceAccountsService,
  ) {}

  @Post('auth/token')
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: TokenResponse })
  @ApiOperation({
    summary: 'Sign in. A password sign-in also sets the session cookie (HttpOnly, Path=/auth) that POST /auth/refresh renews the token with',
  })
  async token(@Body() body: TokenRequestDto, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<TokenResponse> {
    const { token, session } = await this.auth.issueToken(body, request.ip);
    if (session) setSessionCookie(request, reply, session);
    return token;
  }

  @Post('auth/refresh')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Renew a console session: the session cookie's refresh token is spent for a new access token and the next refresh token; a spent one presented again ends the session",
  })
  @ApiOkResponse({ type: TokenResponse })
  async refresh(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<TokenResponse> {
    try {
      const { token, session } = await this.auth.refresh(sessionTokenOf(request.headers.cookie));
      setSessionCookie(request, reply, session);
      return token;
    } catch (error) {
      setSessionCookie(request, reply, null);
      throw error;
    }
  }

  @Post('auth/logout')
  @Public()
  @HttpCode(204)
  @ApiOperation({ summary: "Sign out: the session cookie's session ends and the cookie is cleared" })
  @ApiNoContentResponse({ description: 'signed out (also when there was no session)' })
  async logout(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.auth.signOut(sessionTokenOf(request.headers.cookie));
    setSessionCookie(request, reply, null);
  }

  @Get('auth/me')
  @ApiBearerAuth()
  @Roles(...ROLES)
  @ApiOkResponse({ type: MeView })
  me(@CurrentPrincipal() principal: Principal): Promise<MeView> {
    return this.auth.me(principal);
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
    return this.serviceAccounts.createServiceAccount(principal, organisationId, dto.name);
  }

  @Get('organisations/:id/service-accounts')
  @ApiBearerAuth()
  @Roles('SYSTEM_ADMIN', 'ORG_ADMIN')
  @ApiOperation({ summary: "The organisation's service accounts (never their secrets)" })
  listServiceAccounts(@CurrentPrincipal() principal: Principal, @Param('id', new UuidParam('Organisation')) organisationId: string) {
    return this.serviceAccounts.listServiceAccounts(principal, organisationId);
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
    return this.serviceAccounts.disableServiceAccount(principal, organisationId, accountId);
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
    return this.serviceAccounts.rotateServiceAccountSecret(principal, organisationId, accountId);
  }
}

/** Sets (or, with null, clears) the console's session cookie (src/auth/session-cookie.ts). */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, session: IssuedRefreshToken | null): void {
  const secure = secureCookie(request.protocol, request.hostname);
  void reply.header('set-cookie', sessionCookie(session?.token ?? null, session?.sessionExpiresAt ?? new Date(), secure));
}
