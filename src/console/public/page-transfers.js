// Transfer log (search, paging, export) and the anomaly view.
import * as api from './api.js';
import { clear, field, h, saveBlob, select, table } from './dom.js';
import { code, formatInstant, formatNumber, hongKongToday, t } from './i18n.js';
import { contractParties, hashWith, loading, optionsWithAll, orgName, pagedList, shortId, transferRecordCells, transferRecordHeadings } from './common.js';
import { announce, navigate } from './nav.js';

const FILTERS = ['contractId', 'organisationId', 'direction', 'from', 'to', 'flag', 'category', 'sector'];
const UUID = /^[0-9a-fA-F-]{36}$/;

/** The API's filters from the hash query; a date "to" includes that whole day. */
function apiFilters(query) {
  const filters = {};
  for (const name of FILTERS) if (query[name]) filters[name] = query[name];
  if (filters.to && /^\d{4}-\d{2}-\d{2}$/.test(filters.to)) filters.to = nextDay(filters.to);
  return filters;
}

function nextDay(date) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * Lets an organisation filter take a name: typing calls GET /organisations?q= (names in either language, USCC/BRN
 * prefixes, scoped as reads are) and offers the matches in a datalist whose values are the organisations' ids.
 */
function organisationPicker(control) {
  const list = h('datalist', { id: `${control.name}-options` });
  control.setAttribute('list', list.id);
  let timer;
  let asked = '';
  control.addEventListener('input', () => {
    window.clearTimeout(timer);
    const q = control.value.trim();
    if (!q || UUID.test(q) || q === asked) return;
    timer = window.setTimeout(async () => {
      asked = q;
      try {
        const page = await api.get('/organisations', { q, limit: 20 });
        // An answer to an earlier, shorter query that arrives late must not replace the latest one's.
        if (asked !== q) return;
        clear(list).append(
          ...(page.items ?? []).map((org) =>
            h('option', { value: org.id, label: `${[org.legalName, org.legalNameZh].filter(Boolean).join(' / ')} · ${org.identifier}` }),
          ),
        );
      } catch {
        if (asked === q) clear(list);
      }
    }, 250);
  });
  queueMicrotask(() => control.parentNode?.append(list));
  return control;
}

function filterForm(page, query, extra = []) {
  const input = (name, type = 'text', attrs = {}) => h('input', { type, name, value: query[name] ?? '', ...attrs });
  const controls = {
    contractId: input('contractId', 'text', { pattern: UUID.source, spellcheck: 'false', autocomplete: 'off' }),
    organisationId: organisationPicker(input('organisationId', 'text', { pattern: UUID.source, spellcheck: 'false', autocomplete: 'off' })),
    direction: select('direction', optionsWithAll('direction'), query.direction ?? ''),
    from: input('from', 'date'),
    to: input('to', 'date'),
    flag: select('flag', optionsWithAll('flag'), query.flag ?? ''),
    category: select('category', optionsWithAll('category'), query.category ?? ''),
    sector: select('sector', optionsWithAll('sector'), query.sector ?? ''),
  };
  const labels = {
    contractId: t('transfers.contract'),
    organisationId: t('transfers.organisation'),
    direction: t('transfers.direction'),
    from: t('transfers.from'),
    to: t('transfers.to'),
    flag: t('transfers.flag'),
    category: t('transfers.category'),
    sector: t('transfers.sector'),
  };
  return h(
    'form',
    {
      'aria-label': t('transfers.filters'),
      onsubmit: (event) => {
        event.preventDefault();
        const next = {};
        for (const name of FILTERS) next[name] = controls[name].value.trim();
        for (const [name, control] of extra) next[name] = control.value;
        navigate(hashWith(page, next));
      },
    },
    h(
      'fieldset',
      { class: 'filters' },
      h('legend', {}, t('transfers.filters')),
      FILTERS.map((name) => field(labels[name], controls[name]).wrapper),
      extra.map(([, control, label]) => field(label, control).wrapper),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'button primary' }, t('apply')),
        h('button', { type: 'button', class: 'button secondary', onclick: () => navigate(`#/${page}`) }, t('reset')),
      ),
    ),
  );
}

export async function renderTransfers(container, { query, isCurrent }) {
  const pageSize = h(
    'select',
    { name: 'limit' },
    ['25', '50', '100', '250'].map((n) => h('option', { value: n, selected: n === (query.limit ?? '25') }, n)),
  );
  container.append(
    h('h1', { tabindex: '-1' }, t('transfers.heading')),
    h('p', { class: 'muted' }, t('hkTime')),
    filterForm('transfers', query, [['limit', pageSize, t('transfers.pageSize')]]),
  );

  const filters = apiFilters(query);
  const exportButton = (format, label) =>
    h(
      'button',
      {
        type: 'button',
        class: 'button secondary',
        'data-export': format,
        onclick: async (event) => {
          const button = event.currentTarget;
          button.disabled = true;
          try {
            const { blob, fileName } = await api.getBlob('/transfers/export', { ...filters, format }, format === 'csv' ? 'text/csv' : 'application/x-ndjson');
            const name = fileName ?? `transfers-${hongKongToday()}.${format}`;
            saveBlob(blob, name);
            announce(t('transfers.exported', { file: name }));
          } catch (error) {
            announce(t('error', { detail: error.message }));
          } finally {
            button.disabled = false;
          }
        },
      },
      label,
    );
  container.append(
    h(
      'div',
      { class: 'toolbar', role: 'group', 'aria-label': t('transfers.export') },
      exportButton('ndjson', t('transfers.exportNdjson')),
      exportButton('csv', t('transfers.exportCsv')),
    ),
  );
  const results = h('div', {}, loading());
  container.append(results);
  await pagedRecords(results, filters, Number(query.limit ?? 25), isCurrent, 'transfers.caption', 'transfers.empty');
}

