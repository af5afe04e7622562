// The console shell: sign-in, navigation, language switch and a hash router.
import * as api from './api.js';
import { clear, field, h } from './dom.js';
import { LANGUAGES, getLanguage, onLanguageChange, setLanguage, t } from './i18n.js';
import { announce } from './nav.js';
import { errorBox } from './common.js';
import { loadReference } from './reference.js';
import { renderAnomalies, renderTransfers } from './page-transfers.js';
import { renderContract } from './page-contract.js';
import { renderLedger } from './page-ledger.js';
import { renderIncidents, renderNotices } from './page-notices.js';
import { renderQueue } from './page-queue.js';
import { renderRollout } from './page-rollout.js';
import { renderOrgContract, renderOrgContracts } from './page-org.js';
import { renderOrgTransfers } from './page-org-transfers.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const sessionBox = document.getElementById('session');

// Two views, chosen by whom the user acts for (GET /auth/me `actsFor`): regulators and administrators get
// the regulators' pages, an organisation's users their organisation's. Neither view routes to the other's pages.
const REGULATOR_VIEW = {
  home: '#/queue',
  subtitle: 'app.subtitle',
  nav: [
    ['#/queue', 'nav.queue'],
    ['#/transfers', 'nav.transfers'],
    ['#/anomalies', 'nav.anomalies'],
    ['#/notices', 'nav.notices'],
    ['#/incidents', 'nav.incidents'],
    ['#/rollout', 'nav.rollout'],
    ['#/ledger', 'nav.ledger'],
  ],
  routes: [
    [/^\/?$/, renderQueue],
    [/^\/queue$/, renderQueue],
    [/^\/contracts\/([0-9a-fA-F-]{36})$/, renderContract],
    [/^\/transfers$/, renderTransfers],
    [/^\/anomalies$/, renderAnomalies],
    [/^\/notices$/, renderNotices],
    [/^\/incidents$/, renderIncidents],
    [/^\/rollout$/, renderRollout],
    [/^\/ledger$/, renderLedger],
  ],
};

const ORGANISATION_VIEW = {
  home: '#/org/contracts',
  subtitle: 'app.subtitleOrg',
  nav: [
    ['#/org/contracts', 'nav.orgContracts'],
    ['#/org/transfers', 'nav.orgTransfers'],
  ],
  routes: [
    [/^\/?$/, renderOrgContracts],
    [/^\/org\/contracts$/, renderOrgContracts],
    [/^\/org\/contracts\/([0-9a-fA-F-]{36})$/, renderOrgContract],
    [/^\/org\/transfers$/, renderOrgTransfers],
  ],
};

function view() {
  return api.actsForOrganisation() ? ORGANISATION_VIEW : REGULATOR_VIEW;
}

function parseHash() {
  const raw = window.location.hash.startsWith('#/') ? window.location.hash.slice(1) : view().home.slice(1);
  const [path, search = ''] = raw.split('?');
  return { path, query: Object.fromEntries(new URLSearchParams(search)) };
}

let renderSequence = 0;

async function route() {
  renderChrome();
  if (!api.isSignedIn()) {
    renderSignIn();
    return;
  }
  const { path, query } = parseHash();
  const match = view()
    .routes.map(([pattern, render]) => [pattern.exec(path), render])
    .find(([m]) => m);
  const sequence = ++renderSequence;
  const container = h('div', { class: 'page' });
  clear(main).append(container);
  if (!match) {
    // Another view's page, or none: this view's first page instead.
    window.location.hash = view().home;
    return;
  }
  const [m, render] = match;
  try {
    // The code lists, their labels and the regimes' materials come from the registry (GET /reference), read once.
    await loadReference();
    if (sequence !== renderSequence) return;
    await render(container, { params: m.slice(1), query, isCurrent: () => sequence === renderSequence });
  } catch (error) {
    if (sequence !== renderSequence) return;
    container.append(errorBox(error));
  }
  if (sequence === renderSequence) {
    const heading = container.querySelector('h1');
    if (heading && focusHeadingOnRender) heading.focus({ preventScroll: false });
  }
}

