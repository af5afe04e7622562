import { DataSource, EntityManager } from 'typeorm';
import { DomainError, ErrorCode, FieldError, validationFailed } from '../common/errors';
import type { Principal } from '../common/roles';
import { inTransaction } from '../database/transaction';
import { RolloutPhase, RolloutPhaseSector } from './phase.entity';
import { findRegimes } from './regime-catalogue';
import { RolloutRegime } from './regime.entity';
import { readRegimeRules } from './regime-rules';
import { CreatePhaseDto, PhaseView, SectorView } from './rollout.dto';
import { sectorOpensOn } from './sector-gate';
import { RolloutSector } from './sector.entity';
import { isUniqueViolation } from './unique-violation';

/** Every sector with the date it opens under each regime (R15). */
export async function listSectors(m: EntityManager): Promise<SectorView[]> {
  const [sectors, regimes] = await Promise.all([m.getRepository(RolloutSector).find({ order: { sortOrder: 'ASC', code: 'ASC' } }), findRegimes(m)]);
  const rules = await Promise.all(regimes.map((r) => readRegimeRules(m, r.code)));
  return sectors.map((s) => ({
    code: s.code,
    labels: { en: s.nameEn, 'zh-Hant': s.nameZhHant, 'zh-Hans': s.nameZhHans },
    opensOn: Object.fromEntries(rules.map((r) => [r.regime!.code, sectorOpensOn(r.regime!, r.phases, s.code)] as const)),
  }));
}

/** The phases of `regime`, or of every regime (earliest first), in number order. */
export async function listPhases(m: EntityManager, regime?: string): Promise<PhaseView[]> {
  const regimes = regime ? [regime] : (await findRegimes(m)).map((r) => r.code);
  const out: PhaseView[] = [];
  for (const code of regimes) {
    const rules = await readRegimeRules(m, code);
    const names = new Map((await m.getRepository(RolloutPhase).find({ where: { regimeCode: code } })).map((p) => [p.id, p.name]));
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

/** The problems of a new phase that the request alone shows (its sectors, or allSectors). */
function phaseShapeErrors(allSectors: boolean, sectors: readonly string[]): FieldError[] {
  const errors: FieldError[] = [];
  if (allSectors && sectors.length) {
    errors.push({ field: 'sectors', rule: 'allSectorsExclusive', message: 'sectors must be empty when allSectors is true' });
  }
  if (!allSectors && !sectors.length) {
    errors.push({ field: 'sectors', rule: 'required', message: 'list at least one sector, or set allSectors to true' });
  }
  return errors;
}

/** The problems of a new phase against the stored regime (R16) and sectors, added to `errors`. */
async function checkPhaseFacts(manager: EntityManager, dto: CreatePhaseDto, sectors: readonly string[], errors: FieldError[]): Promise<void> {
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
}

/** The phase's number: the one asked for, or the next in its regime (under the caller's numbering lock). */
async function phaseNumber(manager: EntityManager, dto: CreatePhaseDto): Promise<number> {
  if (dto.number !== undefined) return dto.number;
  const [{ max }] = await manager.query<Array<{ max: string }>>('SELECT COALESCE(MAX(number), 0) AS max FROM rollout_phases WHERE regime_code = $1', [
    dto.regime,
  ]);
  return Number(max) + 1;
}

/** R15: a phase is data; it opens the listed sectors (or all) under its regime from `opensOn`. */
export async function createPhase(dataSource: DataSource, principal: Principal, dto: CreatePhaseDto): Promise<PhaseView> {
  const allSectors = dto.allSectors ?? false;
  const sectors = dto.sectors ?? [];
  const errors = phaseShapeErrors(allSectors, sectors);
  const id = await inTransaction(dataSource, async (manager) => {
    await checkPhaseFacts(manager, dto, sectors, errors);
    if (errors.length) throw validationFailed(errors);
    // Serialise phase numbering per regime.
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rollout_phases:${dto.regime}`]);
    const number = await phaseNumber(manager, dto);
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
  const phase = (await listPhases(dataSource.manager, dto.regime)).find((p) => p.id === id);
  return phase!;
}
