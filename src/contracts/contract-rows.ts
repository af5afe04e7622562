/*
 * Rows of the contract tables as PostgreSQL's row_to_json writes them, turned into the entity
 * shapes the views take, so POST /contracts and GET /contracts/:id each answer with one or two
 * statements instead of TypeORM's five to nineteen. JSON keeps `date` columns as
 * YYYY-MM-DD strings (as TypeORM does) and writes instants in ISO 8601, read back as `Date`.
 */
import type { Organisation } from '../organisations/organisation.entity';
import type { Contract } from './contract.entity';
import type { ContractVersion } from './contract-version.entity';
import type { Filing } from './filing.entity';

/** A `contracts` row as row_to_json writes it: snake_case columns, dates as YYYY-MM-DD, instants as ISO 8601 text. */
export interface ContractJson {
  id: Contract['id'];
  regime: Contract['regime'];
  processor_id: Contract['processorId'];
  recipient_id: Contract['recipientId'];
  processor_jurisdiction: Contract['processorJurisdiction'];
  recipient_jurisdiction: Contract['recipientJurisdiction'];
  processor_sector: Contract['processorSector'];
  direction: Contract['direction'];
  latest_version: Contract['latestVersion'];
  filing_version: Contract['filingVersion'];
  revision: Contract['revision'];
  terminated_on: Contract['terminatedOn'];
  termination_reason: Contract['terminationReason'];
  terminated_by_organisation_id: Contract['terminatedByOrganisationId'];
  created_by: Contract['createdBy'];
  created_at: string;
  updated_at: string;
}

/** A `contract_versions` row as row_to_json writes it. */
export interface ContractVersionJson {
  id: ContractVersion['id'];
  contract_id: ContractVersion['contractId'];
  version: ContractVersion['version'];
  regime: ContractVersion['regime'];
  effective_date: ContractVersion['effectiveDate'];
  expiry_date: ContractVersion['expiryDate'];
  important_data_included: ContractVersion['importantDataIncluded'];
  annex: ContractVersion['annex'];
  pipia: ContractVersion['pipia'];
  appendix_ii: ContractVersion['appendixII'];
  changed_fields: ContractVersion['changedFields'];
  refiling_required: ContractVersion['refilingRequired'];
  refiling_reason: ContractVersion['refilingReason'];
  refiling_triggers: ContractVersion['refilingTriggers'];
  created_by: ContractVersion['createdBy'];
  created_at: string;
}

/** A `filings` row as row_to_json writes it. */
export interface FilingJson {
  id: Filing['id'];
  contract_id: Filing['contractId'];
  contract_version_id: Filing['contractVersionId'];
  version: Filing['version'];
  party: Filing['party'];
  organisation_id: Filing['organisationId'];
  authority: Filing['authority'];
  deadline: Filing['deadline'];
  provisional: Filing['provisional'];
  status: Filing['status'];
  first_submitted_on: Filing['firstSubmittedOn'];
  submitted_at: string | null;
  reviewed_at: string | null;
  reviewed_by: Filing['reviewedBy'];
  return_reason: Filing['returnReason'];
  resubmission_deadline: Filing['resubmissionDeadline'];
  resubmission_provisional: Filing['resubmissionProvisional'];
  filing_number: Filing['filingNumber'];
  created_at: string;
}

const instant = (value: unknown): Date => new Date(value as string);
const instantOrNull = (value: unknown): Date | null => (value === null || value === undefined ? null : new Date(value as string));

export function contractFromJson(r: ContractJson): Contract {
  return {
    id: r.id,
    regime: r.regime,
    processorId: r.processor_id,
    recipientId: r.recipient_id,
    processorJurisdiction: r.processor_jurisdiction,
    recipientJurisdiction: r.recipient_jurisdiction,
    processorSector: r.processor_sector,
    direction: r.direction,
    latestVersion: r.latest_version,
    filingVersion: r.filing_version,
    revision: r.revision,
    terminatedOn: r.terminated_on,
    terminationReason: r.termination_reason,
    terminatedByOrganisationId: r.terminated_by_organisation_id,
    createdBy: r.created_by,
    createdAt: instant(r.created_at),
    updatedAt: instant(r.updated_at),
  };
}

export function versionFromJson(r: ContractVersionJson): ContractVersion {
  return {
    id: r.id,
    contractId: r.contract_id,
    version: r.version,
    regime: r.regime,
    effectiveDate: r.effective_date,
    expiryDate: r.expiry_date,
    importantDataIncluded: r.important_data_included,
    annex: r.annex,
    pipia: r.pipia,
    appendixII: r.appendix_ii ?? null,
    changedFields: r.changed_fields,
    refilingRequired: r.refiling_required,
    refilingReason: r.refiling_reason,
    refilingTriggers: r.refiling_triggers,
    createdBy: r.created_by,
    createdAt: instant(r.created_at),
  };
}

export function filingFromJson(r: FilingJson): Filing {
  return {
    id: r.id,
    contractId: r.contract_id,
    contractVersionId: r.contract_version_id,
    version: r.version,
    party: r.party,
    organisationId: r.organisation_id,
    authority: r.authority,
    deadline: r.deadline,
    provisional: r.provisional,
    status: r.status,
    firstSubmittedOn: r.first_submitted_on,
    submittedAt: instantOrNull(r.submitted_at),
    reviewedAt: instantOrNull(r.reviewed_at),
    reviewedBy: r.reviewed_by,
    returnReason: r.return_reason,
    resubmissionDeadline: r.resubmission_deadline,
    resubmissionProvisional: r.resubmission_provisional,
    filingNumber: r.filing_number,
    createdAt: instant(r.created_at),
  };
}

/** What the contract views and the filing rules read of a party (PartySummary, R1–R2, R15). */
export type PartyRow = Pick<
  Organisation,
  'id' | 'partyType' | 'legalName' | 'legalNameZh' | 'jurisdiction' | 'city' | 'sector' | 'identifierType' | 'identifier' | 'verificationStatus'
>;

/** SQL select list for PartyRow from `organisations o`. */
export const PARTY_COLUMNS = `o.id, o.party_type AS "partyType", o.legal_name AS "legalName", o.legal_name_zh AS "legalNameZh", o.jurisdiction, o.city, o.sector, o.identifier_type AS "identifierType", o.identifier, o.verification_status AS "verificationStatus"`;

/** The same, as a JSON object expression. */
export const PARTY_JSON = `json_build_object('id', o.id, 'partyType', o.party_type, 'legalName', o.legal_name, 'legalNameZh', o.legal_name_zh, 'jurisdiction', o.jurisdiction, 'city', o.city, 'sector', o.sector, 'identifierType', o.identifier_type, 'identifier', o.identifier, 'verificationStatus', o.verification_status)`;

/** Just the PartyRow columns of a row that may carry more (CREATE_PARTIES adds the revisions). */
export function partyFromRow(r: PartyRow): PartyRow {
  return {
    id: r.id,
    partyType: r.partyType,
    legalName: r.legalName,
    legalNameZh: r.legalNameZh,
    jurisdiction: r.jurisdiction,
    city: r.city,
    sector: r.sector,
    identifierType: r.identifierType,
    identifier: r.identifier,
    verificationStatus: r.verificationStatus,
  };
}
