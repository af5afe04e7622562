/*
 * Every error is RFC 9457 application/problem+json with `code` and per-field `errors[]`;
 * never a stack trace or a raw database message (docs/contributing.md#requests).
 */
import type { Response } from 'supertest';
import { cursorScope, encodeCursor } from '../../src/common/pagination';
import { bearer, startTestApp, TestApp } from '../support/app';

const STACK_TRACE = /\bat [\w.<>]+ \(|\.(ts|js):\d+:\d+|node_modules/;

function expectProblem(response: Response, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({
    type: expect.stringMatching(/^https:\/\//),
    title: expect.any(String),
    status,
    code,
    requestId: response.headers['x-request-id'],
  });
  expect(response.text).not.toMatch(STACK_TRACE);
  expect(response.body.stack).toBeUndefined();
}

describe('problem+json errors', () => {
  let t: TestApp;
  const SMALL_LIMIT = 4096;
  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: String(SMALL_LIMIT) });
  });
  afterAll(async () => t?.close());

  const validOrganisation = {
    legalName: 'Validation Test Limited',
    jurisdiction: 'HONG_KONG',
    city: 'HONG_KONG',
    identifierType: 'HK_BRN',
    identifier: '11223344',
    sector: 'RETAIL',
  };
  const post = (body: unknown) =>
    t.http
      .post('/organisations')
      .set(...bearer(t.adminToken))
      .send(body as object);

  it('names an unknown field in errors[].field', async () => {
    const response = await post({ ...validOrganisation, isAdmin: true, nickname: 'x' });
    expectProblem(response, 400, 'VALIDATION_FAILED');
    const fields = (response.body.errors as { field: string; rule: string }[]).map((e) => `${e.field}:${e.rule}`).sort();
    expect(fields).toEqual(['isAdmin:whitelistValidation', 'nickname:whitelistValidation']);
    expect(await t.dataSource.query('SELECT 1 FROM organisations WHERE identifier = $1', ['11223344'])).toHaveLength(0);
  });

  it('names every field of the wrong type', async () => {
    const response = await post({ ...validOrganisation, legalName: 42, jurisdiction: ['HONG_KONG'], sector: null, identifier: { value: '1' } });
    expectProblem(response, 400, 'VALIDATION_FAILED');
    const fields = new Set((response.body.errors as { field: string }[]).map((e) => e.field));
    expect([...fields].sort()).toEqual(['identifier', 'jurisdiction', 'legalName', 'sector']);
    for (const error of response.body.errors) expect(error).toEqual({ field: expect.any(String), rule: expect.any(String), message: expect.any(String) });
  });

  it('names missing required fields', async () => {
    const response = await post({ legalName: 'Only A Name Ltd' });
    expectProblem(response, 400, 'VALIDATION_FAILED');
    const fields = new Set((response.body.errors as { field: string }[]).map((e) => e.field));
    expect([...fields].sort()).toEqual(['city', 'identifier', 'identifierType', 'jurisdiction', 'sector']);
  });

  it('names a bad query parameter', async () => {
    const response = await t.http.get('/organisations?limit=abc&colour=red').set(...bearer(t.adminToken));
    expectProblem(response, 400, 'VALIDATION_FAILED');
    const fields = new Set((response.body.errors as { field: string }[]).map((e) => e.field));
    expect([...fields].sort()).toEqual(['colour', 'limit']);
  });

  it.each([
    ['an array', []],
    ['a JSON string', 'just a string'],
    ['a number', 7],
    ['null', null],
  ])('refuses %s as the body with 400', async (_label, body) => {
    const response = await t.http
      .post('/organisations')
      .set(...bearer(t.adminToken))
      .set('content-type', 'application/json')
      .send(JSON.stringify(body));
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.text).not.toMatch(STACK_TRACE);
  });

  it('answers malformed JSON with 400 problem+json', async () => {
    const response = await t.http.post('/auth/token').set('content-type', 'application/json').send('{"grantType": "password", "email": ');
    expectProblem(response, 400, 'MALFORMED_REQUEST');
    expect(response.body.detail).toMatch(/JSON/);
  });

  it('answers a body over the limit with 413 problem+json', async () => {
    const response = await t.http
      .post('/auth/token')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ grantType: 'password', email: 'a@b.c', password: 'x'.repeat(SMALL_LIMIT * 2) }));
    expectProblem(response, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers an unsupported content type with 415 problem+json', async () => {
    const response = await t.http.post('/auth/token').set('content-type', 'text/csv').send('a,b');
    expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers an unknown route with 404 problem+json, authenticated or not', async () => {
    expectProblem(await t.http.get('/no/such/route'), 404, 'NOT_FOUND');
    expectProblem(await t.http.get('/no/such/route').set(...bearer(t.adminToken)), 404, 'NOT_FOUND');
    expectProblem(await t.http.delete('/organisations'), 404, 'NOT_FOUND');
  });

  it('answers a missing token with 401 and a wrong role with 403, both problem+json', async () => {
    expectProblem(await t.http.get('/organisations'), 401, 'UNAUTHENTICATED');
    const filer = await t.user('REGULATOR', { authority: 'HK_PCPD' });
    expectProblem(
      await t.http
        .post('/users')
        .set(...bearer(filer.token))
        .send({}),
      403,
      'FORBIDDEN',
    );
  });

  it('echoes a sane X-Request-Id in the header and the problem, and replaces an unsafe one', async () => {
    const given = await t.http.get('/no/such/route').set('X-Request-Id', 'client-req-0001');
    expect(given.headers['x-request-id']).toBe('client-req-0001');
    expect(given.body.requestId).toBe('client-req-0001');
    const unsafe = await t.http.get('/no/such/route').set('X-Request-Id', 'bad id <script>');
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never leaks a raw database message', async () => {
    // A hand-made cursor whose values PostgreSQL cannot cast: a 400 naming the cursor, not a 500 with SQL.
    // Issued for this list (its scope), so only the key's values are wrong.
    const cursor = encodeCursor(['not-a-date', 'not-a-uuid'], cursorScope('organisations'));
    const response = await t.http.get(`/organisations?cursor=${cursor}`).set(...bearer(t.adminToken));
    expectProblem(response, 400, 'VALIDATION_FAILED');
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    expect(response.text).not.toMatch(/invalid input syntax|timestamp|uuid|QueryFailedError|SELECT/i);
    expect(response.text).not.toMatch(STACK_TRACE);
  });

  it.each([
    [
      '/contracts',
      [
        ['x', 'y'],
        ['2025-01-01T00:00:00.000Z', 'not-a-uuid'],
      ],
    ],
    [
      '/rollout/enrolments',
      [
        ['x', 'y'],
        ['2025-01-01T00:00:00.000000Z', 42],
      ],
    ],
    [
      '/transfers',
      [
        ['1', '5'],
        ['2025-01-01T00:00:00.000Z', '123456789012345678901'],
        ['2025-01-01T00:00:00.000Z', -1],
      ],
    ],
  ])('refuses a hand-made cursor on %s with a 400 naming the cursor', async (path, keys) => {
    for (const key of keys) {
      const cursor = encodeCursor(key, cursorScope(path.slice(1)));
      const response = await t.http.get(`${path}?cursor=${cursor}`).set(...bearer(t.adminToken));
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    }
  });
});
