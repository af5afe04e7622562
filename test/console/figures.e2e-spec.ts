/*
 * The Rollout and Anomalies pages in real Chromium, in each of the console's three languages: Rollout draws the
 * registry's monthly transfer figures (GET /transfers/figures) and never fetches transfer records; Anomalies reads
 * flagged records only (GET /transfers?flagged=true). Screenshots at 1280 and 768 px (rollout-en-1280.png,
 * anomalies-zh-hant-768.png, …) are committed under docs/screenshots/ (UPDATE_DOCS_SCREENSHOTS=1), so reviewers see each page.
 */
import type { Browser } from 'playwright-core';
import { bearer, startTestApp, TestApp } from '../support/app';
import { launchChromium } from './browser';
import { ConsoleSeed } from './seed';
import { see } from './see';
import { listenAndSeed, screenshots, scriptErrors, signedInPage } from './pages';

jest.setTimeout(240_000);

/** What each language shows for the strings this test reads (src/console/public/i18n-*.js). */
const LANGUAGES = [
  {
    code: 'en',
    file: 'en',
    html: 'en',
    queue: 'Filings queue',
    rollout: 'Rollout dashboard',
    figures: 'Transfer figures by sector',
    anomalies: 'Anomalies',
    banking: 'Banking',
    outsideGba: 'Onward recipient outside the GBA',
  },
  {
    code: 'zh-Hant',
    file: 'zh-hant',
    html: 'zh-Hant-HK',
    queue: '備案審核隊列',
    rollout: '推行進度',
    figures: '按行業的傳輸數字',
    anomalies: '異常',
    banking: '銀行',
    outsideGba: '再提供的接收者在大灣區以外',
  },
  {
    code: 'zh-Hans',
    file: 'zh-hans',
    html: 'zh-Hans-CN',
    queue: '备案审核队列',
    rollout: '推行进度',
    figures: '按行业的传输数字',
    anomalies: '异常',
    banking: '银行',
    outsideGba: '再提供的接收者在大湾区以外',
  },
] as const;

describe('Rollout and Anomalies pages in English, 繁體中文 and 简体中文', () => {
  let t: TestApp;
  let seed: ConsoleSeed;
  let baseUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    ({ baseUrl, seed } = await listenAndSeed(t));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const signedIn = (language: string, heading: string) => signedInPage(browser, baseUrl, language, seed.gdRegulator.email, heading);

  for (const language of LANGUAGES) {
    it(`Rollout in ${language.code}: the registry's figures, no transfer records fetched`, async () => {
      const tracked = await signedIn(language.code, language.queue);
      const { page } = tracked;
      try {
        await see(page.locator('html')).toHaveAttribute('lang', language.html);
        await page.goto(`${baseUrl}/console#/rollout`);
        await see(page.getByRole('heading', { level: 1 })).toHaveText(language.rollout);
        await see(page.locator('[data-chart="transfers"] canvas')).toBeVisible();
        await see(page.locator('[data-chart="transfer-figures"] h2')).toHaveText(language.figures);
        // The figures Guangdong may read, summed per sector, are the table's cells.
        const api = await t.http.get('/transfers/figures').set(...bearer(seed.gdRegulator.token));
        expect(api.status).toBe(200);
        const banking = (api.body.figures as Array<{ sector: string; transfers: number; flaggedTransfers: number }>).filter((f) => f.sector === 'BANKING');
        const sum = (key: 'transfers' | 'flaggedTransfers') => banking.reduce((n, f) => n + f[key], 0);
        expect(sum('transfers')).toBeGreaterThan(0);
        const row = page.locator('[data-chart="transfer-figures"] tr[data-sector="BANKING"]');
        await see(row.locator('th')).toHaveText(language.banking);
        const cells = (await row.locator('td').allTextContents()).map((c) => Number(c.replace(/\D/g, '')));
        expect([cells[0], cells[3]]).toEqual([sum('transfers'), sum('flaggedTransfers')]);
        // One row a month of the seeded transfers (January to June 2025, Hong Kong time).
        await see(page.locator('[data-chart="transfers"] table tbody tr')).toHaveCount(6);
        const paths = tracked.requests.map((url) => new URL(url).pathname);
        expect(paths).toContain('/transfers/figures');
        expect(paths).not.toContain('/transfers');
        await screenshots(page, `rollout-${language.file}`);
        expect(scriptErrors(tracked)).toEqual([]);
      } finally {
        await tracked.context.close();
      }
    });

    it(`Anomalies in ${language.code}: flagged records only, grouped, with flags in the language`, async () => {
      const tracked = await signedIn(language.code, language.queue);
      const { page } = tracked;
      try {
        await page.goto(`${baseUrl}/console#/anomalies`);
        await see(page.getByRole('heading', { level: 1 })).toHaveText(language.anomalies);
        const outside = page.locator('section[aria-labelledby="anomalies-by-flag"] tr[data-flag="ONWARD_RECIPIENT_OUTSIDE_GBA"]');
        await see(outside.locator('th')).toHaveText(language.outsideGba);
        await see(outside.locator('td').first()).toHaveText(String(seed.outsideGbaLeaves.length));
        await see(page.locator('#anomalies-list table tbody tr').first()).toBeVisible();
        await see(page.locator('#anomalies-list table tbody tr:not(.flagged)')).toHaveCount(0);
        const lists = tracked.requests.filter((url) => new URL(url).pathname === '/transfers');
        expect(lists.length).toBeGreaterThan(0);
        for (const url of lists) expect(new URL(url).searchParams.get('flagged')).toBe('true');
        await screenshots(page, `anomalies-${language.file}`);
        expect(scriptErrors(tracked)).toEqual([]);
      } finally {
        await tracked.context.close();
      }
    });
  }
});
