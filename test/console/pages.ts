// What the console's browser tests share (README.md#regulators-console): the registry listening and seeded, a signed-in
// page in one of the three languages, the screenshots committed under docs/screenshots/, and the page's script errors.
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { TEST_USER_PASSWORD, TestApp } from '../support/app';
import { ARTIFACTS, openPage, TrackedPage, WIDTHS } from './browser';
import { ConsoleSeed, seedConsole } from './seed';
import { see } from './see';

// Committed under docs/screenshots/ when UPDATE_DOCS_SCREENSHOTS=1, as the ledger test refreshes docs/console-ledger.png;
// otherwise written beside the other console screenshots, so a test run leaves the working tree clean.
const SCREENSHOTS = process.env.UPDATE_DOCS_SCREENSHOTS === '1' ? path.join(ARTIFACTS, '..', '..', 'docs', 'screenshots') : ARTIFACTS;

/** Whether nothing is cut off at `width`: the page scrolls down, never sideways. */
export type FitCheck = (width: number, fits: boolean) => void;

/** `name`-1280.png and `name`-768.png, each taken after `check` of whether the page fits its width. */
export async function screenshots(page: Page, name: string, check: FitCheck = (_width, fits) => expect(fits).toBe(true)): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(200); // charts resize on the next animation frame
    check(width, await page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth'));
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Errors of the page's scripts. The browser also logs a failed resource: the session restore before sign-in answers 401. */
export function scriptErrors(tracked: TrackedPage): string[] {
  return tracked.consoleErrors.filter((message) => !message.startsWith('Failed to load resource'));
}

/** `t` listening on a free port of 127.0.0.1, seeded for the console (`seedConsole`). */
export async function listenAndSeed(t: TestApp): Promise<{ baseUrl: string; seed: ConsoleSeed }> {
  await t.app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  return { baseUrl, seed: await seedConsole(t) };
}

/** A fresh browser context in `language` (the console keeps the choice in localStorage), signed in as `email`, showing `heading`. */
export async function signedInPage(browser: Browser, baseUrl: string, language: string, email: string, heading: string): Promise<TrackedPage> {
  const tracked = await openPage(browser, baseUrl);
  const { page } = tracked;
  await page.evaluate(`window.localStorage.setItem('console.language', ${JSON.stringify(language)})`);
  await page.reload();
  await page.locator('input[type="email"]').fill(email);
  await page.locator('input[type="password"]').fill(TEST_USER_PASSWORD);
  await page.keyboard.press('Enter');
  await see(page.getByRole('heading', { level: 1 })).toHaveText(heading);
  return tracked;
}
