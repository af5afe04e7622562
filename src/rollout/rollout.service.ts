import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AccessService } from '../access/access.service';
import type { Principal } from '../common/roles';
import { Geography } from '../organisations/geography';
import { activateEnrolments } from './enrolment-activation';
import { createPhase, listPhases, listSectors } from './phase-catalogue';
import { createRegime, listRegimes, readRegimeReference, RegimeReference } from './regime-catalogue';
import { AuthorityCatalogue, authorityPolicies, readAuthorities, readRegimeSides, RegimeSideData } from './regime-data';
import { assertDate, gateOf, readRegimeRules, RegimeGate, RegimeRules, RegimeRulesCache } from './regime-rules';
import { bumpSectorCounter, readRolloutStats, transferCountersSql } from './rollout-figures';
import { CreatePhaseDto, CreateRegimeDto, PhaseView, RegimeView, RolloutStatsView, SectorView } from './rollout.dto';
import { sectorOpensOn } from './sector-gate';

export type { RegimeReference } from './regime-catalogue';
export { ROLLOUT_REVISION_SQL } from './regime-rules';
export type { RegimeGate, RegimeRules } from './regime-rules';
export { isUniqueViolation } from './unique-violation';

/**
 * The rollout module's one exported service: the regimes and their sides' rules, the sector gate, enrolment
 * activation and the rollout figures. It holds the cached rules and authorities; the work is done by
 * regime-rules.ts, regime-catalogue.ts, phase-catalogue.ts, enrolment-activation.ts and rollout-figures.ts.
 */
@Injectable()
export class RolloutService {
  /** Rules per regime, valid for one revision (see ROLLOUT_REVISION_SQL). */
  private readonly rulesCache = new RegimeRulesCache();

  /** The authorities and their names as last read: at start, and whenever the rollout revision moves. */
  private authorityData: AuthorityCatalogue = { authorities: new Map() };

  constructor(
    @InjectDataSource() protected readonly dataSource: DataSource,
    private readonly access: AccessService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.refreshAuthorities();
  }

  /** R8, R16: the authorities (sides, names over time, filing-number prefixes) as last read; synchronous, for views. */
  authorities(): AuthorityCatalogue {
    return this.authorityData;
  }

  /** Reads the authorities again and gives them to the access policy (a regulator's account names one). */
  async refreshAuthorities(manager?: EntityManager): Promise<AuthorityCatalogue> {
    const catalogue = await readAuthorities(manager ?? this.dataSource.manager);
    this.authorityData = catalogue;
    this.access.useAuthorities(authorityPolicies(catalogue));
    return catalogue;
  }

  /** R8, R10, R11: the rules of `jurisdiction`'s side of `regime`, or null when the data has none. */
  async regimeSide(regime: string, jurisdiction: string, manager?: EntityManager): Promise<RegimeSideData | null> {
    const sides = await readRegimeSides(manager ?? this.dataSource.manager, [regime]);
    return sides.find((s) => s.jurisdiction === jurisdiction) ?? null;
  }

  /** GET /reference: every regime with its sides' rules, and every authority with its names over time, read afresh. */
  regimeReference(geography: Geography): Promise<RegimeReference> {
    return readRegimeReference(this.dataSource.manager, geography);
  }

  /** R15/R16 as stored: the regime and its phases with their sectors (null regime when unknown). */
  rules(regimeCode: string, manager?: EntityManager): Promise<RegimeRules> {
    return readRegimeRules(manager ?? this.dataSource.manager, regimeCode);
  }

  /**
   * R15: was `sector` open under `regime` on `date` (YYYY-MM-DD)? False for an unknown regime.
   * Pass `manager` to read inside the caller's transaction.
   */
  async isSectorOpen(regime: string, sector: string, date: string, manager?: EntityManager): Promise<boolean> {
    return (await this.gate(regime, sector, date, manager)).sectorOpen;
  }

