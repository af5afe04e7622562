/*
 * Web-first assertions for playwright-core under jest (the @playwright/test runner's
 * `expect(locator)` is not part of playwright-core): each polls until the page shows
 * what is expected, or fails after a timeout naming what it saw last.
 */
import type { Locator } from 'playwright-core';

const TIMEOUT_MS = 15_000;

export async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = TIMEOUT_MS): Promise<T> {
  const started = Date.now();
  let last: T | undefined;
  let lastError: string | undefined;
  for (;;) {
    try {
      last = await read();
      if (accept(last)) return last;
    } catch (error) {
      lastError = String(error);
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`Timed out waiting for ${what}; last saw ${JSON.stringify(last)}${lastError ? ` (${lastError})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function see(locator: Locator) {
  const text = () => locator.innerText({ timeout: 1000 });
  return {
    toContainText: (expected: string | string[]) =>
      eventually(
        () => locator.allTextContents(),
        (texts) => [expected].flat().every((e) => texts.some((t) => t.includes(e))),
        `${locator.toString()} to contain ${JSON.stringify(expected)}`,
      ),
    toHaveText: (expected: string) => eventually(text, (t) => t.trim() === expected, `${locator.toString()} to have text ${JSON.stringify(expected)}`),
    toHaveAttribute: (name: string, expected: string) =>
      eventually(
        () => locator.getAttribute(name, { timeout: 1000 }),
        (v) => v === expected,
        `${locator.toString()} [${name}] = ${JSON.stringify(expected)}`,
      ),
    toHaveCount: (expected: number) =>
      eventually(
        () => locator.count(),
        (n) => n === expected,
        `${locator.toString()} count ${expected}`,
      ),
    toHaveClass: (expected: RegExp) =>
      eventually(
        () => locator.getAttribute('class', { timeout: 1000 }),
        (v) => expected.test(v ?? ''),
        `${locator.toString()} class ${expected}`,
      ),
    toBeVisible: () => eventually(() => locator.isVisible(), Boolean, `${locator.toString()} to be visible`),
    toBeHidden: () => eventually(() => locator.isHidden(), Boolean, `${locator.toString()} to be hidden`),
    toBeFocused: () =>
      eventually(
        () => locator.evaluate((el) => el === (el.ownerDocument as { activeElement: unknown }).activeElement, undefined, { timeout: 1000 }),
        Boolean,
        `${locator.toString()} to be focused`,
      ),
  };
}
