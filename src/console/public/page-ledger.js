// Ledger page: the current checkpoint verified here in the browser (ledger-verify.js, WebCrypto) with keys
// this browser holds, not keys the same server hands over with it (docs/architecture.md#trust-model, part 5):
// - the log's signature and every witness's cosignature/v1, against the keys pinned on the first visit or
//   pasted from an out-of-band source (ledger-trust.js), with a blocking alarm when the server shows others;
// - consistency (RFC 9162 §2.1.4.2) from the last checkpoint this browser verified;
// - the registry's self-audit (GET /ledger/integrity), prominently when it found something;
// - an inclusion proof for any record the regulator picks (page-ledger-inclusion.js).
// The pinned keys and the form to paste others are in page-ledger-keys.js.
import * as api from './api.js';
import { clear, definitionList, h, table } from './dom.js';
import { formatInstant, formatNumber, listSeparator, t } from './i18n.js';
import { errorBox, hashWith, loading } from './common.js';
import { announce, navigate } from './nav.js';
import { base64ToBytes, bytesToBase64, hex, verifyCheckpoint, verifyConsistency, verifyCosignatures, verifyInclusion } from './ledger-verify.js';
import { keyChanges, loadTrust, nameOf, pinFirstUse, saveTrust } from './ledger-trust.js';
import { renderKeys } from './page-ledger-keys.js';
import { checkList, renderInclusion } from './page-ledger-inclusion.js';

export async function renderLedger(container, { query, isCurrent }) {
  container.append(h('h1', { tabindex: '-1' }, t('ledger.heading')), h('p', {}, t('ledger.intro')));
  const { alarms, integritySection, checkpointSection, keysSection, inclusionSection } = ledgerSections();
  container.append(alarms, checkpointSection, integritySection, keysSection, inclusionSection);

  const [noteResult, keyResult, integrityResult] = await Promise.allSettled([
    api.getPublic('/ledger/checkpoint', 'text/plain'),
    api.getPublic('/ledger/public-key'),
    api.get('/ledger/integrity'),
  ]);
  if (!isCurrent()) return;
  renderIntegrity(integritySection, alarms, integrityResult);
  const serverKey = keyResult.status === 'fulfilled' ? keyResult.value : null;

  const pinned = resolveTrust({ alarms, checkpointSection, keysSection }, keyResult, serverKey);
  if (!pinned) return;
  const { trust, firstUse } = pinned;
  const changes = serverKey ? keyChanges(trust, serverKey) : [];
  if (changes.length) alarms.append(keyAlarm(changes));

  if (noteResult.status === 'rejected') {
    renderKeys(keysSection, trust, serverKey);
    clear(checkpointSection).append(h('h2', { id: 'ledger-checkpoint' }, t('ledger.checkpoint')), errorBox(noteResult.reason));
    return;
  }
  const checked = await verifyNote(noteResult.value, trust);
  const { note, result, quorumMet, consistency, samples } = checked;
  if (!isCurrent()) return;

  const verified = result.ok && quorumMet && changes.length === 0 && ['first', 'same', 'ok'].includes(consistency.state) && samples.state !== 'failed';
  if (verified) {
    const { treeSize, rootHash } = result.checkpoint;
    trust.last = { size: treeSize, root: bytesToBase64(rootHash), note, verifiedAt: new Date().toISOString() };
    saveTrust(trust);
  }
  renderKeys(keysSection, trust, serverKey);
  if (consistency.state === 'failed') alarms.append(consistencyAlarm(consistency));

  const verdictText = verified
    ? t('ledger.verified', { name: result.name, size: formatNumber(result.checkpoint.treeSize) })
    : t('ledger.notVerified', { reason: failureReason({ ...checked, trust, changes }) });
  clear(checkpointSection).append(...checkpointView({ ...checked, trust, firstUse, changes, query, verified, verdictText }));
  announce(verdictText);

  if (!verified) {
    inclusionSection.append(h('p', { class: 'notice warning' }, t('ledger.verifyFirst')));
    return;
  }
  await renderInclusion(inclusionSection, query, result.checkpoint);
}