  /** R15 and R16 for a contract under `regime` effective on `date`: is the sector open, and which sides does the regime span. */
  async gate(regime: string, sector: string, date: string, manager?: EntityManager): Promise<RegimeGate> {
    assertDate(date);
    return gateOf(await this.rules(regime, manager), sector, date);
  }

  /**
   * `gate` for a caller that has read ROLLOUT_REVISION_SQL: the rules are read once per revision and regime,
   * then answered from memory; a changed revision also reads the authorities again.
   */
  async gateAt(regime: string, sector: string, date: string, revision: string, manager?: EntityManager): Promise<RegimeGate> {
    assertDate(date);
    const rules = await this.rulesCache.at(
      regime,
      revision,
      () => this.rules(regime, manager),
      () => this.refreshAuthorities(manager),
    );
    return gateOf(rules, sector, date);
  }

  /** The first date `sector` may use `regime`'s contract, or null (for SECTOR_NOT_OPEN messages). */
  async sectorOpensOn(regime: string, sector: string, manager?: EntityManager): Promise<string | null> {
    const rules = await this.rules(regime, manager);
    return rules.regime ? sectorOpensOn(rules.regime, rules.phases, sector) : null;
  }

  /**
   * Called inside the contracts module's transaction when a filing is ACCEPTED (R11): moves the
   * organisation's ENROLLED enrolments under `regime` to ACTIVE and records each change, by the
   * system on behalf of `actorId` (the reviewer). A no-op when there are none.
   */
  activateEnrolments(organisationId: string, regime: string, manager: EntityManager, actorId: string): Promise<void> {
    return activateEnrolments(manager, organisationId, regime, actorId);
  }

  /** Adds one accepted filing to the figures for (regime, sector, side); call inside the accepting transaction. */
  async recordFilingAccepted(regime: string, sector: string, jurisdiction: string, manager: EntityManager): Promise<void> {
    await bumpSectorCounter(manager, regime, sector, jurisdiction, 'accepted_filings', 1);
  }

  /** Adds `count` logged transfer records to the figures for (regime, sector, side); call inside the logging transaction. */
  async recordTransfers(regime: string, sector: string, jurisdiction: string, count: number, manager: EntityManager): Promise<void> {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
    if (count === 0) return;
    await bumpSectorCounter(manager, regime, sector, jurisdiction, 'transfer_records', count);
  }

  /**
   * recordTransfers for several (regime, sector, side) cells, each once, as SQL text for a statement the logging
   * transaction sends with others (src/database/one-message.ts); null when nothing counts.
   */
  recordTransfersSql(cells: ReadonlyArray<{ regime: string; sector: string; jurisdiction: string; count: number }>): string | null {
    for (const { count } of cells) if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
    return transferCountersSql(cells);
  }

  // Catalogue: regimes, sectors, phases (public reads, administrators write).

  listRegimes(): Promise<RegimeView[]> {
    return listRegimes(this.dataSource.manager);
  }

  /** R16: a regime is data; adding GBA_MAINLAND_MACAO needs no code change. */
  createRegime(principal: Principal, dto: CreateRegimeDto): Promise<RegimeView> {
    return createRegime(this.dataSource, principal, dto);
  }

  listSectors(): Promise<SectorView[]> {
    return listSectors(this.dataSource.manager);
  }

  listPhases(regime?: string): Promise<PhaseView[]> {
    return listPhases(this.dataSource.manager, regime);
  }

  /** R15: a phase is data; it opens the listed sectors (or all) under its regime from `opensOn`. */
  createPhase(principal: Principal, dto: CreatePhaseDto): Promise<PhaseView> {
    return createPhase(this.dataSource, principal, dto);
  }

  /** GET /rollout/stats: enrolments by regime, phase, sector, side and state, with the sector counters. */
  stats(regime?: string): Promise<RolloutStatsView> {
    return readRolloutStats(this.dataSource.manager, regime);
  }
}
