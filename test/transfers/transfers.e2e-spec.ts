import { bearer, startTestApp, TestApp } from '../support/app';
import { fileContract, Parties, setupParties } from '../contracts/fixtures';
import { postTransfers, transferRecord, treeSize } from './support';

describe('POST /transfers', () => {
  let t: TestApp;
  let p: Parties;
  let contractId: string;

  beforeAll(async () => {
    t = await startTestApp();
    p = await setupParties(t);
    contractId = (await fileContract(t, p)).id;
  });
  afterAll(async () => t?.close());

  it('appends a clean record and answers its leaf index and no flags', async () => {
    const before = await treeSize(t);
    const res = await postTransfers(t, p.mainland, [transferRecord(contractId), transferRecord(contractId)]);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ records: [{ leafIndex: before, flags: [] }, { leafIndex: before + 1, flags: [] }] });
  });
});
