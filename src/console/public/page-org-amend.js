// The organisation's amendment of a contract (page-org.js, section "Amend the contract"): a few of the terms in a form,
// the registry's re-filing verdict for them (R12) or its refusal, shown before the amendment is filed.
import * as api from './api.js';
import { clear, field, h } from './dom.js';
import { code, formatDate, formatList, hongKongToday, listSeparator, t } from './i18n.js';
import { fieldLabel } from './contract-views.js';
import { servedCodes } from './reference.js';

/** The terms of a contract view as the amendment body takes them (ContractTermsDto), nulls left out. */
function termsOf(contract) {
  const clean = (object) => Object.fromEntries(Object.entries(object ?? {}).filter(([, value]) => value !== null && value !== undefined));
  return {
    regime: contract.regime,
    effectiveDate: contract.effectiveDate,
    expiryDate: contract.expiryDate ?? null,
    importantDataIncluded: contract.importantDataIncluded,
    annex: clean(contract.annex),
    pipia: clean(contract.pipia),
  };
}

/** The form's controls, filled with the contract's current terms (the effective date no earlier than today). */
function amendControls(current) {
  const today = hongKongToday();
  const effective = h('input', { type: 'date', name: 'effectiveDate', value: today > current.effectiveDate ? today : current.effectiveDate, required: true });
  const expiry = h('input', { type: 'date', name: 'expiryDate', value: current.expiryDate ?? '' });
  const purposes = h('textarea', { name: 'purposes', rows: '3' });
  purposes.value = (current.annex.purposes ?? []).join('\n');
  const retentionTo = h('input', { type: 'date', name: 'retentionTo', value: current.annex.retentionPeriod?.to ?? '' });
  const otherMatters = h('textarea', { name: 'otherMatters', rows: '2' });
  otherMatters.value = current.annex.otherMatters ?? '';
  const chosen = new Set(current.annex.personalInformationCategories ?? []);
  const codes = servedCodes('category') ?? [];
  const categoryBoxes = codes.map((value) => h('input', { type: 'checkbox', name: 'category', value, checked: chosen.has(value) }));
  const categories = h(
    'fieldset',
    { class: 'checks' },
    h('legend', {}, t('annex.personalInformationCategories')),
    codes.map((value, i) => h('label', { class: 'check' }, categoryBoxes[i], ' ', code('category', value))),
  );
  return { effective, expiry, purposes, retentionTo, otherMatters, categoryBoxes, categories };
}

/** The amendment body (ContractTermsDto) of the current terms with the form's values over them. */
function amendBody(current, { effective, expiry, purposes, retentionTo, otherMatters, categoryBoxes }) {
  return {
    ...current,
    effectiveDate: effective.value,
    expiryDate: expiry.value || null,
    annex: {
      ...current.annex,
      purposes: purposes.value
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
      personalInformationCategories: categoryBoxes.filter((box) => box.checked).map((box) => box.value),
      retentionPeriod: { ...current.annex.retentionPeriod, to: retentionTo.value },
      ...(otherMatters.value.trim() ? { otherMatters: otherMatters.value } : { otherMatters: undefined }),
    },
  };
}

/** "File the amendment": files the terms last checked, and nothing else (state.checked is their JSON). */
function fileOnClick({ base, body, state, fileButton, message, rerender }) {
  return async () => {
    const sent = body();
    if (JSON.stringify(sent) !== state.checked) return;
    fileButton.disabled = true;
    try {
      const amended = await api.post(`${base}/amendments`, sent);
      await rerender(amended.refilingRequired ? t('org.amend.doneRefile', { version: amended.version }) : t('org.amend.done', { version: amended.version }));
    } catch (error) {
      message.textContent = t('error', { detail: error.message });
      fileButton.disabled = false;
    }
  };
}

/** "Check re-filing": the registry's verdict for the terms in the form, or its refusal. */
function previewOnSubmit({ base, body, state, fileButton, checkButton, verdict, message }) {
  return async (event) => {
    event.preventDefault();
    message.textContent = '';
    checkButton.disabled = true;
    fileButton.disabled = true;
    const sent = body();
    try {
      const preview = await api.post(`${base}/amendments/preview`, sent);
      state.checked = JSON.stringify(sent);
      clear(verdict).append(verdictView(preview));
      fileButton.disabled = false;
    } catch (error) {
      state.checked = null;
      clear(verdict).append(refusalView(error));
    } finally {
      checkButton.disabled = false;
    }
  };
}

