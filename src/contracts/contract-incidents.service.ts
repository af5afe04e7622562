import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Page } from '../common/pagination';
import { Principal } from '../common/roles';
import { inTransaction } from '../database/transaction';
import { appendHistory, historyEntry } from './contract-history.repository';
import { forbidden } from './contract-problems';
import { partyOf } from './contract-views';
import { ReportIncidentDto } from './contract.dto';
import { incidentsPage, insertIncident } from './contracts.repository';
import { ContractsService } from './contracts.service';
import type { FilingParty } from './filing.entity';
import { ContractIncident } from './incident.entity';

export interface IncidentView {
  id: string;
  contractId: string;
  party: FilingParty;
  organisationId: string;
  occurredAt: string;
  description: string;
  affectedDataSubjects: number;
  reportedAt: string;
}

function toIncidentView(i: ContractIncident): IncidentView {
  return {
    id: i.id,
    contractId: i.contractId,
    party: i.party,
    organisationId: i.organisationId,
    occurredAt: i.occurredAt.toISOString(),
    description: i.description,
    affectedDataSubjects: i.affectedDataSubjects,
    reportedAt: i.reportedAt.toISOString(),
  };
}

/** R14: either party reports a security incident on its contract; append-only. */
@Injectable()
export class ContractIncidentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly contracts: ContractsService,
  ) {}

  async reportIncident(principal: Principal, contractId: string, dto: ReportIncidentDto): Promise<IncidentView> {
    return inTransaction(this.dataSource, async (m) => {
      const contract = await this.contracts.assertVisible(principal, contractId, m, true);
      const party = partyOf(principal, contract);
      if (!party) throw forbidden('incidents are reported by the parties');
      const incident = await insertIncident(m, {
        contractId,
        organisationId: principal.organisationId!,
        party,
        occurredAt: new Date(dto.occurredAt),
        description: dto.description,
        affectedDataSubjects: dto.affectedDataSubjects,
        reportedBy: principal.id,
      });
      const details = { incidentId: incident.id, occurredAt: incident.occurredAt.toISOString(), affectedDataSubjects: dto.affectedDataSubjects };
      await appendHistory(m, [historyEntry(principal, contractId, 'INCIDENT_REPORTED', { party, details })]);
      return toIncidentView(incident);
    });
  }

  /** One page in reporting order (at most CONTRACT_LIST_LIMIT incidents); `nextCursor` is null on the last. */
  async incidents(principal: Principal, contractId: string, query: { limit?: number; cursor?: string } = {}): Promise<Page<IncidentView>> {
    await this.contracts.assertVisible(principal, contractId);
    const page = await incidentsPage(this.dataSource.manager, contractId, query);
    return { items: page.items.map(toIncidentView), nextCursor: page.nextCursor };
  }
}