function ledgerSections() {
  const alarms = h('div', { class: 'alarms', id: 'ledger-alarms' });
  const integritySection = h(
    'section',
    { 'aria-labelledby': 'ledger-integrity', 'data-section': 'integrity' },
    h('h2', { id: 'ledger-integrity' }, t('ledger.integrity')),
    loading(),
  );
  const checkpointSection = h(
    'section',
    { 'aria-labelledby': 'ledger-checkpoint', 'data-section': 'checkpoint' },
    h('h2', { id: 'ledger-checkpoint' }, t('ledger.checkpoint')),
    loading(),
  );
  const keysSection = h('section', { 'aria-labelledby': 'ledger-keys', 'data-section': 'keys' }, h('h2', { id: 'ledger-keys' }, t('ledger.keys')));
  const inclusionSection = h(
    'section',
    { 'aria-labelledby': 'ledger-inclusion', 'data-section': 'inclusion' },
    h('h2', { id: 'ledger-inclusion' }, t('ledger.inclusion')),
  );
  return { alarms, integritySection, checkpointSection, keysSection, inclusionSection };
}

/** The keys to verify with: those this browser pinned, or the server's pinned on first use; null when there are none to use. */
function resolveTrust({ alarms, checkpointSection, keysSection }, keyResult, serverKey) {
  let trust = loadTrust();
  if (trust?.unreadable) {
    alarms.append(alarm('trust-alarm', t('ledger.trustUnreadable'), [h('p', {}, t('ledger.trustUnreadableText'))]));
    clear(checkpointSection).append(
      h('h2', { id: 'ledger-checkpoint' }, t('ledger.checkpoint')),
      verdict(false, t('ledger.notVerified', { reason: t('ledger.trustUnreadable') })),
    );
    renderKeys(keysSection, null, serverKey);
    return null;
  }
  let firstUse = false;
  if (!trust) {
    if (!serverKey) {
      clear(checkpointSection).append(h('h2', { id: 'ledger-checkpoint' }, t('ledger.checkpoint')), errorBox(keyResult.reason));
      renderKeys(keysSection, null, serverKey);
      return null;
    }
    trust = pinFirstUse(serverKey);
    saveTrust(trust);
    firstUse = true;
  }
  return { trust, firstUse };
}

async function verifyNote(note, trust) {
  const result = await verifyCheckpoint(note, trust.logKey);
  const cosignatures = result.opened
    ? await verifyCosignatures(result.opened, trust.witnesses)
    : trust.witnesses.map((key) => ({ name: nameOf(key), keyIdHex: '—', ok: false, reason: 'missing' }));
  const cosigned = cosignatures.filter((c) => c.ok).length;
  const quorumMet = cosigned >= trust.quorum;
  const consistency = await checkConsistency(trust.last, result);
  const samples = await sampleInclusion(result, trust.last);
  return { note, result, cosignatures, cosigned, quorumMet, consistency, samples };
}

function failureReason({ result, changes, quorumMet, cosigned, trust, consistency, samples }) {
  return !result.ok
    ? result.reason
    : changes.length
      ? t('ledger.reasonKeysChanged')
      : !quorumMet
        ? t('ledger.reasonQuorum', { cosigned, quorum: trust.quorum })
        : consistency.state !== 'ok' && consistency.state !== 'same' && consistency.state !== 'first'
          ? t('ledger.reasonConsistency', { reason: consistency.reason ?? '' })
          : samples.state === 'failed'
            ? t('ledger.reasonInclusion', { leaf: samples.failed.leaf, reason: samples.failed.reason })
            : '';
}

