/*
 * How the contracts module's refusals read (RFC 9457 problem details, src/common/errors.ts): the
 * contract rules' violations and the filing lifecycle's illegal moves, in words a filer or a reviewer reads.
 */
import { CALENDAR_DATE_MESSAGE } from '../common/dates';
import { DomainError, ErrorCode, validationFailed } from '../common/errors';
import { IllegalTransitionError, isIllegalTransition } from '../common/lifecycle';
import type { Geography } from '../organisations/geography';
import type { RegimeSideData } from '../rollout/regime-data';
import type { RegimeGate } from '../rollout/rollout.service';
import { gatedParties, GatedParty } from '../rollout/sector-gate';
import type { RegimeRuleSettings } from '../rules/domain/data-rules';
import type { PartyFacts } from './contract-insert.repository';
import { ContractTerms, ContractViolation, isIsoDate, validateContract } from './domain/contract-rules';
import { FilingAction, FilingStatus, nextFilingStatus } from './domain/filing-lifecycle';
import type { FilingParty } from './filing.entity';

const RULE_CODES: Record<ContractViolation['code'], ErrorCode | null> = {
  PARTY_OUTSIDE_GBA: ErrorCode.PARTY_OUTSIDE_GBA,
  SAME_SIDE_PARTIES: ErrorCode.SAME_SIDE_PARTIES,
  REGIME_SIDES_MISMATCH: ErrorCode.REGIME_SIDES_MISMATCH,
  IMPORTANT_DATA_DECLARED: ErrorCode.IMPORTANT_DATA_DECLARED,
  ONWARD_RECIPIENT_OUTSIDE_GBA: ErrorCode.ONWARD_RECIPIENT_OUTSIDE_GBA,
  STORAGE_OUTSIDE_GBA: ErrorCode.STORAGE_OUTSIDE_GBA,
  SECTOR_NOT_OPEN: ErrorCode.SECTOR_NOT_OPEN,
  EXPIRY_BEFORE_EFFECTIVE: ErrorCode.EXPIRY_BEFORE_EFFECTIVE,
  RETENTION_PERIOD_INVALID: ErrorCode.RETENTION_PERIOD_INVALID,
  PIPIA_AFTER_EFFECTIVE: ErrorCode.PIPIA_AFTER_EFFECTIVE,
  INVALID_DATE: null,
};

/** 422 naming the first broken rule in `code`/`rule`, every violation in `errors` and `violations`; 400 for an impossible date. */
export function violationsError(violations: ContractViolation[]): DomainError {
  const invalid = violations.filter((v) => v.code === 'INVALID_DATE');
  if (invalid.length) return validationFailed(invalid.map((v) => ({ field: v.field, rule: 'isCalendarDate', message: `${v.field} ${CALENDAR_DATE_MESSAGE}` })));
  const first = violations[0];
  return new DomainError(RULE_CODES[first.code] ?? ErrorCode.RULE_VIOLATION, 'The contract breaks a rule of the GBA Standard Contract', {
    rule: first.rule,
    detail: violations.map((v) => v.message).join(' '),
    errors: violations.map((v) => ({ field: v.field, rule: v.rule, message: v.message })),
    extensions: { violations: violations.map((v) => ({ code: v.code, rule: v.rule, field: v.field, message: v.message })) },
  });
}

/** How a refusal names a filing's status and an action on it (docs/rules.md#r11), in words a filer or a reviewer reads. */
const FILING_STATUS_WORDS: Record<string, string> = {
  NOT_SUBMITTED: 'has not been submitted yet',
  SUBMITTED: 'has been submitted and is waiting for review',
  RETURNED: 'was returned for correction',
  ACCEPTED: 'has been accepted',
};
const FILING_ACTION_WORDS: Record<string, string> = { SUBMIT: 'submitted', ACCEPT: 'accepted', RETURN: 'returned' };

/** Why the filing cannot make this move, and what comes next, as a sentence (the codes stay in `from`, `action`, `to`). */
export function filingTransitionDetail(error: IllegalTransitionError, party: FilingParty): string {
  const filing = `the ${party}'s filing`;
  const done = FILING_ACTION_WORDS[error.action] ?? error.action;
  const next: Record<string, string> = {
    NOT_SUBMITTED: `it can be reviewed once the ${party} submits it`,
    SUBMITTED: 'it is now for the filing authority to accept or return it',
    RETURNED: `it can be reviewed again once the ${party} corrects and resubmits it`,
    ACCEPTED: 'an accepted filing is final (an amendment that needs re-filing opens new filings)',
  };
  const state =
    error.to === error.from ? `${filing} is already ${done}` : `${filing} ${FILING_STATUS_WORDS[error.from] ?? error.from}, so it cannot be ${done}`;
  return `${state}; ${next[error.from] ?? 'nothing more can be done with it'}`;
}

