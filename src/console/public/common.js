// Pieces shared by the pages.
import * as api from './api.js';
import { clear, h } from './dom.js';
import { code, formatDate, formatNumber, getLanguage, listSeparator, t } from './i18n.js';
import { announce } from './nav.js';
import { servedCodes, sidesOfDirection } from './reference.js';

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

/** The jurisdiction of a contract's party, from the contract's direction (R2) and the sides' direction codes (GET /reference). */
export function sideOf(contract, party) {
  const sides = sidesOfDirection(contract.direction);
  if (!sides) return null;
  return party === 'processor' ? sides[0] : sides[1];
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

/**
 * The cells both transfer logs show of a record, after its contract: direction, counts, categories (with the sensitive
 * ones below them where `sensitive`), flags and the sender's reference.
 */
export function transferRecordCells(item, { sensitive = false } = {}) {
  const sensitiveLine = sensitive && item.sensitiveCategories?.length ? h('div', { class: 'muted' }, codeList('sensitive', item.sensitiveCategories)) : null;
  return [
    h('td', {}, code('direction', item.direction)),
    h('td', { class: 'num' }, formatNumber(item.dataSubjectCount)),
    h('td', { class: 'num' }, formatNumber(item.recordCount)),
    h('td', {}, codeList('category', item.personalInformationCategories ?? []), sensitiveLine),
    h('td', {}, item.flags?.length ? h('span', { class: 'visually-hidden' }, `${t('transfers.flagged')}: `) : null, flagBadges(item.flags)),
    h('td', { class: 'mono' }, item.externalReference ?? '—'),
  ];
}

/** The headings of `transferRecordCells`. */
export function transferRecordHeadings() {
  return ['transfers.direction', 'transfers.subjects', 'transfers.records', 'transfers.categories', 'transfers.flags', 'transfers.reference'].map((key) =>
    t(key),
  );
}

function codeList(kind, values) {
  return values.map((value) => code(kind, value)).join(listSeparator());
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

/** A filter's options: every code of a list the registry serves (GET /reference), or of one the console knows, with its label. */
export function optionsWithAll(kind) {
  return [['', t('all')], ...(servedCodes(kind) ?? CONSOLE_LISTS[kind]).map((value) => [value, code(kind, value)])];
}

/** The code lists GET /reference does not serve (docs/api.md#code-lists). */
const CONSOLE_LISTS = {
  filingStatus: ['NOT_SUBMITTED', 'SUBMITTED', 'RETURNED', 'ACCEPTED'],
  noticeKind: ['TERMINATED', 'EXPIRED'],
  severity: ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'],
  party: ['processor', 'recipient'],
};

/**
 * One page at a time of a list route answered as `{items, nextCursor}`, following the API's cursors, with Previous
 * and Next below the page. `render(items, pageNumber, redraw)` draws a page; `focusCaption` moves focus to the
 * caption of the page turned to.
 */
export async function pagedList(results, { path, filters, limit, isCurrent, render, emptyKey, focusCaption = false }) {
  const cursors = [undefined];
  let pageIndex = 0;
  const go = async (delta) => {
    pageIndex += delta;
    await show();
    if (focusCaption) {
      results.querySelector('caption')?.setAttribute('tabindex', '-1');
      results.querySelector('caption')?.focus();
    }
    announce(t('pageN', { n: pageIndex + 1 }));
  };
  const show = async () => {
    clear(results).append(loading());
    const page = await api.get(path, { ...filters, limit, cursor: cursors[pageIndex] });
    if (!isCurrent()) return;
    const items = page.items ?? [];
    if (page.nextCursor) cursors[pageIndex + 1] = page.nextCursor;
    clear(results);
    if (items.length === 0 && pageIndex === 0) {
      results.append(h('p', { class: 'notice', role: 'status' }, t(emptyKey)));
      return;
    }
    results.append(render(items, pageIndex + 1, show));
    const previous = h('button', { type: 'button', class: 'button secondary', disabled: pageIndex === 0, onclick: () => go(-1) }, t('previous'));
    const next = h('button', { type: 'button', class: 'button secondary', disabled: !page.nextCursor, onclick: () => go(1) }, t('next'));
    results.append(
      h('nav', { class: 'toolbar', 'aria-label': t('pageN', { n: pageIndex + 1 }) }, previous, h('span', {}, t('pageN', { n: pageIndex + 1 })), next),
    );
  };
  await show();
}

export function errorBox(error) {
  if (error instanceof api.ApiError && error.status === 404 && !error.problem?.code) {
    return h('p', { class: 'notice warning', role: 'alert' }, t('notAvailable', { route: error.route }));
  }
  return h('p', { class: 'notice error', role: 'alert' }, t('error', { detail: error.message }));
}
