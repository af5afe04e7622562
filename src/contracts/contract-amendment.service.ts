import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CalendarService } from '../calendar/calendar.service';
import { Principal } from '../common/roles';
import { inTransaction } from '../database/transaction';
import type { Organisation } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import { RolloutService } from '../rollout/rollout.service';
import { historyEntry } from './contract-history.repository';
import { insertedRows, insertVersion, NewFiling, NewVersion, versionFilings } from './contract-insert.repository';
import { assertValidTerms, ContractGate, contractGate, forbidden, refuseIf, sideRulesOf } from './contract-problems';
import type { FilingParty } from './filing.entity';
import { FilingView, gbaToday, partyOf, sortFilings, termsOf, toFilingView } from './contract-views';
import { ContractTermsDto, termsFromDto } from './contract.dto';
import { findVersion, updateContract } from './contracts.repository';
import { ContractsService } from './contracts.service';
import { AmendmentAnalysis, diffTerms, verdictOf } from './domain/amendment';
import { backdatingRefusal, regimeChangeRefusal, unchangedRefusal } from './domain/amendment-rules';
import { ContractTerms, IsoDate, isIsoDate } from './domain/contract-rules';
import { RulesService } from '../rules/rules.service';
import { plannedFiling } from './domain/filing-lifecycle';
import { terminatedRefusal } from './domain/termination';

/** An amendment made: its version, the verdict (R12) and the filings it opened. */
export interface AmendmentView extends AmendmentAnalysis {
  id: string;
  contractId: string;
  version: number;
  /** The filings created for this version (empty without re-filing). */
  filings: FilingView[];
}

/** `POST /contracts/:id/amendments/preview`: the verdict an amendment would get, nothing written. */
export interface AmendmentPreview extends AmendmentAnalysis {
  contractId: string;
  /** The version the amendment would become. */
  version: number;
  /** The filings it would open (empty without re-filing): each party's authority and deadline in its own calendar. */
  filings: { party: FilingParty; authority: string; deadline: IsoDate; provisional: boolean }[];
}

/** The processor amends a contract: a new version, with new filings when the change requires re-filing (R12). */
@Injectable()
export class ContractAmendmentService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly organisations: OrganisationsService,
    private readonly calendar: CalendarService,
    private readonly rollout: RolloutService,
    private readonly contracts: ContractsService,
    private readonly rules: RulesService,
  ) {}

  async amend(principal: Principal, contractId: string, dto: ContractTermsDto): Promise<AmendmentView> {
    const terms = termsFromDto(dto);
    return inTransaction(this.dataSource, async (m) => {
      const { contract, parties, gate, analysis } = await this.analyse(m, principal, contractId, terms, true);
      const version: NewVersion = {
        contractId,
        versionId: randomUUID(),
        version: contract.latestVersion + 1,
        terms,
        changedFields: analysis.changedFields,
        refilingRequired: analysis.refilingRequired,
        refilingReason: analysis.refilingReason,
        refilingTriggers: analysis.triggeredBy,
        filings: analysis.refilingRequired ? await this.planFilings(m, gate, terms.regime, parties, terms.effectiveDate) : [],
      };
      contract.latestVersion = version.version;
      if (analysis.refilingRequired) contract.filingVersion = version.version;
      await updateContract(m, contract);
      const amended = historyEntry(principal, contractId, 'CONTRACT_AMENDED', {
        version: version.version,
        details: {
          changedFields: analysis.changedFields,
          refilingRequired: analysis.refilingRequired,
          triggers: analysis.triggers,
          triggeredBy: analysis.triggeredBy.map((t) => t.code),
          refilingReason: analysis.refilingReason,
        },
      });
      const { filings } = insertedRows(version, principal, await insertVersion(m, version, principal, [amended]));
      const today = gbaToday();
      return {
        id: contractId,
        contractId,
        version: version.version,
        ...verdictOf(analysis),
        filings: sortFilings(filings).map((f) => toFilingView(f, terms.effectiveDate, today, this.rollout.authorities())),
      };
    });
  }

  /**
   * What `amend` would decide, without writing anything: the same refusals (as the same problems), the
   * changed fields and the R12 verdict, and with re-filing the filings it would open, each with its own
   * side's authority and deadline (R8, R9).
   */
  async preview(principal: Principal, contractId: string, dto: ContractTermsDto): Promise<AmendmentPreview> {
    const terms = termsFromDto(dto);
    return inTransaction(this.dataSource, async (m) => {
      const { parties, gate, previous, analysis } = await this.analyse(m, principal, contractId, terms, false);
      const planned = analysis.refilingRequired ? await this.planFilings(m, gate, terms.regime, parties, terms.effectiveDate) : [];
      return {
        contractId,
        version: previous.version + 1,
        ...verdictOf(analysis),
        filings: planned.map(({ party, authority, deadline, provisional }) => ({ party, authority, deadline, provisional })),
      };
    });
  }

  /** The checks an amendment passes (R12, R13, R16 and the terms' own rules) and its R12 analysis against the re-filing triggers as they stand. */
  private async analyse(m: EntityManager, principal: Principal, contractId: string, terms: ContractTerms, lock: boolean) {
    const contract = await this.contracts.assertVisible(principal, contractId, m, lock);
    if (partyOf(principal, contract) !== 'processor') throw forbidden("amendments are filed by the processor's organisation users");
    refuseIf(terminatedRefusal(contract.terminatedOn));
    refuseIf(regimeChangeRefusal(contract.regime, terms.regime));
    const found = await this.organisations.findByIds([contract.processorId, contract.recipientId], m);
    const parties = [contract.processorId, contract.recipientId].map((id) => found.find((o) => o.id === id)!) as [Organisation, Organisation];
    const previous = await findVersion(m, contractId, contract.latestVersion);
    // Appendix II left out of the body is the amended version's; null removes it.
    if (terms.appendixII === undefined) terms.appendixII = previous.appendixII;
    if (isIsoDate(terms.effectiveDate)) refuseIf(backdatingRefusal(previous, terms.effectiveDate));
    const gate = await this.validateTerms(m, terms, parties);
    const analysis = diffTerms(termsOf(previous), terms, await this.rules.refilingTriggers(m));
    refuseIf(unchangedRefusal(previous.version, analysis));
    return { contract, parties, gate, previous, analysis };
  }

  /** R1–R3, R5, R6, R15, R16 on the amended terms, with the rollout gate and the rule settings read in this transaction. */
  private async validateTerms(m: EntityManager, terms: ContractTerms, [processor, recipient]: [Organisation, Organisation]): Promise<ContractGate> {
    const settings = await this.rules.settingsFor(terms.regime, m);
    const gate = await contractGate(terms, settings, { processor, recipient }, (sector) => this.rollout.gate(terms.regime, sector, terms.effectiveDate, m));
    assertValidTerms(terms, processor, recipient, gate, this.organisations.geography());
    return gate;
  }

  /** R8/R9: one filing per party with its own side's authority and a deadline from its own calendar. */
  private async planFilings(
    m: EntityManager,
    gate: Pick<ContractGate, 'sideRules'>,
    regime: string,
    parties: [Organisation, Organisation],
    effectiveDate: IsoDate,
  ): Promise<NewVersion['filings']> {
    const planned: NewFiling[] = [];
    for (const party of parties) {
      const side = sideRulesOf(gate, regime, party.jurisdiction);
      planned.push(plannedFiling(side, await this.calendar.deadline(party.jurisdiction, effectiveDate, side.filingWorkingDays, m)));
    }
    return versionFilings(parties, [planned[0], planned[1]]);
  }
}
