import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import { CalendarService } from '../calendar/calendar.service';
import { DomainError, ErrorCode } from '../common/errors';
import { RegistryMetrics } from '../common/metrics';
import { Principal } from '../common/roles';
import { OrganisationsService } from '../organisations/organisations.service';
import { RolloutService } from '../rollout/rollout.service';
import { RulesService } from '../rules/rules.service';
import {
  ContractInserts,
  contractToInsert,
  FilingRevisions,
  insertedContract,
  insertedRows,
  NewContract,
  PartyFacts,
  readFilingParties,
} from './contract-insert.repository';
import { assertValidTerms, contractGate, forbidden, sideRulesOf } from './contract-problems';
import { PartyRow } from './contract-rows';
import { ContractView, gbaToday, toContractView } from './contract-views';
import { CreateContractDto, termsFromDto } from './contract.dto';
import { ContractsService } from './contracts.service';
import { ContractTerms, deriveDirection } from './domain/contract-rules';
import { plannedFiling } from './domain/filing-lifecycle';

const PARTY_FACTS_CAPACITY = 10_000;

/** Checked filings read and try again at most this often when facts change under them. */
const FILING_ATTEMPTS = 3;

type FilingPlan = Pick<NewContract, 'terms' | 'direction' | 'filings'>;

/**
 * POST /contracts: files a contract in one statement shared with the other filings of the moment. The
 * sector gate (R15), the rule settings and the deadlines (R8/R9) are answered from memory for given rollout, calendar
 * and rule-settings revisions; the insert (contract-insert.repository.ts) re-checks, in its own snapshot, every fact
 * the plan assumed and writes nothing for a filing whose facts have changed. Concurrent filings share
 * one insert statement (`ContractInserts`).
 *
 * - Assumed: both parties' facts and the revisions are remembered from an earlier filing. A
 *   refusal on remembered facts is never final: the filing is then checked.
 * - Checked: read the parties with the revisions first. Every refusal comes from here. When
 *   a fact changes between the read and the insert (another filer's change, in plain SQL or on
 *   another instance), it reads again, up to FILING_ATTEMPTS times.
 */
