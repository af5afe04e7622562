/*
 * The organisation's view of the console in real Chromium, in English, 繁體中文 and 简体中文: a Hong Kong clinic
 * group's filer sees its contracts with the counterparty's name and each filing's status and deadline, uploads its
 * filing materials and submits its filing, checks an amendment's re-filing verdict before filing it
 * (POST /contracts/:id/amendments/preview), and reads its transfers with their flags (GET /transfers?flagged=true).
 * Neither view offers the other's pages. Screenshots at 1280 and 768 px (org-contracts-en-1280.png, …) are committed
 * under docs/screenshots/ with UPDATE_DOCS_SCREENSHOTS=1.
 */
import type { Browser, Page } from 'playwright-core';
import { bearer, startTestApp, TestApp } from '../support/app';
import { foreignRequests, launchChromium, unlabelledControls } from './browser';
import { clinicsTerms, ConsoleSeed } from './seed';
import { see } from './see';
import { listenAndSeed, screenshots as docsScreenshots, scriptErrors, signedInPage } from './pages';

jest.setTimeout(300_000);

/** What each language shows for the strings this test reads (src/console/public/i18n-*.js). */
const LANGUAGES = [
  {
    code: 'en',
    file: 'en',
    contracts: 'Our contracts',
    transfers: 'Our transfers',
    notSubmitted: 'Not submitted',
    submitted: 'Submitted',
    submittedTo: 'Filing submitted to Digital Policy Office.',
    noRefile: 'No re-filing required: version 2 would be recorded',
    refile: 'Re-filing required (R12): version 2 would need new filings by both parties.',
    newFiling: 'Processor: a new filing with Digital Policy Office, due',
    noConsent: 'Sensitive information without separate consent',
    queue: 'Filings queue',
  },
  {
    code: 'zh-Hant',
    file: 'zh-hant',
    contracts: '本機構的合同',
    transfers: '本機構的傳輸',
    notSubmitted: '未提交',
    submitted: '已提交',
    submittedTo: '已向數字政策辦公室提交備案。',
    noRefile: '無須重新備案（R12）：第 2 版將予記錄',
    refile: '須重新備案（R12）：第 2 版須由雙方重新備案。',
    newFiling: '處理者：須向數字政策辦公室重新備案，限期為',
    noConsent: '敏感個人信息未取得單獨同意',
    queue: '備案審核隊列',
  },
  {
    code: 'zh-Hans',
    file: 'zh-hans',
    contracts: '本机构的合同',
    transfers: '本机构的传输',
    notSubmitted: '未提交',
    submitted: '已提交',
    submittedTo: '已向数字政策办公室提交备案。',
    noRefile: '无需重新备案（R12）：第 2 版将予记录',
    refile: '需要重新备案（R12）：第 2 版须由双方重新备案。',
    newFiling: '处理者：须向数字政策办公室重新备案，期限为',
    noConsent: '敏感个人信息未取得单独同意',
    queue: '备案审核队列',
  },
] as const;

/** Full-page screenshots at each width; nothing is cut off sideways (a wide table scrolls inside its own container). */
/** Each width's fit is asserted with the page's name and width, so a failure says which screenshot was cut off. */
const screenshots = (page: Page, name: string) => docsScreenshots(page, name, (width, fits) => expect([name, width, fits]).toEqual([name, width, true]));

