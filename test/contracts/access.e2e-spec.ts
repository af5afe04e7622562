// Who may do what to a contract (docs/api.md#routes, "Who"; a caller who may not see a resource gets 404).
import { Client } from 'pg';
import { bearer, createOrganisation, TestApp } from '../support/app';
import { contractBody, contractRowCounts, fileContract, Parties, setupParties, startWithParties, termsOf, upload, uploadAll } from './fixtures';
import { reviewFiling, submitFiling } from './filings';

describe('contracts: authorisation, deadlines, queries, atomicity', () => {
  let t: TestApp;
  let p: Parties;
  beforeAll(async () => ({ t, p } = await startWithParties()));
  afterAll(async () => t?.close());

  describe('authorisation matrix', () => {
    let id: string;
    beforeAll(async () => {
      id = (await fileContract(t, p)).id;
      await uploadAll(t, p.mainland, id);
      await uploadAll(t, p.hongKong, id);
      await submitFiling(t, p.mainland, id, 'processor').expect(200);
      await submitFiling(t, p.hongKong, id, 'recipient').expect(200);
    });

    it('another organisation gets 404 on every route of the contract', async () => {
      const o = bearer(p.outsider);
      expect((await t.http.get(`/contracts/${id}`).set(...o)).status).toBe(404);
      expect((await t.http.get(`/contracts/${id}/history`).set(...o)).status).toBe(404);
      expect((await t.http.get(`/contracts/${id}/versions`).set(...o)).status).toBe(404);
      expect((await t.http.get(`/contracts/${id}/documents`).set(...o)).status).toBe(404);
      expect((await upload(t, p.outsider, id, 'SIGNED_CONTRACT')).status).toBe(404);
      expect((await t.http.post(`/contracts/${id}/filings/processor/submit`).set(...o)).status).toBe(404);
      expect(
        (
          await t.http
            .post(`/contracts/${id}/amendments`)
            .set(...o)
            .send(termsOf(contractBody(p.mainlandId, p.hongKongId)))
        ).status,
      ).toBe(404);
      expect(
        (
          await t.http
            .post(`/contracts/${id}/terminate`)
            .set(...o)
            .send({ terminatedOn: '2026-01-01', reason: 'x' })
        ).status,
      ).toBe(404);
      expect(
        (
          await t.http
            .post(`/contracts/${id}/incidents`)
            .set(...o)
            .send({ occurredAt: '2025-03-01T00:00:00Z', description: 'x', affectedDataSubjects: 1 })
        ).status,
      ).toBe(404);
      const list = await t.http.get('/contracts').set(...o);
      expect(list.body.items).toEqual([]);
      const notAnId = await t.http.get('/contracts/not-a-uuid').set(...o);
      expect(notAnId.status).toBe(404);
    });

    it('a Hong Kong regulator cannot review a Guangdong filing (404), nor the GD CAC a Hong Kong one', async () => {
      const hk = await reviewFiling(t, p.hkDpo, id, 'processor');
      expect(hk.status).toBe(404);
      const gd = await reviewFiling(t, p.gdCac, id, 'recipient');
      expect(gd.status).toBe(404);
    });

    it('the PCPD reads but never reviews; parties never review', async () => {
      expect((await t.http.get(`/contracts/${id}`).set(...bearer(p.pcpd))).status).toBe(200);
      const pcpd = await reviewFiling(t, p.pcpd, id, 'recipient');
      expect(pcpd.status).toBe(403);
      const party = await reviewFiling(t, p.hongKong, id, 'recipient');
      expect(party.status).toBe(403);
      const filings = (await t.http.get(`/contracts/${id}`).set(...bearer(p.mainland))).body.filings;
      expect(filings.map((f: { status: string }) => f.status)).toEqual(['SUBMITTED', 'SUBMITTED']);
    });

    it("only a party's own users submit its filing; only the processor amends or files", async () => {
      const cross = await submitFiling(t, p.hongKong, id, 'processor');
      expect(cross.status).toBe(403);
      const amend = await t.http
        .post(`/contracts/${id}/amendments`)
        .set(...bearer(p.hongKong))
        .send(termsOf(contractBody(p.mainlandId, p.hongKongId)));
      expect(amend.status).toBe(403);
      const asRecipient = await t.http
        .post('/contracts')
        .set(...bearer(p.hongKong))
        .send(contractBody(p.mainlandId, p.hongKongId));
      expect(asRecipient.status).toBe(403);
      const asRegulator = await t.http
        .post('/contracts')
        .set(...bearer(p.gdCac))
        .send(contractBody(p.mainlandId, p.hongKongId));
      expect(asRegulator.status).toBe(403);
      expect((await t.http.post(`/contracts/${id}/filings/someone/submit`).set(...bearer(p.mainland))).status).toBe(404);
    });
  });

  describe('deadlines across the 2025 National Day holidays (R8, R9)', () => {
    // Effective Friday 2025-09-26 (day 0), 10 working days in each party's own calendar.
    // Mainland (国办发明电〔2024〕12号): National Day + Mid-Autumn off Wed 10/1–Wed 10/8; make-up working
    //   days Sun 9/28 and Sat 10/11. Working days: 9/28, 9/29, 9/30, 10/9, 10/10, 10/11, 10/13,
    //   10/14, 10/15, 10/16 → 2025-10-16.
    // Hong Kong (gov.hk/en/about/abouthk/holiday/2025.htm): general holidays Wed 10/1 (National Day)
    //   and Tue 10/7 (the day following the Chinese Mid-Autumn Festival). Working days: 9/29, 9/30,
    //   10/2, 10/3, 10/6, 10/8, 10/9, 10/10, 10/13, 10/14 → 2025-10-14.
    const effective = {
      effectiveDate: '2025-09-26',
      annex: { retentionPeriod: { from: '2025-09-26', to: '2030-09-25' } },
      pipia: { completedOn: '2025-09-01' },
    };

    it('Mainland processor → Hong Kong recipient', async () => {
      const c = await fileContract(t, p, effective);
      expect(
        c.filings.map((f: { party: string; authority: string; deadline: string; provisional: boolean }) => [f.party, f.authority, f.deadline, f.provisional]),
      ).toEqual([
        ['processor', 'GD_CAC', '2025-10-16', false],
        ['recipient', 'HK_DPO', '2025-10-14', false],
      ]);
    });

    it('Hong Kong processor → Mainland recipient: each party keeps its own calendar', async () => {
      const res = await t.http
        .post('/contracts')
        .set(...bearer(p.hongKong))
        .send(contractBody(p.hongKongId, p.mainlandId, effective));
      expect(res.status).toBe(201);
      expect(res.body.direction).toBe('HK_TO_MAINLAND');
      expect(res.body.filings.map((f: { party: string; authority: string; deadline: string }) => [f.party, f.authority, f.deadline])).toEqual([
        ['processor', 'HK_DPO', '2025-10-14'],
        ['recipient', 'GD_CAC', '2025-10-16'],
      ]);
    });

    it('a Hong Kong filing of a contract effective before 2024-07-25 is with the OGCIO', async () => {
      const c = await fileContract(t, p, {
        effectiveDate: '2024-03-01',
        annex: { retentionPeriod: { from: '2024-03-01', to: '2029-02-28' } },
        pipia: { completedOn: '2024-02-01' },
      });
      expect(c.filings[1]).toMatchObject({ authority: 'HK_DPO', authorityName: 'Office of the Government Chief Information Officer (OGCIO)' });
    });
  });

  describe('GET /contracts filters and paging', () => {
    let q: Parties;
    let accepted: string;
    let submitted: string;
    let pending: string;
    let healthcare: string;
    beforeAll(async () => {
      q = await setupParties(t);
      accepted = (await fileContract(t, q)).id;
      await uploadAll(t, q.mainland, accepted);
      await submitFiling(t, q.mainland, accepted, 'processor').expect(200);
      await reviewFiling(t, q.gdCac, accepted, 'processor').expect(200);
      submitted = (await fileContract(t, q, { effectiveDate: '2025-03-03', annex: { retentionPeriod: { from: '2025-03-03', to: '2030-03-02' } } })).id;
      await uploadAll(t, q.mainland, submitted);
      await submitFiling(t, q.mainland, submitted, 'processor').expect(200);
      // Effective in the future: not yet due, not overdue.
      pending = (
        await fileContract(t, q, { effectiveDate: '2099-01-05', expiryDate: null, annex: { retentionPeriod: { from: '2099-01-05', to: '2099-12-31' } } })
      ).id;
      const hospital = await createOrganisation(t, { jurisdiction: 'MAINLAND', city: 'ZHONGSHAN', sector: 'HEALTHCARE' });
      const hospitalUser = (await t.user('ORG_FILER', { organisationId: hospital })).token;
      const res = await t.http
        .post('/contracts')
        .set(...bearer(hospitalUser))
        .send(contractBody(hospital, q.hongKongId));
      healthcare = res.body.id;
    });

    const ids = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((c) => c.id);
    const list = (token: string, query: string) => t.http.get(`/contracts?${query}`).set(...bearer(token));

    it('filters by filing status and authority, overdue, sector, party and effective dates', async () => {
      expect(ids(await list(q.gdCac, `party=${q.mainlandId}&authority=GD_CAC&status=ACCEPTED`))).toEqual([accepted]);
      expect(ids(await list(q.gdCac, `party=${q.mainlandId}&authority=GD_CAC&status=SUBMITTED`))).toEqual([submitted]);
      expect(ids(await list(q.hkDpo, `party=${q.hongKongId}&authority=HK_DPO&overdue=true`)).sort()).toEqual([accepted, submitted, healthcare].sort());
      expect(ids(await list(q.hkDpo, `party=${q.hongKongId}&overdue=false`))).toEqual([pending]);
      expect(ids(await list(q.gdCac, `party=${q.mainlandId}&authority=GD_CAC&overdue=false`)).sort()).toEqual([accepted, submitted, pending].sort());
      expect(ids(await list(q.hkDpo, `party=${q.hongKongId}&sector=HEALTHCARE`))).toEqual([healthcare]);
      expect(ids(await list(q.mainland, 'effectiveFrom=2025-03-01&effectiveTo=2025-12-31'))).toEqual([submitted]);
      expect(ids(await list(q.mainland, 'contractStatus=PENDING'))).toEqual([pending]);
      const overdueFlags = (await list(q.mainland, `status=NOT_SUBMITTED&authority=HK_DPO`)).body.items.map(
        (c: { filings: Array<{ overdue: boolean }> }) => c.filings[1].overdue,
      );
      expect(overdueFlags).toEqual([true, true, false]);
    });

    it('parties see their own; pages with a cursor', async () => {
      expect(ids(await list(q.mainland, '')).sort()).toEqual([accepted, submitted, pending].sort());
      const first = await list(q.hongKong, 'limit=2');
      expect(first.body.items).toHaveLength(2);
      const second = await list(q.hongKong, `limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body.items).toHaveLength(2);
      expect(second.body.nextCursor).toBeNull();
      expect([...ids(first), ...ids(second)].sort()).toEqual([accepted, submitted, pending, healthcare].sort());
      expect((await list(q.hongKong, 'cursor=bogus')).status).toBe(400);
    });
  });

  describe('no partial writes', () => {
    /** A superuser connection to this test's database, to plant a failure the application cannot see coming. */
    async function asOwner<T>(work: (c: Client) => Promise<T>): Promise<T> {
      const client = new Client({ connectionString: t.databaseUrl });
      await client.connect();
      try {
        return await work(client);
      } finally {
        await client.end();
      }
    }

    afterEach(async () => {
      await asOwner((c) =>
        c.query(
          `DROP TRIGGER IF EXISTS fail_second_step ON filings; DROP TRIGGER IF EXISTS fail_second_step ON contract_history; DROP FUNCTION IF EXISTS fail_second_step()`,
        ),
      );
    });

    it('a create that fails at its last insert (the recipient filing) leaves no contract, version, filing or history', async () => {
      const before = await contractRowCounts(t);
      await asOwner((c) =>
        c.query(`
          CREATE FUNCTION fail_second_step() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN IF NEW.party = 'recipient' THEN RAISE EXCEPTION 'planted failure'; END IF; RETURN NEW; END $$;
          CREATE TRIGGER fail_second_step BEFORE INSERT ON filings FOR EACH ROW EXECUTE FUNCTION fail_second_step();`),
      );
      const res = await t.http
        .post('/contracts')
        .set(...bearer(p.mainland))
        .send(contractBody(p.mainlandId, p.hongKongId));
      expect(res.status).toBe(500);
      expect(res.body.detail).not.toMatch(/planted/);
      expect(await contractRowCounts(t)).toEqual(before);
    });

    it('an acceptance that fails when writing its history keeps the filing SUBMITTED, the number unissued and the enrolment ENROLLED', async () => {
      const r = await setupParties(t);
      const enrol = await t.http
        .post('/rollout/enrolments')
        .set(...bearer(r.mainland))
        .send({ regime: 'GBA_MAINLAND_HK' });
      await t.http
        .patch(`/rollout/enrolments/${enrol.body.id}`)
        .set(...bearer(t.adminToken))
        .send({ action: 'ENROL' })
        .expect(200);
      const id = (await fileContract(t, r)).id;
      await uploadAll(t, r.mainland, id);
      await submitFiling(t, r.mainland, id, 'processor').expect(200);
      const before = await contractRowCounts(t);
      const [counterBefore] = await t.dataSource.query(
        `SELECT COALESCE(MAX(last_sequence), 0)::int AS n FROM filing_number_counters WHERE authority = 'GD_CAC'`,
      );
      await asOwner((c) =>
        c.query(`
          CREATE FUNCTION fail_second_step() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN IF NEW.action = 'FILING_ACCEPTED' THEN RAISE EXCEPTION 'planted failure'; END IF; RETURN NEW; END $$;
          CREATE TRIGGER fail_second_step BEFORE INSERT ON contract_history FOR EACH ROW EXECUTE FUNCTION fail_second_step();`),
      );
      const res = await reviewFiling(t, r.gdCac, id, 'processor');
      expect(res.status).toBe(500);
      expect(await contractRowCounts(t)).toEqual(before);
      const [counterAfter] = await t.dataSource.query(
        `SELECT COALESCE(MAX(last_sequence), 0)::int AS n FROM filing_number_counters WHERE authority = 'GD_CAC'`,
      );
      expect(counterAfter.n).toBe(counterBefore.n);
      const contract = await t.http.get(`/contracts/${id}`).set(...bearer(r.mainland));
      expect(contract.body.filings[0]).toMatchObject({ status: 'SUBMITTED', filingNumber: null });
      expect(contract.body.revision).toBe(2);
      const enrolment = await t.http.get(`/rollout/enrolments/${enrol.body.id}`).set(...bearer(r.mainland));
      expect(enrolment.body.status).toBe('ENROLLED');
    });

    it('the application role cannot rewrite history', async () => {
      await expect(t.dataSource.query(`UPDATE contract_history SET action = 'CONTRACT_CREATED'`)).rejects.toThrow(/permission denied/);
      await expect(t.dataSource.query(`DELETE FROM contract_history`)).rejects.toThrow(/permission denied/);
    });

    it('the application role cannot change or remove a contract version, a document record or an incident report', async () => {
      for (const table of ['contract_versions', 'contract_documents', 'contract_incidents']) {
        await expect(t.dataSource.query(`UPDATE ${table} SET contract_id = contract_id`)).rejects.toThrow(/permission denied/);
        await expect(t.dataSource.query(`DELETE FROM ${table}`)).rejects.toThrow(/permission denied/);
        await expect(t.dataSource.query(`TRUNCATE ${table}`)).rejects.toThrow(/permission denied/);
      }
      // Still appendable and readable.
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM contract_versions`);
      expect(n).toBeGreaterThan(0);
    });
  });
});