/** Pages through GET /transfers with the given filters, one page at a time, following the API's cursors. */
function pagedRecords(results, filters, limit, isCurrent, captionKey, emptyKey) {
  const render = (items, page) => transferTable(items, t(captionKey, { page }));
  return pagedList(results, { path: '/transfers', filters, limit, isCurrent, render, emptyKey, focusCaption: true });
}

function transferTable(items, caption) {
  return table(
    caption,
    [t('transfers.leaf'), t('transfers.occurredAt'), t('queue.contract'), ...transferRecordHeadings()],
    items.map((item) =>
      h(
        'tr',
        { class: item.flags?.length ? 'flagged' : null, 'data-leaf': String(item.leafIndex) },
        h('td', {}, h('a', { href: `#/ledger?leaf=${item.leafIndex}`, 'aria-label': t('transfers.verify', { leaf: item.leafIndex }) }, `#${item.leafIndex}`)),
        h('td', {}, formatInstant(item.occurredAt)),
        h('td', {}, h('a', { href: `#/contracts/${item.contractId}` }, shortId(item.contractId)), h('div', { class: 'muted' }, code('sector', item.sector))),
        ...transferRecordCells(item, { sensitive: true }),
      ),
    ),
  );
}

const ANOMALY_PAGE_SIZE = 50;
const ANOMALY_FILTERS = ['direction', 'sector', 'from', 'to'];

/** The anomaly filters: what the registry's grouped figures take (months in Hong Kong time, sector, direction). */
function anomalyForm(query) {
  const month = (name) => h('input', { type: 'month', name, value: /^\d{4}-\d{2}$/.test(query[name] ?? '') ? query[name] : '', pattern: '\\d{4}-\\d{2}' });
  const controls = {
    direction: select('direction', optionsWithAll('direction'), query.direction ?? ''),
    sector: select('sector', optionsWithAll('sector'), query.sector ?? ''),
    from: month('from'),
    to: month('to'),
  };
  const labels = { direction: t('transfers.direction'), sector: t('transfers.sector'), from: t('anomalies.fromMonth'), to: t('anomalies.toMonth') };
  return h(
    'form',
    {
      'aria-label': t('transfers.filters'),
      onsubmit: (event) => {
        event.preventDefault();
        navigate(hashWith('anomalies', Object.fromEntries(ANOMALY_FILTERS.map((name) => [name, controls[name].value.trim()]))));
      },
    },
    h(
      'fieldset',
      { class: 'filters' },
      h('legend', {}, t('transfers.filters')),
      ANOMALY_FILTERS.map((name) => field(labels[name], controls[name]).wrapper),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'button primary' }, t('apply')),
        h('button', { type: 'button', class: 'button secondary', onclick: () => navigate('#/anomalies') }, t('reset')),
      ),
    ),
  );
}

/** The first day of the month after a YYYY-MM month: the exclusive end of a month filter on GET /transfers. */
function monthAfter(month) {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/** Each flag with its count, the most frequent first. */
function flagCounts(flags) {
  return Object.entries(flags ?? {})
    .sort((a, b) => b[1] - a[1])
    .map(([flag, n]) => h('span', { class: 'badge flag' }, `${code('flag', flag)} × ${formatNumber(n)}`));
}

function anomalySection(id, title, content) {
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), content);
}

/** The flagged transfers by flag, each linking to the transfers with that flag. */
function byFlagSection(flagged, common) {
  return anomalySection(
    'anomalies-by-flag',
    t('anomalies.byFlag'),
    table(
      t('anomalies.byFlag'),
      [t('transfers.flag'), t('anomalies.count'), t('anomalies.contracts'), t('anomalies.organisations'), t('anomalies.lastSeen')],
      flagged.byFlag.map((g) =>
        h(
          'tr',
          { 'data-flag': g.flag },
          h('th', { scope: 'row' }, h('a', { href: hashWith('transfers', { ...common, flag: g.flag }) }, code('flag', g.flag))),
          h('td', { class: 'num' }, formatNumber(g.transfers)),
          h('td', { class: 'num' }, formatNumber(g.contracts)),
          h('td', { class: 'num' }, formatNumber(g.organisations)),
          h('td', {}, formatInstant(g.lastSeen)),
        ),
      ),
    ),
  );
}

