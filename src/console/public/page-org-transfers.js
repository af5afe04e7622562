// The organisation's transfers: the records logged under its contracts, with their compliance flags, filtered by
// contract, flags and dates (GET /transfers, which the API scopes to the organisation).
import * as api from './api.js';
import { append, field, h, select, table } from './dom.js';
import { formatInstant, t } from './i18n.js';
import { hashWith, loading, optionsWithAll, orgName, pagedList, shortId, transferRecordCells, transferRecordHeadings } from './common.js';
import { navigate } from './nav.js';
import { otherParty, ourName, ourParty } from './page-org.js';

/** The name of the organisation's counterparty under a contract. */
function counterpartyOf(contract) {
  const other = otherParty(ourParty(contract));
  return orgName(contract[other], contract[`${other}Id`], contract, other);
}

/** The filters of the list: contract, flagged or not, one flag, and dates. */
function filterForm(query, contracts) {
  const plain = (node) => (typeof node === 'string' ? node : node.textContent);
  const contractSelect = select(
    'contractId',
    [['', t('all')], ...contracts.map((c) => [c.id, `${shortId(c.id)} · ${plain(counterpartyOf(c))}`])],
    query.contractId ?? '',
  );
  const flagged = select(
    'flagged',
    [
      ['', t('all')],
      ['true', t('org.transfers.flaggedOnly')],
      ['false', t('org.transfers.cleanOnly')],
    ],
    query.flagged ?? '',
  );
  const flag = select('flag', optionsWithAll('flag'), query.flag ?? '');
  const from = h('input', { type: 'date', name: 'from', value: query.from ?? '' });
  const to = h('input', { type: 'date', name: 'to', value: query.to ?? '' });
  return h(
    'form',
    {
      'aria-label': t('transfers.filters'),
      onsubmit: (event) => {
        event.preventDefault();
        navigate(hashWith('org/transfers', { contractId: contractSelect.value, flagged: flagged.value, flag: flag.value, from: from.value, to: to.value }));
      },
    },
    h(
      'fieldset',
      { class: 'filters' },
      h('legend', {}, t('transfers.filters')),
      field(t('transfers.contract'), contractSelect).wrapper,
      field(t('org.transfers.flagged'), flagged).wrapper,
      field(t('transfers.flag'), flag).wrapper,
      field(t('transfers.from'), from).wrapper,
      field(t('transfers.to'), to).wrapper,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'button primary' }, t('apply')),
        h('button', { type: 'button', class: 'button secondary', onclick: () => navigate('#/org/transfers') }, t('reset')),
      ),
    ),
  );
}

export async function renderOrgTransfers(container, { query, isCurrent }) {
  append(container, [
    h('h1', { tabindex: '-1' }, t('org.transfers.heading')),
    h('p', {}, t('org.transfers.intro', { org: ourName() })),
    h('p', { class: 'muted' }, t('hkTime')),
  ]);
  const { items: contracts } = await api.getAll('/contracts');
  if (!isCurrent()) return;
  const byId = new Map(contracts.map((c) => [c.id, c]));
  container.append(filterForm(query, contracts));
  const filters = {
    contractId: query.contractId,
    flagged: query.flagged === 'true' || query.flagged === 'false' ? query.flagged : undefined,
    flag: query.flag,
    from: query.from,
    // A date "to" includes that whole day.
    to: query.to ? nextDay(query.to) : undefined,
  };
  const results = h('div', {}, loading());
  container.append(results);
  const render = (items, page) =>
    table(
      t('transfers.caption', { page }),
      [t('transfers.occurredAt'), t('queue.contract'), t('queue.counterparty'), ...transferRecordHeadings()],
      items.map((item) => {
        const contract = byId.get(item.contractId);
        return h(
          'tr',
          { class: item.flags?.length ? 'flagged' : null, 'data-leaf': String(item.leafIndex) },
          h('td', { class: 'nowrap' }, formatInstant(item.occurredAt)),
          h('td', {}, h('a', { href: `#/org/contracts/${item.contractId}` }, shortId(item.contractId))),
          h('td', {}, contract ? counterpartyOf(contract) : '—'),
          ...transferRecordCells(item),
        );
      }),
      { class: 'org-transfers' },
    );
  await pagedList(results, { path: '/transfers', filters, limit: 50, isCurrent, render, emptyKey: 'transfers.empty' });
}

function nextDay(date) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
