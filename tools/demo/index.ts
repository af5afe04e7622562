// npm run demo: populates a running registry with a realistic GBA world, through the public
// HTTP API only, and writes DATA_DIR/demo.env for the README examples.
//
//   REGISTRY_URL        http://127.0.0.1:3000
//   ADMIN_EMAIL         admin@registry.example      a SYSTEM_ADMIN (the bootstrap administrator)
//   ADMIN_PASSWORD      its password; default: DATA_DIR/initial-admin-password, trimmed
//   DATA_DIR            ./.data                     where demo.env is written
//   DEMO_ORGANISATIONS  100                         at least 10
//   DEMO_TRANSFERS      30000
//
// Rerunnable: organisations are found by identifier, users by e-mail (409 on creation),
// enrolments by organisation, contracts by their parties and dates, documents by kind, and each
// contract's transfers by the count already logged (batches of a fixed size, each one
// transaction with its own Idempotency-Key). Passwords and dates come back from demo.env.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Api, ApiError, eachLimit, Sessions } from './client';
import { demoPassword, EnvEntry, newDemoSecret, readEnvFile, renderEnvFile, writeEnvFile } from './env-file';
import {
  ContractPlan,
  DemoWorld,
  FIRST_PHASE_SECTORS,
  FilingTarget,
  FilingTargets,
  gbaToday,
  IsoDate,
  MIN_ORGANISATIONS,
  OrganisationPlan,
  Party,
  planWorld,
  REGIME,
  transferRecords,
  transferWindow,
} from './world';

// ---------------------------------------------------------------------------------------------
// The registry's views, as far as the demo reads them

interface OrganisationView {
  id: string;
  identifier: string;
  jurisdiction: 'MAINLAND' | 'HONG_KONG';
  verificationStatus: 'UNVERIFIED' | 'VERIFIED';
}
interface FilingView {
  version: number;
  party: Party;
  authority: 'GD_CAC' | 'HK_DPO';
  status: FilingTarget;
  deadline: IsoDate;
  reviewedAt: string | null;
}
interface ContractView {
  id: string;
  processorId: string;
  recipientId: string;
  effectiveDate: IsoDate;
  status: string;
  terminatedOn: IsoDate | null;
}
interface VersionView {
  version: number;
  filings: FilingView[];
}
interface EnrolmentView {
  id: string;
  organisationId: string;
  status: 'INTERESTED' | 'ENROLLED' | 'ACTIVE' | 'DECLINED' | 'WITHDRAWN';
  createdAt: string;
}
interface DocumentView {
  kind: string;
  party: Party;
  version: number;
}
interface ServiceAccountView {
  id: string;
  clientId: string;
  name: string | null;
  disabledAt: string | null;
}
interface TransferSummary {
  transfers: number;
  flaggedTransfers: number;
}

// ---------------------------------------------------------------------------------------------
// Settings

class UsageError extends Error {}

interface Settings {
  url: string;
  adminEmail: string;
  adminPassword: string;
  dataDir: string;
  organisations: number;
  transfers: number;
}

function wholeNumber(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value.replace(/[_,]/g, '')) || Number(value.replace(/[_,]/g, '')) < min) {
    throw new UsageError(`${name} must be a whole number of at least ${min}, got "${value}"`);
  }
  return Number(value.replace(/[_,]/g, ''));
}