function checkpointView({ trust, firstUse, changes, result, cosignatures, cosigned, quorumMet, consistency, samples, note, query, verified, verdictText }) {
  return [
    h('h2', { id: 'ledger-checkpoint' }, t('ledger.checkpoint')),
    verdict(verified, verdictText),
    h('h3', {}, t('ledger.whatChecked')),
    trustChecks({ trust, firstUse, changes, result, cosigned, quorumMet, consistency, samples }),
    h('h3', {}, t('ledger.whatNotChecked')),
    h(
      'ul',
      { class: 'plain not-checked', id: 'trust-not-checked' },
      h('li', { 'data-not-checked': 'full' }, t('ledger.notFull'), ' ', h('code', {}, 'npm run verify -- --full')),
      h('li', { 'data-not-checked': 'export' }, t('ledger.notExport'), ' ', h('code', {}, 'npm run verify -- --export')),
      h('li', { 'data-not-checked': 'inclusion' }, t('ledger.notInclusion')),
      trust.source === 'first-use' ? h('li', { 'data-not-checked': 'first-use' }, t('ledger.notFirstUse')) : null,
      trust.witnesses.length === 0 ? h('li', { 'data-not-checked': 'witnesses' }, t('ledger.notWitnesses')) : null,
    ),
    trust.witnesses.length ? witnessTable(cosignatures) : null,
    result.checkpoint
      ? definitionList([
          [t('ledger.origin'), h('span', { class: 'mono' }, result.checkpoint.origin)],
          [t('ledger.treeSize'), h('span', { 'data-field': 'tree-size' }, formatNumber(result.checkpoint.treeSize))],
          [t('ledger.rootHash'), h('span', { class: 'hash' }, hex(result.checkpoint.rootHash))],
        ])
      : null,
    h('details', {}, h('summary', {}, t('ledger.checks')), checkList(result.checks, 'checkpoint-checks')),
    h('details', {}, h('summary', {}, t('ledger.note')), h('pre', { class: 'note' }, note)),
    h(
      'p',
      {},
      h('button', { type: 'button', class: 'button secondary', onclick: () => navigate(hashWith('ledger', { leaf: query.leaf })) }, t('ledger.recheck')),
    ),
  ];
}

/**
 * RFC 9162 §2.1.3.2: inclusion proofs, against the verified root, of a few records: the newest, the first one
 * added since the remembered checkpoint, and one at random. A record the caller may not read is not a failure
 * ({ state: 'unavailable' }); a proof that does not lead to the root is.
 */
async function sampleInclusion(result, last) {
  if (!result.ok || result.checkpoint.treeSize === 0) return { state: 'skipped', leaves: [] };
  const { treeSize, rootHash } = result.checkpoint;
  const picks = [treeSize - 1, Math.floor(Math.random() * treeSize)];
  if (last && last.size < treeSize) picks.splice(1, 0, last.size);
  const leaves = [...new Set(picks)];
  for (const leafIndex of leaves) {
    let entries;
    let proof;
    try {
      [entries, proof] = await Promise.all([
        api.get('/ledger/entries', { start: leafIndex, end: leafIndex + 1 }),
        api.get('/ledger/proofs/inclusion', { leafIndex, treeSize }),
      ]);
    } catch (error) {
      return { state: 'unavailable', leaves, detail: error.message };
    }
    const entry = (entries?.entries ?? []).find((e) => e.leafIndex === leafIndex);
    let outcome;
    try {
      if (!entry) throw new Error(`record ${leafIndex} was not returned`);
      outcome = await verifyInclusion({ leafIndex, treeSize, leaf: base64ToBytes(entry.leaf), hashes: proof?.hashes ?? [], rootHash });
    } catch (error) {
      outcome = { ok: false, reason: error.message };
    }
    if (!outcome.ok) return { state: 'failed', leaves, failed: { leaf: leafIndex, reason: outcome.reason } };
  }
  return { state: 'ok', leaves };
}

/** RFC 9162 §2.1.4: from the last checkpoint this browser verified to the one served now. */
async function checkConsistency(last, result) {
  if (!result.ok) return { state: 'skipped' };
  if (!last) return { state: 'first' };
  const { treeSize, rootHash } = result.checkpoint;
  const from = { size: last.size, verifiedAt: last.verifiedAt };
  const lastRoot = base64ToBytes(last.root);
  if (treeSize < last.size)
    return { state: 'failed', from, size: treeSize, reason: t('ledger.shrank', { from: formatNumber(last.size), size: formatNumber(treeSize) }) };
  if (treeSize === last.size) {
    const same = hex(lastRoot) === hex(rootHash);
    return same
      ? { state: 'same', from, size: treeSize }
      : { state: 'failed', from, size: treeSize, reason: t('ledger.forked', { size: formatNumber(treeSize) }) };
  }
  let proof;
  try {
    proof = await api.get('/ledger/proofs/consistency', { first: last.size, second: treeSize });
  } catch (error) {
    return { state: 'failed', from, size: treeSize, reason: t('ledger.proofUnavailable', { detail: error.message }) };
  }
  const outcome = await verifyConsistency({ first: last.size, second: treeSize, firstRoot: lastRoot, secondRoot: rootHash, hashes: proof?.hashes ?? [] });
  return outcome.ok ? { state: 'ok', from, size: treeSize } : { state: 'failed', from, size: treeSize, reason: outcome.reason };
}

