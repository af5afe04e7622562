/*
 * The console's ledger page in a real browser against a registry cosigned by two witnesses
 * (docs/architecture.md#trust-model, part 5): it pins the keys it is first shown, verifies the log's
 * signature and each cosignature/v1 in the browser, proves consistency from the last checkpoint it
 * verified, raises a blocking alarm when a key changes or the log forks or shrinks, takes keys pasted
 * from an out-of-band source, and shows the registry's self-audit failures.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { checkpointBody, privateKeyFromSeed, signCheckpoint, verifierKey } from '../../src/ledger/domain/checkpoint';
import { cosign, cosignerVerifierKey } from '../../src/ledger/domain/cosignature';
import { RunningWitness, startWitness } from '../../src/witness/witness';
import { fileContract, Parties, setupParties } from '../contracts/fixtures';
import { startTestApp, TEST_USER_PASSWORD, TestApp } from '../support/app';
import { postTransfers, transferRecord } from '../transfers/support';
import { ARTIFACTS, foreignRequests, launchChromium, unlabelledControls } from './browser';
import { see } from './see';
import { witnessedLogEnv } from '../support/witnessed-log';

jest.setTimeout(180_000);

const ORIGIN = 'gba-registry.test/console-transfers';
const LOG_SEED = randomBytes(32);
const LOG_KEY = privateKeyFromSeed(LOG_SEED);
const LOG_VKEY = verifierKey(ORIGIN, LOG_KEY);
const WITNESS_NAMES = ['witness.gdcac.test/w1', 'witness.pcpd.test/w1'];
const WITNESS_SEEDS = WITNESS_NAMES.map(() => randomBytes(32));
const WITNESS_KEYS = WITNESS_SEEDS.map((seed) => privateKeyFromSeed(seed));
const STORAGE_PREFIX = 'gba-registry.ledger-trust.v1 ';

interface StoredTrust {
  logKey: string;
  witnesses: string[];
  quorum: number;
  source: string;
  last: { size: number; root: string; note: string; verifiedAt: string } | null;
}

const sizeOf = (note: string): number => Number(note.split('\n')[1]);

/** A checkpoint signed with the real log key and cosigned with the real witness keys: what a compromised operator could serve. */
function forgedCheckpoint(size: number, witnesses = WITNESS_KEYS.length): string {
  const checkpoint = { origin: ORIGIN, treeSize: size, rootHash: randomBytes(32) };
  const note = signCheckpoint(checkpoint, { name: ORIGIN, privateKey: LOG_KEY });
  const body = checkpointBody(checkpoint);
  const time = Math.floor(Date.now() / 1000);
  return (
    note +
    WITNESS_KEYS.slice(0, witnesses)
      .map((key, i) => cosign(body, WITNESS_NAMES[i], key, time))
      .join('')
  );
}