const PDF = (label: string) => ({ name: `${label.toLowerCase()}.pdf`, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.7\n% ${label}\n%%EOF\n`) });

describe("the organisation's console in English, 繁體中文 and 简体中文", () => {
  let t: TestApp;
  let seed: ConsoleSeed;
  let baseUrl: string;
  let browser: Browser;
  /** One contract per language, filed by the clinic group (Hong Kong processor) with the hospital: nothing submitted yet. */
  const contracts: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    ({ baseUrl, seed } = await listenAndSeed(t));
    for (const language of LANGUAGES) {
      const body = clinicsTerms();
      const res = await t.http
        .post('/contracts')
        .set(...bearer(seed.filers.hongKongClinics.token))
        .send({ processorId: seed.organisations.hongKongClinics, recipientId: seed.organisations.mainlandHospital, ...body });
      expect(res.status).toBe(201);
      contracts[language.code] = res.body.id;
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const signedIn = (language: string, email: string, heading: string) => signedInPage(browser, baseUrl, language, email, heading);

  const contractView = async (id: string) => (await t.http.get(`/contracts/${id}`).set(...bearer(seed.filers.hongKongClinics.token))).body;

  for (const language of LANGUAGES) {
    it(`${language.code}: the contracts, uploading and submitting a filing, an amendment's verdict before it is filed, the flagged transfers`, async () => {
      const id = contracts[language.code];
      const tracked = await signedIn(language.code, seed.filers.hongKongClinics.email, language.contracts);
      const { page } = tracked;
      try {
        // Only the organisation's pages are offered.
        const links = await page.locator('#nav a').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
        expect(links).toEqual(['#/org/contracts', '#/org/transfers']);

        // The contract list: the counterparty by name, our filing's status and deadline in our own calendar.
        const row = page.locator(`table.org-contracts tr[data-contract-id="${id}"]`);
        await see(row.locator('[data-field="counterparty"]')).toHaveText(seed.names.mainlandHospital);
        await see(row.locator('[data-field="our-status"]')).toContainText(language.notSubmitted);
        await see(page.locator('table.org-contracts tbody tr')).toHaveCount(2 + LANGUAGES.length);
        await screenshots(page, `org-contracts-${language.file}`);

        // The contract: upload the three required materials, then submit; the status changes on the page.
        await row.getByRole('link').click();
        const ours = page.locator('[data-filing="processor"][data-ours="true"]');
        await see(ours.locator('[data-field="status"]')).toContainText(language.notSubmitted);
        expect(await page.locator('[data-filing="recipient"] form').count()).toBe(0);
        for (const kind of ['LEGAL_REPRESENTATIVE_ID', 'LETTER_OF_UNDERTAKING', 'SIGNED_CONTRACT']) {
          await ours.locator('select[name="kind"]').selectOption(kind);
          await ours.locator('input[type="file"]').setInputFiles(PDF(kind));
          await ours.locator('form[data-form="upload"] button[type="submit"]').click();
          await see(page.locator(`[data-filing="processor"] li[data-kind="${kind}"]`)).toHaveAttribute('data-uploaded', 'true');
        }
        await see(page.locator('section[data-section="materials"] tbody tr')).toHaveCount(3);
        await page.locator('[data-action="submit-filing"]').click();
        await see(page.locator('[data-field="flash"]')).toHaveText(language.submittedTo);
        await see(page.locator('[data-filing="processor"] [data-field="status"]')).toContainText(language.submitted);
        expect((await contractView(id)).filings.find((f: { party: string }) => f.party === 'processor').status).toBe('SUBMITTED');

        // The amendment: a later expiry is recorded without re-filing; a new purpose needs re-filing (R12). Nothing is filed.
        const form = page.locator('form[data-form="amend"]');
        await form.locator('input[name="expiryDate"]').fill('2029-06-30');
        await form.locator('[data-action="preview-amendment"]').click();
        await see(form.locator('[data-verdict="no-refile"]')).toContainText(language.noRefile);
        await form.locator('textarea[name="purposes"]').fill('continuity of care\nclinical research');
        await see(form.locator('[data-verdict="stale"]')).toBeVisible();
        await form.locator('[data-action="preview-amendment"]').click();
        const verdict = form.locator('[data-verdict="refile"]');
        await see(verdict).toContainText([language.refile, language.newFiling]);
        await see(verdict.locator('[data-field="planned-filings"] li')).toHaveCount(2);
        expect((await contractView(id)).version).toBe(1);
        expect(await unlabelledControls(page)).toEqual([]);
        await screenshots(page, `org-contract-${language.file}`);
        if (language.code === 'en') {
          await form.locator('[data-action="file-amendment"]').click();
          await see(page.locator('[data-field="flash"]')).toHaveText('Version 2 filed; both parties must file again.');
          expect((await contractView(id)).version).toBe(2);
        }

        // The transfers, flagged ones only: every row flagged, the flags in the language, asked of the API as flagged=true.
        await page.goto(`${baseUrl}/console#/org/transfers?flagged=true`);
        await see(page.getByRole('heading', { level: 1 })).toHaveText(language.transfers);
        await see(page.locator('table.org-transfers tbody tr').first()).toBeVisible();
        await see(page.locator('table.org-transfers tbody tr:not(.flagged)')).toHaveCount(0);
        await see(page.locator('table.org-transfers')).toContainText([language.noConsent, seed.names.mainlandHospital]);
        const lists = tracked.requests.filter((url) => new URL(url).pathname === '/transfers');
        expect(lists.length).toBeGreaterThan(0);
        for (const url of lists) expect(new URL(url).searchParams.get('flagged')).toBe('true');
        await screenshots(page, `org-transfers-${language.file}`);

        // A regulator's page is not the organisation's: the organisation's first page instead.
        await page.goto(`${baseUrl}/console#/queue`);
        await see(page.getByRole('heading', { level: 1 })).toHaveText(language.contracts);
        expect(foreignRequests(tracked.requests, baseUrl)).toEqual([]);
        expect(scriptErrors(tracked)).toEqual([]);
      } finally {
        await tracked.context.close();
      }
    });
  }

  it("a regulator is not offered the organisation's pages", async () => {
    const tracked = await signedIn('en', seed.gdRegulator.email, 'Filings queue');
    const { page } = tracked;
    try {
      const links = await page.locator('#nav a').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
      expect(links.some((href) => href?.startsWith('#/org'))).toBe(false);
      await page.goto(`${baseUrl}/console#/org/contracts/${contracts.en}`);
      await see(page.getByRole('heading', { level: 1 })).toHaveText('Filings queue');
      await page.goto(`${baseUrl}/console#/org/transfers`);
      await see(page.getByRole('heading', { level: 1 })).toHaveText('Filings queue');
    } finally {
      await tracked.context.close();
    }
  });
});
