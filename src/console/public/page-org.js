// The organisation's view: its contracts with each filing's status and deadline, a contract page where its users
// upload materials, submit their filing and amend the contract (the re-filing verdict shown before they commit),
// and its transfers with their compliance flags (page-org-transfers.js). Everything through the API, which scopes it
// to the organisation.
import * as api from './api.js';
import { append, clear, definitionList, field, h, select, table } from './dom.js';
import { code, formatDate, formatInstant, formatNumber, listSeparator, t } from './i18n.js';
import { deadlineText, errorBox, loading, orgName, overdueBadge, shortId, statusBadge } from './common.js';
import { annexFacts, historyView, materials, versionsView } from './contract-views.js';
import { amendmentForm } from './page-org-amend.js';
import { announce } from './nav.js';
import { requiredMaterials } from './reference.js';

function me() {
  return api.currentUser();
}

/** Which side of the contract the signed-in user's organisation is. */
export function ourParty(contract) {
  return contract.processorId === me()?.organisationId ? 'processor' : 'recipient';
}

export function otherParty(party) {
  return party === 'processor' ? 'recipient' : 'processor';
}

export function ourName() {
  const org = me()?.organisation;
  return org ? orgName(org, org.id) : '—';
}

/** The filing's deadline, with the calendar it was counted in: the filing party's own side (R9). */
function deadlineCell(contract, filing) {
  const side = contract[filing.party]?.jurisdiction;
  return [deadlineText(filing), side ? h('div', { class: 'muted' }, t('org.calendar', { side: code('jurisdiction', side) })) : null];
}

export async function renderOrgContracts(container, { isCurrent }) {
  append(container, [h('h1', { tabindex: '-1' }, t('org.contracts.heading')), h('p', {}, t('org.contracts.intro', { org: ourName() }))]);
  const results = h('div', {}, loading());
  container.append(results);
  const { items: contracts } = await api.getAll('/contracts');
  if (!isCurrent()) return;
  clear(results);
  if (contracts.length === 0) {
    results.append(h('p', { class: 'notice', role: 'status' }, t('org.contracts.empty')));
    return;
  }
  const filingOf = (contract, party) => (contract.filings ?? []).find((f) => f.party === party);
  // Our overdue filings first, then by our deadline.
  const deadlineOf = (f) => (f ? (f.status === 'RETURNED' && f.resubmissionDeadline ? f.resubmissionDeadline : f.deadline) : '9999');
  const rows = contracts
    .map((contract) => ({ contract, party: ourParty(contract) }))
    .map((row) => ({ ...row, ours: filingOf(row.contract, row.party), theirs: filingOf(row.contract, otherParty(row.party)) }))
    .sort(
      (a, b) =>
        Number(Boolean(b.ours?.overdue)) - Number(Boolean(a.ours?.overdue)) ||
        deadlineOf(a.ours).localeCompare(deadlineOf(b.ours)) ||
        a.contract.id.localeCompare(b.contract.id),
    );
  results.append(
    table(
      t('org.contracts.caption', { count: formatNumber(rows.length) }),
      [t('queue.contract'), t('queue.counterparty'), t('org.role'), t('contract.status'), t('org.ourFiling'), t('org.ourDeadline'), t('org.theirFiling')],
      rows.map(({ contract, party, ours, theirs }) => {
        const other = otherParty(party);
        return h(
          'tr',
          { class: ours?.overdue ? 'overdue' : null, 'data-contract-id': contract.id },
          h(
            'td',
            {},
            h('a', { href: `#/org/contracts/${contract.id}`, 'aria-label': `${t('queue.open')} ${shortId(contract.id)}` }, shortId(contract.id)),
            h('div', { class: 'muted' }, code('direction', contract.direction)),
          ),
          h('td', { 'data-field': 'counterparty' }, orgName(contract[other], contract[`${other}Id`], contract, other)),
          h('td', {}, code('party', party)),
          h('td', {}, code('contractStatus', contract.status)),
          h('td', { 'data-field': 'our-status' }, ours ? [statusBadge(ours.status), ours.overdue ? overdueBadge() : null] : '—'),
          h('td', { class: 'nowrap' }, ours ? deadlineCell(contract, ours) : '—'),
          h('td', {}, theirs ? [statusBadge(theirs.status), theirs.overdue ? overdueBadge() : null] : '—'),
        );
      }),
      { class: 'org-contracts' },
    ),
  );
}

function section(name, title, ...content) {
  const headingId = `section-${name}`;
  return h('section', { 'aria-labelledby': headingId, 'data-section': name }, h('h2', { id: headingId }, title), ...content);
}