function verdict(ok, text) {
  return h(
    'p',
    { class: ['notice', 'verdict', ok ? 'success' : 'error'], role: 'status', 'data-verdict': ok ? 'verified' : 'failed', id: 'checkpoint-verdict' },
    text,
  );
}

/** A blocking alarm: red, announced at once (role="alert"), and never dismissed by itself. */
function alarm(id, title, body) {
  return h('div', { class: 'alarm', role: 'alert', id }, h('h2', {}, `⚠ ${title}`), body);
}

function keyAlarm(changes) {
  return alarm('key-alarm', t('ledger.keysChanged'), [
    h(
      'ul',
      { class: 'plain' },
      changes.map((change) =>
        h(
          'li',
          { 'data-change': change.kind, 'data-name': change.name },
          t(`ledger.change.${change.kind}`, { name: change.name }),
          change.pinned ? h('div', { class: 'hash' }, `${t('ledger.pinned')}: ${change.pinned}`) : null,
          change.served ? h('div', { class: 'hash' }, `${t('ledger.served')}: ${change.served}`) : null,
        ),
      ),
    ),
    h('p', {}, t('ledger.keysChangedText')),
    h('p', {}, h('a', { href: '#paste-keys', onclick: focusPasteForm }, t('ledger.goPaste'))),
  ]);
}

function consistencyAlarm(consistency) {
  return alarm('consistency-alarm', t('ledger.inconsistent'), [
    h('p', { 'data-field': 'consistency-reason' }, consistency.reason),
    h('p', {}, t('ledger.inconsistentText', { size: formatNumber(consistency.from.size), date: formatInstant(consistency.from.verifiedAt) })),
  ]);
}

function focusPasteForm(event) {
  event.preventDefault();
  const form = document.getElementById('paste-keys');
  form?.scrollIntoView();
  form?.querySelector('textarea')?.focus();
}

function trustChecks({ trust, firstUse, changes, result, cosigned, quorumMet, consistency, samples }) {
  const pinnedWhen = formatInstant(trust.pinnedAt);
  const items = [];
  const item = (id, state, text) => items.push({ id, state, text });
  if (firstUse) item('trust.keys', 'info', t('ledger.keysFirstUse'));
  else if (changes.length) item('trust.keys', 'fail', t('ledger.keysDiffer', { count: changes.length }));
  else item('trust.keys', 'ok', t(trust.source === 'first-use' ? 'ledger.keysSameFirstUse' : 'ledger.keysSameOutOfBand', { date: pinnedWhen }));

  item('trust.logSignature', result.ok ? 'ok' : 'fail', t('ledger.logSignature', { name: nameOf(trust.logKey), keyId: result.keyIdHex ?? '—' }));
  if (trust.witnesses.length === 0) item('trust.cosignatures', 'info', t('ledger.noWitnesses'));
  else item('trust.cosignatures', quorumMet ? 'ok' : 'fail', t('ledger.cosignatures', { cosigned, total: trust.witnesses.length, quorum: trust.quorum }));

  const from = consistency.from;
  const params = from ? { from: formatNumber(from.size), date: formatInstant(from.verifiedAt), size: formatNumber(consistency.size) } : {};
  if (consistency.state === 'first') item('trust.consistency', 'info', t('ledger.consistencyFirst'));
  else if (consistency.state === 'same') item('trust.consistency', 'ok', t('ledger.consistencySame', params));
  else if (consistency.state === 'ok') item('trust.consistency', 'ok', t('ledger.consistencyOk', params));
  else if (consistency.state === 'failed') item('trust.consistency', 'fail', t('ledger.consistencyFailed', { ...params, reason: consistency.reason }));
  else item('trust.consistency', 'fail', t('ledger.consistencySkipped'));

  const leaves = samples.leaves.map((leaf) => `#${leaf}`).join(listSeparator());
  if (samples.state === 'ok') item('trust.inclusion', 'ok', t('ledger.samplesOk', { count: samples.leaves.length, leaves }));
  else if (samples.state === 'failed') item('trust.inclusion', 'fail', t('ledger.samplesFailed', { leaf: samples.failed.leaf, reason: samples.failed.reason }));
  else if (samples.state === 'unavailable') item('trust.inclusion', 'info', t('ledger.samplesUnavailable', { detail: samples.detail }));

  const marks = { ok: `✓ ${t('check.ok')}`, fail: `✗ ${t('check.fail')}`, info: `ℹ ${t('check.info')}` };
  return h(
    'ul',
    { class: 'checks', id: 'trust-checks' },
    items.map(({ id, state, text }) =>
      h(
        'li',
        { class: state, 'data-check': id, 'data-ok': String(state !== 'fail'), 'data-state': state },
        h('span', { class: 'mark' }, marks[state]),
        h('span', {}, text),
      ),
    ),
  );
}

