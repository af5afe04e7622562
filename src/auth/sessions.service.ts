import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { REGISTRY_CONFIG, RegistryConfig } from '../config/config';
import { inTransaction } from '../database/transaction';

/** A refresh token as handed to the browser (shown once; only its digest is stored), and when its session ends. */
export interface IssuedRefreshToken {
  token: string;
  sessionExpiresAt: Date;
}

/** What a refresh token presented for rotation turned out to be. */
export type Rotation = { kind: 'rotated'; userId: string; next: IssuedRefreshToken } | { kind: 'refused'; reason: 'unknown' | 'reused' | 'ended' };

/** Refresh tokens carry 256 random bits: a SHA-256 digest is enough to store them (unlike passwords, nothing to guess). */
const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * Console sessions (docs/api.md#sessions): a refresh token per sign-in, rotated on every use within
 * SESSION_MAX_HOURS of the sign-in; a used token presented again revokes its whole family (RFC 9700
 * §4.14.2); signing out revokes the family, and disabling the account or changing its password every
 * family of the user. Only users have sessions: service accounts sign in with client_credentials again.
 */
@Injectable()
export class SessionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
  ) {}

  /** A new family at sign-in. The user's sessions that ended over a day ago are forgotten here. */
  async start(userId: string, manager: EntityManager = this.dataSource.manager): Promise<IssuedRefreshToken> {
    const token = randomBytes(32).toString('base64url');
    await manager.query(`DELETE FROM auth_refresh_tokens WHERE user_id = $1 AND session_expires_at < now() - interval '1 day'`, [userId]);
    const [row] = await manager.query<Array<{ sessionExpiresAt: Date }>>(
      `INSERT INTO auth_refresh_tokens (family_id, user_id, token_hash, session_expires_at)
       VALUES ($1, $2, $3, now() + make_interval(hours => $4)) RETURNING session_expires_at AS "sessionExpiresAt"`,
      [randomUUID(), userId, digest(token), this.config.sessionMaxHours],
    );
    return { token, sessionExpiresAt: row.sessionExpiresAt };
  }

  /**
   * Spends `token` and issues the next of its family, in one transaction holding the token's row. A token
   * already spent (or revoked) revokes its family: whoever holds the newer token, an attacker or the user,
   * must sign in again.
   */
  async rotate(token: string): Promise<Rotation> {
    return inTransaction(this.dataSource, async (manager) => {
      const [row] = await manager.query<
        Array<{ id: string; familyId: string; userId: string; sessionExpiresAt: Date; spent: boolean; live: boolean; enabled: boolean }>
      >(
        `SELECT t.id, t.family_id AS "familyId", t.user_id AS "userId", t.session_expires_at AS "sessionExpiresAt",
                t.used_at IS NOT NULL OR t.revoked_at IS NOT NULL AS spent, t.session_expires_at > now() AS live, u.disabled_at IS NULL AS enabled
           FROM auth_refresh_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 FOR UPDATE OF t`,
        [digest(token)],
      );
      if (!row) return { kind: 'refused', reason: 'unknown' };
      if (row.spent) {
        await this.revokeFamily(manager, row.familyId);
        return { kind: 'refused', reason: 'reused' };
      }
      if (!row.live || !row.enabled) return { kind: 'refused', reason: 'ended' };
      const next = randomBytes(32).toString('base64url');
      await manager.query(`UPDATE auth_refresh_tokens SET used_at = now() WHERE id = $1`, [row.id]);
      await manager.query(`INSERT INTO auth_refresh_tokens (family_id, user_id, token_hash, session_expires_at) VALUES ($1, $2, $3, $4)`, [
        row.familyId,
        row.userId,
        digest(next),
        row.sessionExpiresAt,
      ]);
      return { kind: 'rotated', userId: row.userId, next: { token: next, sessionExpiresAt: row.sessionExpiresAt } };
    });
  }

  /** Sign-out: the family of `token` ends, whichever of its tokens is presented. */
  async end(token: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE auth_refresh_tokens SET revoked_at = now()
        WHERE family_id = (SELECT family_id FROM auth_refresh_tokens WHERE token_hash = $1) AND revoked_at IS NULL`,
      [digest(token)],
    );
  }

  /** Every session of the user ends (account disabled, password changed or reset). */
  async endAllOf(userId: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(`UPDATE auth_refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [userId]);
  }

  private async revokeFamily(manager: EntityManager, familyId: string): Promise<void> {
    await manager.query(`UPDATE auth_refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`, [familyId]);
  }
}
