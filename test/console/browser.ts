/*
 * Headless Chromium for the console tests, driven by playwright-core (which downloads nothing).
 * The browser is the one shipped inside the `@sparticuz/chromium` npm package (a Brotli-compressed
 * binary unpacked to the temporary directory on first use, no network), so `npm ci && npm test`
 * needs nothing else. `CHROMIUM_PATH` names another Chromium instead, e.g. Debian's `/usr/bin/chromium`.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';

const run = promisify(execFile);

export const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts', 'console');
export const WIDTHS = [1280, 768] as const;

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The Chromium to drive: `CHROMIUM_PATH` when set, else the binary inside `@sparticuz/chromium`. */
export async function chromiumExecutable(): Promise<string> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!fs.existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return configured;
  }
  // The package is an ES module, which jest's CommonJS runtime cannot load: ask a plain Node for the path.
  const script = "import('@sparticuz/chromium').then((m) => m.default.executablePath()).then((p) => process.stdout.write(p))";
  const { stdout } = await run(process.execPath, ['-e', script], { cwd: path.join(__dirname, '..', '..') });
  return stdout.trim();
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumExecutable(), args: ARGS });
}

/** Every request a page makes, to prove the console talks to nothing but the registry. */
export interface TrackedPage {
  page: Page;
  context: BrowserContext;
  requests: string[];
  consoleErrors: string[];
}

export async function openPage(browser: Browser, baseUrl: string, width = 1280): Promise<TrackedPage> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true, locale: 'en-GB', timezoneId: 'Europe/London' });
  const page = await context.newPage();
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  await page.goto(`${baseUrl}/console`);
  return { page, context, requests, consoleErrors };
}

/** Origins other than the registry's; blob: URLs of the registry's own origin (downloads) count as its own. */
export function foreignRequests(requests: string[], baseUrl: string): string[] {
  const origin = new URL(baseUrl).origin;
  return requests.filter((url) => {
    if (url.startsWith('data:')) return false;
    const target = url.startsWith('blob:') ? url.slice(5) : url;
    return new URL(target).origin !== origin;
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const original = page.viewportSize() ?? { width: 1280, height: 900 };
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(150); // charts resize on the next animation frame
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize(original);
}

/** Every form control has an accessible name (a <label>, aria-label or aria-labelledby). */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(`Array.from(document.querySelectorAll('input, select, textarea'))
    .filter((el) => el.type !== 'hidden')
    .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')))
    .map((el) => el.outerHTML.slice(0, 120))`);
}
