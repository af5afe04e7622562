// A filing submitted after its deadline stays `late` for good, and an overdue filing stays in the
// overdue queue after its contract ended (docs/rules.md#r8).
import { gbaToday } from '../../src/contracts/contract-views';
import { bearer, TestApp } from '../support/app';
import { fileContract, Parties, startWithParties, uploadAll } from './fixtures';
import { reviewFiling, submitFiling } from './filings';

interface Filing {
  party: string;
  status: string;
  deadline: string;
  overdue: boolean;
  late: boolean;
}

describe('contracts: late filings and the overdue queue', () => {
  let t: TestApp;
  let p: Parties;
  beforeAll(async () => ({ t, p } = await startWithParties()));
  afterAll(async () => t?.close());

  const filingsOf = async (id: string): Promise<Filing[]> =>
    (
      await t.http
        .get(`/contracts/${id}`)
        .set(...bearer(p.gdCac))
        .expect(200)
    ).body.filings;

  it('a filing submitted after its deadline is late, before and after it is accepted; one submitted in time is not', async () => {
    // Effective 2025-01-24: both deadlines passed long ago.
    const id = (await fileContract(t, p)).id;
    await uploadAll(t, p.mainland, id);
    await submitFiling(t, p.mainland, id, 'processor').expect(200);
    const submitted = (await filingsOf(id)).find((f) => f.party === 'processor')!;
    expect(submitted).toMatchObject({ status: 'SUBMITTED', overdue: false, late: true });
    await reviewFiling(t, p.gdCac, id, 'processor').expect(200);
    const versions = await t.http
      .get(`/contracts/${id}/versions`)
      .set(...bearer(p.mainland))
      .expect(200);
    const accepted = (await filingsOf(id)).find((f) => f.party === 'processor')!;
    expect(accepted).toMatchObject({ status: 'ACCEPTED', overdue: false, late: true });
    expect(versions.body[0].filings.find((f: Filing) => f.party === 'processor')).toMatchObject({ status: 'ACCEPTED', late: true });
    // Not yet submitted: overdue, not (yet) late.
    expect((await filingsOf(id)).find((f) => f.party === 'recipient')).toMatchObject({ status: 'NOT_SUBMITTED', overdue: true, late: false });

    // Effective today in the GBA: the deadline is ten working days ahead.
    const today = gbaToday();
    const onTime = (await fileContract(t, p, { effectiveDate: today, annex: { retentionPeriod: { from: today, to: '2030-01-23' } } })).id;
    await uploadAll(t, p.mainland, onTime);
    await submitFiling(t, p.mainland, onTime, 'processor').expect(200);
    expect((await filingsOf(onTime)).find((f) => f.party === 'processor')).toMatchObject({ status: 'SUBMITTED', late: false });
  });

  it('an overdue filing stays in the overdue queue after its contract is terminated or has expired', async () => {
    const terminated = (await fileContract(t, p)).id;
    const expired = (await fileContract(t, p, { expiryDate: '2025-06-30', annex: { retentionPeriod: { from: '2025-01-24', to: '2025-12-31' } } })).id;
    await t.http
      .post(`/contracts/${terminated}/terminate`)
      .set(...bearer(p.mainland))
      .send({ terminatedOn: '2025-05-01', reason: 'the service ended' })
      .expect(200);
    for (const token of [p.gdCac, p.hkDpo, t.adminToken]) {
      const queue = await t.http
        .get('/contracts?overdue=true&limit=1000')
        .set(...bearer(token))
        .expect(200);
      const statuses = Object.fromEntries((queue.body.items as Array<{ id: string; status: string }>).map((c) => [c.id, c.status]));
      expect([statuses[terminated], statuses[expired]]).toEqual(['TERMINATED', 'EXPIRED']);
    }
    for (const id of [terminated, expired]) {
      expect((await filingsOf(id)).map((f) => f.overdue)).toEqual([true, true]);
    }
  });
});
