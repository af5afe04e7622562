/**
 * The Notices and Incidents pages of the regulators' console in real Chromium, in each of the three languages: a
 * contract terminated through the API in the test appears as a notice to Guangdong's regulator, who acknowledges
 * it from the page and sees its state change; the incidents list filters by severity and shows the remedial
 * actions and the authorities notified. Screenshots at 1280 and 768 px (notices-en-1280.png, …) are committed
 * under docs/screenshots/ with UPDATE_DOCS_SCREENSHOTS=1.
 */
import type { Browser } from 'playwright-core';
import { bearer, startTestApp, TestApp } from '../support/app';
import { launchChromium } from './browser';
import { ConsoleSeed } from './seed';
import { see } from './see';
import { listenAndSeed, screenshots, signedInPage } from './pages';

jest.setTimeout(300_000);

/** What each language shows for the strings this test reads (src/console/public/i18n-*.js). */
const LANGUAGES = [
  {
    code: 'en',
    file: 'en',
    queue: 'Filings queue',
    notices: 'Notices of contract ends',
    termination: 'Termination',
    open: 'Not acknowledged',
    acknowledge: 'Acknowledge',
    acknowledged: 'Acknowledged',
    incidents: 'Incidents',
    high: 'High',
    contract: 'bankContractId',
    regulator: 'gdRegulator',
    authority: 'GD_CAC',
    terminatedBy: 'mainlandBank',
  },
  {
    code: 'zh-Hant',
    file: 'zh-hant',
    queue: '備案審核隊列',
    notices: '合同終止及屆滿通知',
    termination: '終止',
    open: '未確認',
    acknowledge: '確認',
    acknowledged: '已於',
    incidents: '事件',
    high: '高',
    contract: 'healthContractId',
    regulator: 'gdRegulator',
    authority: 'GD_CAC',
    terminatedBy: 'mainlandHospital',
  },
  {
    code: 'zh-Hans',
    file: 'zh-hans',
    queue: '备案审核队列',
    notices: '合同终止及届满通知',
    termination: '终止',
    open: '未确认',
    acknowledge: '确认',
    acknowledged: '已于',
    incidents: '事件',
    high: '高',
    // The bank's contract, terminated in the English test: its notice to Hong Kong's DPO, acknowledged by the DPO.
    contract: 'bankContractId',
    regulator: 'hkRegulator',
    authority: 'HK_DPO',
    terminatedBy: null,
  },
] as const;

describe('Notices and Incidents pages in English, 繁體中文 and 简体中文', () => {
  let t: TestApp;
  let seed: ConsoleSeed;
  let baseUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    ({ baseUrl, seed } = await listenAndSeed(t));
    // An incident with a severity, remedial actions and the authority notified, reported by the bank.
    const incident = await t.http
      .post(`/contracts/${seed.bankContractId}/incidents`)
      .set(...bearer(seed.filers.mainlandBank.token))
      .send({
        occurredAt: '2025-05-02T06:30:00Z',
        severity: 'HIGH',
        description: 'A credit file was sent to the wrong branch.',
        affectedDataSubjects: 3,
        remedialActions: 'File recalled; staff retrained.',
        notifiedAuthorities: [{ authority: 'GD_CAC', notifiedAt: '2025-05-02T09:00:00Z' }],
      });
    expect(incident.status).toBe(201);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const signedIn = (language: string, heading: string, email = seed.gdRegulator.email) => signedInPage(browser, baseUrl, language, email, heading);

  for (const language of LANGUAGES) {
    it(`Notices in ${language.code}: a termination made through the API appears, and acknowledging it changes its state`, async () => {
      const contractId = seed[language.contract];
      if (language.terminatedBy) {
        const terminated = await t.http
          .post(`/contracts/${contractId}/terminate`)
          .set(...bearer(seed.filers[language.terminatedBy].token))
          .send({ terminatedOn: '2026-06-30', reason: 'The service ended.' });
        expect(terminated.status).toBe(200);
      }
      const tracked = await signedIn(language.code, language.queue, seed[language.regulator].email);
      const { page } = tracked;
      try {
        await page.goto(`${baseUrl}/console#/notices?acknowledged=false`);
        await see(page.getByRole('heading', { level: 1 })).toHaveText(language.notices);
        const row = page.locator(`#notices-list tr[data-contract-id="${contractId}"]`).first();
        await see(row).toContainText([language.termination, language.open]);
        await screenshots(page, `notices-${language.file}`);
        await row.getByRole('button', { name: language.acknowledge }).click();
        // Acknowledged, the notice leaves the list of those not acknowledged.
        await see(page.locator(`#notices-list tr[data-contract-id="${contractId}"]`)).toHaveCount(0);
        await page.goto(`${baseUrl}/console#/notices?acknowledged=true`);
        const done = page.locator(`#notices-list tr[data-contract-id="${contractId}"] td[data-state="acknowledged"]`).first();
        await see(done).toContainText(language.acknowledged);
        await see(page.locator(`#notices-list tr[data-contract-id="${contractId}"] button`)).toHaveCount(0);
        // The registry agrees: the authority's notice of the contract is acknowledged.
        const notices = await t.http
          .get('/notices')
          .query({ contractId })
          .set(...bearer(seed[language.regulator].token));
        expect(
          notices.body.items
            .filter((n: { authority: string }) => n.authority === language.authority)
            .map((n: { acknowledgedAt: string | null }) => n.acknowledgedAt !== null),
        ).toContain(true);
        // The session restore before sign-in answers 401 (a failed resource); script errors are not expected.
        expect(tracked.consoleErrors.filter((m) => !m.startsWith('Failed to load resource'))).toEqual([]);
      } finally {
        await tracked.context.close();
      }
    });

    it(`Incidents in ${language.code}: filtered by severity, with remedial actions and authorities notified`, async () => {
      const tracked = await signedIn(language.code, language.queue);
      const { page } = tracked;
      try {
        await page.goto(`${baseUrl}/console#/incidents?severity=HIGH`);
        await see(page.getByRole('heading', { level: 1 })).toHaveText(language.incidents);
        const rows = page.locator('#incidents-list tbody tr');
        await see(rows).toHaveCount(1);
        await see(rows.first()).toContainText([language.high, 'File recalled; staff retrained.', 'A credit file was sent to the wrong branch.']);
        await screenshots(page, `incidents-${language.file}`);
        await page.goto(`${baseUrl}/console#/incidents?severity=LOW`);
        await see(page.locator('#incidents-list tbody tr')).toHaveCount(0);
        await see(page.locator('#incidents-list .notice')).toBeVisible();
        // The session restore before sign-in answers 401 (a failed resource); script errors are not expected.
        expect(tracked.consoleErrors.filter((m) => !m.startsWith('Failed to load resource'))).toEqual([]);
      } finally {
        await tracked.context.close();
      }
    });
  }
});
