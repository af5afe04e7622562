// Views of a contract that the regulators' contract page (page-contract.js) and the organisation's (page-org.js) both show:
// the annex's terms, the versions with a field-by-field diff, the filing materials and the history.
import * as api from './api.js';
import { definitionList, h, saveBlob, table } from './dom.js';
import { code, formatDate, formatInstant, formatList, formatNumber, keysUnder, t } from './i18n.js';
import { orgName } from './common.js';
import { announce } from './nav.js';

function list(values, kind) {
  if (!values || values.length === 0) return t('none');
  return h(
    'ul',
    { class: 'plain' },
    values.map((value) => h('li', {}, kind ? code(kind, value) : value)),
  );
}

function formatValue(path, value) {
  if (value === null || value === undefined || value === '') return '—';
  if (path.endsWith('personalInformationCategories')) return list(value, 'category');
  if (path.endsWith('sensitiveCategories')) return list(value, 'sensitive');
  if (path.endsWith('onwardRecipients')) return list((value ?? []).map((r) => `${r.name} (${code('city', r.city)})`));
  if (path.endsWith('storageLocation')) return code('city', value.city);
  if (path.endsWith('retentionPeriod')) return `${formatDate(value.from)} – ${formatDate(value.to)}`;
  if (path.endsWith('Date') || path.endsWith('completedOn') || path.endsWith('.from') || path.endsWith('.to')) return formatDate(value);
  if (path === 'regime') return code('regime', value);
  if (typeof value === 'boolean') return value ? t('yes') : t('no');
  if (Array.isArray(value)) return list(value.map(String));
  if (typeof value === 'object') return h('span', { class: 'mono' }, JSON.stringify(value));
  return String(value);
}

/** The annex's terms, in the order the console's dictionary labels them (`annex.*`). */
export function annexFacts(annex = {}) {
  return definitionList(keysUnder('annex.').map((key) => [t(`annex.${key}`), formatValue(`annex.${key}`, annex[key])]));
}

function valueAt(version, path) {
  return path.split('.').reduce((value, key) => (value === null || value === undefined ? undefined : value[key]), version);
}

export function versionsView(versions, history) {
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  const triggersByVersion = new Map(history.filter((e) => e.action === 'CONTRACT_AMENDED').map((e) => [e.version, new Set(e.details?.triggers ?? [])]));
  const blocks = [h('p', {}, t('versions.first'))];
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1];
    const current = sorted[i];
    // Every amendment changes something (R12: one that changes nothing is refused), and the registry lists what.
    const changed = current.changedFields ?? [];
    const triggers = triggersByVersion.get(current.version) ?? new Set();
    blocks.push(
      h(
        'div',
        { class: 'version', 'data-version': String(current.version) },
        h(
          'h3',
          {},
          `${t('versions.after', { version: current.version })} · ${code('versionStatus', current.status)} · ${t('versions.created', { when: formatInstant(current.createdAt) })}`,
        ),
        h(
          'p',
          { class: ['notice', current.refilingRequired ? 'warning' : 'success'], 'data-verdict': current.refilingRequired ? 'refile' : 'no-refile' },
          current.refilingRequired ? t('versions.verdictRequired') : t('versions.verdictNotRequired'),
        ),
        changed.length === 0
          ? h('p', {}, t('versions.noChange'))
          : table(
              t('versions.caption', { version: current.version, previous: previous.version }),
              [
                t('versions.field'),
                t('versions.before', { version: previous.version }),
                t('versions.after', { version: current.version }),
                t('versions.triggers'),
              ],
              changed.map((path) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row' }, fieldLabel(path)),
                  h('td', { class: 'diff-before' }, formatValue(path, valueAt(previous, path))),
                  h('td', { class: 'diff-after' }, formatValue(path, valueAt(current, path))),
                  h('td', {}, triggers.has(path) ? h('span', { class: 'badge warn' }, t('yes')) : t('no')),
                ),
              ),
            ),
      ),
    );
  }
  return h('div', {}, blocks);
}

