// Contract page: parties, terms, both filings with review, versions with a field-by-field
// diff, materials, history, incidents and the transfer summary. The views the organisation's contract page
// shows too (annex, versions, materials, history) are in contract-views.js.
import * as api from './api.js';
import { append, clear, definitionList, field, h, table } from './dom.js';
import { code, formatDate, formatInstant, formatNumber, t } from './i18n.js';
import {
  authorityLabel,
  canReview,
  deadlineText,
  errorBox,
  flagBadges,
  hashWith,
  loading,
  contractParties,
  orgName,
  overdueBadge,
  shortId,
  sideOf,
  statusBadge,
} from './common.js';
import { announce } from './nav.js';
import { annexFacts, historyView, materials, versionsView } from './contract-views.js';

export async function renderContract(container, { params: [id], isCurrent }, flash) {
  const base = `/contracts/${encodeURIComponent(id)}`;
  const heading = h('h1', { tabindex: '-1' }, t('contract.heading', { id: shortId(id) }));
  container.append(heading, loading());
  const contract = await api.get(base);
  if (!isCurrent()) return;
  const settled = await Promise.allSettled([
    // Pages of at most 20 versions, each with its whole terms.
    api.getAll(`${base}/versions`, {}, { pageSize: 20, maxItems: 10_000 }).then(({ items }) => items),
    api.getAll(`${base}/history`, {}, { pageSize: 500, maxItems: 2000 }),
    api.get(`${base}/incidents`),
    // The server says whose filing materials this caller may read (R10); with none, the list is not asked for.
    contract.documentParties?.length ? api.get(`${base}/documents`) : Promise.resolve(null),
    api.get('/transfers/summary', { contractId: id }),
  ]);
  if (!isCurrent()) return;
  const [versions, history, incidents, documents, summary] = settled;
  // The other side's register entry is not readable by a regulator; the contract names its parties anyway.
  const orgs = contractParties([contract]);
  const processor = orgs.get(contract.processorId);
  const recipient = orgs.get(contract.recipientId);
  clear(heading);
  append(heading, [orgName(processor, contract.processorId, contract, 'processor'), ' → ', orgName(recipient, contract.recipientId, contract, 'recipient')]);

  append(clear(container), [
    heading,
    h('p', { class: 'muted' }, `${t('contract.heading', { id })} · ${t('hkTime')}`),
    flash ?? null,
    section('summary', t('contract.summary'), summaryFacts(contract, processor)),
    section('parties', t('contract.parties'), parties(contract, processor, recipient)),
    section('filings', t('contract.filings'), filings(container, contract, orgs)),
    section('annex', t('contract.annex'), annexFacts(contract.annex)),
    section('pipia', t('contract.pipia'), pipiaFacts(contract.pipia)),
    section(
      'versions',
      t('contract.versions'),
      settledOr(versions, (v) => versionsView(v, history.status === 'fulfilled' ? history.value.items : [])),
    ),
    section(
      'materials',
      t('contract.materials'),
      settledOr(documents, (d) => materials(base, d, orgs, contract.documentParties ?? [])),
    ),
    section(
      'history',
      t('contract.history'),
      settledOr(history, (r) => historyView(r.items, orgs)),
    ),
    section(
      'incidents',
      t('contract.incidents'),
      settledOr(incidents, (r) => incidentsView(r, orgs)),
    ),
    section(
      'transfers',
      t('contract.transfers'),
      settledOr(summary, (s) => transferSummary(id, s)),
    ),
  ]);
}

function section(name, title, content) {
  const headingId = `section-${name}`;
  return h('section', { 'aria-labelledby': headingId, 'data-section': name }, h('h2', { id: headingId }, title), content);
}

function settledOr(result, render) {
  return result.status === 'fulfilled' ? render(result.value) : errorBox(result.reason);
}