function summarySection(contract) {
  return section(
    'summary',
    t('contract.summary'),
    definitionList([
      [t('contract.status'), h('span', { class: ['badge', contract.status === 'EFFECTIVE' ? 'ok' : 'neutral'] }, code('contractStatus', contract.status))],
      [t('contract.direction'), code('direction', contract.direction)],
      [t('contract.effective'), formatDate(contract.effectiveDate)],
      [t('contract.expiry'), formatDate(contract.expiryDate)],
      [t('contract.version'), String(contract.version)],
      contract.terminatedOn ? [t('contract.terminated'), `${formatDate(contract.terminatedOn)} — ${contract.terminationReason ?? ''}`] : null,
    ]),
  );
}

export async function renderOrgContract(container, { params: [id], isCurrent }, flash) {
  const base = `/contracts/${encodeURIComponent(id)}`;
  const heading = h('h1', { tabindex: '-1' }, t('contract.heading', { id: shortId(id) }));
  container.append(heading, loading());
  const contract = await api.get(base);
  if (!isCurrent()) return;
  const [versions, history, documents] = await Promise.allSettled([
    api.getAll(`${base}/versions`, {}, { pageSize: 20, maxItems: 10_000 }).then(({ items }) => items),
    api.getAll(`${base}/history`, {}, { pageSize: 500, maxItems: 2000 }).then(({ items }) => items),
    api.getAll(`${base}/documents`, {}, { pageSize: 1000, maxItems: 10_000 }).then(({ items }) => items),
  ]);
  if (!isCurrent()) return;
  const party = ourParty(contract);
  const orgs = new Map([contract.processor, contract.recipient].filter(Boolean).map((org) => [org.id, org]));
  // After an upload, a submission or an amendment: the page again from the registry, with what happened on top.
  const rerender = async (message) => {
    const note = message ? h('p', { class: 'notice success', role: 'status', 'data-field': 'flash' }, message) : null;
    clear(container);
    await renderOrgContract(container, { params: [id], isCurrent }, note);
    if (message) announce(message);
  };
  clear(heading);
  append(heading, [
    orgName(contract.processor, contract.processorId, contract, 'processor'),
    ' → ',
    orgName(contract.recipient, contract.recipientId, contract, 'recipient'),
  ]);
  const docs = documents.status === 'fulfilled' ? documents.value : [];
  append(clear(container), [
    heading,
    h('p', { class: 'muted' }, `${t('contract.heading', { id })} · ${t('org.youAre', { party: code('party', party) })} · ${t('hkTime')}`),
    flash ?? null,
    summarySection(contract),
    section(
      'filings',
      t('contract.filings'),
      h(
        'div',
        { class: 'cards' },
        (contract.filings ?? []).map((filing) => filingCard(base, contract, filing, filing.party === party, docs, rerender)),
      ),
    ),
    section(
      'materials',
      t('contract.materials'),
      documents.status === 'fulfilled' ? materials(base, docs, orgs, contract.documentParties ?? []) : errorBox(documents.reason),
    ),
    section('amend', t('org.amend.heading'), amendmentForm(base, contract, party, rerender)),
    section('annex', t('contract.annex'), annexFacts(contract.annex)),
    section(
      'versions',
      t('contract.versions'),
      versions.status === 'fulfilled' ? versionsView(versions.value, history.status === 'fulfilled' ? history.value : []) : errorBox(versions.reason),
    ),
    section('history', t('contract.history'), history.status === 'fulfilled' ? historyView(history.value, orgs) : errorBox(history.reason)),
  ]);
}

function filingCard(base, contract, filing, ours, docs, rerender) {
  return h(
    'div',
    { class: 'card', 'data-filing': filing.party, 'data-ours': ours ? 'true' : 'false' },
    h('h3', {}, ours ? t('org.ourFiling') : t('org.theirFiling'), ' — ', code('party', filing.party)),
    definitionList([
      [t('filing.authority'), code('authority', filing.authority)],
      [t('filing.deadline'), deadlineCell(contract, filing)],
      [
        t('filing.status'),
        h(
          'span',
          { 'data-field': 'status' },
          statusBadge(filing.status),
          filing.overdue ? overdueBadge() : null,
          filing.late ? h('span', { class: 'badge neutral' }, t('late')) : null,
        ),
      ],
      [t('filing.number'), h('span', { class: 'mono', 'data-field': 'filing-number' }, filing.filingNumber ?? '—')],
      [t('filing.version'), String(filing.version)],
      [t('filing.submittedAt'), formatInstant(filing.submittedAt)],
      filing.returnReason ? [t('filing.returnReason'), filing.returnReason] : null,
    ]),
    ours ? ourFilingActions(base, contract, filing, docs, rerender) : null,
  );
}