export function illegalTransition(error: IllegalTransitionError, party: FilingParty): DomainError {
  return new DomainError(ErrorCode.ILLEGAL_TRANSITION, 'The filing cannot make this transition', {
    detail: filingTransitionDetail(error, party),
    extensions: { from: error.from, to: error.to ?? null, action: error.action, allowedActions: error.allowedActions },
  });
}

/** R11: the filing's next status, or the 409 naming the move (`illegalTransition`). */
export function transition(filing: { status: FilingStatus; party: FilingParty }, action: FilingAction): FilingStatus {
  try {
    return nextFilingStatus(filing.status, action);
  } catch (error) {
    if (isIllegalTransition(error)) throw illegalTransition(error, filing.party);
    throw error;
  }
}

export const forbidden = (detail: string): DomainError => new DomainError(ErrorCode.FORBIDDEN, 'Forbidden', { detail });

/** Throws `refusal` when there is one (the domain's rule checks answer a refusal or null). */
export function refuseIf(refusal: DomainError | null): void {
  if (refusal) throw refusal;
}

/**
 * An impossible effective date is refused by the date checks (400) before any rule; the gate is not
 * asked about it. (The DTOs already refuse such dates; this keeps the service safe on its own.)
 */
export const OPEN_GATE: RegimeGate = { sectorOpen: true, sides: null, sideRules: [] };

/**
 * R8, R16: the rules (filing authority, windows) of the party's side of the regime, from the data; 422 naming R16
 * when the regime has none for that side (a regime whose sides' rules were not added with it).
 */
export function sideRulesOf(gate: Pick<RegimeGate, 'sideRules'>, regime: string, jurisdiction: string): RegimeSideData {
  const side = gate.sideRules.find((s) => s.jurisdiction === jurisdiction);
  if (side) return side;
  throw new DomainError(ErrorCode.RULE_VIOLATION, 'The regime has no filing rules for this side', {
    rule: 'R16',
    detail: `regime ${regime} has no filing authority or windows for the ${jurisdiction} side (rollout_regime_sides)`,
    errors: [{ field: 'regime', rule: 'R16', message: `no filing rules for the ${jurisdiction} side` }],
  });
}

/** What the contract rules read beyond the terms and the parties: the rollout gate's answers and the rule settings. */
export interface ContractGate {
  /** R15: the parties (of those SECTOR_GATE_PARTY names) whose sector was not open on the effective date. */
  closedSectors: GatedParty[];
  /** R16: the regime's sides (null for an unknown regime). */
  sides: string[] | null;
  /** R8, R10, R11: the rules of each side that has them (from the rollout gate). */
  sideRules: RegimeGate['sideRules'];
  settings: RegimeRuleSettings;
}

/**
 * R15/R16 for a contract: the rollout gate asked (`ask`, for a sector) for each party whose sector the SECTOR_GATE_PARTY
 * setting names. An impossible effective date is left to the date checks: the gate is not asked.
 */
export async function contractGate(
  terms: ContractTerms,
  settings: RegimeRuleSettings,
  parties: { processor: Pick<PartyFacts, 'sector'>; recipient: Pick<PartyFacts, 'sector'> },
  ask: (sector: string) => Promise<RegimeGate>,
): Promise<ContractGate> {
  if (!isIsoDate(terms.effectiveDate)) return { closedSectors: [], sides: OPEN_GATE.sides, sideRules: OPEN_GATE.sideRules, settings };
  const closedSectors: GatedParty[] = [];
  let regime: RegimeGate = OPEN_GATE;
  for (const party of gatedParties(settings.SECTOR_GATE_PARTY)) {
    regime = await ask(parties[party].sector);
    if (!regime.sectorOpen) closedSectors.push(party);
  }
  return { closedSectors, sides: regime.sides, sideRules: regime.sideRules, settings };
}

/** R1–R3, R5, R6, R15, R16 from the contract gate (whose sector was closed, the regime's sides, the rule settings); throws the 422 (or 400) naming the rule. */
export function assertValidTerms(terms: ContractTerms, processor: PartyFacts, recipient: PartyFacts, gate: ContractGate, geography: Geography): void {
  const violations = validateContract({
    terms,
    processor: { jurisdiction: processor.jurisdiction, city: processor.city },
    recipient: { jurisdiction: recipient.jurisdiction, city: recipient.city },
    closedSectors: gate.closedSectors,
    regimeSides: gate.sides,
    settings: gate.settings,
    geography,
  });
  if (violations.length) throw violationsError(violations);
}