function summaryFacts(contract, processor) {
  return definitionList([
    [t('contract.status'), h('span', { class: ['badge', contract.status === 'EFFECTIVE' ? 'ok' : 'neutral'] }, code('contractStatus', contract.status))],
    [t('contract.direction'), code('direction', contract.direction)],
    [t('contract.regime'), code('regime', contract.regime)],
    [t('contract.sector'), code('sector', processor?.sector)],
    [t('contract.effective'), formatDate(contract.effectiveDate)],
    [t('contract.expiry'), formatDate(contract.expiryDate)],
    contract.terminatedOn ? [t('contract.terminated'), `${formatDate(contract.terminatedOn)} — ${contract.terminationReason ?? ''}`] : null,
    [
      t('contract.version'),
      `${contract.version}${contract.versionInForce && contract.versionInForce !== contract.version ? ` (${contract.versionInForce})` : ''}`,
    ],
    [t('contract.importantData'), contract.importantDataIncluded ? t('yes') : t('no')],
  ]);
}

function parties(contract, processor, recipient) {
  const card = (title, org, id, party) =>
    h(
      'div',
      { class: 'card' },
      h('h3', {}, title),
      definitionList([
        [
          t('org.name'),
          org
            ? [org.legalName ?? '', org.legalNameZh ? [org.legalName ? ' · ' : '', h('span', { lang: 'zh-Hant' }, org.legalNameZh)] : null]
            : orgName(null, id),
        ],
        [t('org.jurisdiction'), code('jurisdiction', org?.jurisdiction ?? sideOf(contract, party))],
        [t('org.city'), code('city', org?.city)],
        [t('org.identifier'), h('span', { class: 'mono' }, org ? `${org.identifierType} ${org.identifier}` : id)],
        [t('org.sector'), code('sector', org?.sector)],
        [t('org.verification'), org?.verificationStatus ?? '—'],
      ]),
    );
  return h(
    'div',
    { class: 'cards' },
    card(t('contract.processor'), processor, contract.processorId, 'processor'),
    card(t('contract.recipient'), recipient, contract.recipientId, 'recipient'),
  );
}

function filings(container, contract, orgs) {
  const me = api.currentUser();
  return h(
    'div',
    { class: 'cards' },
    (contract.filings ?? []).map((filing) => {
      const org = orgs.get(filing.organisationId);
      return h(
        'div',
        { class: 'card', 'data-filing': filing.party },
        h('h3', {}, code('party', filing.party), ' — ', orgName(org, filing.organisationId, contract, filing.party)),
        definitionList([
          [t('filing.authority'), authorityLabel(filing)],
          [t('filing.deadline'), deadlineText(filing)],
          [
            t('filing.status'),
            [
              statusBadge(filing.status),
              filing.overdue ? overdueBadge() : null,
              filing.late ? h('span', { class: 'badge neutral', 'data-field': 'late' }, t('late')) : null,
            ],
          ],
          [t('filing.number'), h('span', { class: 'mono', 'data-field': 'filing-number' }, filing.filingNumber ?? '—')],
          [t('filing.version'), String(filing.version)],
          [t('filing.submittedAt'), formatInstant(filing.submittedAt)],
          [t('filing.reviewedAt'), formatInstant(filing.reviewedAt)],
          filing.returnReason ? [t('filing.returnReason'), filing.returnReason] : null,
          filing.resubmissionDeadline ? [t('filing.resubmissionDeadline'), formatDate(filing.resubmissionDeadline)] : null,
        ]),
        reviewControls(container, contract, filing, me),
      );
    }),
  );
}

