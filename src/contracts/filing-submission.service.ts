import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { notFound } from '../common/errors';
import { Principal } from '../common/roles';
import { inTransaction } from '../database/transaction';
import { OrganisationsService } from '../organisations/organisations.service';
import type { AuthorityCatalogue } from '../rollout/regime-data';
import { RolloutService } from '../rollout/rollout.service';
import { appendHistory, historyEntry } from './contract-history.repository';
import { forbidden, refuseIf, sideRulesOf, transition } from './contract-problems';
import { FilingView, gbaToday, partyOf, toFilingView } from './contract-views';
import { findVersionById, partyFilings, saveFiling, updateContract, uploadedKinds } from './contracts.repository';
import { ContractsService } from './contracts.service';
import { FilingAction, filingToActOn } from './domain/filing-lifecycle';
import { materialsRefusal } from './domain/materials';
import type { Filing, FilingParty } from './filing.entity';

/**
 * The party's filing that `action` applies to: of `version` when given (404 if that version has
 * none), else `filingToActOn` (the earliest still-open filing, so a re-filing amendment that takes
 * effect later never strands the filings of the version in force). Locked for the transition.
 */
export async function filingFor(m: EntityManager, contractId: string, party: FilingParty, action: FilingAction, version?: number): Promise<Filing> {
  const filing = filingToActOn(await partyFilings(m, contractId, party, version), action);
  if (!filing) throw notFound('Filing');
  return filing;
}

/** A filing as answered after a transition, with its version's effective date (R8: the authority's name on it). */
export async function filingView(m: EntityManager, filing: Filing, authorities: AuthorityCatalogue): Promise<FilingView> {
  const version = await findVersionById(m, filing.contractVersionId);
  return toFilingView(filing, version.effectiveDate, gbaToday(), authorities);
}

/** A party submits (or resubmits) its filing (R8, R10, R11). */
@Injectable()
export class FilingSubmissionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly contracts: ContractsService,
    private readonly organisations: OrganisationsService,
    private readonly rollout: RolloutService,
  ) {}

  async submitFiling(principal: Principal, contractId: string, party: FilingParty, version?: number): Promise<FilingView> {
    return inTransaction(this.dataSource, async (m) => {
      const contract = await this.contracts.assertVisible(principal, contractId, m, true);
      if (partyOf(principal, contract) !== party) throw forbidden(`the ${party} filing is submitted by the ${party}'s organisation users`);
      const filing = await filingFor(m, contractId, party, 'SUBMIT', version);
      const to = transition(filing, 'SUBMIT');
      // R10: the filer's own materials, uploaded for this version or later.
      // R10: the materials of the filer's side of the regime, by its party type (data, docs/rules.md#r16).
      const filer = await this.organisations.findById(filing.organisationId, m);
      const side = sideRulesOf(
        { sideRules: filer ? [await this.rollout.regimeSide(contract.regime, filer.jurisdiction, m)].filter((s) => s !== null) : [] },
        contract.regime,
        filer?.jurisdiction ?? '',
      );
      refuseIf(materialsRefusal(side.materials, await uploadedKinds(m, contractId, filing.organisationId, filing.version), party, filer?.partyType));
      const from = filing.status;
      filing.status = to;
      filing.submittedAt = new Date();
      filing.firstSubmittedOn = filing.firstSubmittedOn ?? gbaToday();
      filing.resubmissionDeadline = null;
      filing.resubmissionProvisional = null;
      await saveFiling(m, filing);
      await updateContract(m, contract);
      await appendHistory(m, [historyEntry(principal, contractId, 'FILING_SUBMITTED', { version: filing.version, party, fromStatus: from, toStatus: to })]);
      return filingView(m, filing, this.rollout.authorities());
    });
  }
}