function witnessTable(cosignatures) {
  return table(
    t('ledger.witnesses'),
    [t('ledger.witness'), t('ledger.keyId'), t('ledger.cosignedAt'), t('ledger.cosignatureResult')],
    cosignatures.map((c) =>
      h(
        'tr',
        { 'data-witness': c.name, 'data-ok': String(c.ok) },
        h('td', { class: 'mono' }, c.name),
        h('td', { class: 'hash' }, c.keyIdHex),
        h('td', {}, c.time === undefined ? '—' : formatInstant(new Date(c.time * 1000).toISOString())),
        h('td', { class: c.ok ? 'ok' : 'fail' }, c.ok ? `✓ ${t('ledger.cosignatureOk')}` : `✗ ${t(`ledger.cosignature.${c.reason}`, { reason: c.reason })}`),
      ),
    ),
  );
}

function renderIntegrity(section, alarms, settled) {
  clear(section).append(h('h2', { id: 'ledger-integrity' }, t('ledger.integrity')));
  if (settled.status === 'rejected') {
    const status = settled.reason?.status;
    section.append(
      status === 403 || status === 404 ? h('p', { class: 'notice', id: 'integrity-state' }, t('ledger.integrityNotShown')) : errorBox(settled.reason),
    );
    return;
  }
  const view = settled.value;
  const progress = view.audit?.progress;
  const audit = progress
    ? t('ledger.auditProgress', { passes: formatNumber(progress.passesCompleted), date: formatInstant(progress.lastPassCompletedAt) })
    : t('ledger.auditNotStarted');
  if (view.ok) {
    section.append(h('p', { class: 'notice success', id: 'integrity-state', 'data-ok': 'true' }, `${t('ledger.integrityOk')} ${audit}`));
    return;
  }
  const since = view.failures
    .map((f) => f.detectedAt)
    .filter(Boolean)
    .sort()[0];
  section.append(
    h(
      'p',
      { class: 'notice error', id: 'integrity-state', 'data-ok': 'false' },
      `${t('ledger.integrityFailedShort', { count: view.failures.length })} ${audit}`,
    ),
  );
  alarms.append(
    alarm('integrity-alarm', t('ledger.integrityFailed'), [
      h('p', {}, t('ledger.integrityFailedText', { since: formatInstant(since) })),
      table(
        t('ledger.integrityFailures'),
        [t('ledger.failureWhat'), t('ledger.failureWhere'), t('ledger.failureDetail'), t('ledger.failureSince')],
        view.failures.map((f) =>
          h(
            'tr',
            { 'data-kind': f.kind, 'data-index': f.index === null ? '' : String(f.index) },
            h('td', {}, t(`integrity.${f.kind}`)),
            h('td', {}, where(f)),
            h('td', { class: 'detail' }, f.detail),
            h('td', {}, formatInstant(f.detectedAt)),
          ),
        ),
      ),
    ]),
  );
}

function where(failure) {
  if (failure.index === null) return '—';
  const index = formatNumber(failure.index);
  if (failure.kind.startsWith('checkpoint') || failure.kind === 'log-shrunk') return t('ledger.whereCheckpoint', { size: index });
  if (failure.level === 0 || failure.level === null) return t('ledger.whereRecord', { index });
  return t('ledger.whereNode', { level: failure.level, index });
}
