/*
 * "Was sector S open under regime G on date D?" (docs/rules.md#r15, docs/rules.md#r16).
 *
 * Sources:
 * - R15; Implementation Guidelines on the Standard Contract for Cross-boundary Flow of Personal
 *   Information Within the GBA (Mainland, Hong Kong) (CAC / ITB announcement 2023 No. 3,
 *   published 2023-12-13): the first phase opened to banking, credit referencing and healthcare;
 *   the government's announcement of October 2024 opened all sectors from 2024-11-01.
 * - R16; the Mainland–Macao standard contract from 2024-09-10 is a separate regime.
 *
 * Regimes and phases are data (tables `rollout_regimes`, `rollout_phases`,
 * `rollout_phase_sectors`); this file holds only the rule that reads them:
 *   a sector is open on D when D is on or after the regime's opening date and on or after the
 *   opening date of some phase of that regime that covers the sector (lists it, or covers all
 *   sectors). Phases only ever widen the set of open sectors; none closes one.
 * Dates are ISO `YYYY-MM-DD` civil dates, compared as strings (same width, so lexical order is
 * date order); no `Date` object, so no time zone can shift a day.
 */

export type IsoDate = string;

export interface RegimeRule {
  code: string;
  opensOn: IsoDate;
}

export interface PhaseRule {
  number: number;
  opensOn: IsoDate;
  /** Covers every sector, including ones added to the sector list later. */
  allSectors: boolean;
  sectors: readonly string[];
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A strict `YYYY-MM-DD` calendar date (rejects 2024-02-30). */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function phaseCoversSector(phase: PhaseRule, sector: string): boolean {
  return phase.allSectors || phase.sectors.includes(sector);
}

/** The earliest phase that covers `sector` (ties broken by phase number), or null. */
export function openingPhase<P extends PhaseRule>(phases: readonly P[], sector: string): P | null {
  let best: P | null = null;
  for (const phase of phases) {
    if (!phaseCoversSector(phase, sector)) continue;
    if (!best || phase.opensOn < best.opensOn || (phase.opensOn === best.opensOn && phase.number < best.number)) {
      best = phase;
    }
  }
  return best;
}

/** The first date `sector` may use the regime's contract, or null if no phase covers it yet. */
export function sectorOpensOn(regime: RegimeRule, phases: readonly PhaseRule[], sector: string): IsoDate | null {
  const phase = openingPhase(phases, sector);
  if (!phase) return null;
  return phase.opensOn > regime.opensOn ? phase.opensOn : regime.opensOn;
}

/** R15: was `sector` open under `regime` on `date`? An unknown regime (null) opens nothing. */
export function isSectorOpen(regime: RegimeRule | null, phases: readonly PhaseRule[], sector: string, date: IsoDate): boolean {
  if (!isIsoDate(date)) throw new RangeError(`date must be a calendar date written YYYY-MM-DD, got ${String(date)}`);
  if (!regime) return false;
  const opensOn = sectorOpensOn(regime, phases, sector);
  return opensOn !== null && date >= opensOn;
}

export type GatedParty = 'processor' | 'recipient';

/**
 * R15 [A] (docs/rules.md#r15): whose sector must have opened, by the SECTOR_GATE_PARTY rule setting
 * (src/rules/domain/data-rules.ts). No source says which party's sector counts; the setting defaults to
 * the processor's.
 */
export function gatedParties(setting: 'PROCESSOR' | 'RECIPIENT' | 'BOTH'): GatedParty[] {
  if (setting === 'BOTH') return ['processor', 'recipient'];
  return setting === 'RECIPIENT' ? ['recipient'] : ['processor'];
}
