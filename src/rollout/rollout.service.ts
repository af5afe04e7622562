import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AccessService } from '../access/access.service';
import { DataSource, EntityManager } from 'typeorm';
import { inTransaction as inTransactionOf } from '../database/transaction';
import { DomainError, ErrorCode, FieldError, validationFailed } from '../common/errors';
import { CALENDAR_DATE_MESSAGE } from '../common/dates';
import type { Principal } from '../common/roles';
import { ENROLMENT_STATES, EnrolmentState, nextEnrolmentState } from './enrolment-lifecycle';
import { recordEnrolmentChange } from './enrolment-history';
import { RolloutEnrolment } from './enrolment.entity';
import { RolloutPhase, RolloutPhaseSector } from './phase.entity';
import { RolloutRegime } from './regime.entity';
import { PARTY_TYPES, PartyType } from '../organisations/gba';
import { Geography, schemesOfSide } from '../organisations/geography';
import {
  AuthorityCatalogue,
  AuthorityData,
  authorityPolicies,
  MaterialData,
  readAuthorities,
  readRegimeSides,
  REGIME_DATA_REVISION_SQL,
  RegimeSideData,
} from './regime-data';
import { isIsoDate, isSectorOpen, PhaseRule, RegimeRule, sectorOpensOn } from './sector-gate';
import { RolloutSectorCounter } from './sector-counter.entity';
import { RolloutSector } from './sector.entity';
import { CreatePhaseDto, CreateRegimeDto, EnrolmentStatsRow, PhaseView, RegimeView, RolloutStatsView, SectorActivityRow, SectorView } from './rollout.dto';

const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e?.code === UNIQUE_VIOLATION || e?.driverError?.code === UNIQUE_VIOLATION;
}

function toRegimeView(r: RolloutRegime): RegimeView {
  return { code: r.code, name: r.name, nameZh: r.nameZh, sides: r.sides, opensOn: r.opensOn };
}

interface NameView {
  validFrom: string;
  en: string;
  'zh-Hant': string;
  'zh-Hans': string;
  source: string | null;
}

/** The regimes and authorities of GET /reference (R8, R10, R11, R16, R17). */
export interface RegimeReference {
  regimes: Array<{
    code: string;
    name: string;
    nameZh: string | null;
    opensOn: string;
    sides: Array<
      Omit<RegimeSideData, 'regime' | 'materials'> & {
        cities: string[];
        identifierTypes: string[];
        materials: Record<PartyType, MaterialData[]>;
      }
    >;
  }>;
  authorities: Array<Omit<AuthorityData, 'names'> & { names: NameView[] }>;
}

export interface RegimeRules {
  regime: (RegimeRule & { name: string; sides: string[] }) | null;
  phases: (PhaseRule & { id: string })[];
  /** R8, R10, R11: each side's filing authority, windows and materials (data, docs/rules.md#r16). */
  sideRules: RegimeSideData[];
}

/** What a contract filed under a regime on a date is checked against (R15, R16). */
export interface RegimeGate {
  /** R15: the processor's sector was open under the regime on the date (false for an unknown regime). */
  sectorOpen: boolean;
  /** R16: the two sides the regime spans; null for an unknown regime. */
  sides: string[] | null;
  /** R8, R10, R11: the rules of each side that has them (docs/rules.md#r16). */
  sideRules: RegimeSideData[];
}

/**
 * A fingerprint of everything `rules()` reads (regimes, phases, phase sectors), as a scalar SQL
 * subquery. Callers fold it into a query they make anyway (POST /contracts reads it with the
 * parties) and pass it to `gateAt`, which reuses its cached rules while the fingerprint is
 * unchanged: exact across instances (no TTL), at no extra round trip. The tables hold a handful of rows.
 */
export const ROLLOUT_REVISION_SQL = `(SELECT md5(
  coalesce((SELECT string_agg(concat_ws('/', code, opens_on, name, array_to_string(sides, '+')), ',' ORDER BY code) FROM rollout_regimes), '') || '|' ||
  coalesce((SELECT string_agg(concat_ws('/', id, regime_code, number, opens_on, all_sectors), ',' ORDER BY id) FROM rollout_phases), '') || '|' ||
  coalesce((SELECT string_agg(concat_ws('/', phase_id, sector_code), ',' ORDER BY phase_id, sector_code) FROM rollout_phase_sectors), '') || '|' ||
  ${REGIME_DATA_REVISION_SQL}))`;

const RULES_CACHE_CAPACITY = 100;