/** The flagged transfers by month (the figures' groups summed per month), months with none left out. */
function byMonthSection(figures) {
  const perMonth = new Map();
  for (const f of figures) perMonth.set(f.month, (perMonth.get(f.month) ?? 0) + f.flaggedTransfers);
  return anomalySection(
    'anomalies-by-month',
    t('anomalies.byMonth'),
    table(
      t('anomalies.byMonth'),
      [t('anomalies.month'), t('anomalies.count')],
      [...perMonth.entries()]
        .filter(([, n]) => n > 0)
        .map(([month, n]) => h('tr', { 'data-month': month }, h('th', { scope: 'row' }, month), h('td', { class: 'num' }, formatNumber(n)))),
    ),
  );
}

/** The contracts with the most flagged transfers. */
function byContractSection(flagged, orgs) {
  return anomalySection('anomalies-by-contract', t('anomalies.byContract'), [
    h('p', { class: 'muted' }, t('anomalies.top')),
    table(
      t('anomalies.byContract'),
      [t('queue.contract'), t('contract.processor'), t('contract.recipient'), t('anomalies.count'), t('transfers.flags'), t('anomalies.lastSeen')],
      flagged.byContract.map((g) =>
        h(
          'tr',
          { 'data-contract-id': g.contractId },
          h('th', { scope: 'row' }, h('a', { href: `#/contracts/${g.contractId}` }, shortId(g.contractId))),
          h('td', {}, orgName(orgs.get(g.processorId), g.processorId)),
          h('td', {}, orgName(orgs.get(g.recipientId), g.recipientId)),
          h('td', { class: 'num' }, formatNumber(g.transfers)),
          h('td', {}, flagCounts(g.flags)),
          h('td', {}, formatInstant(g.lastSeen)),
        ),
      ),
    ),
  ]);
}

/** The organisations with the most flagged transfers. */
function byOrganisationSection(flagged, orgs) {
  return anomalySection('anomalies-by-organisation', t('anomalies.byOrganisation'), [
    h('p', { class: 'muted' }, t('anomalies.top')),
    table(
      t('anomalies.byOrganisation'),
      [t('org.name'), t('org.jurisdiction'), t('anomalies.count'), t('anomalies.contracts'), t('transfers.flags')],
      flagged.byOrganisation.map((g) => {
        const org = orgs.get(g.organisationId);
        return h(
          'tr',
          { 'data-organisation-id': g.organisationId },
          h('th', { scope: 'row' }, h('a', { href: hashWith('transfers', { organisationId: g.organisationId }) }, orgName(org, g.organisationId))),
          h('td', {}, code('jurisdiction', org?.jurisdiction)),
          h('td', { class: 'num' }, formatNumber(g.transfers)),
          h('td', { class: 'num' }, formatNumber(g.contracts)),
          h('td', {}, flagCounts(g.flags)),
        );
      }),
    ),
  ]);
}

export async function renderAnomalies(container, { query, isCurrent }) {
  container.append(h('h1', { tabindex: '-1' }, t('anomalies.heading')), h('p', {}, t('anomalies.intro')), anomalyForm(query));
  const results = h('div', {}, loading());
  const list = h('div', { id: 'anomalies-list' });
  container.append(results, h('section', { 'aria-labelledby': 'anomalies-records' }, h('h2', { id: 'anomalies-records' }, t('anomalies.records')), list));
  const months = { from: /^\d{4}-\d{2}$/.test(query.from ?? '') ? query.from : undefined, to: /^\d{4}-\d{2}$/.test(query.to ?? '') ? query.to : undefined };
  const common = { direction: query.direction || undefined, sector: query.sector || undefined };
  // Only flagged records are listed (GET /transfers?flagged=true, served by the partial index on flagged rows), a page at a time.
  const listed = pagedRecords(
    list,
    { ...common, flagged: 'true', from: months.from ? `${months.from}-01` : undefined, to: months.to ? monthAfter(months.to) : undefined },
    ANOMALY_PAGE_SIZE,
    isCurrent,
    'anomalies.recordsCaption',
    'anomalies.none',
  );
  // The groups are counted by the registry (GET /transfers/figures?flagged=true): the browser reads no record to draw them.
  const { figures, flagged } = await api.get('/transfers/figures', { ...common, ...months, flagged: 'true' });
  if (!isCurrent()) return;
  // The parties' names come from the contract view (GET /contracts/:id names both parties), never from the
  // register, which a regulator may not read for the other side.
  const contracts = await Promise.all(flagged.byContract.map((g) => api.get(`/contracts/${encodeURIComponent(g.contractId)}`).catch(() => null)));
  if (!isCurrent()) return;
  const orgs = contractParties(contracts.filter(Boolean));
  clear(results).append(h('p', { class: 'muted' }, t('anomalies.total', { count: formatNumber(flagged.transfers) })));
  if (flagged.transfers === 0) {
    results.append(h('p', { class: 'notice success', role: 'status' }, t('anomalies.none')));
    await listed;
    return;
  }

  results.append(byFlagSection(flagged, common), byMonthSection(figures), byContractSection(flagged, orgs), byOrganisationSection(flagged, orgs));
  await listed;
}
