import { DataSource, EntityManager } from 'typeorm';
import { DomainError, ErrorCode, validationFailed } from '../common/errors';
import type { Principal } from '../common/roles';
import { inTransaction } from '../database/transaction';
import { PARTY_TYPES, PartyType } from '../organisations/gba';
import { Geography, schemesOfSide } from '../organisations/geography';
import { RolloutRegime } from './regime.entity';
import { AuthorityData, MaterialData, readAuthorities, readRegimeSides, RegimeSideData } from './regime-data';
import { CreateRegimeDto, RegimeView } from './rollout.dto';
import { isUniqueViolation } from './unique-violation';

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

function toRegimeView(r: RolloutRegime): RegimeView {
  return { code: r.code, name: r.name, nameZh: r.nameZh, sides: r.sides, opensOn: r.opensOn };
}

/** Every regime, earliest first. */
export function findRegimes(m: EntityManager): Promise<RolloutRegime[]> {
  return m.getRepository(RolloutRegime).find({ order: { opensOn: 'ASC', code: 'ASC' } });
}

export async function listRegimes(m: EntityManager): Promise<RegimeView[]> {
  return (await findRegimes(m)).map(toRegimeView);
}

/** GET /reference: every regime with its sides' rules, and every authority with its names over time, read afresh. */
export async function readRegimeReference(m: EntityManager, geography: Geography): Promise<RegimeReference> {
  const [regimes, sides, catalogue] = await Promise.all([findRegimes(m), readRegimeSides(m, null), readAuthorities(m)]);
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

/** R16: a regime is data; adding GBA_MAINLAND_MACAO needs no code change. */
export async function createRegime(dataSource: DataSource, principal: Principal, dto: CreateRegimeDto): Promise<RegimeView> {
  try {
    await inTransaction(dataSource, async (manager) => {
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
  return toRegimeView(await dataSource.getRepository(RolloutRegime).findOneByOrFail({ code: dto.code }));
}
