// Rollout dashboard: Chart.js charts (served by the registry from node_modules),
// each with the same figures as a table for screen-reader and keyboard users.
import * as api from './api.js';
import { clear, h, table } from './dom.js';
import { code, formatNumber, hongKongMonth, t } from './i18n.js';
import { errorBox, loading } from './common.js';
import { servedCodes } from './reference.js';

const ENROLMENT_STATES = ['INTERESTED', 'ENROLLED', 'ACTIVE', 'DECLINED', 'WITHDRAWN'];
// Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

const charts = new Set();

export async function renderRollout(container, { isCurrent }) {
  for (const chart of charts) chart.destroy();
  charts.clear();
  container.append(h('h1', { tabindex: '-1' }, t('rollout.heading')), h('p', { class: 'muted' }, t('hkTime')));
  const grid = h('div', { class: 'charts' });
  container.append(grid);
  const enrolmentCard = card(grid, 'enrolment', t('rollout.enrolment'));
  const filingsCard = card(grid, 'filings', t('rollout.filings'));
  const transfersCard = card(grid, 'transfers', t('rollout.transfers'));
  const activityCard = h(
    'section',
    { 'aria-labelledby': 'chart-activity-title', 'data-chart': 'activity' },
    h('h2', { id: 'chart-activity-title' }, t('rollout.sectorActivity')),
    loading(),
  );
  const figuresCard = h(
    'section',
    { 'aria-labelledby': 'chart-transfer-figures-title', 'data-chart': 'transfer-figures' },
    h('h2', { id: 'chart-transfer-figures-title' }, t('rollout.transferFigures')),
    loading(),
  );
  container.append(activityCard, figuresCard);

  // Transfer figures are kept by the registry as records are logged (GET /transfers/figures), never counted here.
  const [stats, contracts, figures] = await Promise.allSettled([
    api.getPublic('/rollout/stats'),
    api.getAll('/contracts', {}, { pageSize: 500, maxItems: 20_000 }),
    api.get('/transfers/figures'),
  ]);
  if (!isCurrent()) return;
  // A contract's current filings are those of its latest filed version; filings accepted for
  // earlier versions (before an amendment that needed re-filing) are read from its versions.
  const filings = await settledValue(contracts, currentFilings);
  if (!isCurrent()) return;

  // 1. Enrolment by sector and status: GET /rollout/stats.
  settle(enrolmentCard, stats, (value) => enrolmentChart(enrolmentCard, value));

  // 2. Filings accepted per month by side, from the contracts the regulator can see.
  settle(filingsCard, filings, (value) => filingsChart(filingsCard, value));

  // 3. Transfer records per month by direction: the registry's figures, months already in Hong Kong time.
  settle(transfersCard, figures, (value) => transfersChart(transfersCard, value));

  // Transfer records, records, data subjects and flagged records per sector, from the same figures.
  settle(figuresCard, figures, figuresTable);

  // Accepted filings and transfer records per sector, as the stats endpoint rolls them up.
  settle(activityCard, stats, activityTable);
}

async function currentFilings({ items }) {
  const earlier = await Promise.all(
    items.filter((c) => c.version > 1).map((c) => api.getAll(`/contracts/${c.id}/versions`, {}, { pageSize: 20, maxItems: 10_000 }).then((r) => r.items)),
  );
  const all = [...items.flatMap((c) => c.filings ?? []), ...earlier.flat().flatMap((v) => v.filings ?? [])];
  const unique = new Map(all.map((f) => [f.id, f]));
  return { items, accepted: [...unique.values()].filter((f) => f.status === 'ACCEPTED' && f.reviewedAt) };
}

function enrolmentChart(enrolmentCard, value) {
  const rows = value.enrolments ?? [];
  const sectors = (servedCodes('sector') ?? []).filter((s) => rows.some((r) => r.sector === s));
  const states = ENROLMENT_STATES.filter((s) => rows.some((r) => r.status === s));
  const count = (sector, status) => rows.filter((r) => r.sector === sector && r.status === status).reduce((n, r) => n + r.count, 0);
  return chartWithTable(enrolmentCard, {
    type: 'bar',
    labels: sectors.map((s) => code('sector', s)),
    datasets: states.map((status) => ({ label: code('enrolment', status), data: sectors.map((s) => count(s, status)) })),
    stacked: true,
    rowHeader: t('rollout.sector'),
  });
}

function filingsChart(filingsCard, { items, accepted }) {
  const months = monthRange(accepted.map((f) => hongKongMonth(f.reviewedAt)));
  const sides = [
    ['GD_CAC', 'MAINLAND'],
    ['HK_DPO', 'HONG_KONG'],
    ['MO_DSPDP', 'MACAO'],
  ];
  return [
    chartWithTable(filingsCard, {
      type: 'bar',
      labels: months,
      datasets: sides.map(([authority, side]) => ({
        label: `${code('jurisdiction', side)} (${code('authorityShort', authority)})`,
        data: months.map((m) => accepted.filter((f) => f.authority === authority && hongKongMonth(f.reviewedAt) === m).length),
      })),
      rowHeader: t('rollout.month'),
    }),
    h('p', { class: 'muted' }, t('rollout.fromContracts', { count: formatNumber(items.length) })),
  ];
}

