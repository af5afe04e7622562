import { EntityManager } from 'typeorm';
import { sqlArray } from '../database/sql-literals';
import { ENROLMENT_STATES, EnrolmentState } from './enrolment-lifecycle';
import { EnrolmentStatsRow, RolloutStatsView, SectorActivityRow } from './rollout.dto';
import { RolloutSectorCounter } from './sector-counter.entity';

/**
 * Figures (GET /rollout/stats): one grouped query over rollout_enrolments, answered from the
 * covering index ix_rollout_enrolments_stats, plus the rolled-up rollout_sector_counters.
 */
export async function readRolloutStats(m: EntityManager, regime?: string): Promise<RolloutStatsView> {
  const params = regime ? [regime] : [];
  const grouped: Array<{
    regime_code: string;
    phase_id: string | null;
    phase_number: number | null;
    sector_code: string;
    jurisdiction: string;
    status: EnrolmentState;
    count: string;
  }> = await m.query(
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
  const counters = await m
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

/**
 * bumpSectorCounter's `transfer_records` for several (regime, sector, side) cells as one statement's SQL text with
 * the values written in (for a statement sent with others, src/database/one-message.ts); null when nothing counts.
 * Each cell once: an upsert cannot touch a row twice.
 */
export function transferCountersSql(cells: ReadonlyArray<{ regime: string; sector: string; jurisdiction: string; count: number }>): string | null {
  const counted = cells.filter((c) => c.count > 0);
  if (counted.length === 0) return null;
  const column = (pick: (c: (typeof counted)[number]) => string | number, type: string) => sqlArray(counted.map(pick), type);
  return `INSERT INTO rollout_sector_counters (regime_code, sector_code, jurisdiction, transfer_records)
     SELECT * FROM unnest(${column((c) => c.regime, 'text')}, ${column((c) => c.sector, 'text')}, ${column((c) => c.jurisdiction, 'text')}, ${column((c) => c.count, 'bigint')})
     ON CONFLICT ON CONSTRAINT pk_rollout_sector_counters
     DO UPDATE SET transfer_records = rollout_sector_counters.transfer_records + EXCLUDED.transfer_records, updated_at = now()`;
}

/** Adds `by` to one counter of (regime, sector, side); call inside the caller's transaction. */
export async function bumpSectorCounter(
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
