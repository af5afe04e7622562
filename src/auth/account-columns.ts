import { Column, CreateDateColumn } from 'typeorm';

/**
 * What a user and a service account both carry (docs/api.md, authentication): whether it is
 * disabled, the instant before which its tokens are refused, and who made it when. TypeORM reads the
 * columns of an abstract class an entity extends.
 */
export abstract class AccountColumns {
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  /** Tokens issued (`iat`) before this instant are refused; set when a user changes their password or a service account's secret is rotated. */
  @Column({ name: 'tokens_valid_from', type: 'timestamptz', nullable: true })
  tokensValidFrom: Date | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
