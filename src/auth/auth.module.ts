import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AccessModule } from '../access/access.module';
import { OrganisationsModule } from '../organisations/organisations.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtStrategy } from './jwt.strategy';
import { PrincipalCache } from './principal-cache';
import { RegistryAuthGuard } from './registry-auth.guard';

@Module({
  imports: [PassportModule, AccessModule, OrganisationsModule],
  controllers: [AuthController],
  providers: [AuthService, PrincipalCache, JwtStrategy, { provide: APP_GUARD, useClass: RegistryAuthGuard }],
  exports: [AuthService],
})
export class AuthModule {}
