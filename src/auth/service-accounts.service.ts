// Service accounts (docs/api.md#sign-in-and-users): an organisation's machine identities, with a client secret
// shown once, disabled or rotated by the organisation's administrators.
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import { DomainError, ErrorCode, notFound } from '../common/errors';
import { Principal } from '../common/roles';
import { organisationScope, OrganisationsService } from '../organisations/organisations.service';
import { hashSecret } from './passwords';
import { PrincipalCache } from './principal-cache';
import { ServiceAccount } from './service-account.entity';

export interface ServiceAccountView {
  id: string;
  organisationId: string;
  clientId: string;
  name: string | null;
  disabledAt: string | null;
  createdAt: string;
}

export function toServiceAccountView(a: ServiceAccount): ServiceAccountView {
  return {
    id: a.id,
    organisationId: a.organisationId,
    clientId: a.clientId,
    name: a.name,
    disabledAt: a.disabledAt ? a.disabledAt.toISOString() : null,
    createdAt: a.createdAt.toISOString(),
  };
}

export function serviceAccountPrincipal(account: Pick<ServiceAccount, 'id' | 'organisationId'>): Principal {
  return { id: account.id, kind: 'service_account', role: 'ORG_SYSTEM', organisationId: account.organisationId, authority: null, email: null };
}

@Injectable()
export class ServiceAccountsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationsService,
    private readonly access: AccessService,
    private readonly principals: PrincipalCache,
  ) {}

  async createServiceAccount(
    caller: Principal,
    organisationId: string,
    name: string | undefined,
  ): Promise<{ id: string; organisationId: string; clientId: string; clientSecret: string; name: string | null }> {
    await this.assertManagesOrganisation(caller, organisationId);
    const clientId = `sa_${randomBytes(12).toString('hex')}`;
    const clientSecret = randomBytes(32).toString('base64url');
    const accounts = this.dataSource.getRepository(ServiceAccount);
    const saved = await accounts.save(
      accounts.create({ organisationId, clientId, secretHash: await hashSecret(clientSecret), name: name ?? null, createdBy: caller.id }),
    );
    return { id: saved.id, organisationId, clientId, clientSecret, name: saved.name };
  }

  async listServiceAccounts(caller: Principal, organisationId: string): Promise<ServiceAccountView[]> {
    await this.assertManagesOrganisation(caller, organisationId);
    const accounts = await this.dataSource
      .getRepository(ServiceAccount)
      .find({ where: { organisationId }, order: { createdAt: 'ASC', id: 'ASC' }, take: 1000 });
    return accounts.map(toServiceAccountView);
  }

  /** A leaked or retired machine identity stops working at once: sign-in and every token it holds. */
  async disableServiceAccount(caller: Principal, organisationId: string, accountId: string): Promise<ServiceAccountView> {
    const account = await this.managedServiceAccount(caller, organisationId, accountId);
    if (!account.disabledAt) {
      account.disabledAt = new Date();
      const disabledAt = account.disabledAt;
      await this.principals.changing(account.id, () => this.dataSource.getRepository(ServiceAccount).update({ id: account.id }, { disabledAt }));
    }
    return toServiceAccountView(account);
  }

  /**
   * A new secret, shown once; the old one no longer signs in, and the tokens issued before now are
   * refused (tokens_valid_from), on every instance from the next request.
   */
  async rotateServiceAccountSecret(caller: Principal, organisationId: string, accountId: string): Promise<ServiceAccountView & { clientSecret: string }> {
    const account = await this.managedServiceAccount(caller, organisationId, accountId);
    if (account.disabledAt) {
      throw new DomainError(ErrorCode.CONFLICT, 'Service account disabled', { detail: 'a disabled service account cannot be given a new secret' });
    }
    const clientSecret = randomBytes(32).toString('base64url');
    const secretHash = await hashSecret(clientSecret);
    await this.principals.changing(account.id, () =>
      this.dataSource.getRepository(ServiceAccount).update({ id: account.id }, { secretHash, tokensValidFrom: new Date() }),
    );
    return { ...toServiceAccountView(account), clientSecret };
  }

  private async assertManagesOrganisation(caller: Principal, organisationId: string): Promise<void> {
    const organisation = await this.organisations.findById(organisationId);
    this.access.require(caller, 'organisation.manage', organisation, organisationScope, 'Organisation');
  }

  private async managedServiceAccount(caller: Principal, organisationId: string, accountId: string): Promise<ServiceAccount> {
    await this.assertManagesOrganisation(caller, organisationId);
    const account = await this.dataSource.getRepository(ServiceAccount).findOneBy({ id: accountId, organisationId });
    if (!account) throw notFound('Service account');
    return account;
  }
}
