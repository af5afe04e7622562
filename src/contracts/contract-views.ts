import type { IdentifierType, PartyType } from '../organisations/gba';
import type { ResourceScope } from '../access/access';
import type { Principal } from '../common/roles';
import type { ContractAnnex, ContractTerms, Direction, IsoDate, Jurisdiction, PipiaRecord } from './domain/contract-rules';
import type { AuthorityCatalogue } from '../rollout/regime-data';
import { authorityName, FilingAuthority, FilingStatus, isLate, isOverdue } from './domain/filing-lifecycle';
import { contractStatus, ContractStatus } from './domain/contract-status';
import type { Contract } from './contract.entity';
import type { ContractVersion } from './contract-version.entity';
import type { Filing, FilingParty } from './filing.entity';
import type { Organisation } from '../organisations/organisation.entity';
import { R12_RULE, TriggerHit } from './domain/amendment';

/** Who the parties are, so a reader needs no second lookup (regulators may not read the other side's register). */
export interface PartySummary {
  id: string;
  /** R1: an organisation or an individual. */
  partyType: PartyType;
  legalName: string | null;
  legalNameZh: string | null;
  jurisdiction: Jurisdiction;
  city: string;
  sector: string;
  /** The public registration number (USCC or BRN, R17) and whether a regulator verified the entry. */
  identifierType: IdentifierType;
  identifier: string;
  verificationStatus: 'UNVERIFIED' | 'VERIFIED';
}

/** The organisation columns a party summary is made of. */
export type PartySource = Pick<
  Organisation,
  'id' | 'partyType' | 'legalName' | 'legalNameZh' | 'jurisdiction' | 'city' | 'sector' | 'identifierType' | 'identifier' | 'verificationStatus'
>;

export function toPartySummary(o: PartySource): PartySummary {
  return {
    id: o.id,
    partyType: o.partyType,
    legalName: o.legalName,
    legalNameZh: o.legalNameZh,
    jurisdiction: o.jurisdiction,
    city: o.city,
    sector: o.sector,
    identifierType: o.identifierType,
    identifier: o.identifier,
    verificationStatus: o.verificationStatus,
  };
}

export interface FilingView {
  id: string;
  version: number;
  party: FilingParty;
  organisationId: string;
  authority: FilingAuthority;
  /** R8: the authority's name as of the effective date (data: "OGCIO" for Hong Kong filings of contracts effective before 2024-07-25). */
  authorityName: string;
  deadline: IsoDate;
  provisional: boolean;
  status: FilingStatus;
  /** Computed from the deadline on today's GBA date, never stored. */
  overdue: boolean;
  /** R8: first submitted after the deadline (its GBA date); stays true once the filing is accepted. */
  late: boolean;
  filingNumber: string | null;
  firstSubmittedOn: IsoDate | null;
  submittedAt: string | null;
  reviewedAt: string | null;
  returnReason: string | null;
  resubmissionDeadline: IsoDate | null;
  /** R9: true when the resubmission deadline was counted through a year with no official calendar; null without one. */
  resubmissionProvisional: boolean | null;
}

export interface ContractView {
  id: string;
  /** The latest version. */
  version: number;
  /** The version in force today (null before the first takes effect). */
  versionInForce: number | null;
  status: ContractStatus;
  direction: Direction;
  regime: string;
  processorId: string;
  recipientId: string;
  /** The processor's sector, which the sector gate (R15) was checked against. */
  processorSector: string;
  processor: PartySummary | null;
  recipient: PartySummary | null;
  effectiveDate: IsoDate;
  expiryDate: IsoDate | null;
  importantDataIncluded: boolean;
  annex: ContractAnnex;
  pipia: PipiaRecord;
  /** The latest version's Appendix II: other terms agreed by the parties (null: none). */
  appendixII: string | null;
  terminatedOn: IsoDate | null;
  terminationReason: string | null;
  revision: number;
  createdAt: string;
  /** The filings in force: those of the latest version that was filed (R12). */
  filings: FilingView[];
  /**
   * One contract's answers (not the list): the parties whose filing materials this caller may read (R10,
   * `ContractsService.documentParties`); empty when it may read none (`GET …/documents` is then 403 or 404).
   */
  documentParties?: FilingParty[];
}

/** A filing in a list: the filing view less the regulator's free-text reason (GET /contracts/:id has it). */
export type FilingSummary = Omit<FilingView, 'returnReason'>;

/**
 * A contract in a list (GET /contracts): who the parties are, the dates, the status and the filings
 * in force, never the terms' free text (annex, PIPIA, termination reason), which GET /contracts/:id
 * answers. Every member is a code, a date, a number or a party's name of at most 300 characters, so
 * an item is a few kilobytes whatever a filer wrote, and a page of the largest `limit` (1000) stays a
 * few megabytes: a filer's text cannot make a regulator's list unanswerable.
 */