function reviewControls(container, contract, filing, me) {
  if (me?.role !== 'REGULATOR') return null;
  if (!canReview(me, filing)) return h('p', { class: 'muted' }, t('review.notYours', { authority: code('authority', filing.authority) }));
  if (filing.status !== 'SUBMITTED') return h('p', { class: 'muted' }, t('review.notSubmitted', { status: code('filingStatus', filing.status) }));
  const name = `decision-${filing.party}`;
  const accept = h('input', { type: 'radio', name, value: 'ACCEPT', id: `${name}-accept`, checked: true });
  const returned = h('input', { type: 'radio', name, value: 'RETURN', id: `${name}-return` });
  const reason = h('textarea', { name: 'reason', maxlength: '5000' });
  const message = h('p', { class: 'form-message', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'button primary' }, t('review.submit'));
  return h(
    'form',
    {
      class: 'review-form',
      onsubmit: async (event) => {
        event.preventDefault();
        const decision = returned.checked ? 'RETURN' : 'ACCEPT';
        if (decision === 'RETURN' && !reason.value.trim()) {
          message.textContent = t('review.reasonRequired');
          reason.setAttribute('aria-invalid', 'true');
          reason.focus();
          return;
        }
        submit.disabled = true;
        message.textContent = '';
        try {
          const result = await api.post(`/contracts/${contract.id}/filings/${filing.party}/review`, {
            decision,
            ...(reason.value.trim() ? { reason: reason.value.trim() } : {}),
          });
          const text = t(`review.done.${decision}`, { number: result?.filingNumber ?? '—' });
          const flash = h('p', { class: 'notice success', role: 'status', tabindex: '-1', id: 'review-result' }, text);
          clear(container);
          await renderContract(container, { params: [contract.id], isCurrent: () => true }, flash);
          announce(text);
          flash.focus();
        } catch (error) {
          message.textContent = t('error', { detail: error.problem?.detail ?? error.message });
          submit.disabled = false;
        }
      },
    },
    h(
      'fieldset',
      { class: 'review' },
      h('legend', {}, t('review.legend')),
      h('label', { class: 'choice', for: accept.id }, accept, t('review.accept')),
      h('label', { class: 'choice', for: returned.id }, returned, t('review.return')),
      field(t('review.reason'), reason).wrapper,
      h('p', {}, submit),
      message,
    ),
  );
}

function pipiaFacts(pipia = {}) {
  return definitionList([
    [t('pipia.completedOn'), formatDate(pipia.completedOn)],
    [t('pipia.conclusion'), pipia.conclusion ?? '—'],
    [t('pipia.reportSha256'), h('span', { class: 'hash' }, pipia.reportSha256 ?? '—')],
  ]);
}

function incidentsView(incidents, orgs) {
  if (!incidents.length) return h('p', {}, t('none'));
  return table(
    t('incidents.caption'),
    [t('incidents.occurredAt'), t('incidents.reportedBy'), t('incidents.description'), t('incidents.affected')],
    incidents.map((incident) =>
      h(
        'tr',
        {},
        h('td', {}, formatInstant(incident.occurredAt)),
        h('td', {}, code('party', incident.party), ' — ', orgName(orgs.get(incident.organisationId), incident.organisationId)),
        h('td', {}, incident.description),
        h('td', { class: 'num' }, formatNumber(incident.affectedDataSubjects)),
      ),
    ),
  );
}

function transferSummary(contractId, summary) {
  const stat = (label, value, name) =>
    h('div', { class: 'stat', 'data-stat': name }, h('span', { class: 'value' }, value), h('span', { class: 'label' }, label));
  const flags = Object.entries(summary.flags ?? {}).sort((a, b) => b[1] - a[1]);
  return h(
    'div',
    {},
    h(
      'div',
      { class: 'stats' },
      stat(t('summary.total'), formatNumber(summary.transfers), 'transfers'),
      stat(t('summary.flagged'), formatNumber(summary.flaggedTransfers), 'flagged'),
      stat(t('summary.subjects'), formatNumber(summary.dataSubjects), 'subjects'),
      stat(t('summary.records'), formatNumber(summary.records), 'records'),
      stat(t('summary.first'), formatInstant(summary.firstTransfer?.occurredAt), 'first'),
      stat(t('summary.last'), formatInstant(summary.lastTransfer?.occurredAt), 'last'),
    ),
    flags.length
      ? h(
          'p',
          {},
          h('strong', {}, `${t('summary.flags')}: `),
          flags.map(([flag, count]) => h('span', { class: 'badge flag' }, `${code('flag', flag)} × ${count}`)),
        )
      : h('p', {}, flagBadges([])),
    h('p', {}, h('a', { href: hashWith('transfers', { contractId }) }, t('summary.viewLog'))),
  );
}