/**
 * R16: a regime created through the API takes, for each side, the filing authority, windows and materials of the
 * earliest regime with that side (rows an administrator or a migration may change afterwards). A side no regime
 * has yet is refused: its rules come with the data that adds it.
 */
async function copySideRules(manager: EntityManager, regime: string, sides: readonly string[]): Promise<void> {
  const copied: Array<{ jurisdiction: string }> = await manager.query(
    `INSERT INTO rollout_regime_sides (regime_code, jurisdiction, filing_authority, filing_working_days, review_working_days, resubmission_working_days, source)
     SELECT DISTINCT ON (s.jurisdiction) $1, s.jurisdiction, s.filing_authority, s.filing_working_days, s.review_working_days, s.resubmission_working_days,
            'copied from ' || s.regime_code
     FROM rollout_regime_sides s JOIN rollout_regimes r ON r.code = s.regime_code
     WHERE s.jurisdiction = ANY($2) AND s.regime_code <> $1
     ORDER BY s.jurisdiction, r.opens_on, r.code
     RETURNING jurisdiction`,
    [regime, sides],
  );
  const missing = sides.filter((side) => !copied.some((c) => c.jurisdiction === side));
  if (missing.length) {
    throw validationFailed(
      missing.map((side) => ({ field: 'sides', rule: 'R16', message: `no regime has a ${side} side yet: add its rules as data (docs/rules.md#r16)` })),
    );
  }
  await manager.query(
    `INSERT INTO rollout_filing_materials (regime_code, jurisdiction, party_type, kind, position, confirmed, source)
     SELECT $1, m.jurisdiction, m.party_type, m.kind, m.position, m.confirmed, m.source
     FROM rollout_filing_materials m
     JOIN (SELECT DISTINCT ON (s.jurisdiction) s.regime_code, s.jurisdiction
           FROM rollout_regime_sides s JOIN rollout_regimes r ON r.code = s.regime_code
           WHERE s.jurisdiction = ANY($2) AND s.regime_code <> $1
           ORDER BY s.jurisdiction, r.opens_on, r.code) src ON src.regime_code = m.regime_code AND src.jurisdiction = m.jurisdiction`,
    [regime, sides],
  );
}

function assertDate(date: string): void {
  if (!isIsoDate(date)) {
    throw validationFailed([{ field: 'date', rule: 'DATE_FORMAT', message: `date ${CALENDAR_DATE_MESSAGE}` }]);
  }
}

function gateOf(rules: RegimeRules, sector: string, date: string): RegimeGate {
  return {
    sectorOpen: isSectorOpen(rules.regime, rules.phases, sector, date),
    sides: rules.regime ? [...rules.regime.sides] : null,
    sideRules: rules.sideRules,
  };
}

@Injectable()
export class RolloutService {
  /** Rules per regime, valid for `rulesRevision` (see ROLLOUT_REVISION_SQL). */
  private readonly rulesByRegime = new Map<string, RegimeRules>();
  private rulesRevision: string | null = null;

  /** The authorities and their names as last read: at start, and whenever the rollout fingerprint moves. */
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
  async regimeReference(geography: Geography): Promise<RegimeReference> {
    const m = this.dataSource.manager;
    const [regimes, sides, catalogue] = await Promise.all([
      m.getRepository(RolloutRegime).find({ order: { opensOn: 'ASC', code: 'ASC' } }),
      readRegimeSides(m, null),
      readAuthorities(m),
    ]);
    return {
      regimes: regimes.map((r) => ({
        code: r.code,
        name: r.name,
        nameZh: r.nameZh,
        opensOn: r.opensOn,
        sides: r.sides.flatMap((jurisdiction) => {
          const side = sides.find((s) => s.regime === r.code && s.jurisdiction === jurisdiction);
          if (!side) return [];
          const { regime: _regime, materials, ...rules } = side;
          return [
            {
              ...rules,
              cities: [...geography.cities.values()].filter((c) => c.jurisdiction === jurisdiction).map((c) => c.code),
              identifierTypes: schemesOfSide(geography, jurisdiction),
              materials: Object.fromEntries(PARTY_TYPES.map((type) => [type, materials[type] ?? []])) as Record<PartyType, MaterialData[]>,
            },
          ];
        }),
      })),
      authorities: [...catalogue.authorities.values()].map(({ names, ...authority }) => ({
        ...authority,
        names: names.map((n) => ({ validFrom: n.validFrom, en: n.en, 'zh-Hant': n.zhHant, 'zh-Hans': n.zhHans, source: n.source })),
      })),
    };
  }