export type ContractSummary = Omit<ContractView, 'annex' | 'pipia' | 'appendixII' | 'terminationReason' | 'documentParties' | 'filings'> & {
  filings: FilingSummary[];
};

/** The version columns a summary reads (not the terms' free text). */
export type VersionDates = Pick<ContractVersion, 'version' | 'effectiveDate' | 'expiryDate' | 'importantDataIncluded'>;

export function toContractSummary(
  c: Contract,
  versions: readonly VersionDates[],
  currentFilings: readonly Filing[],
  today: IsoDate,
  parties: ReadonlyMap<string, PartySource>,
  authorities: AuthorityCatalogue,
): ContractSummary {
  const { head, filedVersion } = contractHead(c, versions, today, parties);
  return {
    ...head,
    terminatedOn: c.terminatedOn,
    revision: c.revision,
    createdAt: c.createdAt.toISOString(),
    filings: sortFilings(currentFilings).map((f) => {
      const { returnReason: _reason, ...summary } = toFilingView(f, filedVersion.effectiveDate, today, authorities);
      return summary;
    }),
  };
}

/**
 * What a contract's list item and its full view open with, read from its versions in number order:
 * the latest version's dates, the one in force today, the status and both parties; and the version
 * whose filings are in force (R12).
 */
function contractHead<V extends VersionDates>(c: Contract, versions: readonly V[], today: IsoDate, parties: ReadonlyMap<string, PartySource>) {
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  const first = sorted[0];
  const latest = sorted[sorted.length - 1];
  const filedVersion = sorted.find((v) => v.version === c.filingVersion) ?? first;
  const party = (id: string) => {
    const found = parties.get(id);
    return found ? toPartySummary(found) : null;
  };
  const head = {
    id: c.id,
    version: latest.version,
    versionInForce: versionInForce(sorted, today)?.version ?? null,
    status: contractStatus(statusFacts(c, first, latest), today),
    direction: c.direction,
    regime: c.regime,
    processorId: c.processorId,
    recipientId: c.recipientId,
    processorSector: c.processorSector,
    processor: party(c.processorId),
    recipient: party(c.recipientId),
    effectiveDate: latest.effectiveDate,
    expiryDate: latest.expiryDate,
    importantDataIncluded: latest.importantDataIncluded,
  };
  return { head, latest, filedVersion };
}

export type VersionStatus = 'PENDING' | 'IN_FORCE' | 'SUPERSEDED';

/** A version: its terms (an absent expiry or Appendix II is null), its status today and its R12 verdict. */
export interface VersionView extends Required<ContractTerms> {
  id: string;
  version: number;
  status: VersionStatus;
  changedFields: string[];
  refilingRequired: boolean;
  /** The changed fields that forced re-filing, and the rule applied (R12); empty for version 1. */
  triggers: string[];
  /** R12: the re-filing triggers the amendment met, as they stood when it was made; empty for version 1. */
  triggeredBy: TriggerHit[];
  /** R12: why re-filing was or was not required; null for version 1. */
  refilingReason: string | null;
  rule: string | null;
  createdAt: string;
  /** The filings made for this version (none when it did not require re-filing). */
  filings: FilingView[];
}

