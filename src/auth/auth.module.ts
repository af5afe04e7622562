import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AccessModule } from '../access/access.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { ServiceAccountsService } from './service-accounts.service';
import { JwtStrategy } from './jwt.strategy';
import { PrincipalCache } from './principal-cache';
import { RegistryAuthGuard } from './registry-auth.guard';
import { SessionsService } from './sessions.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/** Users, service accounts, sign-in and sessions. Other modules name actors through the exported UsersService (`actorNames`). */
@Module({
  imports: [PassportModule, AccessModule, OrganisationsModule],
  controllers: [AuthController, UsersController],
  providers: [
    AuthService,
    ServiceAccountsService,
    UsersService,
    SessionsService,
    PrincipalCache,
    JwtStrategy,
    { provide: APP_GUARD, useClass: RegistryAuthGuard },
  ],
  exports: [AuthService, UsersService],
})
export class AuthModule {}