/**
 * The amendment form: a few of the terms, the rest as they are. "Check re-filing" asks the registry
 * (POST /contracts/:id/amendments/preview, the same rule as the amendment) for the verdict; "File the
 * amendment" is offered only for the terms just checked.
 */
export function amendmentForm(base, contract, party, rerender) {
  if (party !== 'processor') return h('p', { class: 'muted', 'data-field': 'amend-not-ours' }, t('org.amend.onlyProcessor'));
  if (contract.status === 'TERMINATED') return h('p', { class: 'muted' }, t('org.amend.terminated'));
  const current = termsOf(contract);
  const controls = amendControls(current);
  const body = () => amendBody(current, controls);

  const verdict = h('div', { 'data-field': 'verdict', 'aria-live': 'polite' });
  const message = h('p', { class: 'form-message', role: 'alert' });
  const state = { checked: null }; // checked: the JSON of the body last checked
  const fileButton = h('button', { type: 'button', class: 'button primary', disabled: true, 'data-action': 'file-amendment' }, t('org.amend.file'));
  const checkButton = h('button', { type: 'submit', class: 'button secondary', 'data-action': 'preview-amendment' }, t('org.amend.preview'));
  const parts = { base, body, state, fileButton, checkButton, verdict, message, rerender };

  const form = h(
    'form',
    {
      class: 'amend-form',
      'data-form': 'amend',
      oninput: () => {
        if (state.checked !== null && JSON.stringify(body()) !== state.checked) {
          fileButton.disabled = true;
          clear(verdict).append(h('p', { class: 'notice', 'data-verdict': 'stale' }, t('org.amend.stale')));
        }
      },
      onsubmit: previewOnSubmit(parts),
    },
    h('p', {}, t('org.amend.intro')),
    h(
      'div',
      { class: 'amend-fields' },
      field(t('org.amend.effectiveDate'), controls.effective).wrapper,
      field(t('contract.expiry'), controls.expiry).wrapper,
      field(t('org.amend.retentionTo'), controls.retentionTo).wrapper,
    ),
    field(t('org.amend.purposes'), controls.purposes, t('org.amend.purposesHint')).wrapper,
    controls.categories,
    field(t('annex.otherMatters'), controls.otherMatters).wrapper,
    h('div', { class: 'toolbar' }, checkButton, fileButton),
    verdict,
    message,
  );
  fileButton.addEventListener('click', fileOnClick(parts));
  return form;
}

function fieldList(paths) {
  return formatList(paths.map((path) => fieldLabel(path)));
}

function verdictView(preview) {
  const required = preview.refilingRequired;
  return h(
    'div',
    { class: ['notice', required ? 'warning' : 'success'], 'data-verdict': required ? 'refile' : 'no-refile' },
    h(
      'p',
      {},
      h(
        'strong',
        {},
        required ? t('org.amend.verdictRequired', { version: preview.version }) : t('org.amend.verdictNotRequired', { version: preview.version }),
      ),
    ),
    h('p', {}, t('org.amend.changed', { fields: fieldList(preview.changedFields) })),
    required ? h('p', {}, t('org.amend.triggers', { fields: fieldList(preview.triggers) })) : null,
    required && preview.filings?.length
      ? h(
          'ul',
          { class: 'plain', 'data-field': 'planned-filings' },
          preview.filings.map((f) =>
            h(
              'li',
              {},
              t('org.amend.newFiling', { party: code('party', f.party), authority: code('authority', f.authority), deadline: formatDate(f.deadline) }),
              f.provisional ? [' ', h('span', { class: 'badge provisional' }, t('provisional'))] : null,
            ),
          ),
        )
      : null,
  );
}

/** A refusal of the preview (422 under a rule, or 400 naming fields), as the amendment itself would be refused. */
function refusalView(error) {
  const problem = error.problem ?? {};
  const fields = (problem.errors ?? []).map((e) => e.field).filter(Boolean);
  return h(
    'div',
    { class: 'notice error', role: 'alert', 'data-verdict': 'refused' },
    h('p', {}, h('strong', {}, t('org.amend.refused', { rule: problem.rule ?? problem.code ?? error.status }))),
    h('p', {}, problem.detail ?? error.message),
    fields.length ? h('p', { class: 'muted' }, fields.join(listSeparator())) : null,
  );
}
