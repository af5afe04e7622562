// Who reads filing materials (docs/rules.md#r10): the history of a contract, its document list, each
// download and the contract view's `documentParties` say the same thing to every caller.
import { bearer, TestApp } from '../support/app';
import { Parties, startWithContract, uploadAll } from './fixtures';

interface HistoryEntry {
  action: string;
  party: string | null;
  details: Record<string, unknown>;
}

describe('contracts: filing materials, history and documents agree for every role', () => {
  let t: TestApp;
  let p: Parties;
  let id: string;
  const ids: Record<'processor' | 'recipient', string[]> = { processor: [], recipient: [] };
  beforeAll(async () => {
    ({ t, p, contractId: id } = await startWithContract());
    await uploadAll(t, p.mainland, id);
    await uploadAll(t, p.hongKong, id);
    const all = await t.http
      .get(`/contracts/${id}/documents`)
      .set(...bearer(p.mainland))
      .expect(200);
    for (const d of all.body as Array<{ id: string; party: 'processor' | 'recipient' }>) ids[d.party].push(d.id);
  });
  afterAll(async () => t?.close());

  const roles = (): Array<[string, string, Array<'processor' | 'recipient'> | 'hidden', number]> => [
    ['the Mainland party (processor)', p.mainland, ['processor', 'recipient'], 200],
    ['the Hong Kong party (recipient)', p.hongKong, ['processor', 'recipient'], 200],
    ['GD_CAC (reviews the Mainland filing)', p.gdCac, ['processor'], 200],
    ['HK_DPO (reviews the Hong Kong filing)', p.hkDpo, ['recipient'], 200],
    ['HK_PCPD (audits the Hong Kong side)', p.pcpd, ['recipient'], 200],
    ['a system administrator', t.adminToken, [], 403],
    ['an unrelated organisation', p.outsider, 'hidden', 404],
  ];

  it('lists in history exactly the uploads the caller may list and download', async () => {
    expect(ids.processor).toHaveLength(3);
    expect(ids.recipient).toHaveLength(3);
    for (const [who, token, sides, documentsStatus] of roles()) {
      const history = await t.http.get(`/contracts/${id}/history`).set(...bearer(token));
      const documents = await t.http.get(`/contracts/${id}/documents`).set(...bearer(token));
      const contract = await t.http.get(`/contracts/${id}`).set(...bearer(token));
      if (sides === 'hidden') {
        expect([who, history.status, documents.status, contract.status]).toEqual([who, 404, 404, 404]);
        continue;
      }
      expect([who, history.status, contract.status, documents.status]).toEqual([who, 200, 200, documentsStatus]);
      const expected = sides.flatMap((s) => ids[s]).sort();
      const uploads = (history.body.items as HistoryEntry[]).filter((e) => e.action === 'DOCUMENT_UPLOADED');
      expect([who, uploads.map((e) => e.details.documentId as string).sort()]).toEqual([who, expected]);
      const listed = documentsStatus === 200 ? (documents.body as Array<{ id: string }>).map((d) => d.id).sort() : [];
      expect([who, listed]).toEqual([who, expected]);
      expect([who, contract.body.documentParties]).toEqual([who, sides]);
      for (const side of ['processor', 'recipient'] as const) {
        const download = await t.http.get(`/contracts/${id}/documents/${ids[side][0]}`).set(...bearer(token));
        expect([who, side, download.status]).toEqual([who, side, sides.includes(side) ? 200 : documentsStatus === 403 ? 403 : 404]);
      }
    }
  });
});
