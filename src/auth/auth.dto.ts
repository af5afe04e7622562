import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { PageQuery } from '../common/pagination';
import { AUTHORITIES, ROLES, USER_ROLES } from '../common/roles';
import { IsCleanText } from '../common/text';
import { OrganisationView } from '../organisations/organisation.dto';

export class TokenRequestDto {
  @ApiProperty({ enum: ['password', 'client_credentials'] })
  @IsIn(['password', 'client_credentials'])
  grantType: 'password' | 'client_credentials';

  @ApiPropertyOptional()
  @ValidateIf((o: TokenRequestDto) => o.grantType === 'password')
  @IsString()
  @IsCleanText()
  @MaxLength(320)
  email?: string;

  @ApiPropertyOptional()
  @ValidateIf((o: TokenRequestDto) => o.grantType === 'password')
  @IsString()
  @MaxLength(1024)
  password?: string;

  @ApiPropertyOptional()
  @ValidateIf((o: TokenRequestDto) => o.grantType === 'client_credentials')
  @IsString()
  @IsCleanText()
  @MaxLength(200)
  clientId?: string;

  @ApiPropertyOptional()
  @ValidateIf((o: TokenRequestDto) => o.grantType === 'client_credentials')
  @IsString()
  @MaxLength(1024)
  clientSecret?: string;
}

export class TokenResponse {
  @ApiProperty() accessToken: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType: 'Bearer';
  @ApiProperty() expiresIn: number;
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'password sign-in only: when the session that the refresh-token cookie renews ends (SESSION_MAX_HOURS after sign-in)',
  })
  sessionExpiresAt?: string;
}

export class CreateUserDto {
  @ApiProperty()
  @IsEmail()
  @MaxLength(320)
  email: string;

  @ApiProperty({ minLength: 12, description: 'must score at least 3 of 4 by the zxcvbn strength estimator, judged against the e-mail address too' })
  @IsString()
  @MinLength(12)
  @MaxLength(1024)
  password: string;

  @ApiProperty({ enum: USER_ROLES })
  @IsIn(USER_ROLES)
  role: (typeof USER_ROLES)[number];

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @ApiPropertyOptional({ example: 'HK_DPO', description: `an authority of GET /reference (regimes' authorities, data), e.g. ${AUTHORITIES.join(', ')}` })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Z][A-Z0-9_]{1,63}$/, { message: 'authority must be an authority code such as HK_DPO' })
  authority?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 200, description: "how the user is named to others (a contract's history, the list of users)" })
  @IsOptional()
  @IsString()
  @IsCleanText()
  @MinLength(1)
  @MaxLength(200)
  displayName?: string;
}

export class ResetPasswordDto {
  @ApiProperty({ minLength: 12, description: "must score at least 3 of 4 by the zxcvbn strength estimator, judged against the user's e-mail address too" })
  @IsString()
  @MinLength(12)
  @MaxLength(1024)
  newPassword: string;
}

export class UserListQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "an organisation's users only" })
  @IsOptional()
  @IsUUID()
  organisationId?: string;
}

export class UserView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() email: string;
  @ApiProperty({ type: String, nullable: true }) displayName: string | null;
  @ApiProperty({ enum: USER_ROLES }) role: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) organisationId: string | null;
  @ApiProperty({ type: String, enum: AUTHORITIES, nullable: true }) authority: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) disabledAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class UserPage {
  @ApiProperty({ type: [UserView] }) items: UserView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @MaxLength(1024)
  currentPassword: string;

  @ApiProperty({ minLength: 12, description: 'must score at least 3 of 4 by the zxcvbn strength estimator, judged against your e-mail address too' })
  @IsString()
  @MinLength(12)
  @MaxLength(1024)
  newPassword: string;
}

export class CreateServiceAccountDto {
  @ApiPropertyOptional({ example: 'core-banking-transfer-logger' })
  @IsOptional()
  @IsString()
  @IsCleanText()
  @Matches(/^[\p{L}\p{N} ._-]{1,100}$/u, { message: 'name may use letters, digits, space, dot, underscore and hyphen (1-100)' })
  name?: string;
}

export class MeView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['user', 'service_account'] }) kind: 'user' | 'service_account';
  @ApiProperty({ type: String, nullable: true }) email: string | null;
  @ApiProperty({ type: String, nullable: true }) displayName: string | null;
  @ApiProperty({ enum: ROLES }) role: string;
  @ApiProperty({
    enum: ['registry', 'authority', 'organisation'],
    description:
      "whom the caller acts for: the whole registry, a regulator's authority, or an organisation (the console shows the first two the regulators' view, the third the organisation's)",
  })
  actsFor: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) organisationId: string | null;
  @ApiProperty({ type: String, enum: AUTHORITIES, nullable: true }) authority: string | null;
  @ApiPropertyOptional({ type: OrganisationView }) organisation?: unknown;
}

export class ServiceAccountCreated {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ example: 'sa_3f9a0c1d2e4b5a6978c0d1e2' }) clientId: string;
  @ApiProperty({ description: 'shown this once; only its argon2id hash is stored' }) clientSecret: string;
  @ApiProperty({ type: String, nullable: true }) name: string | null;
}