let focusHeadingOnRender = false;

function renderChrome() {
  document.getElementById('skip-link').textContent = t('app.skip');
  document.getElementById('brand-title').textContent = t('app.title');
  const { subtitle, nav: sections } = api.isSignedIn() ? view() : { subtitle: 'app.subtitleSignIn', nav: [] };
  document.getElementById('brand-subtitle').textContent = t(subtitle);
  document.title = `${t('app.title')} — ${t(subtitle)}`;
  nav.setAttribute('aria-label', t('nav.label'));
  const { path } = parseHash();
  const current = sections.map(([href]) => href).find((href) => path === href.slice(1) || path.startsWith(`${href.slice(1)}/`)) ?? null;
  clear(nav);
  nav.hidden = !api.isSignedIn();
  nav.append(
    h(
      'ul',
      {},
      sections.map(([href, key]) => h('li', {}, h('a', { href, 'aria-current': href === current ? 'page' : null }, t(key)))),
    ),
  );
  clear(sessionBox);
  const me = api.currentUser();
  const languageButtons = Object.entries(LANGUAGES)
    .filter(([lang]) => lang !== getLanguage())
    .map(([lang, info], index) =>
      h(
        'button',
        {
          type: 'button',
          class: 'button secondary',
          lang: info.html,
          'aria-label': t(info.label),
          id: index === 0 ? 'language-switch' : `language-switch-${lang}`,
          onclick: () => setLanguage(lang),
        },
        info.name,
      ),
    );
  if (me) {
    const role = t(`role.${me.role}`) + (me.authority ? ` · ${me.authority}` : '');
    sessionBox.append(
      h('span', { class: 'who' }, t('signedInAs', { email: me.email ?? me.id, role })),
      ...languageButtons,
      h('button', { type: 'button', class: 'button secondary', id: 'sign-out', onclick: () => api.signOut('user') }, t('signout')),
    );
  } else {
    sessionBox.append(...languageButtons);
  }
}

let signInMessage = null;

function renderSignIn() {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const message = h('p', { class: 'form-message', role: 'alert' });
  if (signInMessage) message.textContent = signInMessage;
  const button = h('button', { type: 'submit', class: 'button primary' }, t('signin.submit'));
  const form = h(
    'form',
    {
      class: 'signin',
      novalidate: false,
      onsubmit: async (event) => {
        event.preventDefault();
        button.disabled = true;
        message.textContent = '';
        try {
          await api.signIn(email.value.trim(), password.value);
          signInMessage = null;
          focusHeadingOnRender = true;
          await route();
        } catch (error) {
          message.textContent = t('signin.failed', { detail: error.problem?.detail ?? error.message });
          button.disabled = false;
          password.focus();
        }
      },
    },
    field(t('signin.email'), email).wrapper,
    field(t('signin.password'), password).wrapper,
    button,
    message,
  );
  clear(main).append(h('div', { class: 'page signin-page' }, h('h1', { tabindex: '-1' }, t('signin.heading')), h('p', {}, t('signin.intro')), form));
}

api.onSignOut((reason) => {
  signInMessage = reason === 'user' ? t('signedOut') : null;
  announce(t('signedOut'));
  void route();
});

onLanguageChange(() => {
  void route().then(() => document.getElementById('language-switch')?.focus());
});

window.addEventListener('console:reroute', () => {
  focusHeadingOnRender = true;
  void route();
});

window.addEventListener('hashchange', () => {
  if (!window.location.hash.startsWith('#/')) return; // in-page anchors such as the skip link
  focusHeadingOnRender = true;
  void route();
});

document.getElementById('skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

// A reload keeps the session: the refresh-token cookie restores it before the first page is drawn.
void api.restore().finally(() => void route());
