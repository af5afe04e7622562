// Ledger page: the current checkpoint and any leaf's inclusion proof, verified here
// in the browser (ledger-verify.js, WebCrypto) rather than taken on the server's word.
import * as api from './api.js';
import { clear, definitionList, field, h, table } from './dom.js';
import { formatNumber, t } from './i18n.js';
import { errorBox, hashWith, loading } from './common.js';
import { announce, navigate } from './nav.js';
import { base64ToBytes, hex, verifyCheckpoint, verifyInclusion } from './ledger-verify.js';

export async function renderLedger(container, { query, isCurrent }) {
  container.append(h('h1', { tabindex: '-1' }, t('ledger.heading')), h('p', {}, t('ledger.intro')));
  const checkpointSection = h(
    'section',
    { 'aria-labelledby': 'ledger-checkpoint', 'data-section': 'checkpoint' },
    h('h2', { id: 'ledger-checkpoint' }, t('ledger.checkpoint')),
    loading(),
  );
  const inclusionSection = h(
    'section',
    { 'aria-labelledby': 'ledger-inclusion', 'data-section': 'inclusion' },
    h('h2', { id: 'ledger-inclusion' }, t('ledger.inclusion')),
  );
  container.append(checkpointSection, inclusionSection);

  let note;
  let key;
  try {
    [note, key] = await Promise.all([api.getPublic('/ledger/checkpoint', 'text/plain'), api.getPublic('/ledger/public-key')]);
  } catch (error) {
    if (!isCurrent()) return;
    clear(checkpointSection).append(h('h2', { id: 'ledger-checkpoint' }, t('ledger.checkpoint')), errorBox(error));
    return;
  }
  const result = await verifyCheckpoint(note, key);
  if (!isCurrent()) return;

  const verdictText = result.ok
    ? t('ledger.verified', { name: result.name, size: formatNumber(result.checkpoint.treeSize) })
    : t('ledger.notVerified', { reason: result.reason });
  clear(checkpointSection).append(
    h('h2', { id: 'ledger-checkpoint' }, t('ledger.checkpoint')),
    h(
      'p',
      {
        class: ['notice', 'verdict', result.ok ? 'success' : 'error'],
        role: 'status',
        'data-verdict': result.ok ? 'verified' : 'failed',
        id: 'checkpoint-verdict',
      },
      verdictText,
    ),
    result.checkpoint
      ? definitionList([
          [t('ledger.origin'), h('span', { class: 'mono' }, result.checkpoint.origin)],
          [t('ledger.treeSize'), h('span', { 'data-field': 'tree-size' }, formatNumber(result.checkpoint.treeSize))],
          [t('ledger.rootHash'), h('span', { class: 'hash' }, hex(result.checkpoint.rootHash))],
          [t('ledger.publicKey'), h('span', { class: 'hash' }, key.publicKey)],
          key.verifierKey ? [t('ledger.verifierKey'), h('span', { class: 'hash' }, key.verifierKey)] : null,
        ])
      : null,
    h('h3', {}, t('ledger.checks')),
    checkList(result.checks, 'checkpoint-checks'),
    h('details', {}, h('summary', {}, t('ledger.note')), h('pre', { class: 'note' }, note)),
    h(
      'p',
      {},
      h('button', { type: 'button', class: 'button secondary', onclick: () => navigate(hashWith('ledger', { leaf: query.leaf })) }, t('ledger.recheck')),
    ),
  );
  announce(verdictText);

  if (!result.ok) {
    inclusionSection.append(h('p', { class: 'notice warning' }, t('ledger.verifyFirst')));
    return;
  }
  const { treeSize, rootHash } = result.checkpoint;
  if (treeSize === 0) {
    inclusionSection.append(h('p', { class: 'notice' }, t('ledger.emptyTree')));
    return;
  }
  const leafInput = h('input', {
    type: 'number',
    name: 'leaf',
    min: '0',
    max: String(treeSize - 1),
    step: '1',
    required: true,
    inputmode: 'numeric',
    value: query.leaf ?? String(treeSize - 1),
  });
  const output = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'filters',
      onsubmit: async (event) => {
        event.preventDefault();
        await verifyLeaf(Number(leafInput.value));
      },
    },
    field(t('ledger.leafIndex'), leafInput, t('ledger.leafHint', { max: formatNumber(treeSize - 1) })).wrapper,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, t('ledger.verifyLeaf'))),
  );
  inclusionSection.append(form, output);

  async function verifyLeaf(leafIndex) {
    clear(output).append(loading());
    try {
      const [entries, proof] = await Promise.all([
        api.get('/ledger/entries', { start: leafIndex, end: leafIndex + 1 }),
        api.get('/ledger/proofs/inclusion', { leafIndex, treeSize }),
      ]);
      const entry = (entries.entries ?? []).find((e) => e.leafIndex === leafIndex);
      if (!entry) throw new Error(`leaf ${leafIndex} was not returned`);
      const leaf = base64ToBytes(entry.leaf);
      const outcome = await verifyInclusion({ leafIndex, treeSize, leaf, hashes: proof.hashes ?? [], rootHash });
      const text = outcome.ok
        ? t('ledger.leafVerified', { leaf: leafIndex, size: formatNumber(treeSize) })
        : t('ledger.leafNotVerified', { leaf: leafIndex, reason: outcome.reason });
      let pretty;
      try {
        pretty = JSON.stringify(JSON.parse(new TextDecoder().decode(leaf)), null, 2);
      } catch {
        pretty = new TextDecoder().decode(leaf);
      }
      clear(output).append(
        h(
          'p',
          {
            class: ['notice', 'verdict', outcome.ok ? 'success' : 'error'],
            role: 'status',
            id: 'leaf-verdict',
            'data-verdict': outcome.ok ? 'verified' : 'failed',
            'data-leaf': String(leafIndex),
          },
          text,
        ),
        h('h3', {}, t('ledger.checks')),
        checkList(outcome.checks, 'leaf-checks'),
        outcome.steps.length
          ? table(
              t('ledger.steps'),
              [t('ledger.step'), t('ledger.side'), t('ledger.sibling'), t('ledger.result')],
              outcome.steps.map((step, i) =>
                h(
                  'tr',
                  {},
                  h('td', { class: 'num' }, String(i + 1)),
                  h('td', {}, t(`ledger.${step.side}`)),
                  h('td', { class: 'hash' }, step.sibling),
                  h('td', { class: 'hash' }, step.result),
                ),
              ),
            )
          : null,
        h('details', {}, h('summary', {}, t('ledger.leafContent')), h('pre', {}, pretty)),
      );
      announce(text);
    } catch (error) {
      clear(output).append(errorBox(error));
    }
  }

  if (query.leaf !== undefined && query.leaf !== '') await verifyLeaf(Number(query.leaf));
}

function checkList(checks, id) {
  return h(
    'ul',
    { class: 'checks', id },
    checks.map((check) =>
      h(
        'li',
        { class: check.ok ? 'ok' : 'fail', 'data-check': check.id, 'data-ok': String(check.ok) },
        h('span', { class: 'mark' }, check.ok ? `✓ ${t('check.ok')}` : `✗ ${t('check.fail')}`),
        h('span', {}, t(check.id, check.params), check.detail ? h('span', { class: 'muted' }, ` — ${check.detail}`) : null),
      ),
    ),
  );
}
