// Notices of contracts' ends (GET /notices, acknowledged with POST /notices/:id/acknowledge) and incidents
// across the registry (GET /incidents), for regulators and administrators.
import * as api from './api.js';
import { field, h, select, table } from './dom.js';
import { code, formatDate, formatInstant, formatNumber, listSeparator, t } from './i18n.js';
import { authorityLabel, errorBox, hashWith, optionsWithAll, pagedList, shortId } from './common.js';
import { announce, navigate } from './nav.js';

const PAGE_SIZE = 50;

/** One page at a time of a list route, following the API's cursors. */
function paged(results, path, filters, isCurrent, render, emptyKey) {
  return pagedList(results, { path, filters, limit: PAGE_SIZE, isCurrent, render, emptyKey });
}

function filterForm(page, controls) {
  return h(
    'form',
    {
      'aria-label': t('filters.legend'),
      onsubmit: (event) => {
        event.preventDefault();
        navigate(hashWith(page, Object.fromEntries(controls.map(([name, control]) => [name, control.value]))));
      },
    },
    h(
      'fieldset',
      { class: 'filters' },
      h('legend', {}, t('filters.legend')),
      controls.map(([, control, label]) => field(label, control).wrapper),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'button primary' }, t('apply')),
        h('button', { type: 'button', class: 'button secondary', onclick: () => navigate(`#/${page}`) }, t('reset')),
      ),
    ),
  );
}

function noticeState(notice) {
  if (notice.acknowledgedAt) return h('span', { class: 'badge ACCEPTED' }, t('notices.acknowledgedOn', { at: formatInstant(notice.acknowledgedAt) }));
  return [h('span', { class: 'badge SUBMITTED' }, t('notices.open')), notice.overdue ? [' ', h('span', { class: 'badge overdue' }, t('overdue'))] : null];
}

/** The acknowledge button of a notice, for the authority it is addressed to while it is still open. */
function acknowledgeButton(notice, me, reload) {
  // The authority a notice is addressed to acknowledges it (docs/rules.md#r13); the registry refuses anyone else.
  const mayAcknowledge = me?.role === 'REGULATOR' && me.authority === notice.authority && !notice.acknowledgedAt;
  return mayAcknowledge
    ? h(
        'button',
        {
          type: 'button',
          class: 'button primary',
          onclick: async (event) => {
            const b = event.currentTarget;
            b.disabled = true;
            try {
              await api.post(`/notices/${encodeURIComponent(notice.id)}/acknowledge`);
              announce(t('notices.done'));
              await reload();
            } catch (error) {
              b.disabled = false;
              b.after(errorBox(error));
            }
          },
        },
        t('notices.acknowledge'),
      )
    : null;
}

function noticeRow(notice, me, reload) {
  const status = h('td', { 'data-state': notice.acknowledgedAt ? 'acknowledged' : 'open' }, noticeState(notice));
  const button = acknowledgeButton(notice, me, reload);
  return h(
    'tr',
    { 'data-notice-id': notice.id, 'data-contract-id': notice.contractId, class: notice.overdue ? 'overdue' : null },
    h('td', {}, h('a', { href: `#/contracts/${notice.contractId}` }, shortId(notice.contractId)), h('div', { class: 'muted' }, code('party', notice.party))),
    h('td', {}, code('noticeKind', notice.kind)),
    h('td', { class: 'nowrap' }, formatDate(notice.endedOn)),
    h('td', {}, authorityLabel(notice, true)),
    h('td', { class: 'nowrap' }, formatDate(notice.dueOn), notice.provisional ? [' ', h('span', { class: 'badge provisional' }, t('provisional'))] : null),
    status,
    h('td', {}, button),
  );
}

export async function renderNotices(container, { query, isCurrent }) {
  const kind = select('kind', optionsWithAll('noticeKind'), query.kind ?? '');
  const acknowledged = select(
    'acknowledged',
    [
      ['', t('all')],
      ['false', t('notices.open')],
      ['true', t('notices.acknowledged')],
    ],
    query.acknowledged ?? '',
  );
  container.append(
    h('h1', { tabindex: '-1' }, t('notices.heading')),
    h('p', {}, t('notices.intro')),
    filterForm('notices', [
      ['kind', kind, t('notices.kind')],
      ['acknowledged', acknowledged, t('notices.state')],
    ]),
  );
  const me = api.currentUser();
  const results = h('div', { id: 'notices-list' });
  container.append(results);
  const filters = { kind: query.kind || undefined, acknowledged: query.acknowledged || undefined };
  await paged(
    results,
    '/notices',
    filters,
    isCurrent,
    (items, page, reload) =>
      table(
        t('notices.caption', { page }),
        [t('queue.contract'), t('notices.kind'), t('notices.endedOn'), t('filing.authority'), t('notices.dueOn'), t('notices.state'), ''],
        items.map((notice) => noticeRow(notice, me, reload)),
      ),
    'notices.empty',
  );
}

export async function renderIncidents(container, { query, isCurrent }) {
  const severity = select('severity', optionsWithAll('severity'), query.severity ?? '');
  container.append(
    h('h1', { tabindex: '-1' }, t('incidentsPage.heading')),
    h('p', {}, t('incidentsPage.intro')),
    filterForm('incidents', [['severity', severity, t('incidentsPage.severity')]]),
  );
  const results = h('div', { id: 'incidents-list' });
  container.append(results);
  await paged(
    results,
    '/incidents',
    { severity: query.severity || undefined },
    isCurrent,
    (items, page) =>
      table(
        t('incidentsPage.caption', { page }),
        [
          t('queue.contract'),
          t('incidentsPage.severity'),
          t('incidents.occurredAt'),
          t('incidents.description'),
          t('incidents.affected'),
          t('incidentsPage.remedial'),
          t('incidentsPage.notified'),
        ],
        items.map((incident) =>
          h(
            'tr',
            { 'data-incident-id': incident.id, 'data-severity': incident.severity ?? '' },
            h(
              'td',
              {},
              h('a', { href: `#/contracts/${incident.contractId}` }, shortId(incident.contractId)),
              h('div', { class: 'muted' }, code('party', incident.party)),
            ),
            h(
              'td',
              {},
              incident.severity
                ? h('span', { class: ['badge', 'severity', incident.severity] }, code('severity', incident.severity))
                : t('incidentsPage.notStated'),
            ),
            h('td', { class: 'nowrap' }, formatInstant(incident.occurredAt)),
            h('td', {}, incident.description),
            h('td', { class: 'num' }, formatNumber(incident.affectedDataSubjects)),
            h('td', {}, incident.remedialActions ?? '—'),
            h(
              'td',
              {},
              (incident.notifiedAuthorities ?? []).length
                ? incident.notifiedAuthorities.map((n) => `${code('authorityShort', n.authority)} ${formatInstant(n.notifiedAt)}`).join(listSeparator())
                : '—',
            ),
          ),
        ),
      ),
    'incidentsPage.empty',
  );
}
