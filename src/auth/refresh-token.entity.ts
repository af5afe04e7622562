import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from './user.entity';

/**
 * A console session's refresh token (docs/api.md#sessions), stored as its SHA-256 digest only. A sign-in starts a
 * family; each use marks the token used and adds the next one to the family; a used token presented again
 * revokes the whole family (RFC 9700 §4.14.2, refresh token rotation). No token of a family outlives
 * `session_expires_at`, the sign-in plus SESSION_MAX_HOURS.
 */
@Entity({ name: 'auth_refresh_tokens' })
@Index('uq_auth_refresh_tokens_hash', ['tokenHash'], { unique: true })
@Index('ix_auth_refresh_tokens_family', ['familyId'])
@Index('ix_auth_refresh_tokens_user', ['userId'])
export class RefreshToken {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_auth_refresh_tokens' })
  id: string;

  @Column({ name: 'family_id', type: 'uuid' })
  familyId: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @ManyToOne(() => User, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_auth_refresh_tokens_user' })
  user?: User;

  @Column({ name: 'token_hash', type: 'bytea' })
  tokenHash: Buffer;

  @Column({ name: 'session_expires_at', type: 'timestamptz' })
  sessionExpiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