/** The upload form of our filing: one of the materials (or the PIPIA report), the first still missing chosen. */
function uploadFormOf(base, required, uploaded, rerender) {
  const kind = select(
    'kind',
    [...required, 'PIPIA_REPORT'].map((k) => [k, code('documentKind', k)]),
    required.find((k) => !uploaded.has(k)) ?? 'PIPIA_REPORT',
  );
  const file = h('input', { type: 'file', name: 'file', accept: 'application/pdf,image/png,image/jpeg', required: true });
  const uploadMessage = h('p', { class: 'form-message', role: 'alert' });
  const uploadButton = h('button', { type: 'submit', class: 'button secondary' }, t('org.upload.submit'));
  const uploadForm = h(
    'form',
    {
      class: 'upload-form',
      'data-form': 'upload',
      onsubmit: async (event) => {
        event.preventDefault();
        uploadMessage.textContent = '';
        if (!file.files?.length) {
          uploadMessage.textContent = t('org.upload.noFile');
          file.focus();
          return;
        }
        uploadButton.disabled = true;
        const form = new FormData();
        form.append('kind', kind.value);
        form.append('file', file.files[0]);
        try {
          await api.postForm(`${base}/documents`, form);
          await rerender(t('org.upload.done', { kind: code('documentKind', kind.value) }));
        } catch (error) {
          uploadMessage.textContent = t('error', { detail: error.message });
          uploadButton.disabled = false;
        }
      },
    },
    h(
      'fieldset',
      { class: 'filters' },
      h('legend', {}, t('org.upload.legend')),
      field(t('org.upload.kind'), kind).wrapper,
      field(t('org.upload.file'), file).wrapper,
      h('div', { class: 'actions' }, uploadButton),
    ),
    uploadMessage,
  );
  return uploadForm;
}

/** The button that submits our filing (R10); a refusal naming missing materials goes into submitMessage. */
function submitFilingButton(base, filing, submitMessage, rerender) {
  const submitButton = h(
    'button',
    {
      type: 'button',
      class: 'button primary',
      'data-action': 'submit-filing',
      onclick: async () => {
        submitButton.disabled = true;
        submitMessage.textContent = '';
        try {
          const submitted = await api.post(`${base}/filings/${filing.party}/submit`, {});
          await rerender(t('org.submit.done', { authority: code('authority', submitted.authority ?? filing.authority) }));
        } catch (error) {
          // R10: the registry names the materials still missing.
          const missing = error.problem?.missing;
          submitMessage.textContent = missing?.length
            ? t('org.submit.missing', { kinds: missing.map((k) => code('documentKind', k)).join(listSeparator()) })
            : t('error', { detail: error.message });
          submitButton.disabled = false;
        }
      },
    },
    filing.status === 'RETURNED' ? t('org.submit.resubmit') : t('org.submit.button'),
  );
  return submitButton;
}

/**
 * Our filing: which materials its version still needs, an upload form, and submit (R8, R10). The materials are those
 * of our side of the contract's regime for our party type (GET /reference); the PIPIA report may be filed too (R6).
 */
function ourFilingActions(base, contract, filing, docs, rerender) {
  const ours = contract[filing.party];
  const required = requiredMaterials(contract.regime, ours?.jurisdiction, ours?.partyType);
  const uploaded = new Set(docs.filter((d) => d.party === filing.party && d.version >= filing.version).map((d) => d.kind));
  const checklist = h(
    'ul',
    { class: 'plain checklist', 'data-field': 'checklist' },
    required.map((kind) =>
      h(
        'li',
        { 'data-kind': kind, 'data-uploaded': uploaded.has(kind) ? 'true' : 'false' },
        h('span', { class: ['badge', uploaded.has(kind) ? 'ok' : 'neutral'] }, uploaded.has(kind) ? t('org.uploaded') : t('org.missing')),
        ' ',
        code('documentKind', kind),
      ),
    ),
  );
  const open = filing.status === 'NOT_SUBMITTED' || filing.status === 'RETURNED';
  if (!open) return h('div', { class: 'review' }, h('h4', {}, t('org.required', { version: filing.version })), checklist);

  const uploadForm = uploadFormOf(base, required, uploaded, rerender);
  const submitMessage = h('p', { class: 'form-message', role: 'alert' });
  const submitButton = submitFilingButton(base, filing, submitMessage, rerender);
  return h(
    'div',
    { class: 'review' },
    h('h4', {}, t('org.required', { version: filing.version })),
    checklist,
    uploadForm,
    h('div', { class: 'toolbar' }, submitButton),
    submitMessage,
  );
}
