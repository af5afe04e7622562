/*
 * The Rollout and Anomalies pages in real Chromium, in each of the console's three languages: Rollout draws the
 * registry's monthly transfer figures (GET /transfers/figures) and never fetches transfer records; Anomalies reads
 * flagged records only (GET /transfers?flagged=true). Screenshots at 1280 and 768 px (rollout-en-1280.png,
 * anomalies-zh-hant-768.png, …) are committed under docs/screenshots/ (UPDATE_DOCS_SCREENSHOTS=1), so reviewers see each page.
 */
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { bearer, startTestApp, TEST_USER_PASSWORD, TestApp } from '../support/app';
import { ARTIFACTS, launchChromium, openPage, TrackedPage, WIDTHS } from './browser';
import { ConsoleSeed, seedConsole } from './seed';
import { see } from './see';

jest.setTimeout(240_000);

// Committed under docs/screenshots/ when UPDATE_DOCS_SCREENSHOTS=1, as the ledger test refreshes docs/console-ledger.png;
// otherwise written beside the other console screenshots, so a test run leaves the working tree clean.
const SCREENSHOTS = process.env.UPDATE_DOCS_SCREENSHOTS === '1' ? path.join(ARTIFACTS, '..', '..', 'docs', 'screenshots') : ARTIFACTS;

/** What each language shows for the strings this test reads (src/console/public/i18n.js). */
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

/** Full-page screenshots at each width, committed under docs/screenshots/. */
async function screenshots(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(200); // charts resize on the next animation frame
    // Nothing is cut off at either width: the page scrolls down, never sideways.
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Errors of the page's scripts. The browser also logs a failed resource: the session restore before sign-in answers 401. */
function scriptErrors(tracked: TrackedPage): string[] {
  return tracked.consoleErrors.filter((message) => !message.startsWith('Failed to load resource'));
}

describe('Rollout and Anomalies pages in English, 繁體中文 and 简体中文', () => {
  let t: TestApp;
  let seed: ConsoleSeed;
  let baseUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    seed = await seedConsole(t);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  /** A fresh browser context in `language` (the console keeps the choice in localStorage), signed in as Guangdong's regulator. */
  async function signedIn(language: string, heading: string): Promise<TrackedPage> {
    const tracked = await openPage(browser, baseUrl);
    const { page } = tracked;
    await page.evaluate(`window.localStorage.setItem('console.language', ${JSON.stringify(language)})`);
    await page.reload();
    await page.locator('input[type="email"]').fill(seed.gdRegulator.email);
    await page.locator('input[type="password"]').fill(TEST_USER_PASSWORD);
    await page.keyboard.press('Enter');
    await see(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    return tracked;
  }

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
