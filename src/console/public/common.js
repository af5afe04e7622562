// Pieces shared by the pages.
import * as api from './api.js';
import { h } from './dom.js';
import { code, formatDate, getLanguage, t } from './i18n.js';

export function shortId(id) {
  return id ? String(id).slice(0, 8) : '—';
}

/**
 * An organisation's name in the current language where it has one. Regulators may not read
 * organisations on the other side of the boundary (GET /organisations/:id answers 404), so
 * then the party's side and a short id are shown instead.
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

/** Organisations by id, fetched in parallel; missing or hidden ones map to null. */
export async function organisations(ids) {
  const unique = [...new Set(ids.filter(Boolean))];
  const found = await Promise.all(unique.map((id) => api.organisation(id).catch(() => null)));
  return new Map(unique.map((id, i) => [id, found[i]]));
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
