/*
 * The regulators' console (issue 7) in a real browser: headless Chromium on the
 * running registry, data seeded through the API, every assertion on what a
 * regulator sees. Screenshots of each page at 1280 and 768 px go to
 * test-artifacts/console/.
 */
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_EMAIL, ADMIN_PASSWORD, bearer, createOrganisation, startTestApp, TEST_USER_PASSWORD, TestApp } from '../support/app';
import { foreignRequests, launchChromium, openPage, screenshot, TrackedPage, unlabelledControls } from './browser';
import { ConsoleSeed, seedConsole } from './seed';
import { eventually, see } from './see';

jest.setTimeout(180_000);

describe("regulators' console", () => {
  let t: TestApp;
  let seed: ConsoleSeed;
  let baseUrl: string;
  let browser: Browser;
  let gd: TrackedPage;
  let page: Page;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    seed = await seedConsole(t);
    browser = await launchChromium();
    gd = await openPage(browser, baseUrl);
    page = gd.page;
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signIn(p: Page, email: string, password = TEST_USER_PASSWORD): Promise<void> {
    // Keyboard only: type, Tab, type, Enter.
    await p.getByLabel('Email').focus();
    await p.keyboard.type(email);
    await p.keyboard.press('Tab');
    await p.keyboard.type(password);
    await p.keyboard.press('Enter');
    await p.getByRole('heading', { level: 1, name: 'Filings queue' }).waitFor();
  }

  const queueRows = (p: Page) =>
    p.locator('table.queue tbody tr').evaluateAll((rows) =>
      rows.map((row) => ({
        contractId: row.getAttribute('data-contract-id'),
        party: row.getAttribute('data-party'),
        overdue: row.classList.contains('overdue'),
        text: (row as unknown as { innerText: string }).innerText,
      })),
    );

  it('serves the console with a strict CSP and its assets from the registry itself', async () => {
    const response = await t.http.get('/console');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.text).not.toMatch(/<script>(?!<)|style=/);
    expect((await t.http.get('/console/vendor/chart.umd.js')).status).toBe(200);
    expect((await t.http.get('/console/assets/app.js')).headers['content-type']).toMatch(/^text\/javascript/);
    expect((await t.http.get('/console/assets/..%2Fconsole.controller.ts')).status).toBe(404);
    expect((await t.http.get('/console/assets/nope.js')).status).toBe(404);
  });

  it('signs a Guangdong regulator in with the keyboard and keeps the token out of storage', async () => {
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await screenshot(page, 'sign-in');
    await signIn(page, seed.gdRegulator.email);
    await see(page.locator('#session')).toContainText(seed.gdRegulator.email);
    // The console may keep preferences and pinned keys in localStorage (the language, the ledger page's pins), never the session.
    const stored = await page.evaluate<{ local: Record<string, string>; session: Record<string, string>; cookie: string }>(
      '({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie })',
    );
    expect(JSON.stringify(stored)).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    expect(stored.session).toEqual({});
    expect(stored.cookie).toBe('');
  });

  it("shows Guangdong's queue: only GD_CAC filings, overdue first, then by deadline", async () => {
    await page.locator('table.queue').waitFor();
    const rows = await queueRows(page);
    // Bank (processor, submitted), health (processor, returned → resubmission deadline), reverse (recipient, overdue).
    expect(rows.map((r) => `${r.contractId}:${r.party}`).sort()).toEqual(
      [`${seed.bankContractId}:processor`, `${seed.healthContractId}:processor`, `${seed.reverseContractId}:recipient`].sort(),
    );
    await see(page.locator('main p').first()).toContainText('Filings with Cyberspace Administration of Guangdong Province');
    const firstOnTime = rows.findIndex((r) => !r.overdue);
    expect(rows.slice(firstOnTime === -1 ? rows.length : firstOnTime).every((r) => !r.overdue)).toBe(true);
    expect(rows[0]).toMatchObject({ contractId: seed.reverseContractId, overdue: true });
    expect(await unlabelledControls(page)).toEqual([]);

    await page.getByLabel('Filing status').selectOption('SUBMITTED');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await eventually(
      () => queueRows(page),
      (rows) => rows.length === 1 && rows[0].contractId === seed.bankContractId,
      'the submitted filing only',
    );
    await page.getByRole('button', { name: 'Reset' }).click();
    await eventually(
      () => queueRows(page),
      (rows) => rows.length === 3,
      'all three filings again',
    );
    await screenshot(page, 'queue');
  });

  it('reviews a filing from the contract page: accepts it and shows the filing number', async () => {
    await page.locator(`table.queue tr[data-contract-id="${seed.bankContractId}"] a`).first().click();
    const processorCard = page.locator('[data-filing="processor"]');
    await processorCard.getByRole('group', { name: 'Review this filing' }).waitFor();
    // The Hong Kong filing is not Guangdong's to review.
    await see(page.locator('[data-filing="recipient"]')).toContainText('Only Digital Policy Office reviews this filing');
    for (const section of ['parties', 'filings', 'annex', 'pipia', 'versions', 'materials', 'history', 'incidents', 'transfers']) {
      await see(page.locator(`section[data-section="${section}"] h2`)).toBeVisible();
    }
    await see(page.locator('section[data-section="incidents"]')).toContainText('misdirected encrypted batch');
    // The reviewing regulator downloads the materials filed with its own authority (issue 4): the processor's three.
    await see(page.locator('section[data-section="materials"] tbody tr')).toHaveCount(3);
    const summary = await t.http.get(`/transfers/summary?contractId=${seed.bankContractId}`).set(...bearer(seed.gdRegulator.token));
    expect(summary.body.flags.ONWARD_RECIPIENT_OUTSIDE_GBA).toBe(seed.outsideGbaLeaves.length);
    await see(page.locator('section[data-section="transfers"] [data-stat="flagged"] .value')).toHaveText(String(summary.body.flaggedTransfers));
    await see(page.locator('section[data-section="transfers"]')).toContainText(`Onward recipient outside the GBA × ${seed.outsideGbaLeaves.length}`);

    // Returning without a reason is refused in the page, before any request.
    await processorCard.getByLabel('Return to the filer').check();
    await processorCard.getByRole('button', { name: 'Record decision' }).click();
    await see(processorCard.locator('.form-message')).toHaveText('Give a reason for returning the filing.');

    await processorCard.getByLabel('Accept and issue a filing number').check();
    await processorCard.getByRole('button', { name: 'Record decision' }).focus();
    await page.keyboard.press('Enter');
    const result = page.locator('#review-result');
    await see(result).toContainText('Filing accepted. Filing number');
    await see(result).toBeFocused();
    const api = await t.http.get(`/contracts/${seed.bankContractId}`).set(...bearer(seed.gdRegulator.token));
    const filing = api.body.filings.find((f: { party: string }) => f.party === 'processor');
    expect(filing.status).toBe('ACCEPTED');
    await see(result).toContainText(filing.filingNumber);
    await see(page.locator('[data-filing="processor"] [data-field="filing-number"]')).toHaveText(filing.filingNumber);
    await screenshot(page, 'contract');
  });

  it('shows versions with a field-by-field diff and the re-filing verdict', async () => {
    await page.goto(`${baseUrl}/console#/contracts/${seed.healthContractId}`);
    const v2 = page.locator('[data-version="2"]');
    await see(v2.locator('[data-verdict]')).toHaveAttribute('data-verdict', 'refile');
    await see(v2).toContainText('Annex: Purposes');
    await see(v2).toContainText('clinical research');
    const v3 = page.locator('[data-version="3"]');
    await see(v3.locator('[data-verdict]')).toHaveAttribute('data-verdict', 'no-refile');
    await see(v3).toContainText('Expiry date');
    await see(page.locator('section[data-section="history"]')).toContainText('Filing returned');
    await screenshot(page, 'contract-versions');
  });

  it('finds a flagged transfer in the log, in Hong Kong time, and exports the search as CSV and NDJSON', async () => {
    await page.getByRole('link', { name: 'Transfer log' }).click();
    await page.locator('table tbody tr').first().waitFor();
    await page.getByLabel('Compliance flag').selectOption('ONWARD_RECIPIENT_OUTSIDE_GBA');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await see(page.locator('table tbody tr')).toHaveCount(seed.outsideGbaLeaves.length);
    const first = page.locator(`tr[data-leaf="${seed.outsideGbaLeaves[0]}"]`);
    await see(first).toHaveClass(/flagged/);
    await see(first.locator('.badge.flag')).toContainText(['Onward recipient outside the GBA']);
    // 2025-03-11T09:15:00Z is 17:15 in Hong Kong (the browser itself runs on London time).
    await see(first).toContainText('17:15 HKT');
    expect(await unlabelledControls(page)).toEqual([]);

    for (const format of ['csv', 'ndjson']) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-export="${format}"]`).click()]);
      const content = fs
        .readFileSync(await download.path(), 'utf8')
        .trim()
        .split('\n');
      expect(content.length).toBe(seed.outsideGbaLeaves.length + (format === 'csv' ? 1 : 0));
    }
    await screenshot(page, 'transfers');
  });

  it('pages through the log with the cursor', async () => {
    await page.goto(`${baseUrl}/console#/transfers?limit=25`);
    await see(page.locator('table tbody tr')).toHaveCount(25);
    await page.getByRole('button', { name: 'Next page' }).click();
    await see(page.locator('table tbody tr')).toHaveCount(seed.transferCount - 25);
    await see(page.locator('caption')).toBeFocused();
    await page.getByRole('button', { name: 'Previous page' }).click();
    await see(page.locator('table tbody tr')).toHaveCount(25);
  });

  it('offers organisations by name in the organisation filter (GET /organisations?q=)', async () => {
    await page.goto(`${baseUrl}/console#/transfers`);
    // Type only once the page has drawn its records: a filter form drawn again after loading would drop the typing.
    await page.locator('table tbody tr').first().waitFor();
    await page.getByLabel('Organisation ID').pressSequentially('commercial');
    const options = page.locator('datalist#organisationId-options option');
    await see(options).toHaveCount(1);
    expect(await options.first().getAttribute('label')).toContain(seed.names.mainlandBank);
    expect(await options.first().getAttribute('value')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('groups anomalies by flag, month, contract and organisation, counted by the registry', async () => {
    const before = gd.requests.length;
    await page.getByRole('link', { name: 'Anomalies' }).click();
    const byFlag = page.locator('section[aria-labelledby="anomalies-by-flag"]');
    await see(byFlag.locator('tr[data-flag="ONWARD_RECIPIENT_OUTSIDE_GBA"] td').first()).toHaveText(String(seed.outsideGbaLeaves.length));
    await see(byFlag.locator('tr[data-flag="SENSITIVE_WITHOUT_SEPARATE_CONSENT"]')).toHaveCount(1);
    await see(page.locator(`section[aria-labelledby="anomalies-by-contract"] tr[data-contract-id="${seed.bankContractId}"]`)).toContainText(
      seed.names.mainlandBank,
    );
    const byOrganisation = page.locator('section[aria-labelledby="anomalies-by-organisation"]');
    await see(byOrganisation).toContainText([seed.names.mainlandBank, seed.names.mainlandHospital]);
    await see(byOrganisation.locator('tbody tr')).toHaveCount(4);
    // The paged list below the groups holds flagged records only, read with flagged=true: as many as the table has.
    const [{ count }] = await t.dataSource.query(`SELECT count(*)::int AS count FROM transfer_records WHERE flags <> '{}'`);
    const listed = page.locator('#anomalies-list table tbody tr');
    await see(listed).toHaveCount(Math.min(count, 50));
    await see(page.locator('#anomalies-list table tbody tr:not(.flagged)')).toHaveCount(0);
    if (count <= 50) for (const leaf of seed.outsideGbaLeaves) await see(page.locator(`#anomalies-list tr[data-leaf="${leaf}"]`)).toHaveCount(1);
    await see(page.locator('section[aria-labelledby="anomalies-by-month"] tbody tr').first()).toBeVisible();
    // The groups come from GET /transfers/figures?flagged=true; the only records read are one page of flagged ones.
    const reads = gd.requests.slice(before).filter((url) => /\/transfers(\/figures)?\?/.test(url));
    expect(reads.filter((url) => url.includes('/transfers/figures?') && url.includes('flagged=true'))).toHaveLength(1);
    const recordReads = reads.filter((url) => /\/transfers\?/.test(url));
    expect(recordReads).toHaveLength(1);
    expect(recordReads[0]).toContain('flagged=true');
    await screenshot(page, 'anomalies');
  });

  it('draws the rollout charts with Chart.js, each with its figures as a table', async () => {
    await page.getByRole('link', { name: 'Rollout' }).click();
    for (const chart of ['enrolment', 'filings', 'transfers']) {
      await see(page.locator(`[data-chart="${chart}"] canvas`)).toBeVisible();
    }
    expect(await page.evaluate('Object.keys(window.Chart.instances).length')).toBe(3);
    const transfersTable = page.locator('[data-chart="transfers"] table');
    // January to June 2025, one row a month.
    await see(transfersTable.locator('tbody tr')).toHaveCount(6);
    await see(page.locator('[data-chart="enrolment"] table')).toContainText('Banking');
    // The DPO accepted the health contract's first filing while seeding and Guangdong the bank's in this test:
    // both this month, one a side (the DPO's belongs to version 1, superseded by an amendment that needed re-filing).
    await see(page.locator('[data-chart="filings"] table tbody tr')).toHaveCount(1);
    // One column a side: Mainland, Hong Kong and Macao (none filed with the Macao bureau here).
    expect(await page.locator('[data-chart="filings"] table tbody td').allTextContents()).toEqual(['1', '1', '0']);
    await screenshot(page, 'rollout');
  });

  it('verifies the checkpoint and a chosen leaf in the browser, showing every step', async () => {
    const leaf = seed.outsideGbaLeaves[0];
    await page.goto(`${baseUrl}/console#/transfers?flag=ONWARD_RECIPIENT_OUTSIDE_GBA`);
    await page.getByRole('link', { name: `Verify leaf ${leaf}` }).click();
    await see(page.locator('#checkpoint-verdict')).toHaveAttribute('data-verdict', 'verified');
    await see(page.locator('#checkpoint-checks li[data-ok="true"]')).toHaveCount(6);
    await see(page.locator('#checkpoint-checks [data-check="check.signature"]')).toHaveAttribute('data-ok', 'true');
    await see(page.locator('#leaf-verdict')).toHaveAttribute('data-verdict', 'verified');
    await see(page.locator('#leaf-verdict')).toHaveAttribute('data-leaf', String(leaf));
    await see(page.locator('#leaf-checks [data-check="check.rootMatches"]')).toHaveAttribute('data-ok', 'true');
    const treeSize = Number((await page.locator('[data-field="tree-size"]').innerText()).replace(/\D/g, ''));
    expect(treeSize).toBe(seed.transferCount);
    const proof = await t.http.get(`/ledger/proofs/inclusion?leafIndex=${leaf}&treeSize=${treeSize}`).set(...bearer(seed.gdRegulator.token));
    await see(page.locator('table tbody tr')).toHaveCount(proof.body.hashes.length);
    await screenshot(page, 'ledger');

    // Pick another leaf with the form.
    await page.getByLabel('Leaf index').fill('0');
    await page.getByRole('button', { name: 'Verify leaf' }).click();
    await see(page.locator('#leaf-verdict')).toHaveAttribute('data-leaf', '0');
    await see(page.locator('#leaf-verdict')).toHaveAttribute('data-verdict', 'verified');
  });

  it('refuses a tampered proof and a tampered checkpoint', async () => {
    await page.route('**/ledger/proofs/inclusion?*', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      const first = Buffer.from(body.hashes[0], 'base64');
      first[0] ^= 0x01;
      body.hashes[0] = first.toString('base64');
      await route.fulfill({ response, json: body });
    });
    await page.getByLabel('Leaf index').fill(String(seed.outsideGbaLeaves[0]));
    await page.getByRole('button', { name: 'Verify leaf' }).click();
    await see(page.locator('#leaf-verdict')).toHaveAttribute('data-verdict', 'failed');
    await see(page.locator('#leaf-checks [data-check="check.rootMatches"]')).toHaveAttribute('data-ok', 'false');
    await page.unroute('**/ledger/proofs/inclusion?*');

    await page.route('**/ledger/checkpoint', async (route) => {
      const response = await route.fetch();
      const note = await response.text();
      // Claim a bigger tree: the signature no longer covers the text.
      const lines = note.split('\n');
      lines[1] = String(Number(lines[1]) + 1);
      await route.fulfill({ response, body: lines.join('\n') });
    });
    await page.getByRole('button', { name: 'Fetch and verify again' }).click();
    await see(page.locator('#checkpoint-verdict')).toHaveAttribute('data-verdict', 'failed');
    await see(page.locator('#checkpoint-checks [data-check="check.signature"]')).toHaveAttribute('data-ok', 'false');
    await page.unroute('**/ledger/checkpoint');
  });

  it('switches to Traditional Chinese and back', async () => {
    await page.goto(`${baseUrl}/console#/queue`);
    await page.locator('table.queue').waitFor();
    await page.getByRole('button', { name: 'Switch language to Traditional Chinese' }).click();
    await see(page.getByRole('heading', { level: 1 })).toHaveText('備案審核隊列');
    await see(page.locator('html')).toHaveAttribute('lang', 'zh-Hant-HK');
    await see(page.getByRole('navigation')).toContainText('日誌核實');
    await see(page.locator('main')).toContainText(['向廣東省互聯網信息辦公室提交的備案', '已逾期', '處理者', '2025年2月13日']);
    await see(page.locator('#language-switch')).toBeFocused();
    await screenshot(page, 'queue-zh-hant');
    await page.getByRole('link', { name: '傳輸日誌' }).click();
    await see(page.getByRole('heading', { level: 1 })).toHaveText('傳輸日誌');
    await page.getByRole('button', { name: '將語言切換為英文' }).click();
    await see(page.getByRole('heading', { level: 1 })).toHaveText('Transfer log');
  });

  it('switches to Simplified Chinese, remembers it across a reload, and translates codes and dates', async () => {
    const other = await openPage(browser, baseUrl);
    try {
      const p = other.page;
      await p.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await p.getByRole('button', { name: 'Switch language to Simplified Chinese' }).click();
      await see(p.getByRole('heading', { level: 1 })).toHaveText('登录');
      await p.reload();
      await see(p.getByRole('heading', { level: 1 })).toHaveText('登录');
      await see(p.locator('html')).toHaveAttribute('lang', 'zh-Hans-CN');
      await p.getByLabel('电子邮箱').fill(seed.gdRegulator.email);
      await p.getByLabel('密码').fill(TEST_USER_PASSWORD);
      await p.keyboard.press('Enter');
      await see(p.getByRole('heading', { level: 1 })).toHaveText('备案审核队列');
      await see(p.getByRole('navigation')).toContainText('传输日志');
      // The filing party code in Simplified, and a deadline written as a Guangdong reviewer writes dates.
      await see(p.locator('main')).toContainText(['已逾期', '处理者', '2025年2月13日']);
      expect(await p.locator('main').textContent()).not.toContain('處理者');
      await p.getByRole('button', { name: '将语言切换为英文' }).click();
      await see(p.getByRole('heading', { level: 1 })).toHaveText('Filings queue');
    } finally {
      await other.context.close();
    }
  });

  it('opens the contract page without an error for the PCPD and an administrator, each seeing only the materials it may read', async () => {
    const pcpd = await t.user('REGULATOR', { authority: 'HK_PCPD' });
    for (const [who, email, password] of [
      ['HK_PCPD', pcpd.email, TEST_USER_PASSWORD],
      ['SYSTEM_ADMIN', ADMIN_EMAIL, ADMIN_PASSWORD],
    ] as const) {
      const other = await openPage(browser, baseUrl);
      try {
        await other.page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
        await signIn(other.page, email, password);
        await other.page.goto(`${baseUrl}/console#/contracts/${seed.bankContractId}`);
        await see(other.page.locator('section[data-section="history"] tbody tr').first()).toBeVisible();
        await see(other.page.locator('main .notice.error, main .notice.warning')).toHaveCount(0);
        const materials = other.page.locator('section[data-section="materials"]');
        const uploads = other.page.locator('section[data-section="history"] tbody tr', { hasText: 'Document uploaded' });
        if (who === 'HK_PCPD') {
          // The PCPD audits the Hong Kong side: the Hong Kong recipient's three documents, in the list and in the history.
          await see(materials.locator('tbody tr')).toHaveCount(3);
          await see(materials.locator('[data-field="materials-side"]')).toContainText('Recipient');
          await see(uploads).toHaveCount(3);
        } else {
          await see(materials.locator('[data-field="materials-not-shown"]')).toBeVisible();
          await see(uploads).toHaveCount(0);
        }
        expect([who, other.consoleErrors.filter((e) => !/Failed to load resource/.test(e))]).toEqual([who, []]);
      } finally {
        await other.context.close();
      }
    }
  });

  it('keeps the session and the language across a reload, from the HttpOnly session cookie alone', async () => {
    const other = await openPage(browser, baseUrl);
    try {
      const p = other.page;
      await p.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await signIn(p, seed.gdRegulator.email);
      await p.getByRole('button', { name: 'Switch language to Traditional Chinese' }).click();
      await see(p.locator('html')).toHaveAttribute('lang', 'zh-Hant-HK');
      await p.reload();
      await see(p.locator('#session')).toContainText(seed.gdRegulator.email);
      await see(p.locator('html')).toHaveAttribute('lang', 'zh-Hant-HK');
      await see(p.getByRole('navigation')).toBeVisible();
      const stored = await p.evaluate<{ local: Record<string, string>; session: Record<string, string>; cookie: string }>(
        '({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie })',
      );
      expect(JSON.stringify(stored)).not.toMatch(/eyJ[\w-]+\./);
      expect(stored.cookie).toBe('');
      const cookies = await other.context.cookies();
      expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite, c.path])).toEqual([['registry_session', true, 'Strict', '/auth']]);
    } finally {
      await other.context.close();
    }
  });

  it("signs an organisation's user into the organisation's view, which offers none of the regulators' pages", async () => {
    const filer = await t.user('ORG_FILER', { organisationId: await createOrganisation(t, { jurisdiction: 'HONG_KONG' }) });
    const other = await openPage(browser, baseUrl);
    try {
      const p = other.page;
      await p.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      await p.getByLabel('Email').fill(filer.email);
      await p.getByLabel('Password').fill(TEST_USER_PASSWORD);
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { level: 1, name: 'Our contracts' }).waitFor();
      await see(p.locator('#brand-subtitle')).toHaveText('Organisation console');
      await see(p.locator('main')).toContainText('Your organisation has no contracts in the registry yet.');
      await see(p.getByRole('navigation').getByRole('link')).toHaveCount(2);
      await see(p.getByRole('navigation')).toContainText(['Our contracts', 'Our transfers']);
      await p.goto(`${baseUrl}/console#/ledger`);
      await p.getByRole('heading', { level: 1, name: 'Our contracts' }).waitFor();
      await p.reload();
      await p.getByRole('heading', { level: 1, name: 'Our contracts' }).waitFor();
    } finally {
      await other.context.close();
    }
  });

  it('signs out and forgets the session', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await see(page.getByRole('navigation')).toBeHidden();
    await page.goto(`${baseUrl}/console#/transfers`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
  });

  it("a Hong Kong regulator does not see Guangdong's queue", async () => {
    const hk = await openPage(browser, baseUrl, 768);
    try {
      await signIn(hk.page, seed.hkRegulator.email);
      await hk.page.locator('table.queue, .notice').first().waitFor();
      const rows = await queueRows(hk.page);
      expect(rows.length).toBeGreaterThan(0);
      // Only DPO filings: the bank's recipient filing and the reverse contract's processor filing (the health one was accepted).
      expect(rows.map((r) => `${r.contractId}:${r.party}`).sort()).toEqual(
        [`${seed.bankContractId}:recipient`, `${seed.healthContractId}:recipient`, `${seed.reverseContractId}:processor`].sort(),
      );
      await see(hk.page.locator('main p').first()).toContainText('Filings with Digital Policy Office');
      await hk.page.goto(`${baseUrl}/console#/contracts/${seed.bankContractId}`);
      await see(hk.page.locator('[data-filing="processor"]')).toContainText('Only Cyberspace Administration of Guangdong Province reviews this filing');
      await see(hk.page.locator('[data-filing="processor"] form')).toHaveCount(0);
      await see(hk.page.locator('[data-filing="recipient"]').getByRole('group', { name: 'Review this filing' })).toBeVisible();
      expect(foreignRequests(hk.requests, baseUrl)).toEqual([]);
      expect(hk.consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
    } finally {
      await hk.context.close();
    }
  });

  it("names the other side's parties from the contract view: no register lookup answers 404 on the queue, contract and anomalies pages", async () => {
    const hk = await openPage(browser, baseUrl, 1280);
    const registerLookups: Array<{ url: string; status: number }> = [];
    hk.page.on('response', (response) => {
      if (/\/organisations\/[^/?]+/.test(new URL(response.url()).pathname)) registerLookups.push({ url: response.url(), status: response.status() });
    });
    try {
      await signIn(hk.page, seed.hkRegulator.email);
      // The bank's recipient filing is the DPO's; its counterparty is the Shenzhen bank, which the DPO's regulator may not read in the register.
      const row = hk.page.locator(`table.queue tr[data-contract-id="${seed.bankContractId}"][data-party="recipient"]`);
      await see(row.locator('td').nth(2)).toHaveText(seed.names.mainlandBank);
      await see(row.locator('td').nth(3)).toHaveText('Banking');
      await row.locator('a').first().click();
      await see(hk.page.getByRole('heading', { level: 1 })).toContainText(seed.names.mainlandBank);
      await see(hk.page.getByRole('heading', { level: 1 })).toContainText(seed.names.hongKongBureau);
      await hk.page.getByRole('link', { name: 'Anomalies' }).click();
      await see(hk.page.locator(`section[aria-labelledby="anomalies-by-contract"] tr[data-contract-id="${seed.bankContractId}"]`)).toContainText(
        seed.names.mainlandBank,
      );
      await see(hk.page.locator('section[aria-labelledby="anomalies-by-organisation"]')).toContainText(seed.names.mainlandBank);
      expect(registerLookups.filter((r) => r.status === 404)).toEqual([]);
      expect(hk.requests.filter((url) => /\/organisations\/[0-9a-f-]{36}/.test(url))).toEqual([]);
    } finally {
      await hk.context.close();
    }
  });

  it('made no request to any origin but the registry, and logged no errors', () => {
    expect(gd.requests.length).toBeGreaterThan(20);
    expect(foreignRequests(gd.requests, baseUrl)).toEqual([]);
    // Chart.js came from the registry, not a CDN.
    expect(gd.requests).toContain(`${baseUrl}/console/vendor/chart.umd.js`);
    // The parties come from the contract view: the register is never asked for an organisation by id.
    expect(gd.requests.filter((url) => /\/organisations\/[0-9a-f-]{36}/.test(url))).toEqual([]);
    expect(gd.consoleErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });
});
