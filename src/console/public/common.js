// Pieces shared by the pages.
import * as api from './api.js';
import { h } from './dom.js';
import { code, formatDate, getLanguage, t } from './i18n.js';

export function shortId(id) {
  return id ? String(id).slice(0, 8) : '—';
}

/**
 * An organisation's name in the current language where it has one. The pages take the parties from the
 * contract view, never from the register (a regulator may not read the other side's); a party the page does
 * not know is shown by its side and a short id.
 */
export function orgName(org, fallbackId, contract, party) {
  // A contract names both its parties (GET /contracts/:id `processor` / `recipient`), whichever side the reader is on.
  if (!org && contract && party && contract[party] && contract[party].id === fallbackId) org = contract[party];
  if (!org) {
    const side = contract && party ? sideOf(contract, party) : null;
    return h('span', { class: 'mono', title: fallbackId ?? '' }, side ? `${code('jurisdiction', side)} · ${shortId(fallbackId)}` : shortId(fallbackId));
  }
  const zh = getLanguage() !== 'en';
  return (zh ? org.legalNameZh || org.legalName : org.legalName || org.legalNameZh) || org.identifier || shortId(org.id);
}

/** The jurisdiction of a contract's party, from the contract's direction (R2). */
const DIRECTION_SIDES = {
  MAINLAND_TO_HK: ['MAINLAND', 'HONG_KONG'],
  HK_TO_MAINLAND: ['HONG_KONG', 'MAINLAND'],
  MAINLAND_TO_MACAO: ['MAINLAND', 'MACAO'],
  MACAO_TO_MAINLAND: ['MACAO', 'MAINLAND'],
};
export function sideOf(contract, party) {
  const [processorSide, recipientSide] = DIRECTION_SIDES[contract.direction] ?? DIRECTION_SIDES.MAINLAND_TO_HK;
  return party === 'processor' ? processorSide : recipientSide;
}

/** The filing authority in the current language; OGCIO before the DPO was formed (R8). */
export function authorityLabel(filing, short = false) {
  if (/OGCIO|Chief Information/.test(filing.authorityName ?? '')) return code('authority', 'OGCIO');
  return code(short ? 'authorityShort' : 'authority', filing.authority);
}

/**
 * The parties of contracts by id, from what the contract view carries (`processor` / `recipient`: names, sector,
 * party type, side), so no register entry is asked for: a regulator may not read the other side's.
 */
export function contractParties(contracts) {
  const parties = new Map();
  for (const contract of contracts) {
    for (const party of [contract.processor, contract.recipient]) if (party && !parties.has(party.id)) parties.set(party.id, party);
  }
  return parties;
}

export function statusBadge(status) {
  return h('span', { class: ['badge', status] }, code('filingStatus', status));
}

export function overdueBadge() {
  return h('span', { class: 'badge overdue' }, t('overdue'));
}

export function flagBadges(flags) {
  if (!flags || flags.length === 0) return h('span', { class: 'muted' }, t('transfers.clean'));
  return flags.map((flag) => h('span', { class: 'badge flag', title: flag }, code('flag', flag)));
}

export function deadlineText(filing) {
  const resubmission = filing.status === 'RETURNED' && filing.resubmissionDeadline;
  const deadline = resubmission ? filing.resubmissionDeadline : filing.deadline;
  const provisional = resubmission ? filing.resubmissionProvisional : filing.provisional;
  return [formatDate(deadline), provisional ? [' ', h('span', { class: 'badge provisional' }, t('provisional'))] : null];
}

/** The authority whose filings this user reviews (the PCPD reads the Hong Kong side). */
export function reviewingAuthority(me) {
  if (!me || me.role !== 'REGULATOR') return null;
  return me.authority === 'HK_PCPD' ? 'HK_DPO' : me.authority;
}

export function canReview(me, filing) {
  return me?.role === 'REGULATOR' && me.authority === filing.authority;
}

export function loading() {
  return h('p', { class: 'muted', role: 'status' }, t('loading'));
}

/** Builds a "#/page?x=y" hash from a filter object, dropping empty values. */
export function hashWith(page, query) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(name, value);
  const search = params.toString();
  return `#/${page}${search ? `?${search}` : ''}`;
}

export function optionsWithAll(kind) {
  return [['', t('all')], ...codeOptionsSorted(kind)];
}

function codeOptionsSorted(kind) {
  return KINDS[kind]().map((value) => [value, code(kind, value)]);
}

const KINDS = {
  sector: () => [
    'BANKING',
    'CREDIT_REFERENCING',
    'HEALTHCARE',
    'INSURANCE',
    'SECURITIES',
    'RETAIL',
    'LOGISTICS',
    'TELECOMMUNICATIONS',
    'TECHNOLOGY',
    'EDUCATION',
    'OTHER',
  ],
  filingStatus: () => ['NOT_SUBMITTED', 'SUBMITTED', 'RETURNED', 'ACCEPTED'],
  noticeKind: () => ['TERMINATED', 'EXPIRED'],
  severity: () => ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'],
  party: () => ['processor', 'recipient'],
  direction: () => ['MAINLAND_TO_HK', 'HK_TO_MAINLAND', 'MAINLAND_TO_MACAO', 'MACAO_TO_MAINLAND'],
  flag: () => [
    'AFTER_RETENTION_PERIOD',
    'CATEGORY_NOT_IN_SCOPE',
    'CONTRACT_EXPIRED',
    'CONTRACT_NOT_EFFECTIVE',
    'CONTRACT_TERMINATED',
    'DIRECTION_MISMATCH',
    'FILING_OVERDUE',
    'METHOD_NOT_IN_SCOPE',
    'OCCURRED_IN_FUTURE',
    'ONWARD_RECIPIENT_NOT_IN_ANNEX',
    'ONWARD_RECIPIENT_OUTSIDE_GBA',
    'PIPIA_AFTER_TRANSFER',
    'PIPIA_MISSING',
    'PURPOSE_NOT_IN_SCOPE',
    'SENSITIVE_NOT_IN_SCOPE',
    'SENSITIVE_WITHOUT_SEPARATE_CONSENT',
  ],
  category: () => [
    'BASIC_PROFILE',
    'IDENTITY',
    'BIOMETRIC',
    'ONLINE_IDENTIFIER',
    'HEALTH',
    'EDUCATION_EMPLOYMENT',
    'PROPERTY_FINANCIAL',
    'COMMUNICATION',
    'CONTACTS',
    'BROWSING_HISTORY',
    'DEVICE',
    'LOCATION',
    'OTHER',
  ],
};

export function errorBox(error) {
  if (error instanceof api.ApiError && error.status === 404 && !error.problem?.code) {
    return h('p', { class: 'notice warning', role: 'alert' }, t('notAvailable', { route: error.route }));
  }
  return h('p', { class: 'notice error', role: 'alert' }, t('error', { detail: error.message }));
}
