import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CALENDAR_DATE_MESSAGE } from '../common/dates';
import { validationFailed } from '../common/errors';
import { OrganisationsService } from '../organisations/organisations.service';
import { RolloutService } from '../rollout/rollout.service';
import { Principal } from '../common/roles';
import { inTransaction } from '../database/transaction';
import { appendHistory, historyEntry } from './contract-history.repository';
import { forbidden, refuseIf } from './contract-problems';
import { ContractView, gbaToday, partyOf, toContractView } from './contract-views';
import { TerminateContractDto } from './contract.dto';
import type { Contract } from './contract.entity';
import { contractsWithVersionsAndFilings, filingsOfVersion, findVersion, updateContract } from './contracts.repository';
import { ContractsService } from './contracts.service';
import { isIsoDate } from './domain/contract-rules';
import { terminatedRefusal, terminationDateRefusal } from './domain/termination';
import { NoticesService } from './notices.service';

/** Either party terminates a contract from a date (R13); each side's authority gets a notice of it. */
@Injectable()
export class ContractTerminationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationsService,
    private readonly contracts: ContractsService,
    private readonly rollout: RolloutService,
    private readonly notices: NoticesService,
  ) {}

  async terminate(principal: Principal, contractId: string, dto: TerminateContractDto): Promise<ContractView> {
    if (!isIsoDate(dto.terminatedOn)) {
      throw validationFailed([{ field: 'terminatedOn', rule: 'isCalendarDate', message: `terminatedOn ${CALENDAR_DATE_MESSAGE}` }]);
    }
    return inTransaction(this.dataSource, async (m) => {
      const contract = await this.contracts.assertVisible(principal, contractId, m, true);
      const party = partyOf(principal, contract);
      if (!party) throw forbidden('a contract is terminated by one of its parties');
      refuseIf(terminatedRefusal(contract.terminatedOn));
      refuseIf(terminationDateRefusal(dto.terminatedOn, (await findVersion(m, contractId, 1)).effectiveDate));
      contract.terminatedOn = dto.terminatedOn;
      contract.terminationReason = dto.reason;
      contract.terminatedByOrganisationId = principal.organisationId;
      await updateContract(m, contract);
      // R13: the end is a notice to each side's authority, in this transaction.
      const filings = await filingsOfVersion(m, contractId, contract.filingVersion);
      const subject = { ...contract, contractId, endedOn: dto.terminatedOn, filings };
      await this.notices.record(m, await this.notices.plan(m, 'TERMINATED', [subject], gbaToday()));
      await appendHistory(m, [
        historyEntry(principal, contractId, 'CONTRACT_TERMINATED', { party, details: { terminatedOn: dto.terminatedOn, reason: dto.reason } }),
      ]);
      return { ...(await this.view(m, contract)), documentParties: this.contracts.documentParties(principal, contract) };
    });
  }

  private async view(m: EntityManager, contract: Contract): Promise<ContractView> {
    const { versions, filings } = await contractsWithVersionsAndFilings(m, [contract.id]);
    const parties = await this.organisations.findByIds([contract.processorId, contract.recipientId], m);
    const inForce = filings.filter((f) => f.version === contract.filingVersion);
    return toContractView(contract, versions, inForce, gbaToday(), new Map(parties.map((o) => [o.id, o])), this.rollout.authorities());
  }
}
