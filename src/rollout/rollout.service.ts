import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { validationFailed } from '../common/errors';
import { nextEnrolmentState } from './enrolment-lifecycle';
import { RolloutEnrolment, RolloutEnrolmentHistory } from './enrolment.entity';
import { RolloutPhase, RolloutPhaseSector } from './phase.entity';
import { RolloutRegime } from './regime.entity';
import { isIsoDate, isSectorOpen, PhaseRule, RegimeRule, sectorOpensOn } from './sector-gate';
import { RolloutSectorCounter } from './sector-counter.entity';

export interface RegimeRules {
  regime: (RegimeRule & { name: string }) | null;
  phases: (PhaseRule & { id: string })[];
}

@Injectable()
export class RolloutService {
  constructor(@InjectDataSource() protected readonly dataSource: DataSource) {}

  /** R15/R16 as stored: the regime and its phases with their sectors (null regime when unknown). */
  async rules(regimeCode: string, manager?: EntityManager): Promise<RegimeRules> {
    const m = manager ?? this.dataSource.manager;
    const regime = await m.getRepository(RolloutRegime).findOneBy({ code: regimeCode });
    if (!regime) return { regime: null, phases: [] };
    const phases = await m.getRepository(RolloutPhase).find({ where: { regimeCode }, order: { number: 'ASC' } });
    const listed = phases.length
      ? await m
          .getRepository(RolloutPhaseSector)
          .createQueryBuilder('ps')
          .where('ps.phase_id IN (:...ids)', { ids: phases.map((p) => p.id) })
          .getMany()
      : [];
    return {
      regime: { code: regime.code, name: regime.name, opensOn: regime.opensOn },
      phases: phases.map((p) => ({
        id: p.id,
        number: p.number,
        opensOn: p.opensOn,
        allSectors: p.allSectors,
        sectors: listed.filter((s) => s.phaseId === p.id).map((s) => s.sectorCode),
      })),
    };
  }

  /**
   * R15: was `sector` open under `regime` on `date` (YYYY-MM-DD)? False for an unknown regime.
   * Pass `manager` to read inside the caller's transaction.
   */
  async isSectorOpen(regime: string, sector: string, date: string, manager?: EntityManager): Promise<boolean> {
    if (!isIsoDate(date)) {
      throw validationFailed([{ field: 'date', rule: 'DATE_FORMAT', message: 'date must be a calendar date written YYYY-MM-DD' }]);
    }
    const rules = await this.rules(regime, manager);
    return isSectorOpen(rules.regime, rules.phases, sector, date);
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
      const from = enrolment.status;
      const to = nextEnrolmentState(from, 'ACTIVATE');
      await manager.getRepository(RolloutEnrolment).update({ id: enrolment.id }, { status: to });
      await manager.getRepository(RolloutEnrolmentHistory).insert({
        enrolmentId: enrolment.id,
        action: 'ACTIVATE',
        fromStatus: from,
        toStatus: to,
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