@Injectable()
export class ContractFilingService {
  /** What the filing rules read of parties seen by checked filings (`PartyFacts`, never changed through the API); bounded. */
  private readonly partyFacts = new LRUCache<string, PartyFacts>({ max: PARTY_FACTS_CAPACITY });
  /** The rollout, calendar and rule-settings revisions the latest checked filing read. */
  private assumedRevisions: FilingRevisions | null = null;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly calendar: CalendarService,
    private readonly rollout: RolloutService,
    private readonly metrics: RegistryMetrics,
    private readonly access: AccessService,
    private readonly contracts: ContractsService,
    private readonly rules: RulesService,
    private readonly organisations: OrganisationsService,
    private readonly inserts: ContractInserts,
  ) {}

  async create(principal: Principal, dto: CreateContractDto): Promise<ContractView> {
    if (!this.access.may(principal, 'contract.file', { parties: [dto.processorId] })) {
      throw forbidden("a contract is filed by the processor's own organisation users (processorId must be your organisation)");
    }
    const terms = termsFromDto(dto);
    const created = (await this.createAssumed(principal, terms, dto)) ?? (await this.createChecked(principal, terms, dto));
    if (created) return created;
    throw new DomainError(ErrorCode.CONFLICT, 'The parties or the rules changed while the contract was being filed', {
      detail: `the rollout catalogue, the calendar overrides, the rule settings or a party changed during each of ${FILING_ATTEMPTS} attempts; nothing was filed, try again`,
    });
  }

  /** On remembered facts: the view, or null (nothing remembered, a refusal to confirm, or facts changed). */
  private async createAssumed(principal: Principal, terms: ContractTerms, dto: CreateContractDto): Promise<ContractView | null> {
    const processor = this.partyFacts.get(dto.processorId);
    const recipient = this.partyFacts.get(dto.recipientId);
    const revisions = this.assumedRevisions;
    if (!processor || !recipient || !revisions) return null;
    let plan: FilingPlan | null = null;
    try {
      plan = await this.planFiling(terms, processor, recipient, revisions);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error; // else confirmed (or not) on facts read afresh
    }
    const created = plan && (await this.insertFiling(principal, plan, processor, recipient, revisions));
    if (created) this.metrics.contractFilings.inc({ path: 'assumed' });
    return created;
  }

  /** On facts read afresh, up to FILING_ATTEMPTS times: the view, or null when the facts changed every time. */
  private async createChecked(principal: Principal, terms: ContractTerms, dto: CreateContractDto): Promise<ContractView | null> {
    for (let attempt = 1; attempt <= FILING_ATTEMPTS; attempt++) {
      const facts = await this.readFilingFacts(dto);
      const plan = await this.planFiling(terms, facts.processor, facts.recipient, facts.revisions);
      const created = await this.insertFiling(principal, plan, facts.processor, facts.recipient, facts.revisions);
      if (created) {
        this.metrics.contractFilings.inc({ path: 'checked' });
        return created;
      }
    }
    return null;
  }

  /** Both parties and the revisions, read afresh and remembered; R1 when a party is not a registered organisation. */
  private async readFilingFacts(dto: CreateContractDto): Promise<{ processor: PartyRow; recipient: PartyRow; revisions: FilingRevisions }> {
    const { parties, revisions } = await readFilingParties(this.dataSource, dto.processorId, dto.recipientId);
    this.assumedRevisions = revisions;
    for (const { id, jurisdiction, city, sector } of parties) this.partyFacts.set(id, { id, jurisdiction, city, sector });
    const processor = parties.find((o) => o.id === dto.processorId);
    const recipient = parties.find((o) => o.id === dto.recipientId);
    if (!processor || !recipient) {
      const field = !processor ? 'processorId' : 'recipientId';
      throw new DomainError(ErrorCode.RULE_VIOLATION, 'Both parties must be registered organisations', {
        rule: 'R1',
        detail: `${field} does not name a registered organisation`,
        errors: [{ field, rule: 'R1', message: 'not a registered organisation' }],
      });
    }
    return { processor, recipient, revisions };
  }

  /** R15 gate, every contract rule, the direction, and R8/R9: one filing per party with its own side's authority and a deadline from its own calendar. */
  private async planFiling(terms: ContractTerms, processor: PartyFacts, recipient: PartyFacts, revisions: FilingRevisions): Promise<FilingPlan> {
    const settings = await this.rules.settingsAt(terms.regime, revisions.rules);
    const gate = await contractGate(terms, settings, { processor, recipient }, (sector) =>
      this.rollout.gateAt(terms.regime, sector, terms.effectiveDate, revisions.rollout),
    );
    const geography = this.organisations.geography();
    assertValidTerms(terms, processor, recipient, gate, geography);
    const filing = async (party: PartyFacts) => {
      const side = sideRulesOf(gate, terms.regime, party.jurisdiction);
      return plannedFiling(side, await this.calendar.deadlineAt(party.jurisdiction, terms.effectiveDate, side.filingWorkingDays, revisions.calendar));
    };
    return {
      terms,
      direction: deriveDirection(processor.jurisdiction, recipient.jurisdiction, geography),
      filings: [await filing(processor), await filing(recipient)],
    };
  }

  /** The insert: the view, or null when a fact the plan assumed no longer holds (nothing written). */
  private async insertFiling(
    principal: Principal,
    plan: FilingPlan,
    processor: PartyFacts,
    recipient: PartyFacts,
    revisions: FilingRevisions,
  ): Promise<ContractView | null> {
    const item = contractToInsert({ ...plan, processor, recipient, actor: principal }, revisions);
    const row = await this.inserts.insert(item);
    if (!row) return null;
    const contract = insertedContract(item, row);
    const { version, filings } = insertedRows(item.version, principal, row.updatedAt);
    return {
      ...toContractView(contract, [version], filings, gbaToday(), new Map(row.parties.map((o) => [o.id, o])), this.rollout.authorities()),
      documentParties: this.contracts.documentParties(principal, contract),
    };
  }
}
