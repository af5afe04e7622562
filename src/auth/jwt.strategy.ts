import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { REGISTRY_CONFIG, RegistryConfig } from '../config/config';
import type { Principal } from '../common/roles';
import { AuthService, JWT_ALGORITHM, RegistryClaims } from './auth.service';

/** passport-jwt verifies signature, algorithm (HS256 only: `alg: none` is refused), issuer, audience and expiry. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(REGISTRY_CONFIG) config: RegistryConfig,
    private readonly auth: AuthService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwtSecret,
      algorithms: [JWT_ALGORITHM],
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      ignoreExpiration: false,
    });
  }

  async validate(claims: RegistryClaims): Promise<Principal | false> {
    return (await this.auth.principalFromClaims(claims)) ?? false;
  }
}