function readSettings(env: NodeJS.ProcessEnv): Settings {
  const dataDir = resolve(env.DATA_DIR || './.data');
  let adminPassword = env.ADMIN_PASSWORD;
  if (!adminPassword) {
    const file = join(dataDir, 'initial-admin-password');
    if (!existsSync(file)) {
      throw new UsageError(`ADMIN_PASSWORD is not set and ${file} does not exist (a first \`npm start\` writes it): set ADMIN_PASSWORD`);
    }
    adminPassword = readFileSync(file, 'utf8').trim();
  }
  return {
    url: (env.REGISTRY_URL || 'http://127.0.0.1:3000').replace(/\/+$/, ''),
    adminEmail: env.ADMIN_EMAIL || 'admin@registry.example',
    adminPassword,
    dataDir,
    organisations: wholeNumber('DEMO_ORGANISATIONS', env.DEMO_ORGANISATIONS, 100, MIN_ORGANISATIONS),
    transfers: wholeNumber('DEMO_TRANSFERS', env.DEMO_TRANSFERS, 30_000, 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Bookkeeping

class Tally {
  readonly rows = new Map<string, { created: number; found: number }>();
  private row(kind: string) {
    let r = this.rows.get(kind);
    if (!r) this.rows.set(kind, (r = { created: 0, found: 0 }));
    return r;
  }
  created(kind: string, n = 1): void {
    this.row(kind).created += n;
  }
  found(kind: string, n = 1): void {
    this.row(kind).found += n;
  }
  describe(kind: string): string {
    const r = this.row(kind);
    return `${fmt(r.created)} created, ${fmt(r.found)} found`;
  }
}

const fmt = (n: number): string => n.toLocaleString('en-GB');
const log = (line: string): void => void process.stdout.write(`${line}\n`);

async function phase(name: string, fn: () => Promise<string>): Promise<void> {
  const started = Date.now();
  const detail = await fn();
  log(`${name.padEnd(15)}${detail} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

const BATCH = 500;
const PDF = (label: string): Blob => new Blob([`%PDF-1.7\n% ${label}\n%%EOF\n`], { type: 'application/pdf' });
const REQUIRED_KINDS = ['LEGAL_REPRESENTATIVE_ID', 'LETTER_OF_UNDERTAKING', 'SIGNED_CONTRACT'];
const SERVICE_ACCOUNT_NAME = 'transfer-logger';
const RETURN_REASON = 'The letter of undertaking is unsigned; please upload a signed copy.';

class Demo {
  readonly api: Api;
  readonly sessions: Sessions;
  readonly tally = new Tally();
  readonly world: DemoWorld;
  readonly secret: string;
  readonly previous: Map<string, string> | null;
  readonly envPath: string;
  adminToken = '';
  readonly organisationIds: string[] = [];
  readonly organisations: OrganisationView[] = [];
  readonly contractIds = new Map<string, string>();
  readonly v1Deadlines = new Map<string, IsoDate[]>();
  readonly serviceAccounts = new Map<number, { id: string; clientId: string; secret: string | null }>();
  transfersLogged = 0;
  transfersInLog = 0;
  flaggedInLog = 0;
  warnings: string[] = [];

  constructor(readonly settings: Settings) {
    this.api = new Api(settings.url);
    this.sessions = new Sessions(this.api);
    this.envPath = join(settings.dataDir, 'demo.env');
    this.previous = readEnvFile(this.envPath);
    this.secret = this.previous?.get('DEMO_SECRET') || newDemoSecret();
    const anchor = this.previous?.get('DEMO_ANCHOR') || gbaToday();
    this.world = planWorld({ organisations: settings.organisations, transfers: settings.transfers, anchor });
  }

  password(email: string): string {
    return demoPassword(this.secret, email);
  }

  signIn(email: string): Promise<string> {
    return this.sessions.user(email, this.password(email)).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 401) {
        throw new Error(
          `cannot sign in as ${email}: the account exists but its password is not the one derived from ${this.envPath}. ` +
            'Restore that demo.env, or run the demo against a fresh registry (an empty DATA_DIR).',
        );
      }
      throw error;
    });
  }

  orgUser(index: number): string {
    const o = this.world.organisations[index];
    return o.filerEmail ?? o.adminEmail;
  }

  regulator(authority: 'GD_CAC' | 'HK_DPO'): Promise<string> {
    return this.signIn(this.world.regulators.find((r) => r.authority === authority)!.email);
  }

  sideRegulator(o: OrganisationPlan): Promise<string> {
    return this.regulator(o.jurisdiction === 'MAINLAND' ? 'GD_CAC' : 'HK_DPO');
  }

  /** The administrator's token, signed in again past half its lifetime (every phase starts with this). */
  async refreshAdmin(): Promise<void> {
    this.adminToken = await this.sessions.user(this.settings.adminEmail, this.settings.adminPassword);
  }

  /** POST /users; an existing e-mail (409) is found, not created. */
  async ensureUser(email: string, role: string, extra: Record<string, string>): Promise<void> {
    const res = await this.api.request('POST', '/users', {
      token: this.adminToken,
      body: { email, password: this.password(email), role, ...extra },
      accept: [409],
    });
    if (res.status === 409) this.tally.found('users');
    else this.tally.created('users');
  }

  // ---- phases -------------------------------------------------------------------------------

  async registry(): Promise<string> {
    await this.api.get('/health/ready');
    const sectors = await this.api.get<Array<{ code: string; opensOn: Record<string, string | null> }>>('/rollout/sectors');
    const earliest = this.world.contracts.map((c) => c.terms.effectiveDate).reduce((a, b) => (a < b ? a : b));
    const opens: string[] = [];
    for (const code of FIRST_PHASE_SECTORS) {
      const on = sectors.find((s) => s.code === code)?.opensOn[REGIME];
      if (!on || on > earliest)
        throw new Error(`sector ${code} is not open under ${REGIME} by ${earliest} (opens ${on ?? 'never'}); the demo needs the seeded rollout`);
      opens.push(`${code} ${on}`);
    }
    await this.refreshAdmin();
    // A first run writes the file now, so the secret every password is derived from survives a
    // failure further on; a rerun keeps the complete file of the run before until it ends.
    if (!this.previous) this.writeEnv();
    return `ready; open under ${REGIME} on both sides: ${opens.join(', ')}`;
  }

  async people(): Promise<string> {
    await this.ensureUser(this.world.adminEmail, 'SYSTEM_ADMIN', {});
    for (const r of this.world.regulators) await this.ensureUser(r.email, 'REGULATOR', { authority: r.authority });
    // Fails early, with advice, when these accounts exist but demo.env was lost.
    await this.signIn(this.world.adminEmail);
    return `a programme administrator and regulators of GD_CAC, HK_DPO and HK_PCPD: ${this.tally.describe('users')}`;
  }

  async organisationsPhase(): Promise<string> {
    const existing = new Map((await this.api.all<OrganisationView>('/organisations', this.adminToken)).map((o) => [o.identifier, o]));
    await eachLimit(this.world.organisations, 4, async (o) => {
      let view = existing.get(o.identifier);
      if (view) this.tally.found('organisations');
      else {
        view = await this.api.post<OrganisationView>('/organisations', this.adminToken, {
          legalName: o.legalName,
          legalNameZh: o.legalNameZh,
          jurisdiction: o.jurisdiction,
          city: o.city,
          identifierType: o.identifierType,
          identifier: o.identifier,
          sector: o.sector,
        });
        this.tally.created('organisations');
      }
      this.organisationIds[o.index] = view.id;
      this.organisations[o.index] = view;
    });
    const users = this.world.organisations.flatMap((o) => [
      { email: o.adminEmail, role: 'ORG_ADMIN', organisationId: this.organisationIds[o.index] },
      ...(o.filerEmail ? [{ email: o.filerEmail, role: 'ORG_FILER', organisationId: this.organisationIds[o.index] }] : []),
    ]);
    await eachLimit(users, 4, (u) => this.ensureUser(u.email, u.role, { organisationId: u.organisationId }));
    let verified = 0;
    await eachLimit(this.world.organisations, 4, async (o) => {
      if (!o.verified) return;
      verified += 1;
      if (this.organisations[o.index].verificationStatus === 'VERIFIED') return this.tally.found('verifications');
      await this.api.post(`/organisations/${this.organisationIds[o.index]}/verify`, await this.sideRegulator(o));
      this.tally.created('verifications');
    });
    const cities = new Set(this.world.organisations.map((o) => o.city)).size;
    return `${this.tally.describe('organisations')} in ${cities} cities; ${verified} verified by their side's regulator; users so far ${this.tally.describe('users')}`;
  }

  async enrolments(): Promise<string> {
    const existing = new Map<string, EnrolmentView>();
    for (const e of await this.api.all<EnrolmentView>(`/rollout/enrolments?regime=${REGIME}`, this.adminToken)) {
      const held = existing.get(e.organisationId);
      if (!held || held.createdAt < e.createdAt) existing.set(e.organisationId, e);
    }
    const states = new Map<string, number>();
    await eachLimit(this.world.organisations, 4, async (o) => {
      if (o.enrolment === 'NONE') return;
      const id = this.organisationIds[o.index];
      let e = existing.get(id);
      if (e) this.tally.found('enrolments');
      else {
        e = await this.api.post<EnrolmentView>('/rollout/enrolments', await this.signIn(o.adminEmail), { regime: REGIME });
        this.tally.created('enrolments');
      }
      const patch = async (action: string, token: string, reason?: string) => {
        e = await this.api
          .request<EnrolmentView>('PATCH', `/rollout/enrolments/${e!.id}`, { token, body: { action, ...(reason ? { reason } : {}) } })
          .then((r) => r.body);
      };
      if (e.status === 'INTERESTED' && (o.enrolment === 'ENROLLED' || o.enrolment === 'WITHDRAWN')) await patch('ENROL', await this.sideRegulator(o));
      if (e.status === 'INTERESTED' && o.enrolment === 'DECLINED') {
        await patch('DECLINE', await this.sideRegulator(o), 'Cross-boundary data flows are not yet part of the organisation’s licensed business.');
      }
      if ((e.status === 'ENROLLED' || e.status === 'ACTIVE') && o.enrolment === 'WITHDRAWN') {
        await patch('WITHDRAW', await this.signIn(o.adminEmail), 'Project postponed to the next budget year.');
      }
      states.set(e.status, (states.get(e.status) ?? 0) + 1);
    });
    const mix = [...states].map(([s, n]) => `${n} ${s}`).join(', ');
    return `${this.tally.describe('enrolments')} (${mix})`;
  }

  async ensureDocuments(contractId: string, party: Party, version: number, token: string, label: string): Promise<void> {
    const docs = await this.api.get<DocumentView[]>(`/contracts/${contractId}/documents?limit=1000`, token);
    for (const kind of REQUIRED_KINDS) {
      if (docs.some((d) => d.kind === kind && d.party === party && d.version >= version)) {
        this.tally.found('documents');
        continue;
      }
      const form = new FormData();
      form.append('kind', kind);
      form.append('file', PDF(`${kind} — ${label}, ${party}, version ${version}`), `${kind.toLowerCase()}.pdf`);
      await this.api.request('POST', `/contracts/${contractId}/documents`, { token, form });
      this.tally.created('documents');
    }
  }

  /** Moves each party's filing of `version` to its target: upload and submit, return once if asked, review. */
  async driveFilings(plan: ContractPlan, contractId: string, version: number, targets: FilingTargets, filings: FilingView[]): Promise<void> {
    for (const party of ['processor', 'recipient'] as const) {
      let filing = filings.find((f) => f.party === party && f.version === version);
      if (!filing) throw new Error(`contract ${plan.key} (${contractId}) has no ${party} filing for version ${version}`);
      const target = targets[party];
      const orgIndex = party === 'processor' ? plan.processor : plan.recipient;
      const path = `/contracts/${contractId}/filings/${party}`;
      let reviewed = false;
      for (let step = 0; filing.status !== target && step < 6; step += 1) {
        if (filing.status === 'ACCEPTED') {
          this.warnings.push(`contract ${plan.key}: the ${party} filing of version ${version} is ACCEPTED, planned ${target}`);
          break;
        }
        if (filing.status === 'NOT_SUBMITTED' || filing.status === 'RETURNED') {
          const token = await this.signIn(this.orgUser(orgIndex));
          if (filing.status === 'NOT_SUBMITTED') await this.ensureDocuments(contractId, party, version, token, this.world.organisations[orgIndex].legalName);
          filing = await this.api.post<FilingView>(`${path}/submit?version=${version}`, token);
          this.tally.created('filing submissions');
        } else {
          const regulator: string = await this.regulator(filing.authority);
          const returnOnce: boolean = targets.returnFirst.includes(party) && filing.reviewedAt === null && !reviewed;
          const decision: Record<string, string> = target === 'RETURNED' || returnOnce ? { decision: 'RETURN', reason: RETURN_REASON } : { decision: 'ACCEPT' };
          filing = await this.api.post<FilingView>(`${path}/review?version=${version}`, regulator, decision);
          reviewed = true;
          this.tally.created('filing reviews');
        }
      }
    }
  }

  async contract(plan: ContractPlan, existing: ContractView[]): Promise<void> {
    const processorId = this.organisationIds[plan.processor];
    const recipientId = this.organisationIds[plan.recipient];
    const dates = [plan.terms.effectiveDate, ...(plan.amendment ? [plan.amendment.terms.effectiveDate] : [])];
    const found = existing.find((c) => c.processorId === processorId && c.recipientId === recipientId && dates.includes(c.effectiveDate));
    let id: string;
    if (found) {
      id = found.id;
      this.tally.found('contracts');
    } else {
      const view = await this.api.post<ContractView>('/contracts', await this.signIn(this.orgUser(plan.processor)), {
        processorId,
        recipientId,
        ...plan.terms,
      });
      id = view.id;
      this.tally.created('contracts');
    }
    this.contractIds.set(plan.key, id);
    let versions = await this.api.get<VersionView[]>(`/contracts/${id}/versions`, this.adminToken);
    const v1 = versions.find((v) => v.version === 1)!;
    this.v1Deadlines.set(
      plan.key,
      v1.filings.map((f) => f.deadline),
    );
    await this.driveFilings(plan, id, 1, plan.filings, v1.filings);
    if (plan.amendment) {
      if (versions.length < 2) {
        await this.api.post(`/contracts/${id}/amendments`, await this.signIn(this.orgUser(plan.processor)), plan.amendment.terms);
        this.tally.created('amendments');
        versions = await this.api.get<VersionView[]>(`/contracts/${id}/versions`, this.adminToken);
      } else this.tally.found('amendments');
      if (plan.amendment.filings) await this.driveFilings(plan, id, 2, plan.amendment.filings, versions.find((v) => v.version === 2)!.filings);
    }
    if (plan.termination) {
      const view = await this.api.get<ContractView>(`/contracts/${id}`, this.adminToken);
      if (view.terminatedOn) this.tally.found('terminations');
      else {
        const by = plan.termination.by === 'processor' ? plan.processor : plan.recipient;
        await this.api.post(`/contracts/${id}/terminate`, await this.signIn(this.orgUser(by)), {
          terminatedOn: plan.termination.terminatedOn,
          reason: plan.termination.reason,
        });
        this.tally.created('terminations');
      }
    }
    if (plan.incident) {
      const incidents = await this.api.get<unknown[]>(`/contracts/${id}/incidents`, this.adminToken);
      if (incidents.length) this.tally.found('incidents');
      else {
        const { by, ...incident } = plan.incident;
        await this.api.post(`/contracts/${id}/incidents`, await this.signIn(this.orgUser(by === 'processor' ? plan.processor : plan.recipient)), incident);
        this.tally.created('incidents');
      }
    }
  }

  async contracts(): Promise<string> {
    const existing = await this.api.all<ContractView>('/contracts', this.adminToken);
    await eachLimit(this.world.contracts, 3, (plan) => this.contract(plan, existing));
    const views = (await this.api.all<ContractView & { filings: Array<FilingView & { overdue: boolean }> }>('/contracts', this.adminToken)).filter((v) =>
      [...this.contractIds.values()].includes(v.id),
    );
    const count = (values: string[]) => {
      const m = new Map<string, number>();
      for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
      return [...m].map(([k, n]) => `${n} ${k}`).join(', ');
    };
    const filings = views.flatMap((v) => v.filings);
    return (
      `${this.tally.describe('contracts')}: ${count(views.map((v) => v.status))}; ` +
      `current filings ${count(filings.map((f) => f.status))}, ${filings.filter((f) => f.overdue).length} overdue`
    );
  }

  async serviceAccount(orgIndex: number, needSecret: boolean): Promise<{ clientId: string; secret: string | null; id: string }> {
    let held = this.serviceAccounts.get(orgIndex);
    if (!held) {
      const orgId = this.organisationIds[orgIndex];
      const accounts = await this.api.get<ServiceAccountView[]>(`/organisations/${orgId}/service-accounts`, this.adminToken);
      const account = accounts.find((a) => a.name === SERVICE_ACCOUNT_NAME && !a.disabledAt);
      if (account) {
        const remembered = orgIndex === this.world.mainlandIndex && this.previous?.get('MAINLAND_LOGGER_ID') === account.clientId;
        held = { id: account.id, clientId: account.clientId, secret: remembered ? (this.previous?.get('MAINLAND_LOGGER_SECRET') ?? null) : null };
        this.tally.found('service accounts');
      } else {
        const created = await this.api.post<{ id: string; clientId: string; clientSecret: string }>(
          `/organisations/${orgId}/service-accounts`,
          this.adminToken,
          {
            name: SERVICE_ACCOUNT_NAME,
          },
        );
        held = { id: created.id, clientId: created.clientId, secret: created.clientSecret };
        this.tally.created('service accounts');
      }
      this.serviceAccounts.set(orgIndex, held);
    }
    if (needSecret && !held.secret) {
      // Its secret was shown once, to an earlier run that did not keep it: issue a new one.
      const rotated = await this.api.post<{ clientSecret: string }>(
        `/organisations/${this.organisationIds[orgIndex]}/service-accounts/${held.id}/rotate-secret`,
        this.adminToken,
      );
      held.secret = rotated.clientSecret;
      this.tally.created('secret rotations');
    }
    return held;
  }

  async transfers(): Promise<string> {
    const logging = this.world.contracts.filter((p) => p.transfers > 0);
    const loggers = [...new Set([this.world.mainlandIndex, ...logging.map((p) => p.processor)])];
    // One at a time: creating an account hashes its secret (argon2), as slow as a sign-in.
    for (const index of loggers) await this.serviceAccount(index, index === this.world.mainlandIndex);
    let batches = 0;
    await eachLimit(logging, 3, async (plan) => {
      const id = this.contractIds.get(plan.key)!;
      const org = this.world.organisations[plan.processor];
      const window = transferWindow(plan, this.v1Deadlines.get(plan.key)!, this.world.anchor);
      const records = transferRecords(plan, org, id, window, plan.transfers);
      const present = (await this.api.get<TransferSummary>(`/transfers/summary?contractId=${id}`, this.adminToken)).transfers;
      if (present >= records.length) {
        this.tally.found('transfers', records.length);
        return;
      }
      if (present % BATCH !== 0) {
        this.warnings.push(`contract ${plan.key} (${id}) has ${present} transfers, not a whole number of demo batches of ${BATCH}; left as it is`);
        this.tally.found('transfers', present);
        return;
      }
      this.tally.found('transfers', present);
      const account = await this.serviceAccount(plan.processor, true);
      for (let start = present; start < records.length; start += BATCH) {
        const token = await this.sessions.serviceAccount(account.clientId, account.secret!);
        const batch = records.slice(start, start + BATCH);
        await this.api.post('/transfers', token, { records: batch }, { 'Idempotency-Key': `demo-${id}-${records.length}-${start / BATCH}` });
        batches += 1;
        this.tally.created('transfers', batch.length);
      }
    });
    for (const plan of logging) {
      const summary = await this.api.get<TransferSummary>(`/transfers/summary?contractId=${this.contractIds.get(plan.key)!}`, this.adminToken);
      this.transfersInLog += summary.transfers;
      this.flaggedInLog += summary.flaggedTransfers;
    }
    const share = this.transfersInLog ? ((100 * this.flaggedInLog) / this.transfersInLog).toFixed(1) : '0';
    return (
      `${this.tally.describe('transfers')} in ${batches} batches of up to ${BATCH} (service accounts: ${this.tally.describe('service accounts')}); ` +
      `the demo's contracts hold ${fmt(this.transfersInLog)}, ${fmt(this.flaggedInLog)} flagged (${share}%)`
    );
  }

  // ---- demo.env -----------------------------------------------------------------------------

  writeEnv(): void {
    const w = this.world;
    const person = (prefix: string, email: string, comment: string): EnvEntry[] => [
      { name: `${prefix}_EMAIL`, value: email, comment },
      { name: `${prefix}_PASSWORD`, value: this.password(email) },
    ];
    const mainland = w.organisations[w.mainlandIndex];
    const hongKong = w.organisations[w.hongKongIndex];
    const entries: Array<EnvEntry | string> = [
      { name: 'API', value: this.settings.url },
      { name: 'DEMO_ANCHOR', value: w.anchor, comment: 'the day the demo world was first built; its dates count from it' },
      { name: 'DEMO_SECRET', value: this.secret, comment: "every demo user's password is derived from it" },
      '',
      ...person('ADMIN', w.adminEmail, 'SYSTEM_ADMIN'),
      ...w.regulators.flatMap((r) => person(r.env, r.email, `REGULATOR, authority ${r.authority}`)),
      '',
      '# A Mainland processor and a Hong Kong recipient (the README walk-through files a contract between them)',
      { name: 'MAINLAND_ORG', value: this.organisationIds[w.mainlandIndex] ?? '', comment: `${mainland.legalName}, ${mainland.city}, ${mainland.sector}` },
      ...person('MAINLAND_ADMIN', mainland.adminEmail, 'ORG_ADMIN of MAINLAND_ORG'),
      ...person('MAINLAND_FILER', mainland.filerEmail!, 'ORG_FILER of MAINLAND_ORG'),
      { name: 'MAINLAND_LOGGER_ID', value: this.serviceAccounts.get(w.mainlandIndex)?.clientId ?? '', comment: 'service account (ORG_SYSTEM) of MAINLAND_ORG' },
      { name: 'MAINLAND_LOGGER_SECRET', value: this.serviceAccounts.get(w.mainlandIndex)?.secret ?? '' },
      { name: 'HK_ORG', value: this.organisationIds[w.hongKongIndex] ?? '', comment: `${hongKong.legalName}, ${hongKong.sector}; no pilot enrolment yet` },
      ...person('HK_ADMIN', hongKong.adminEmail, 'ORG_ADMIN of HK_ORG'),
      ...person('HK_FILER', hongKong.filerEmail!, 'ORG_FILER of HK_ORG'),
      '',
      '# One contract in each state',
      ...w.contracts
        .filter((c) => c.envName)
        .map((c) => ({
          name: c.envName!,
          value: this.contractIds.get(c.key) ?? '',
          comment: `${c.kind}: ${w.organisations[c.processor].legalName} → ${w.organisations[c.recipient].legalName}, effective ${c.terms.effectiveDate}`,
        })),
    ];
    writeEnvFile(this.envPath, renderEnvFile(entries));
  }
}

async function main(): Promise<void> {
  const settings = readSettings(process.env);
  const demo = new Demo(settings);
  const started = Date.now();
  log(
    `GBA registry demo → ${settings.url}: ${fmt(settings.organisations)} organisations, ${fmt(settings.transfers)} transfers, dates counted from ${demo.world.anchor}` +
      (demo.previous ? ` (rerun: ${demo.envPath} read back)` : ''),
  );
  await phase('registry', () => demo.registry());
  for (const [name, run] of [
    ['people', () => demo.people()],
    ['organisations', () => demo.organisationsPhase()],
    ['enrolments', () => demo.enrolments()],
    ['contracts', () => demo.contracts()],
    ['transfers', () => demo.transfers()],
  ] as const) {
    await demo.refreshAdmin();
    await phase(name, run);
  }
  demo.writeEnv();

  log('');
  log(`${'summary'.padEnd(20)}${'created'.padStart(9)}${'found'.padStart(9)}`);
  for (const [kind, r] of demo.tally.rows) if (r.created || r.found) log(`  ${kind.padEnd(18)}${fmt(r.created).padStart(9)}${fmt(r.found).padStart(9)}`);
  for (const w of demo.warnings) log(`warning: ${w}`);
  const checkpoint = await demo.api.request<string>('GET', '/ledger/checkpoint', { headers: { accept: 'text/plain' } });
  log(
    `ledger: tree size ${fmt(Number(String(checkpoint.body).split('\n')[1]))}; ${demo.api.requests} requests, ${demo.sessions.signIns} sign-ins, ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  log('');
  log(`Wrote ${demo.envPath} (mode 0600): \`source\` it to run the README examples.`);
  const gd = demo.world.regulators[0];
  log(`Console: ${settings.url}/console — sign in as the GD_CAC regulator ${gd.email}; the password is GD_CAC_PASSWORD in that file:`);
  log(`  (. ${demo.envPath} && echo "$GD_CAC_PASSWORD")`);
}

main().catch((error: unknown) => {
  process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
