/*
 * How long the console's Rollout and Anomalies pages take to render in real Chromium with many transfer records in
 * the log: the console test's registry plus extra records logged through POST /transfers (1,000,000 with
 * RELIABILITY_FULL=1, 20,000 otherwise), 1 in 50 flagged. Measured and reported (test-artifacts/reliability/report.md
 * and the run's output), never asserted: the test asserts only that each page shows the figures the API serves.
 */
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { bearer, startTestApp, TEST_USER_PASSWORD, TestApp } from '../support/app';
import { fileContract, setupParties, uploadAll } from '../contracts/fixtures';
import { launchChromium, openPage } from '../console/browser';
import { seedConsole } from '../console/seed';
import { see } from '../console/see';
import { saveSection, sized } from './support';

const EXTRA = sized(20_000, 1_000_000);
const BATCH = 10_000;

jest.setTimeout(sized(300_000, 3_600_000));

/** A day in the GBA (UTC+8), `daysAgo` days before today, as YYYY-MM-DD. */
function gbaDate(daysAgo: number): string {
  return new Date(Date.now() + 8 * 3600_000 - daysAgo * 86_400_000).toISOString().slice(0, 10);
}

describe(`console pages with ${EXTRA.toLocaleString('en')} extra transfer records`, () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    t = await startTestApp({ DATABASE_POOL_SIZE: '10' });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('renders Rollout and Anomalies; the times go to the report', async () => {
    const seed = await seedConsole(t);
    // A contract in force for the last four days, its filings accepted (so no FILING_OVERDUE): clean records but 1 in 50.
    const p = await setupParties(t, 'BANKING');
    const effective = gbaDate(4);
    const contract = await fileContract(t, p, {
      effectiveDate: effective,
      annex: { retentionPeriod: { from: effective, to: '2031-12-31' } },
      pipia: { completedOn: gbaDate(10) },
    });
    await uploadAll(t, p.mainland, contract.id);
    await uploadAll(t, p.hongKong, contract.id);
    for (const [party, token, reviewer] of [
      ['processor', p.mainland, p.gdCac],
      ['recipient', p.hongKong, p.hkDpo],
    ] as const) {
      expect((await t.http.post(`/contracts/${contract.id}/filings/${party}/submit`).set(...bearer(token))).status).toBe(200);
      const review = await t.http
        .post(`/contracts/${contract.id}/filings/${party}/review`)
        .set(...bearer(reviewer))
        .send({ decision: 'ACCEPT' });
      expect(review.status).toBe(200);
    }

    const since = Date.parse(`${effective}T00:00:00+08:00`);
    const span = Date.now() - 60_000 - since;
    const loadStarted = Date.now();
    for (let from = 0; from < EXTRA; from += BATCH) {
      const records = Array.from({ length: Math.min(BATCH, EXTRA - from) }, (_, k) => {
        const i = from + k;
        const flagged = i % 50 === 0;
        return {
          contractId: contract.id,
          occurredAt: new Date(since + ((i * 7919) % span)).toISOString(),
          direction: 'MAINLAND_TO_HK',
          dataSubjectCount: 100 + (i % 900),
          recordCount: 400 + (i % 3600),
          personalInformationCategories: flagged ? ['BASIC_PROFILE', 'LOCATION'] : ['BASIC_PROFILE', 'IDENTITY'],
          sensitiveCategories: [],
          purposes: ['credit assessment'],
          transferMethod: 'encrypted API over dedicated line',
          separateConsentObtained: true,
          onwardRecipient: null,
          payloadDigest: createHash('sha256').update(`render ${i}`).digest('hex'),
          externalReference: `render-${i}`,
        };
      });
      const res = await t.http
        .post('/transfers')
        .set(...bearer(p.mainland))
        .set('Idempotency-Key', `render-${from}`)
        .send({ records });
      if (res.status !== 201) throw new Error(`POST /transfers: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    }
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    const [{ n }] = await t.dataSource.query('SELECT count(*)::int AS n FROM transfer_records');

    const tracked = await openPage(browser, baseUrl);
    const { page } = tracked;
    await page.locator('input[type="email"]').fill(seed.gdRegulator.email);
    await page.locator('input[type="password"]').fill(TEST_USER_PASSWORD);
    await page.keyboard.press('Enter');
    await see(page.getByRole('heading', { level: 1, name: 'Filings queue' })).toBeVisible();

    const figures = await t.http.get('/transfers/figures').set(...bearer(seed.gdRegulator.token));
    const banking = (figures.body.figures as Array<{ sector: string; transfers: number }>).filter((f) => f.sector === 'BANKING');
    const bankingTransfers = banking.reduce((sum, f) => sum + f.transfers, 0);
    expect(bankingTransfers).toBeGreaterThanOrEqual(EXTRA);

    const times: Record<string, number> = {};
    for (const round of [1, 2]) {
      await page.goto(`${baseUrl}/console#/queue`);
      await see(page.getByRole('heading', { level: 1, name: 'Filings queue' })).toBeVisible();
      let started = Date.now();
      await page.goto(`${baseUrl}/console#/rollout`);
      // Rendered: every card settled, the figures table drawn with the API's count for banking.
      await see(page.locator('[data-chart="transfer-figures"] tr[data-sector="BANKING"] td').first()).toHaveText(bankingTransfers.toLocaleString('en'));
      await see(page.locator('[data-chart="transfers"] canvas')).toBeVisible();
      await see(page.locator('main [role="status"]')).toHaveCount(0);
      times[`rolloutMs${round}`] = Date.now() - started;

      started = Date.now();
      await page.goto(`${baseUrl}/console#/anomalies`);
      await see(page.locator('section[aria-labelledby="anomalies-by-flag"] tr[data-flag="CATEGORY_NOT_IN_SCOPE"]')).toBeVisible();
      await see(page.locator('#anomalies-list table tbody tr').first()).toBeVisible();
      times[`anomaliesMs${round}`] = Date.now() - started;
    }
    await tracked.context.close();

    saveSection('console-render', {
      title: 'Console render times (measured, not asserted)',
      figures: {
        transferRecords: n,
        extraTransfers: EXTRA,
        loadSeconds: Math.round(loadSeconds),
        ...times,
        loadAverage: (await import('node:os'))
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' '),
      },
    });
  });
});
