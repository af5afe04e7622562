// Filings queue: the filings with the regulator's authority, overdue first, then by deadline.
import * as api from './api.js';
import { append, clear, field, h, select, table } from './dom.js';
import { code, t } from './i18n.js';
import {
  authorityLabel,
  deadlineText,
  hashWith,
  loading,
  optionsWithAll,
  contractParties,
  orgName,
  overdueBadge,
  reviewingAuthority,
  shortId,
  statusBadge,
} from './common.js';
import { navigate } from './nav.js';

export async function renderQueue(container, { query, isCurrent }) {
  const me = api.currentUser();
  const authority = reviewingAuthority(me);
  append(container, [
    h('h1', { tabindex: '-1' }, t('queue.heading')),
    h('p', {}, authority ? t('queue.intro', { authority: code('authority', authority) }) : t('queue.introAll')),
    me?.authority === 'HK_PCPD' ? h('p', { class: 'notice' }, t('readOnly')) : null,
  ]);

  const form = queueFilters(query);
  const results = h('div', {}, loading());
  container.append(form, results);

  // The API narrows by authority and sector; the filing's own status and party are checked here,
  // since the API's `status` matches any current filing of the contract.
  const { items: contracts } = await api.getAll('/contracts', { authority: authority ?? undefined, sector: query.sector || undefined });
  if (!isCurrent()) return;
  const rows = queueRows(contracts, authority, query);
  // The contract view names both parties with their sectors, whichever side the regulator is on.
  const orgs = contractParties(contracts);

  clear(results);
  if (rows.length === 0) {
    results.append(h('p', { class: 'notice', role: 'status' }, t('queue.empty')));
    return;
  }
  results.append(queueTable(rows, orgs, authority));
}

function queueFilters(query) {
  const status = select('status', optionsWithAll('filingStatus'), query.status ?? '');
  const sector = select('sector', optionsWithAll('sector'), query.sector ?? '');
  const party = select('party', optionsWithAll('party'), query.party ?? '');
  return h(
    'form',
    {
      'aria-label': t('queue.filters'),
      onsubmit: (event) => {
        event.preventDefault();
        navigate(hashWith('queue', { status: status.value, sector: sector.value, party: party.value }));
      },
    },
    h(
      'fieldset',
      { class: 'filters' },
      h('legend', {}, t('queue.filters')),
      field(t('queue.status'), status).wrapper,
      field(t('queue.sector'), sector).wrapper,
      field(t('queue.party'), party).wrapper,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'button primary' }, t('apply')),
        h('button', { type: 'button', class: 'button secondary', onclick: () => navigate('#/queue') }, t('reset')),
      ),
    ),
  );
}

function queueRows(contracts, authority, query) {
  const rows = [];
  for (const contract of contracts) {
    for (const filing of contract.filings ?? []) {
      if (authority && filing.authority !== authority) continue;
      if (query.status && filing.status !== query.status) continue;
      if (query.party && filing.party !== query.party) continue;
      rows.push({ contract, filing });
    }
  }
  const effectiveDeadline = (f) => (f.status === 'RETURNED' && f.resubmissionDeadline ? f.resubmissionDeadline : f.deadline);
  rows.sort(
    (a, b) =>
      Number(b.filing.overdue) - Number(a.filing.overdue) ||
      effectiveDeadline(a.filing).localeCompare(effectiveDeadline(b.filing)) ||
      a.contract.id.localeCompare(b.contract.id),
  );
  return rows;
}

function queueTable(rows, orgs, authority) {
  return table(
    t('queue.caption', { count: rows.length }),
    // A regulator's queue is all one authority (named above), so the column is only for administrators.
    [
      t('queue.contract'),
      t('queue.filer'),
      t('queue.counterparty'),
      t('queue.sector'),
      authority ? null : t('filing.authority'),
      t('queue.deadline'),
      t('queue.status.col'),
      t('queue.number'),
    ].filter(Boolean),
    rows.map(({ contract, filing }) => {
      const filer = filing.party === 'processor' ? contract.processorId : contract.recipientId;
      const other = filing.party === 'processor' ? contract.recipientId : contract.processorId;
      const processor = orgs.get(contract.processorId);
      return h(
        'tr',
        { class: filing.overdue ? 'overdue' : null, 'data-contract-id': contract.id, 'data-party': filing.party },
        h(
          'td',
          {},
          h('a', { href: `#/contracts/${contract.id}`, 'aria-label': `${t('queue.open')} ${shortId(contract.id)}` }, shortId(contract.id)),
          h('div', { class: 'muted' }, code('direction', contract.direction)),
        ),
        h('td', {}, orgName(orgs.get(filer), filer), h('div', { class: 'muted' }, code('party', filing.party))),
        h('td', {}, orgName(orgs.get(other), other, contract, filing.party === 'processor' ? 'recipient' : 'processor')),
        h('td', {}, code('sector', processor?.sector ?? contract.sector)),
        authority ? null : h('td', {}, authorityLabel(filing, true)),
        h('td', { class: 'nowrap' }, deadlineText(filing)),
        h('td', {}, statusBadge(filing.status), filing.overdue ? overdueBadge() : null),
        h('td', { class: 'mono' }, filing.filingNumber ?? '—'),
      );
    }),
    { class: 'queue' },
  );
}
