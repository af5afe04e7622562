// The ledger page's keys (page-ledger.js): the keys this browser pinned, and the form that replaces them with keys
// pasted from an out-of-band source (ledger-trust.js keeps them; docs/architecture.md#trust-model, part 5).
import { clear, definitionList, field, h } from './dom.js';
import { formatInstant, formatNumber, t } from './i18n.js';
import { hashWith } from './common.js';
import { navigate } from './nav.js';
import { KEY_TYPE, parseVerifierKey } from './ledger-verify.js';
import { nameOf, pinOutOfBand, saveTrust } from './ledger-trust.js';

export function renderKeys(section, trust, serverKey) {
  clear(section).append(h('h2', { id: 'ledger-keys' }, t('ledger.keys')));
  if (trust) {
    section.append(
      h(
        'p',
        { id: 'pin-source', 'data-source': trust.source },
        t(trust.source === 'first-use' ? 'ledger.pinnedFirstUse' : 'ledger.pinnedOutOfBand', { date: formatInstant(trust.pinnedAt) }),
      ),
      definitionList([
        [t('ledger.logKey'), h('span', { class: 'hash', 'data-field': 'pinned-log-key' }, trust.logKey)],
        [
          t('ledger.witnessKeys'),
          trust.witnesses.length
            ? h(
                'ul',
                { class: 'plain', 'data-field': 'pinned-witness-keys' },
                trust.witnesses.map((key) => h('li', { class: 'hash' }, key)),
              )
            : t('ledger.none'),
        ],
        [t('ledger.quorum'), h('span', { 'data-field': 'pinned-quorum' }, t('ledger.quorumValue', { quorum: trust.quorum, total: trust.witnesses.length }))],
        trust.last
          ? [
              t('ledger.remembered'),
              h(
                'span',
                { 'data-field': 'remembered' },
                t('ledger.rememberedValue', { size: formatNumber(trust.last.size), date: formatInstant(trust.last.verifiedAt) }),
              ),
            ]
          : null,
      ]),
    );
  }
  section.append(pasteForm(trust, serverKey));
}

function pasteForm(trust, serverKey) {
  const logKey = h('textarea', { name: 'logKey', rows: '2', spellcheck: 'false', autocomplete: 'off', class: 'mono' });
  const witnessKeys = h('textarea', { name: 'witnessKeys', rows: '3', spellcheck: 'false', autocomplete: 'off', class: 'mono' });
  const quorum = h('input', { type: 'number', name: 'quorum', min: '0', step: '1', inputmode: 'numeric' });
  const message = h('div', { class: 'form-message', role: 'alert', id: 'paste-keys-message' });
  const form = h(
    'form',
    {
      id: 'paste-keys',
      class: 'paste-keys',
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        await submitKeys(trust, { logKey, witnessKeys, quorum, message });
      },
    },
    h(
      'fieldset',
      {},
      h('legend', {}, t('ledger.pasteHeading')),
      h('p', { class: 'hint' }, t('ledger.pasteIntro')),
      field(t('ledger.pasteLogKey'), logKey, t('ledger.pasteLogKeyHint')).wrapper,
      field(t('ledger.pasteWitnessKeys'), witnessKeys, t('ledger.pasteWitnessKeysHint')).wrapper,
      field(t('ledger.pasteQuorumLabel'), quorum, t('ledger.pasteQuorumHint')).wrapper,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, t('ledger.pasteSubmit'))),
      message,
    ),
  );
  if (serverKey && !trust) logKey.placeholder = serverKey.verifierKey;
  return form;
}

async function submitKeys(trust, { logKey, witnessKeys, quorum, message }) {
  clear(message);
  for (const control of [logKey, witnessKeys, quorum]) control.removeAttribute('aria-invalid');
  const errors = [];
  let log;
  try {
    log = await parseVerifierKey(logKey.value, KEY_TYPE.log);
  } catch (error) {
    errors.push({ field: 'logKey', control: logKey, rule: error.rule, message: error.message });
  }
  const lines = witnessKeys.value
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const witnesses = [];
  for (const [i, line] of lines.entries()) {
    try {
      witnesses.push((await parseVerifierKey(line, KEY_TYPE.witness)).text);
    } catch (error) {
      errors.push({ field: `witnessKeys[${i}]`, control: witnessKeys, rule: error.rule, message: error.message });
    }
  }
  if (new Set(witnesses.map(nameOf)).size !== witnesses.length) {
    errors.push({ field: 'witnessKeys', control: witnessKeys, rule: 'unique', message: t('ledger.pasteDuplicate') });
  }
  const wanted = quorum.value.trim() === '' ? lines.length : Number(quorum.value);
  if (!/^\d*$/.test(quorum.value.trim()) || !Number.isSafeInteger(wanted) || wanted > lines.length) {
    errors.push({ field: 'quorum', control: quorum, rule: 'range', message: t('ledger.pasteQuorum', { max: lines.length }) });
  }
  if (errors.length) {
    for (const error of errors) error.control.setAttribute('aria-invalid', 'true');
    message.append(
      h('p', {}, t('ledger.pasteInvalid')),
      h(
        'ul',
        { class: 'plain' },
        errors.map((e) => h('li', { 'data-field': e.field, 'data-rule': e.rule }, `${e.field} (${e.rule}): ${e.message}`)),
      ),
    );
    errors[0].control.focus();
    return;
  }
  saveTrust(pinOutOfBand(trust, { logKey: log.text, witnesses, quorum: wanted }));
  navigate(hashWith('ledger', {}));
}
