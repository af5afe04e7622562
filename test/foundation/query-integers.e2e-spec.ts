/*
 * Every whole number the API reads from a query string is decimal digits and nothing else.
 * `Number()` reads '', ' ', '0x10', '0b1', '0o1', '+1', '1e3' and '1.0' as numbers, so these used
 * to be served as 0, 16, 1, 1, 1, 1000 and 1; now each is 400 naming the parameter
 * (docs/api.md#errors). And `/ledger/entries` past the end of the log is 400, not an empty page.
 */
import { randomUUID } from 'node:crypto';
import { bearer, startTestApp, TestApp } from '../support/app';

/** Each written as it goes on the wire (already percent-encoded where needed). */
const NOT_DECIMAL = ['', '%20', '0x10', '0b1', '0o1', '+1', '%2B1', '1e3', '1.0', '-1', '%201', '1%20', 'Infinity', 'NaN', '%EF%BC%91', '1_0', '10n'];

interface Case {
  route: string;
  method: 'get' | 'post';
  parameter: string;
  /** The other parameters the route needs, valid. */
  others: string;
  token: 'admin' | 'filer' | 'regulator';
}

describe('query integers are decimal digits only', () => {
  let t: TestApp;
  const tokens: Record<Case['token'], string> = { admin: '', filer: '', regulator: '' };
  const contractId = randomUUID();

  const cases: Case[] = [
    { route: '/ledger/entries', method: 'get', parameter: 'start', others: 'end=10', token: 'admin' },
    { route: '/ledger/entries', method: 'get', parameter: 'end', others: 'start=0', token: 'admin' },
    { route: '/ledger/proofs/inclusion', method: 'get', parameter: 'leafIndex', others: 'treeSize=10', token: 'admin' },
    { route: '/ledger/proofs/inclusion', method: 'get', parameter: 'treeSize', others: 'leafIndex=0', token: 'admin' },
    { route: '/ledger/proofs/consistency', method: 'get', parameter: 'first', others: 'second=10', token: 'admin' },
    { route: '/ledger/proofs/consistency', method: 'get', parameter: 'second', others: 'first=1', token: 'admin' },
    { route: '/organisations', method: 'get', parameter: 'limit', others: '', token: 'admin' },
    { route: '/contracts', method: 'get', parameter: 'limit', others: '', token: 'admin' },
    { route: `/contracts/${contractId}/history`, method: 'get', parameter: 'limit', others: '', token: 'admin' },
    { route: `/contracts/${contractId}/versions`, method: 'get', parameter: 'limit', others: '', token: 'admin' },
    { route: `/contracts/${contractId}/incidents`, method: 'get', parameter: 'limit', others: '', token: 'regulator' },
    { route: `/contracts/${contractId}/documents`, method: 'get', parameter: 'limit', others: '', token: 'regulator' },
    { route: '/transfers', method: 'get', parameter: 'limit', others: '', token: 'admin' },
    { route: '/rollout/enrolments', method: 'get', parameter: 'limit', others: '', token: 'admin' },
    { route: '/calendar/deadline', method: 'get', parameter: 'workingDays', others: 'jurisdiction=MAINLAND&from=2025-01-24', token: 'admin' },
    { route: `/contracts/${contractId}/filings/processor/submit`, method: 'post', parameter: 'version', others: '', token: 'filer' },
    { route: `/contracts/${contractId}/filings/processor/review`, method: 'post', parameter: 'version', others: '', token: 'regulator' },
  ];

  beforeAll(async () => {
    t = await startTestApp();
    tokens.admin = t.adminToken;
    tokens.filer = (await t.user('ORG_FILER')).token;
    tokens.regulator = (await t.user('REGULATOR', { authority: 'GD_CAC' })).token;
  });
  afterAll(async () => t?.close());

  const ask = (c: Case, value: string) => {
    const query = [c.others, `${c.parameter}=${value}`].filter(Boolean).join('&');
    return t.http[c.method](`${c.route}?${query}`)
      .set(...bearer(tokens[c.token]))
      .send(c.method === 'post' ? { decision: 'ACCEPT' } : undefined);
  };

  describe.each(cases)('$method $route ?$parameter=', (c) => {
    it.each(NOT_DECIMAL)(`'%s' is 400 naming ${c.parameter}`, async (value) => {
      const response = await ask(c, value);
      expect({ status: response.status, type: response.headers['content-type'] }).toEqual({ status: 400, type: 'application/problem+json; charset=utf-8' });
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: c.parameter })]));
    });

    it('a repeated parameter is 400 naming it', async () => {
      const response = await ask(c, `1&${c.parameter}=2`);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: c.parameter })]));
    });

    it('decimal digits are read as the number', async () => {
      const response = await ask(c, '5');
      // The value itself may still be refused for what it means (past the end of an empty log, an unknown contract), never for its form.
      const aboutForm = ((response.body.errors ?? []) as Array<{ field: string; rule: string }>).filter(
        (e) => e.field === c.parameter && !['range', 'R9'].includes(e.rule),
      );
      expect(aboutForm).toEqual([]);
      expect(response.status).toBeLessThan(500);
    });
  });

  it('GET /ledger/entries past the end of the log is 400 naming start, not an empty page', async () => {
    const response = await t.http.get('/ledger/entries?start=0&end=10').set(...bearer(t.adminToken));
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'start', rule: 'range' }] });
  });
});