  /** R15/R16 as stored: the regime and its phases with their sectors (null regime when unknown). */
  async rules(regimeCode: string, manager?: EntityManager): Promise<RegimeRules> {
    const m = manager ?? this.dataSource.manager;
    const regime = await m.getRepository(RolloutRegime).findOneBy({ code: regimeCode });
    if (!regime) return { regime: null, phases: [], sideRules: [] };
    const [phases, sideRules] = await Promise.all([
      m.getRepository(RolloutPhase).find({ where: { regimeCode }, order: { number: 'ASC' } }),
      readRegimeSides(m, [regimeCode]),
    ]);
    const listed = phases.length
      ? await m
          .getRepository(RolloutPhaseSector)
          .createQueryBuilder('ps')
          .where('ps.phase_id IN (:...ids)', { ids: phases.map((p) => p.id) })
          .getMany()
      : [];
    return {
      regime: { code: regime.code, name: regime.name, opensOn: regime.opensOn, sides: regime.sides },
      phases: phases.map((p) => ({
        id: p.id,
        number: p.number,
        opensOn: p.opensOn,
        allSectors: p.allSectors,
        sectors: listed.filter((s) => s.phaseId === p.id).map((s) => s.sectorCode),
      })),
      sideRules,
    };
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
   * then answered from memory. Rules are loaded after the caller read the revision, so they are never older
   * than it; a changed revision drops them all.
   */
  async gateAt(regime: string, sector: string, date: string, revision: string, manager?: EntityManager): Promise<RegimeGate> {
    assertDate(date);
    if (this.rulesRevision !== revision) {
      this.rulesByRegime.clear();
      this.rulesRevision = revision;
      await this.refreshAuthorities(manager);
    }
    let rules = this.rulesByRegime.get(regime);
    if (!rules) {
      rules = await this.rules(regime, manager);
      if (this.rulesRevision === revision && this.rulesByRegime.size < RULES_CACHE_CAPACITY) this.rulesByRegime.set(regime, rules);
    }
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
  async activateEnrolments(organisationId: string, regime: string, manager: EntityManager, actorId: string): Promise<void> {
    const enrolments = await manager
      .getRepository(RolloutEnrolment)
      .createQueryBuilder('e')
      .setLock('pessimistic_write')
      .where('e.organisation_id = :organisationId', { organisationId })
      .andWhere('e.regime_code = :regime', { regime })
      .andWhere(`e.status = 'ENROLLED'`)
      .getMany();
    for (const enrolment of enrolments) {
      await recordEnrolmentChange(manager, enrolment, {
        action: 'ACTIVATE',
        from: enrolment.status,
        to: nextEnrolmentState(enrolment.status, 'ACTIVATE'),
        reason: 'a filing under this regime was accepted',
        actorId,
        actorRole: 'SYSTEM',
      });
    }
  }

  /** Adds one accepted filing to the figures for (regime, sector, side); call inside the accepting transaction. */
  async recordFilingAccepted(regime: string, sector: string, jurisdiction: string, manager: EntityManager): Promise<void> {
    await this.bump(manager, regime, sector, jurisdiction, 'accepted_filings', 1);
  }

  /** Adds `count` logged transfer records to the figures for (regime, sector, side); call inside the logging transaction. */
  async recordTransfers(regime: string, sector: string, jurisdiction: string, count: number, manager: EntityManager): Promise<void> {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
    if (count === 0) return;
    await this.bump(manager, regime, sector, jurisdiction, 'transfer_records', count);
  }

  // ---------------------------------------------------------------------------------------------
  // Catalogue: regimes, sectors, phases (public reads, administrators write).

  async listRegimes(): Promise<RegimeView[]> {
    const rows = await this.dataSource.getRepository(RolloutRegime).find({ order: { opensOn: 'ASC', code: 'ASC' } });
    return rows.map(toRegimeView);
  }

  /** R16: a regime is data; adding GBA_MAINLAND_MACAO needs no code change. */
  async createRegime(principal: Principal, dto: CreateRegimeDto): Promise<RegimeView> {
    try {
      await inTransactionOf(this.dataSource, async (manager) => {
        await manager.getRepository(RolloutRegime).insert({
          code: dto.code,
          name: dto.name,
          nameZh: dto.nameZh ?? null,
          sides: dto.sides,
          opensOn: dto.opensOn,
          createdBy: principal.kind === 'user' ? principal.id : null,
        });
        await copySideRules(manager, dto.code, dto.sides);
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError(ErrorCode.DUPLICATE_REGIME, 'Regime already exists', {
          detail: `a regime with code ${dto.code} already exists`,
          errors: [{ field: 'code', rule: 'unique', message: 'code is already in use' }],
        });
      }
      throw error;
    }
    return toRegimeView(await this.dataSource.getRepository(RolloutRegime).findOneByOrFail({ code: dto.code }));
  }

  async listSectors(): Promise<SectorView[]> {
    const [sectors, regimes] = await Promise.all([
      this.dataSource.getRepository(RolloutSector).find({ order: { sortOrder: 'ASC', code: 'ASC' } }),
      this.dataSource.getRepository(RolloutRegime).find({ order: { opensOn: 'ASC', code: 'ASC' } }),
    ]);
    const rules = await Promise.all(regimes.map((r) => this.rules(r.code)));
    return sectors.map((s) => ({
      code: s.code,
      labels: { en: s.nameEn, 'zh-Hant': s.nameZhHant, 'zh-Hans': s.nameZhHans },
      opensOn: Object.fromEntries(rules.map((r) => [r.regime!.code, sectorOpensOn(r.regime!, r.phases, s.code)] as const)),
    }));
  }

  async listPhases(regime?: string): Promise<PhaseView[]> {
    const regimes = regime
      ? [regime]
      : (await this.dataSource.getRepository(RolloutRegime).find({ order: { opensOn: 'ASC', code: 'ASC' } })).map((r) => r.code);
    const out: PhaseView[] = [];
    for (const code of regimes) {
      const rules = await this.rules(code);
      const names = new Map((await this.dataSource.getRepository(RolloutPhase).find({ where: { regimeCode: code } })).map((p) => [p.id, p.name]));
      for (const p of rules.phases) {
        out.push({
          id: p.id,
          regime: code,
          number: p.number,
          name: names.get(p.id) ?? null,
          opensOn: p.opensOn,
          allSectors: p.allSectors,
          sectors: [...p.sectors],
        });
      }
    }
    return out;
  }

  /** R15: a phase is data; it opens the listed sectors (or all) under its regime from `opensOn`. */
  async createPhase(principal: Principal, dto: CreatePhaseDto): Promise<PhaseView> {
    const allSectors = dto.allSectors ?? false;
    const sectors = dto.sectors ?? [];
    const errors: FieldError[] = [];
    if (allSectors && sectors.length) {
      errors.push({ field: 'sectors', rule: 'allSectorsExclusive', message: 'sectors must be empty when allSectors is true' });
    }
    if (!allSectors && !sectors.length) {
      errors.push({ field: 'sectors', rule: 'required', message: 'list at least one sector, or set allSectors to true' });
    }
    const id = await inTransactionOf(this.dataSource, async (manager) => {
      const regime = await manager.getRepository(RolloutRegime).findOneBy({ code: dto.regime });
      if (!regime) errors.push({ field: 'regime', rule: 'exists', message: `regime ${dto.regime} does not exist` });
      else if (dto.opensOn < regime.opensOn) {
        errors.push({ field: 'opensOn', rule: 'R16', message: `opensOn must not be before the regime opens (${regime.opensOn})` });
      }
      if (sectors.length) {
        const known = new Set((await manager.getRepository(RolloutSector).find()).map((s) => s.code));
        sectors.forEach((code, i) => {
          if (!known.has(code)) errors.push({ field: `sectors[${i}]`, rule: 'exists', message: `sector ${code} does not exist` });
        });
      }
      if (errors.length) throw validationFailed(errors);
      // Serialise phase numbering per regime.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rollout_phases:${dto.regime}`]);
      let number = dto.number;
      if (number === undefined) {
        const [{ max }] = await manager.query<Array<{ max: string }>>('SELECT COALESCE(MAX(number), 0) AS max FROM rollout_phases WHERE regime_code = $1', [
          dto.regime,
        ]);
        number = Number(max) + 1;
      }
      let phaseId: string;
      try {
        const result = await manager.getRepository(RolloutPhase).insert({
          regimeCode: dto.regime,
          number,
          name: dto.name ?? null,
          opensOn: dto.opensOn,
          allSectors,
          createdBy: principal.kind === 'user' ? principal.id : null,
        });
        phaseId = (result.identifiers[0] as { id: string }).id;
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new DomainError(ErrorCode.DUPLICATE_PHASE, 'Phase already exists', {
            detail: `regime ${dto.regime} already has a phase ${number}`,
            errors: [{ field: 'number', rule: 'unique', message: 'number is already used in this regime' }],
          });
        }
        throw error;
      }
      if (sectors.length) {
        await manager.getRepository(RolloutPhaseSector).insert(sectors.map((sectorCode) => ({ phaseId, sectorCode })));
      }
      return phaseId;
    });
    const phase = (await this.listPhases(dto.regime)).find((p) => p.id === id);
    return phase!;
  }

  // ---------------------------------------------------------------------------------------------
  // Figures (GET /rollout/stats): one grouped query over rollout_enrolments, answered from the
  // covering index ix_rollout_enrolments_stats, plus the rolled-up rollout_sector_counters.

  async stats(regime?: string): Promise<RolloutStatsView> {
    const params = regime ? [regime] : [];
    const grouped: Array<{
      regime_code: string;
      phase_id: string | null;
      phase_number: number | null;
      sector_code: string;
      jurisdiction: string;
      status: EnrolmentState;
      count: string;
    }> = await this.dataSource.query(
      `WITH g AS (
         SELECT regime_code, phase_id, sector_code, jurisdiction, status, count(*) AS count
         FROM rollout_enrolments ${regime ? 'WHERE regime_code = $1' : ''}
         GROUP BY regime_code, phase_id, sector_code, jurisdiction, status
       )
       SELECT g.*, p.number AS phase_number
       FROM g LEFT JOIN rollout_phases p ON p.id = g.phase_id
       ORDER BY g.regime_code, p.number NULLS LAST, g.sector_code, g.jurisdiction, g.status`,
      params,
    );
    const counters = await this.dataSource
      .getRepository(RolloutSectorCounter)
      .find({ where: regime ? { regimeCode: regime } : {}, order: { regimeCode: 'ASC', sectorCode: 'ASC', jurisdiction: 'ASC' } });

    const enrolments: EnrolmentStatsRow[] = grouped.map((r) => ({
      regime: r.regime_code,
      phaseId: r.phase_id,
      phaseNumber: r.phase_number === null ? null : Number(r.phase_number),
      sector: r.sector_code,
      jurisdiction: r.jurisdiction,
      status: r.status,
      count: Number(r.count),
    }));

    return { enrolments, sectors: sectorActivity(enrolments, counters) };
  }

  private async bump(
    manager: EntityManager,
    regime: string,
    sector: string,
    jurisdiction: string,
    column: 'accepted_filings' | 'transfer_records',
    by: number,
  ): Promise<void> {
    const table = manager.getRepository(RolloutSectorCounter).metadata.tableName;
    await manager.query(
      `INSERT INTO "${table}" (regime_code, sector_code, jurisdiction, ${column}) VALUES ($1, $2, $3, $4)
       ON CONFLICT ON CONSTRAINT pk_rollout_sector_counters
       DO UPDATE SET ${column} = "${table}".${column} + EXCLUDED.${column}, updated_at = now()`,
      [regime, sector, jurisdiction, by],
    );
  }
}

/** Per (regime, sector, side): enrolments by state, accepted filings and transfer records, sorted. */
function sectorActivity(enrolments: readonly EnrolmentStatsRow[], counters: readonly RolloutSectorCounter[]): SectorActivityRow[] {
  const sectors = new Map<string, SectorActivityRow>();
  const cell = (regime: string, sector: string, jurisdiction: string): SectorActivityRow => {
    const key = `${regime}\u0000${sector}\u0000${jurisdiction}`;
    let row = sectors.get(key);
    if (!row) {
      row = {
        regime,
        sector,
        jurisdiction,
        enrolments: Object.fromEntries(ENROLMENT_STATES.map((s) => [s, 0])) as Record<EnrolmentState, number>,
        acceptedFilings: 0,
        transferRecords: 0,
      };
      sectors.set(key, row);
    }
    return row;
  };
  for (const r of enrolments) cell(r.regime, r.sector, r.jurisdiction).enrolments[r.status] += r.count;
  for (const c of counters) {
    const row = cell(c.regimeCode, c.sectorCode, c.jurisdiction);
    row.acceptedFilings = Number(c.acceptedFilings);
    row.transferRecords = Number(c.transferRecords);
  }
  return [...sectors.values()].sort(
    (a, b) => a.regime.localeCompare(b.regime) || a.sector.localeCompare(b.sector) || a.jurisdiction.localeCompare(b.jurisdiction),
  );
}