/** The calendar date in the GBA (UTC+8, no daylight saving on either side) of an instant. */
export function gbaToday(now: Date = new Date()): IsoDate {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export function termsOf(v: ContractVersion): Required<ContractTerms> {
  return {
    regime: v.regime,
    effectiveDate: v.effectiveDate,
    expiryDate: v.expiryDate,
    importantDataIncluded: v.importantDataIncluded,
    annex: v.annex,
    pipia: v.pipia,
    appendixII: v.appendixII ?? null,
  };
}

/** The inverse of `termsOf`: a version's term columns. */
export function versionTermsOf(
  terms: ContractTerms,
): Pick<ContractVersion, 'regime' | 'effectiveDate' | 'expiryDate' | 'importantDataIncluded' | 'annex' | 'pipia' | 'appendixII'> {
  return {
    regime: terms.regime,
    effectiveDate: terms.effectiveDate,
    expiryDate: terms.expiryDate ?? null,
    importantDataIncluded: terms.importantDataIncluded,
    annex: terms.annex,
    pipia: terms.pipia,
    appendixII: terms.appendixII ?? null,
  };
}

/** `authorities`: the authorities as data (RolloutService.authorities()), for the name as of the effective date (R8). */
export function toFilingView(f: Filing, effectiveDate: IsoDate, today: IsoDate, authorities: AuthorityCatalogue): FilingView {
  return {
    id: f.id,
    version: f.version,
    party: f.party,
    organisationId: f.organisationId,
    authority: f.authority,
    authorityName: authorityName(authorities.authorities.get(f.authority)?.names ?? [], effectiveDate, 'en', f.authority),
    deadline: f.deadline,
    provisional: f.provisional,
    status: f.status,
    overdue: isOverdue({ status: f.status, deadline: f.deadline, resubmissionDeadline: f.resubmissionDeadline }, today),
    late: isLate(f),
    filingNumber: f.filingNumber,
    firstSubmittedOn: f.firstSubmittedOn,
    submittedAt: f.submittedAt ? f.submittedAt.toISOString() : null,
    reviewedAt: f.reviewedAt ? f.reviewedAt.toISOString() : null,
    returnReason: f.returnReason,
    resubmissionDeadline: f.resubmissionDeadline,
    resubmissionProvisional: f.resubmissionDeadline === null ? null : (f.resubmissionProvisional ?? false),
  };
}

/** The highest version whose effective date has come (compliance-flags `selectVersionInForce`), or null. */
export function versionInForce<V extends { version: number; effectiveDate: IsoDate }>(versions: readonly V[], today: IsoDate): V | null {
  let best: V | null = null;
  for (const v of versions) if (v.effectiveDate <= today && (!best || v.version > best.version)) best = v;
  return best;
}

export function versionStatus(v: ContractVersion, all: readonly ContractVersion[], today: IsoDate): VersionStatus {
  const inForce = versionInForce(all, today);
  if (inForce && inForce.version === v.version) return 'IN_FORCE';
  if (v.effectiveDate > today && (!inForce || v.version > inForce.version)) return 'PENDING';
  return 'SUPERSEDED';
}

/** The status facts of a contract whose versions are `first`…`latest` (`contractStatus`). */
const statusFacts = (c: Contract, first: VersionDates, latest: VersionDates) => ({
  terminatedOn: c.terminatedOn,
  firstEffectiveDate: first.effectiveDate,
  latestExpiryDate: latest.expiryDate,
});

export function toContractView(
  c: Contract,
  versions: readonly ContractVersion[],
  currentFilings: readonly Filing[],
  today: IsoDate,
  parties: ReadonlyMap<string, PartySource>,
  authorities: AuthorityCatalogue,
): ContractView {
  const { head, latest, filedVersion } = contractHead(c, versions, today, parties);
  return {
    ...head,
    annex: latest.annex,
    pipia: latest.pipia,
    appendixII: latest.appendixII ?? null,
    terminatedOn: c.terminatedOn,
    terminationReason: c.terminationReason,
    revision: c.revision,
    createdAt: c.createdAt.toISOString(),
    filings: sortFilings(currentFilings).map((f) => toFilingView(f, filedVersion.effectiveDate, today, authorities)),
  };
}

export function toVersionView(
  v: ContractVersion,
  all: readonly ContractVersion[],
  filings: readonly Filing[],
  today: IsoDate,
  authorities: AuthorityCatalogue,
): VersionView {
  const hits = v.refilingTriggers ?? [];
  const hitFields = new Set<string>(hits.map((h) => h.field));
  return {
    id: v.id,
    version: v.version,
    status: versionStatus(v, all, today),
    ...termsOf(v),
    changedFields: v.changedFields,
    refilingRequired: v.refilingRequired,
    triggers: v.changedFields.filter((f) => hitFields.has(f)),
    triggeredBy: hits,
    refilingReason: v.refilingReason,
    rule: v.version > 1 ? R12_RULE : null,
    createdAt: v.createdAt.toISOString(),
    filings: sortFilings(filings.filter((f) => f.version === v.version)).map((f) => toFilingView(f, v.effectiveDate, today, authorities)),
  };
}

const PARTY_ORDER: Record<FilingParty, number> = { processor: 0, recipient: 1 };
export const sortFilings = (filings: readonly Filing[]): Filing[] =>
  [...filings].sort((a, b) => a.version - b.version || PARTY_ORDER[a.party] - PARTY_ORDER[b.party]);

export interface ContractParties {
  processorId: string;
  recipientId: string;
  processorJurisdiction: Jurisdiction;
  recipientJurisdiction: Jurisdiction;
}

/** What the access policy reads of a contract (docs/architecture.md#access): its two parties and their sides. */
export function contractScope(c: ContractParties): ResourceScope {
  return { parties: [c.processorId, c.recipientId], sides: [c.processorJurisdiction, c.recipientJurisdiction] };
}

/**
 * What the access policy reads of one party's filing materials (R10: documents, and their entries in
 * the contract's history): the contract's parties, and the side of the party whose materials they are.
 */
export function documentScope(c: ContractParties, party: FilingParty): ResourceScope {
  return { parties: [c.processorId, c.recipientId], sides: [party === 'processor' ? c.processorJurisdiction : c.recipientJurisdiction] };
}

/** The caller's party in the contract, or null. */
export function partyOf(principal: Principal, c: Pick<ContractParties, 'processorId' | 'recipientId'>): FilingParty | null {
  if (!principal.organisationId) return null;
  if (principal.organisationId === c.processorId) return 'processor';
  if (principal.organisationId === c.recipientId) return 'recipient';
  return null;
}
