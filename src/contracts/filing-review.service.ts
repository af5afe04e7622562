import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import { CalendarService } from '../calendar/calendar.service';
import type { Jurisdiction } from '../calendar/working-days';
import { Principal } from '../common/roles';
import { inTransaction } from '../database/transaction';
import { OrganisationsService } from '../organisations/organisations.service';
import { RolloutService } from '../rollout/rollout.service';
import { appendHistory, historyEntry } from './contract-history.repository';
import { forbidden, sideRulesOf, transition } from './contract-problems';
import { FilingView, gbaToday } from './contract-views';
import { ReviewFilingDto } from './contract.dto';
import type { Contract } from './contract.entity';
import { nextFilingSequence, saveFiling, updateContract } from './contracts.repository';
import { ContractsService } from './contracts.service';
import { formatFilingNumber } from './domain/filing-lifecycle';
import type { Filing, FilingParty } from './filing.entity';
import { filingFor, filingView } from './filing-submission.service';

/** The filing authority accepts a filing with a number or returns it for correction (R8, R11). */
@Injectable()
export class FilingReviewService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationsService,
    private readonly calendar: CalendarService,
    private readonly rollout: RolloutService,
    private readonly access: AccessService,
    private readonly contracts: ContractsService,
  ) {}

  async reviewFiling(principal: Principal, contractId: string, party: FilingParty, dto: ReviewFilingDto, version?: number): Promise<FilingView> {
    return inTransaction(this.dataSource, async (m) => {
      const contract = await this.contracts.assertVisible(principal, contractId, m, true);
      if (!this.access.holds(principal, 'filing.review')) {
        throw forbidden('filings are reviewed by the regulator of the filing authority; the PCPD audits read-only and reviews none');
      }
      const filing = await filingFor(m, contractId, party, dto.decision, version);
      // R8: only the authority the filing was made with reviews it; to any other regulator it does not exist.
      this.access.require(principal, 'filing.review', filing, (f) => ({ authority: f.authority }), 'Filing');
      const from = filing.status;
      filing.status = transition(filing, dto.decision);
      filing.reviewedAt = new Date();
      filing.reviewedBy = principal.id;
      if (dto.decision === 'RETURN') await this.returnFiling(m, filing, contract, dto.reason!);
      else await this.acceptFiling(m, filing, contract, principal);
      await updateContract(m, contract);
      const details =
        dto.decision === 'ACCEPT' ? { filingNumber: filing.filingNumber } : { reason: dto.reason, resubmissionDeadline: filing.resubmissionDeadline };
      const action = dto.decision === 'ACCEPT' ? 'FILING_ACCEPTED' : 'FILING_RETURNED';
      await appendHistory(m, [
        historyEntry(principal, contractId, action, { version: filing.version, party, fromStatus: from, toStatus: filing.status, details }),
      ]);
      return filingView(m, filing, this.rollout.authorities());
    });
  }

  /**
   * R11 [A]: a return states its reason and sets a resubmission window: the working days of the authority's side of
   * the regime (data, docs/rules.md#r16; seeded 10, the national practice), counted in that side's calendar.
   */
  private async returnFiling(m: EntityManager, filing: Filing, contract: Contract, reason: string): Promise<void> {
    filing.returnReason = reason;
    const jurisdiction = this.rollout.authorities().authorities.get(filing.authority)?.jurisdiction ?? '';
    const side = sideRulesOf(
      { sideRules: [await this.rollout.regimeSide(contract.regime, jurisdiction, m)].filter((s) => s !== null) },
      contract.regime,
      jurisdiction,
    );
    const resubmission = await this.calendar.deadline(side.jurisdiction as Jurisdiction, gbaToday(filing.reviewedAt!), side.resubmissionWorkingDays, m);
    filing.resubmissionDeadline = resubmission.deadline;
    filing.resubmissionProvisional = resubmission.provisional;
    await saveFiling(m, filing);
  }

  /** R11: acceptance issues the next filing number of the authority's year and makes the organisation's pilot enrolment ACTIVE, in this transaction. */
  private async acceptFiling(m: EntityManager, filing: Filing, contract: Contract, principal: Principal): Promise<void> {
    const year = Number(gbaToday(filing.reviewedAt!).slice(0, 4));
    filing.returnReason = null;
    filing.resubmissionDeadline = null;
    filing.resubmissionProvisional = null;
    const prefix = this.rollout.authorities().authorities.get(filing.authority)?.filingNumberPrefix;
    if (!prefix) throw new Error(`authority ${filing.authority} has no filing-number prefix (rollout_authorities)`);
    filing.filingNumber = formatFilingNumber(prefix, year, await nextFilingSequence(m, filing.authority, year));
    await saveFiling(m, filing);
    const organisation = await this.organisations.findById(filing.organisationId, m);
    await this.rollout.activateEnrolments(filing.organisationId, contract.regime, m, principal.id);
    if (organisation) await this.rollout.recordFilingAccepted(contract.regime, organisation.sector, organisation.jurisdiction, m);
  }
}