export function fieldLabel(path) {
  const [head, tail] = path.split('.');
  if (head === 'annex' && tail) return `${t('contract.annex')}: ${t(`annex.${tail}`)}`;
  if (head === 'pipia' && tail) return `PIPIA: ${t(`pipia.${tail}`)}`;
  const top = {
    regime: 'contract.regime',
    effectiveDate: 'contract.effective',
    expiryDate: 'contract.expiry',
    importantDataIncluded: 'contract.importantData',
  };
  return top[path] ? t(top[path]) : path;
}

export function materials(base, documents, orgs, readable) {
  if (documents === null) return h('p', { class: 'muted', 'data-field': 'materials-not-shown' }, t('materials.notShown'));
  // A regulator reads the materials of the party on its own side only.
  const note =
    readable.length === 1 ? h('p', { class: 'muted', 'data-field': 'materials-side' }, t('materials.sideOnly', { party: code('party', readable[0]) })) : null;
  if (!documents.length) return [note, h('p', {}, t('none'))];
  return [
    note,
    table(
      t('materials.caption'),
      [t('materials.kind'), t('materials.party'), t('filing.version'), t('materials.size'), t('materials.sha256'), t('materials.uploaded'), t('download')],
      documents.map((doc) =>
        h(
          'tr',
          {},
          h('td', {}, code('documentKind', doc.kind)),
          h('td', {}, code('party', doc.party), ' — ', orgName(orgs.get(doc.organisationId), doc.organisationId)),
          h('td', {}, String(doc.version ?? '—')),
          h('td', { class: 'num' }, `${formatNumber(doc.size)} B`),
          h('td', { class: 'hash', title: doc.sha256 }, `${doc.sha256.slice(0, 16)}…`),
          h('td', {}, formatInstant(doc.uploadedAt)),
          h(
            'td',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'button secondary',
                onclick: async (event) => {
                  const button = event.currentTarget;
                  button.disabled = true;
                  try {
                    const { blob, fileName } = await api.getBlob(`${base}/documents/${doc.id}`);
                    saveBlob(blob, fileName ?? doc.fileName ?? `${doc.kind.toLowerCase()}-${doc.sha256.slice(0, 12)}`);
                  } catch (error) {
                    announce(t('error', { detail: error.message }));
                  } finally {
                    button.disabled = false;
                  }
                },
              },
              t('materials.download', { kind: code('documentKind', doc.kind) }),
            ),
          ),
        ),
      ),
    ),
  ];
}

function actorText(actor, orgs) {
  if (!actor) return '—';
  const role = t(`role.${actor.role}`);
  if (actor.authority) return `${role} · ${code('authorityShort', actor.authority)}`;
  if (actor.organisationId) return [role, ' · ', orgName(orgs.get(actor.organisationId), actor.organisationId)];
  return role;
}

export function historyView(entries, orgs) {
  if (!entries.length) return h('p', {}, t('none'));
  return table(
    t('history.caption'),
    [t('history.when'), t('history.who'), t('history.what'), t('history.detail')],
    entries.map((entry) =>
      h(
        'tr',
        {},
        h('td', {}, formatInstant(entry.at)),
        h('td', {}, actorText(entry.actor, orgs)),
        h(
          'td',
          {},
          code('historyAction', entry.action),
          entry.party ? ` · ${code('party', entry.party)}` : '',
          entry.version ? ` · v${entry.version}` : '',
          entry.fromStatus || entry.toStatus
            ? h('div', { class: 'muted' }, `${code('filingStatus', entry.fromStatus)} → ${code('filingStatus', entry.toStatus)}`)
            : null,
        ),
        h('td', {}, detailsList(entry.details)),
      ),
    ),
  );
}

function detailsList(details) {
  const entries = Object.entries(details ?? {});
  if (!entries.length) return '—';
  return h(
    'ul',
    { class: 'plain' },
    entries.map(([key, value]) =>
      h('li', {}, `${key}: ${Array.isArray(value) ? formatList(value) : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`),
    ),
  );
}
