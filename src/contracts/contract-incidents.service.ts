import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { namedParameters } from '../access/access';
import { AccessService } from '../access/access.service';
import { validationFailed } from '../common/errors';
import { Page } from '../common/pagination';
import { Principal } from '../common/roles';
import { inTransaction } from '../database/transaction';
import { appendHistory, historyEntry } from './contract-history.repository';
import { forbidden } from './contract-problems';
import { CONTRACT_SCOPE_COLUMNS } from './contract-list.repository';
import { partyOf } from './contract-views';
import { ListIncidentsQuery, ReportIncidentDto } from './contract.dto';
import { incidentsPage, insertIncident, registryIncidentsPage } from './contracts.repository';
import { AuthorityNotification, incidentFactErrors, IncidentSeverity } from './domain/incidents';
import { ContractsService } from './contracts.service';
import type { FilingParty } from './filing.entity';
import { ContractIncident } from './incident.entity';

export interface IncidentView {
  id: string;
  contractId: string;
  party: FilingParty;
  organisationId: string;
  occurredAt: string;
  /** R14: when the party discovered it (null: not stated). */
  discoveredAt: string | null;
  /** R14: null on reports made before severity was recorded, or that did not state it. */
  severity: IncidentSeverity | null;
  description: string;
  affectedDataSubjects: number;
  remedialActions: string | null;
  /** R14: the authorities the party notified, and when. */
  notifiedAuthorities: AuthorityNotification[];
  reportedAt: string;
}

function toIncidentView(i: ContractIncident): IncidentView {
  return {
    id: i.id,
    contractId: i.contractId,
    party: i.party,
    organisationId: i.organisationId,
    occurredAt: i.occurredAt.toISOString(),
    discoveredAt: i.discoveredAt ? i.discoveredAt.toISOString() : null,
    severity: i.severity ?? null,
    description: i.description,
    affectedDataSubjects: i.affectedDataSubjects,
    remedialActions: i.remedialActions ?? null,
    notifiedAuthorities: i.notifiedAuthorities ?? [],
    reportedAt: i.reportedAt.toISOString(),
  };
}

/** R14: either party reports a security incident on its contract; append-only. */
@Injectable()
export class ContractIncidentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly contracts: ContractsService,
    private readonly access: AccessService,
  ) {}

  async reportIncident(principal: Principal, contractId: string, dto: ReportIncidentDto): Promise<IncidentView> {
    return inTransaction(this.dataSource, async (m) => {
      const contract = await this.contracts.assertVisible(principal, contractId, m, true);
      const party = partyOf(principal, contract);
      if (!party) throw forbidden('incidents are reported by the parties');
      // R14: the authorities supervising a side of the contract, whom the party may have notified.
      const sideAuthorities = this.access.authoritiesOf([contract.processorJurisdiction, contract.recipientJurisdiction]);
      const errors = incidentFactErrors(dto, sideAuthorities, new Date());
      if (errors.length) throw validationFailed(errors);
      const incident = await insertIncident(m, {
        contractId,
        organisationId: principal.organisationId!,
        party,
        occurredAt: new Date(dto.occurredAt),
        description: dto.description,
        affectedDataSubjects: dto.affectedDataSubjects,
        discoveredAt: dto.discoveredAt ? new Date(dto.discoveredAt) : null,
        severity: dto.severity ?? null,
        remedialActions: dto.remedialActions ?? null,
        notifiedAuthorities: (dto.notifiedAuthorities ?? []).map((n) => ({ authority: n.authority, notifiedAt: new Date(n.notifiedAt).toISOString() })),
        reportedBy: principal.id,
      });
      const details = {
        incidentId: incident.id,
        occurredAt: incident.occurredAt.toISOString(),
        affectedDataSubjects: dto.affectedDataSubjects,
        severity: incident.severity,
        notifiedAuthorities: incident.notifiedAuthorities.map((n) => n.authority),
      };
      await appendHistory(m, [historyEntry(principal, contractId, 'INCIDENT_REPORTED', { party, details })]);
      return toIncidentView(incident);
    });
  }

  /**
   * GET /incidents: one page of the incidents of every contract the caller may read (the access policy's
   * `contract.read`, as for GET /contracts), in reporting order, with the filters.
   */
  async registryIncidents(principal: Principal, query: ListIncidentsQuery): Promise<Page<IncidentView>> {
    if (query.from && query.to && query.from > query.to) {
      throw validationFailed([{ field: 'to', rule: 'dateRange', message: `to must be on or after from (${query.from})` }]);
    }
    const page = await registryIncidentsPage(
      this.dataSource.manager,
      (bind) => this.access.sqlWhere(principal, 'contract.read', CONTRACT_SCOPE_COLUMNS, namedParameters(bind, 'access')),
      query,
    );
    return { items: page.items.map(toIncidentView), nextCursor: page.nextCursor };
  }

  /** One page in reporting order (at most CONTRACT_LIST_LIMIT incidents); `nextCursor` is null on the last. */
  async incidents(principal: Principal, contractId: string, query: { limit?: number; cursor?: string } = {}): Promise<Page<IncidentView>> {
    await this.contracts.assertVisible(principal, contractId);
    const page = await incidentsPage(this.dataSource.manager, contractId, query);
    return { items: page.items.map(toIncidentView), nextCursor: page.nextCursor };
  }
}