describe("the console's ledger page pins keys, checks cosignatures and consistency, and shows integrity failures", () => {
  let t: TestApp;
  let p: Parties;
  let contractId: string;
  let baseUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let regulator: { email: string };
  const dirs: string[] = [];
  const witnesses: RunningWitness[] = [];
  const requests: string[] = [];
  const pageErrors: string[] = [];
  let firstNote: string;

  async function waitForCosigned(size: number, timeoutMs = 15_000): Promise<string> {
    const started = Date.now();
    for (;;) {
      const res = await t.http.get('/ledger/checkpoint');
      if (res.status === 200 && sizeOf(res.text) >= size) return res.text;
      if (Date.now() - started > timeoutMs) throw new Error(`no cosigned checkpoint of size ${size}: ${res.status} ${res.text.slice(0, 200)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function logMore(n: number): Promise<string> {
    const before = sizeOf(await waitForCosigned(0));
    const res = await postTransfers(
      t,
      p.mainland,
      Array.from({ length: n }, () => transferRecord(contractId)),
    );
    expect(res.status).toBe(201);
    return waitForCosigned(before + n);
  }

  /**
   * A new visit: a fresh tab in the same browser profile, signed in with the keyboard. localStorage (the pinned keys and
   * the remembered checkpoint) is kept; the session cookie is cleared, as after a sign-out, or the console would restore
   * the earlier session without showing the sign-in form.
   */
  async function visit(hash = '#/ledger'): Promise<Page> {
    if (page) await page.close();
    await context.clearCookies();
    page = await context.newPage();
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await page.goto(`${baseUrl}/console`);
    await page.getByLabel('Email').fill(regulator.email);
    await page.getByLabel('Password').fill(TEST_USER_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Filings queue' }).waitFor();
    await page.goto(`${baseUrl}/console${hash}`);
    await page.locator('#checkpoint-verdict').waitFor();
    return page;
  }

  const stored = async (): Promise<StoredTrust> =>
    JSON.parse((await page.evaluate(`localStorage.getItem(${JSON.stringify(`${STORAGE_PREFIX}${new URL(baseUrl).origin}`)})`)) ?? 'null');
  const verdict = () => page.locator('#checkpoint-verdict');
  const check = (id: string) => page.locator(`#trust-checks [data-check="${id}"]`);

  beforeAll(async () => {
    for (const [i, name] of WITNESS_NAMES.entries()) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-console-witness-'));
      dirs.push(dir);
      witnesses.push(await startWitness({ name, dataDir: dir, seed: WITNESS_SEEDS[i], logs: [LOG_VKEY], port: 0 }));
    }
    t = await startTestApp(witnessedLogEnv(ORIGIN, LOG_SEED, witnesses));
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    p = await setupParties(t);
    contractId = (await fileContract(t, p)).id;
    regulator = await t.user('REGULATOR', { authority: 'GD_CAC' });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    for (const w of witnesses) await w.close();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("publishes the witnesses' keys and the quorum beside the log key, for verifiers that pin on first use", async () => {
    const key = await t.http.get('/ledger/public-key');
    expect(key.status).toBe(200);
    expect(key.body).toMatchObject({ verifierKey: LOG_VKEY, witnesses: witnesses.map((w) => w.verifierKey), witnessQuorum: 2 });
  });

  it('on the first visit pins the keys it is shown and verifies the signature and both cosignatures in the browser', async () => {
    firstNote = await logMore(3);
    await visit();
    await see(verdict()).toHaveAttribute('data-verdict', 'verified');
    await see(check('trust.keys')).toHaveAttribute('data-state', 'info');
    await see(check('trust.keys')).toContainText('First visit');
    await see(check('trust.logSignature')).toHaveAttribute('data-state', 'ok');
    await see(check('trust.cosignatures')).toContainText('2 of 2');
    await see(check('trust.cosignatures')).toHaveAttribute('data-state', 'ok');
    await see(check('trust.consistency')).toHaveAttribute('data-state', 'info');
    for (const name of WITNESS_NAMES) await see(page.locator(`tr[data-witness="${name}"]`)).toHaveAttribute('data-ok', 'true');
    await see(check('trust.inclusion')).toHaveAttribute('data-state', 'ok');
    await see(check('trust.inclusion')).toContainText(`#${sizeOf(firstNote) - 1}`);
    await see(page.locator('#trust-not-checked')).toContainText('npm run verify -- --full');
    expect(await unlabelledControls(page)).toEqual([]);
    await see(page.locator('#pin-source')).toHaveAttribute('data-source', 'first-use');

    const trust = await stored();
    expect(trust).toMatchObject({ logKey: LOG_VKEY, witnesses: witnesses.map((w) => w.verifierKey), quorum: 2, source: 'first-use' });
    expect(trust.last?.size).toBe(sizeOf(firstNote));
    expect(trust.last?.note).toBe(firstNote);
    // Only keys and a public checkpoint are stored: never the bearer token.
    expect(JSON.stringify(trust)).not.toMatch(/eyJ/);
  });

  it('on a later visit proves, in the browser, that the log grew from the checkpoint it remembered', async () => {
    const first = (await stored()).last!.size;
    const note = await logMore(4);
    await visit();
    await see(verdict()).toHaveAttribute('data-verdict', 'verified');
    await see(check('trust.keys')).toHaveAttribute('data-state', 'ok');
    await see(check('trust.consistency')).toHaveAttribute('data-state', 'ok');
    await see(check('trust.consistency')).toContainText(`grew to ${sizeOf(note)}`);
    expect(requests).toContain(`${baseUrl}/ledger/proofs/consistency?first=${first}&second=${sizeOf(note)}`);
    // The first record added since the remembered checkpoint is among the sampled inclusion proofs.
    await see(check('trust.inclusion')).toContainText(`#${first}`);
    expect(requests).toContain(`${baseUrl}/ledger/proofs/inclusion?leafIndex=${first}&treeSize=${sizeOf(note)}`);
    expect((await stored()).last?.size).toBe(sizeOf(note));
    await see(page.locator('[data-field="remembered"]')).toContainText(`${sizeOf(note)} records`);
    // docs/console-ledger.png is this screenshot, refreshed on purpose with UPDATE_DOCS_SCREENSHOTS=1.
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'ledger-witnessed-1280.png'), fullPage: true });
    if (process.env.UPDATE_DOCS_SCREENSHOTS === '1') {
      await page.screenshot({ path: path.join(__dirname, '..', '..', 'docs', 'console-ledger.png'), fullPage: true });
    }
  });

  it('raises a blocking alarm and does not call the log verified when the log key or a witness key changes', async () => {
    const before = await stored();
    const stranger = privateKeyFromSeed(randomBytes(32));
    const servedKeys = async (override: (body: Record<string, unknown>) => void) => {
      await page.route('**/ledger/public-key', async (route) => {
        const response = await route.fetch();
        const body = await response.json();
        override(body);
        await route.fulfill({ response, json: body });
      });
      await page.getByRole('button', { name: 'Fetch and verify again' }).click();
      await see(page.locator('#key-alarm')).toBeVisible();
      await see(verdict()).toHaveAttribute('data-verdict', 'failed');
      await page.unroute('**/ledger/public-key');
    };

    await servedKeys((body) => (body.verifierKey = verifierKey(ORIGIN, stranger)));
    await see(page.locator('#key-alarm [data-change="log"]')).toContainText(`The log key of ${ORIGIN} has changed`);
    await see(page.locator('#key-alarm')).toHaveAttribute('role', 'alert');

    await servedKeys((body) => ((body.witnesses as string[])[1] = cosignerVerifierKey(WITNESS_NAMES[1], stranger)));
    await see(page.locator('#key-alarm [data-change="witness-changed"]')).toHaveAttribute('data-name', WITNESS_NAMES[1]);

    // A checkpoint signed by another key, with that key published beside it: the pinned key still decides.
    await page.route('**/ledger/public-key', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...(await response.json()), verifierKey: verifierKey(ORIGIN, stranger) } });
    });
    await page.route('**/ledger/checkpoint', (route) =>
      route.fulfill({
        contentType: 'text/plain',
        body: signCheckpoint({ origin: ORIGIN, treeSize: 99, rootHash: randomBytes(32) }, { name: ORIGIN, privateKey: stranger }),
      }),
    );
    await page.getByRole('button', { name: 'Fetch and verify again' }).click();
    await see(page.locator('#key-alarm [data-change="log"]')).toBeVisible();
    await see(check('trust.logSignature')).toHaveAttribute('data-state', 'fail');
    await see(verdict()).toHaveAttribute('data-verdict', 'failed');
    await page.unroute('**/ledger/public-key');
    await page.unroute('**/ledger/checkpoint');

    // The pins and the remembered checkpoint did not move.
    expect(await stored()).toEqual(before);
    await page.getByRole('button', { name: 'Fetch and verify again' }).click();
    await see(verdict()).toHaveAttribute('data-verdict', 'verified');
    await see(page.locator('#key-alarm')).toHaveCount(0);
  });

  it('does not call the log verified when a cosignature is missing or forged', async () => {
    const current = await waitForCosigned(0);
    const lines = current.split('\n');
    const pcpdLine = lines.findIndex((line) => line.startsWith(`\u2014 ${WITNESS_NAMES[1]} `));
    expect(pcpdLine).toBeGreaterThan(0);

    const serve = async (note: string) => {
      await page.route('**/ledger/checkpoint', (route) => route.fulfill({ contentType: 'text/plain', body: note }));
      await page.getByRole('button', { name: 'Fetch and verify again' }).click();
      await see(verdict()).toHaveAttribute('data-verdict', 'failed');
      await page.unroute('**/ledger/checkpoint');
    };
    await serve(lines.filter((_, i) => i !== pcpdLine).join('\n'));
    await see(check('trust.cosignatures')).toContainText('1 of 2');
    await see(page.locator(`tr[data-witness="${WITNESS_NAMES[1]}"]`)).toContainText('no cosignature by this key');

    // Flip one bit of the PCPD witness's Ed25519 signature.
    const [, name, blob] = /^\u2014 (\S+) (\S+)$/.exec(lines[pcpdLine])!;
    const bytes = Buffer.from(blob, 'base64');
    bytes[bytes.length - 1] ^= 0x01;
    await serve(lines.map((line, i) => (i === pcpdLine ? `\u2014 ${name} ${bytes.toString('base64')}` : line)).join('\n'));
    await see(page.locator(`tr[data-witness="${WITNESS_NAMES[1]}"]`)).toHaveAttribute('data-ok', 'false');
    await see(page.locator(`tr[data-witness="${WITNESS_NAMES[1]}"]`)).toContainText('signature does not verify');
    await see(page.locator(`tr[data-witness="${WITNESS_NAMES[0]}"]`)).toHaveAttribute('data-ok', 'true');
  });

  it('fails loudly on a tampered consistency proof, a log that shrank, a fork even when signed and cosigned, and a record that is not in the tree', async () => {
    const remembered = (await stored()).last!;
    const note = await logMore(5);
    const alarm = page.locator('#consistency-alarm');

    await page.route('**/ledger/proofs/consistency?*', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      const hash = Buffer.from(body.hashes[0], 'base64');
      hash[0] ^= 0x01;
      body.hashes[0] = hash.toString('base64');
      await route.fulfill({ response, json: body });
    });
    await page.getByRole('button', { name: 'Fetch and verify again' }).click();
    await see(alarm).toBeVisible();
    await see(check('trust.consistency')).toHaveAttribute('data-state', 'fail');
    await see(verdict()).toHaveAttribute('data-verdict', 'failed');
    await page.unroute('**/ledger/proofs/consistency?*');
    expect((await stored()).last).toEqual(remembered);

    // A checkpoint older than the one remembered (a rolled-back log), genuinely signed and cosigned.
    await page.route('**/ledger/checkpoint', (route) => route.fulfill({ contentType: 'text/plain', body: firstNote }));
    await page.getByRole('button', { name: 'Fetch and verify again' }).click();
    await see(alarm).toContainText(`the log shrank from ${remembered.size} to ${sizeOf(firstNote)} records`);
    await see(check('trust.cosignatures')).toHaveAttribute('data-state', 'ok');
    await page.unroute('**/ledger/checkpoint');

    // Another root at the remembered size, and a bigger tree that does not extend it: signed with the log key and
    // cosigned with the witnesses' keys (a compromised operator), caught by the browser's own consistency check.
    for (const [size, text] of [
      [remembered.size, `another root hash for the same ${remembered.size} records`],
      [sizeOf(note), 'the proof does not lead to'],
    ] as const) {
      await page.route('**/ledger/checkpoint', (route) => route.fulfill({ contentType: 'text/plain', body: forgedCheckpoint(size) }));
      await page.getByRole('button', { name: 'Fetch and verify again' }).click();
      await see(check('trust.logSignature')).toHaveAttribute('data-state', 'ok');
      await see(check('trust.cosignatures')).toHaveAttribute('data-state', 'ok');
      await see(alarm).toContainText(text);
      await see(verdict()).toHaveAttribute('data-verdict', 'failed');
      await page.unroute('**/ledger/checkpoint');
    }
    expect((await stored()).last).toEqual(remembered);

    // Records served with other bytes than the tree holds: the sampled inclusion proofs do not lead to the root.
    await page.route('**/ledger/entries?*', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      for (const entry of body.entries) entry.leaf = Buffer.from(Buffer.from(entry.leaf, 'base64').toString('utf8').replace('480', '481')).toString('base64');
      await route.fulfill({ response, json: body });
    });
    await page.getByRole('button', { name: 'Fetch and verify again' }).click();
    await see(check('trust.inclusion')).toHaveAttribute('data-state', 'fail');
    await see(verdict()).toHaveAttribute('data-verdict', 'failed');
    await page.unroute('**/ledger/entries?*');
    expect((await stored()).last).toEqual(remembered);

    await page.getByRole('button', { name: 'Fetch and verify again' }).click();
    await see(verdict()).toHaveAttribute('data-verdict', 'verified');
    await see(alarm).toHaveCount(0);
    expect((await stored()).last?.size).toBe(sizeOf(note));
  });

  it('takes keys pasted from an out-of-band source: refuses a malformed one by field and rule, then verifies with them alone', async () => {
    const form = page.locator('#paste-keys');
    const [, name, id, material] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(LOG_VKEY)!;
    const wrongId = `${name}+${id === '00000000' ? '00000001' : '00000000'}+${material}`;
    await form.getByLabel('Log verifier key').fill(wrongId);
    await form.getByLabel('Witness verifier keys').fill(witnesses.map((w) => w.verifierKey).join('\n'));
    await form.getByLabel('Cosignatures required').fill('3');
    await form.getByRole('button', { name: 'Replace the pinned keys' }).click();
    await see(form.locator('[data-field="logKey"]')).toHaveAttribute('data-rule', 'keyId');
    await see(form.locator('[data-field="quorum"]')).toHaveAttribute('data-rule', 'range');
    expect((await stored()).source).toBe('first-use');

    // A log key that is not the registry's: the page verifies with the pasted key, not the one the server shows.
    const stranger = verifierKey(ORIGIN, privateKeyFromSeed(randomBytes(32)));
    await form.getByLabel('Log verifier key').fill(stranger);
    await form.getByLabel('Cosignatures required').fill('');
    await form.getByRole('button', { name: 'Replace the pinned keys' }).click();
    await see(page.locator('#pin-source')).toHaveAttribute('data-source', 'out-of-band');
    await see(page.locator('#key-alarm [data-change="log"]')).toBeVisible();
    await see(page.locator('#checkpoint-checks [data-check="check.signatureLine"]')).toHaveAttribute('data-ok', 'false');
    await see(verdict()).toHaveAttribute('data-verdict', 'failed');

    // The keys the operator and the witnesses gave out of band.
    await page.locator('#paste-keys').getByLabel('Log verifier key').fill(LOG_VKEY);
    await page
      .locator('#paste-keys')
      .getByLabel('Witness verifier keys')
      .fill(witnesses.map((w) => w.verifierKey).join('\n'));
    await page.locator('#paste-keys').getByRole('button', { name: 'Replace the pinned keys' }).click();
    await see(verdict()).toHaveAttribute('data-verdict', 'verified');
    await see(check('trust.keys')).toContainText('pasted from an out-of-band source');
    expect(await stored()).toMatchObject({ logKey: LOG_VKEY, witnesses: witnesses.map((w) => w.verifierKey), quorum: 2, source: 'out-of-band' });
  });

  it('shows what the self-audit found, where and since when, in English and Traditional Chinese', async () => {
    await see(page.locator('#integrity-state')).toHaveAttribute('data-ok', 'true');
    const superuser = new Client({ connectionString: t.databaseUrl });
    await superuser.connect();
    try {
      await superuser.query(`INSERT INTO ledger_integrity_failures (kind, level, idx, detail, detected_at) VALUES ('node-hash', 4, 0, $1, $2)`, [
        'stored node level 4 index 0 is not the hash of its children',
        '2026-11-30T01:02:00Z',
      ]);
    } finally {
      await superuser.end();
    }
    await page.getByRole('button', { name: 'Fetch and verify again' }).click();
    const alarm = page.locator('#integrity-alarm');
    await see(alarm).toBeVisible();
    await see(alarm).toContainText('Checkpoint signing has stopped since 30/11/2026, 09:02 HKT');
    const row = alarm.locator('tr[data-kind="node-hash"]');
    await see(row).toContainText(['A stored tree node does not match the nodes below it', 'tree level 4, node 0', 'not the hash of its children']);
    await see(page.locator('#integrity-state')).toHaveAttribute('data-ok', 'false');

    await page.getByRole('button', { name: 'Switch language to Traditional Chinese' }).click();
    await see(page.getByRole('heading', { level: 1 })).toHaveText('日誌核實');
    await see(page.locator('#integrity-alarm')).toContainText(['登記冊的自我審核發現日誌受損', '樹的第 4 層第 0 個節點']);
    await see(page.locator('#trust-checks')).toContainText('聯署');
    expect(await page.locator('main').innerText()).not.toMatch(/分類帳|葉/);
    await page.getByRole('button', { name: '將語言切換為英文' }).click();
  });

  it('made no request to any origin but the registry, and raised no script error', () => {
    expect(foreignRequests(requests, baseUrl)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