function transfersChart(transfersCard, { figures: rows }) {
  const months = monthRange(rows.map((r) => r.month));
  const directions = ['MAINLAND_TO_HK', 'HK_TO_MAINLAND', 'MAINLAND_TO_MACAO', 'MACAO_TO_MAINLAND'];
  const cells = new Map();
  for (const r of rows) cells.set(`${r.month} ${r.direction}`, (cells.get(`${r.month} ${r.direction}`) ?? 0) + r.transfers);
  const total = rows.reduce((n, r) => n + r.transfers, 0);
  return [
    chartWithTable(transfersCard, {
      type: 'line',
      labels: months,
      datasets: directions.map((direction) => ({ label: code('direction', direction), data: months.map((m) => cells.get(`${m} ${direction}`) ?? 0) })),
      rowHeader: t('rollout.month'),
    }),
    h('p', { class: 'muted' }, t('rollout.fromFigures', { count: formatNumber(total) })),
  ];
}

function figuresTable({ figures: rows }) {
  const bySector = new Map();
  for (const r of rows) {
    const sum = bySector.get(r.sector) ?? { transfers: 0, records: 0, dataSubjects: 0, flaggedTransfers: 0 };
    for (const key of Object.keys(sum)) sum[key] += r[key];
    bySector.set(r.sector, sum);
  }
  const sectors = (servedCodes('sector') ?? []).filter((s) => bySector.has(s));
  if (!sectors.length) return h('p', {}, t('none'));
  return table(
    t('rollout.transferFigures'),
    [t('rollout.sector'), t('rollout.transferRecords'), t('transfers.records'), t('transfers.subjects'), t('rollout.flagged')],
    sectors.map((sector) => {
      const sum = bySector.get(sector);
      return h(
        'tr',
        { 'data-sector': sector },
        h('th', { scope: 'row' }, code('sector', sector)),
        ['transfers', 'records', 'dataSubjects', 'flaggedTransfers'].map((key) => h('td', { class: 'num' }, formatNumber(sum[key]))),
      );
    }),
  );
}

function activityTable(value) {
  const rows = (value.sectors ?? []).filter((r) => r.acceptedFilings || r.transferRecords || Object.values(r.enrolments ?? {}).some(Boolean));
  if (!rows.length) return h('p', {}, t('none'));
  return table(
    t('rollout.sectorActivity'),
    [
      t('rollout.sector'),
      t('rollout.jurisdiction'),
      ...ENROLMENT_STATES.map((s) => code('enrolment', s)),
      t('rollout.acceptedFilings'),
      t('rollout.transferRecords'),
    ],
    rows.map((r) =>
      h(
        'tr',
        {},
        h('th', { scope: 'row' }, code('sector', r.sector)),
        h('td', {}, code('jurisdiction', r.jurisdiction)),
        ENROLMENT_STATES.map((s) => h('td', { class: 'num' }, formatNumber(r.enrolments?.[s] ?? 0))),
        h('td', { class: 'num' }, formatNumber(r.acceptedFilings)),
        h('td', { class: 'num' }, formatNumber(r.transferRecords)),
      ),
    ),
  );
}

async function settledValue(result, transform) {
  if (result.status === 'rejected') return result;
  try {
    return { status: 'fulfilled', value: await transform(result.value) };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
}

function card(grid, name, title) {
  const id = `chart-${name}-title`;
  const section = h('section', { class: 'chart-card', 'aria-labelledby': id, 'data-chart': name }, h('h2', { id }, title), loading());
  grid.append(section);
  return section;
}

function settle(section, result, render) {
  const heading = section.querySelector('h2');
  clear(section).append(heading);
  if (result.status === 'rejected') {
    section.append(errorBox(result.reason));
    return;
  }
  const content = render(result.value);
  section.append(...[content].flat(Infinity).filter(Boolean));
}

/** Every month from the first to the last (so gaps show as zero), YYYY-MM. */
function monthRange(months) {
  if (!months.length) return [];
  const sorted = [...months].sort();
  const out = [];
  let [y, m] = sorted[0].split('-').map(Number);
  const [ly, lm] = sorted[sorted.length - 1].split('-').map(Number);
  while (y < ly || (y === ly && m <= lm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

function chartWithTable(section, { type, labels, datasets, stacked = false, rowHeader }) {
  const title = section.querySelector('h2').textContent;
  const summary = datasets.map((d) => `${d.label}: ${formatNumber(d.data.reduce((a, b) => a + b, 0))}`).join('; ');
  const canvas = h('canvas', { role: 'img', 'aria-label': `${title}. ${summary}` });
  const box = h('div', { class: 'chart-box' }, canvas);
  const details = h(
    'details',
    {},
    h('summary', {}, t('rollout.table')),
    table(
      title,
      [rowHeader, ...datasets.map((d) => d.label)],
      labels.map((label, i) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, label),
          datasets.map((d) => h('td', { class: 'num' }, formatNumber(d.data[i]))),
        ),
      ),
    ),
  );
  if (!labels.length) return [h('p', {}, t('none'))];
  queueMicrotask(() => draw(canvas, type, labels, datasets, stacked));
  return [box, details];
}

function draw(canvas, type, labels, datasets, stacked) {
  const Chart = window.Chart;
  if (!Chart) return;
  const chart = new Chart(canvas, {
    type,
    data: {
      labels,
      datasets: datasets.map((d, i) => ({
        ...d,
        backgroundColor: PALETTE[i % PALETTE.length],
        borderColor: PALETTE[i % PALETTE.length],
        borderWidth: type === 'line' ? 2 : 0,
        pointRadius: type === 'line' ? 3 : undefined,
        tension: 0,
      })),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      responsive: true,
      scales: {
        x: { stacked, ticks: { color: '#1a1f24' }, grid: { color: '#e1e5e9' } },
        y: { stacked, beginAtZero: true, ticks: { precision: 0, color: '#1a1f24' }, grid: { color: '#e1e5e9' } },
      },
      plugins: { legend: { position: 'bottom', labels: { color: '#1a1f24' } } },
    },
  });
  charts.add(chart);
}
