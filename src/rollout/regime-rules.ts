import { EntityManager } from 'typeorm';
import { validationFailed } from '../common/errors';
import { CALENDAR_DATE_MESSAGE } from '../common/dates';
import { RolloutPhase, RolloutPhaseSector } from './phase.entity';
import { RolloutRegime } from './regime.entity';
import { readBoth, readRegimeSides, RegimeSideData } from './regime-data';
import { isIsoDate, isSectorOpen, PhaseRule, RegimeRule } from './sector-gate';

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
 * The revision of everything `readRegimeRules` and the authority catalogue read (regimes, phases, phase sectors,
 * authorities and their names, regime sides, filing materials), as a scalar SQL subquery of text: the counter
 * `rollout_revision`, owned by this module, which a statement trigger on each of those tables bumps in the writing
 * transaction (src/database/migrations/1795689100000-RevisionCounters.ts), so a change by hand in SQL counts too.
 * Callers fold it into a query they make anyway (POST /contracts reads it with the parties) and pass it to
 * `RolloutService.gateAt`, which reuses its cached rules while the revision is unchanged: exact across instances
 * (no TTL), at no extra round trip.
 */
export const ROLLOUT_REVISION_SQL = `(SELECT revision::text FROM rollout_revision)`;

/** R15/R16 as stored: the regime and its phases with their sectors (null regime when unknown). */
export async function readRegimeRules(m: EntityManager, regimeCode: string): Promise<RegimeRules> {
  const regime = await m.getRepository(RolloutRegime).findOneBy({ code: regimeCode });
  if (!regime) return { regime: null, phases: [], sideRules: [] };
  const [phases, sideRules] = await readBoth(
    m,
    () => m.getRepository(RolloutPhase).find({ where: { regimeCode }, order: { number: 'ASC' } }),
    () => readRegimeSides(m, [regimeCode]),
  );
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

/** A 400 naming `date` unless it is a calendar date (YYYY-MM-DD). */
export function assertDate(date: string): void {
  if (!isIsoDate(date)) {
    throw validationFailed([{ field: 'date', rule: 'DATE_FORMAT', message: `date ${CALENDAR_DATE_MESSAGE}` }]);
  }
}

/** R15, R16: the gate of `sector` on `date` under the rules of one regime. */
export function gateOf(rules: RegimeRules, sector: string, date: string): RegimeGate {
  return {
    sectorOpen: isSectorOpen(rules.regime, rules.phases, sector, date),
    sides: rules.regime ? [...rules.regime.sides] : null,
    sideRules: rules.sideRules,
  };
}

const RULES_CACHE_CAPACITY = 100;

/**
 * Rules per regime, valid for one revision (see ROLLOUT_REVISION_SQL). Rules are loaded after the caller
 * read the revision, so they are never older than it; a changed revision drops them all.
 */
export class RegimeRulesCache {
  private readonly rulesByRegime = new Map<string, RegimeRules>();
  private revision: string | null = null;

  /**
   * The rules of `regime` at `revision`, loading them with `load` when not held. `onNewRevision` runs
   * once when the revision moves, before any rules are loaded for it.
   */
  async at(regime: string, revision: string, load: () => Promise<RegimeRules>, onNewRevision: () => Promise<unknown>): Promise<RegimeRules> {
    if (this.revision !== revision) {
      this.rulesByRegime.clear();
      this.revision = revision;
      await onNewRevision();
    }
    let rules = this.rulesByRegime.get(regime);
    if (!rules) {
      rules = await load();
      if (this.revision === revision && this.rulesByRegime.size < RULES_CACHE_CAPACITY) this.rulesByRegime.set(regime, rules);
    }
    return rules;
  }
}
