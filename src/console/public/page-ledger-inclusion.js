// The ledger page's inclusion proof for a record the regulator picks (page-ledger.js), verified in the browser
// against the verified checkpoint (ledger-verify.js, RFC 9162 §2.1.3), and the step-by-step list of checks.
import * as api from './api.js';
import { clear, field, h, table } from './dom.js';
import { formatNumber, t } from './i18n.js';
import { errorBox, loading } from './common.js';
import { announce } from './nav.js';
import { base64ToBytes, verifyInclusion } from './ledger-verify.js';

export async function renderInclusion(inclusionSection, query, checkpoint) {
  const { treeSize } = checkpoint;
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
        await verifyLeaf(output, checkpoint, Number(leafInput.value));
      },
    },
    field(t('ledger.leafIndex'), leafInput, t('ledger.leafHint', { max: formatNumber(treeSize - 1) })).wrapper,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button primary' }, t('ledger.verifyLeaf'))),
  );
  inclusionSection.append(form, output);

  if (query.leaf !== undefined && query.leaf !== '') await verifyLeaf(output, checkpoint, Number(query.leaf));
}

export function checkList(checks, id) {
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

async function verifyLeaf(output, { treeSize, rootHash }, leafIndex) {
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
    clear(output).append(...leafResult(leafIndex, outcome, text, pretty));
    announce(text);
  } catch (error) {
    clear(output).append(errorBox(error));
  }
}

function leafResult(leafIndex, outcome, text, pretty) {
  return [
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
  ];
}
