/*
 * Issue 8.4 — hostile input. Property-based fuzzing (fast-check) of every
 * route's path parameters, query and body, generated from the route list (Nest's
 * router plus every route Fastify serves) and, where the committed openapi.json
 * describes a route, from its parameter names and body schema, so a new route is
 * fuzzed without touching this file. Requests go through Fastify's inject (no
 * TCP), so the bounded form still runs ≥ 10,000 cases.
 *
 * Every answer must be 2xx or a 4xx problem+json: no 5xx, no stack trace, no
 * file path, no raw database message. Oversized bodies get 413.
 *
 * Then on a real socket: malformed HTTP/1.1 (request lines, header lines, lengths, encodings,
 * raw bytes in the path) is answered with problem+json and the connection closed, never held;
 * bodies trickled past HTTP_REQUEST_TIMEOUT_MS get 408 problem+json and a closed socket.
 */
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { fileContract, setupParties, upload } from '../contracts/fixtures';
import { bearer, startTestApp, TestApp } from '../support/app';
import { listRoutes, RouteAuth } from '../support/routes';
import { Writable } from 'node:stream';
import { saveSection, sized } from './support';
import type { AddressInfo } from 'node:net';
import { rawExchange } from '../support/raw-http';

/** The app's error-level log lines, to name the cause of any 5xx (the answer only carries a request id). */
class ErrorLog extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (this.lines.length > 2000) this.lines.splice(0, 1000);
    done();
  }
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the generated OpenAPI document, read as data
const OPENAPI = require('../../openapi.json') as {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, SchemaObject> };
};

/** The parts of an OpenAPI 3 schema object that `exampleOf` reads. */
interface SchemaObject {
  $ref?: string;
  allOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  anyOf?: SchemaObject[];
  example?: unknown;
  enum?: unknown[];
  type?: string;
  format?: string;
  properties?: Record<string, SchemaObject>;
  items?: SchemaObject;
}

/** The parts of an OpenAPI 3 operation that the fuzzer reads. */
interface OpenApiOperation {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content?: Record<string, { schema?: SchemaObject }> };
}

const CASES = Number(process.env.RELIABILITY_FUZZ_CASES ?? sized(10_000, 40_000));
/** Requests written to a real socket (malformed request lines, headers, lengths) and bodies trickled past the request deadline. */
const PROTOCOL_CASES = Number(process.env.RELIABILITY_FUZZ_PROTOCOL_CASES ?? sized(150, 1500));
const SLOW_CASES = Number(process.env.RELIABILITY_FUZZ_SLOW_CASES ?? sized(4, 40));
const SEED = Number(process.env.RELIABILITY_FUZZ_SEED ?? Date.now() % 2_147_483_647);

// ---------------------------------------------------------------------------
// Hostile values

const SQL_AND_PATHS = [
  "' OR '1'='1",
  "'; DROP TABLE transfer_records; --",
  '1 UNION SELECT password_hash FROM users--',
  "\\'; SELECT pg_sleep(10); --",
  '$1',
  '%',
  '_',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '....//....//etc/passwd',
  '/etc/passwd\u0000.pdf',
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'prototype',
];
const UNUSUAL_UNICODE = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\u202e',
  '\ufeff',
  '\u200b',
  '𝕏𝔸',
  '粵港澳大灣區',
  'e\u0301',
  '\uffff',
  'A'.repeat(3) + '\u0000' + 'B',
  '\r\n',
  '\t',
  // Control characters other than NUL: terminal escapes, DEL, C1 controls, line and paragraph separators.
  '\u0001',
  '\u0008',
  'a\u001b[31mred\u001b[0m',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u2028',
  '\u2029',
];
const LIMIT_NUMBERS: unknown[] = [
  0,
  -0,
  -1,
  1,
  1e308,
  -1e308,
  5e-324,
  2 ** 31,
  2 ** 53 + 1,
  -(2 ** 53) - 1,
  1.5,
  'NaN',
  'Infinity',
  '-Infinity',
  '1e308',
  '9007199254740993',
  '-0',
  '0x10',
  '1_000',
  '',
];

const hostileString = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SQL_AND_PATHS, ...UNUSUAL_UNICODE) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom(...LIMIT_NUMBERS.map(String)) },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.constantFrom('2025-02-30', '2025-13-01', '0000-00-00', '9999-12-31', '2025-01-01T25:00:00Z', '+275760-09-13T00:00:00.000Z') },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20_000 }).map((n) => 'x'.repeat(n)) },
);

const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileString },
  { weight: 3, arbitrary: fc.constantFrom(...LIMIT_NUMBERS) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.constant([]) },
);

const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: hostileLeaf },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor')), tie('value'), { maxKeys: 4 }) },
  ),
})).value;

/** Nesting far past anything the API has, as objects or arrays. */
const deepNesting = fc
  .tuple(fc.integer({ min: 100, max: 5000 }), fc.boolean())
  .map(([depth, arrays]) => (arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)));
const hugeArray = fc.integer({ min: 10_001, max: 50_000 }).map((n) => JSON.stringify({ records: new Array(n).fill(0) }));

/** Percent-encoding that also carries lone surrogates, as the invalid UTF-8 bytes ED A0 80 … would. */
function pct(value: string): string {
  let out = '';
  for (const ch of value) {
    const c = ch.codePointAt(0) as number;
    if (c >= 0xd800 && c <= 0xdfff)
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    else out += encodeURIComponent(ch);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Valid examples from the OpenAPI schema, to be mutated (so fuzzing reaches past the first validation error)

function resolve(schema: SchemaObject | undefined): SchemaObject | undefined {
  if (schema?.$ref) return OPENAPI.components.schemas[schema.$ref.slice(schema.$ref.lastIndexOf('/') + 1)];
  if (schema?.allOf?.length === 1) return resolve(schema.allOf[0]);
  return schema;
}

function exampleOf(raw: SchemaObject | undefined, depth = 0): unknown {
  const schema = resolve(raw);
  if (!schema || depth > 6) return null;
  if (schema.example !== undefined) return schema.example;
  if (schema.enum) return schema.enum[0];
  const choices = schema.oneOf ?? schema.anyOf;
  if (choices) return exampleOf(choices[0], depth + 1);
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, exampleOf(v, depth + 1)]));
    case 'array':
      return [exampleOf(schema.items, depth + 1)];
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    default:
      return schema.format === 'uuid' ? randomUUID() : 'example';
  }
}

function openApiOperation(method: string, path: string): OpenApiOperation | undefined {
  const ops = OPENAPI.paths[path.replace(/:(\w+)/g, '{$1}')];
  return ops?.[method.toLowerCase()];
}

/** Replaces, removes or adds one member somewhere in a JSON value. */
function mutate(value: unknown, choice: number, replacement: unknown, extraKey: string): unknown {
  const paths: Array<Array<string | number>> = [];
  const walk = (v: unknown, path: Array<string | number>): void => {
    paths.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(value, []);
  const target = paths[choice % paths.length];
  if (target.length === 0) return replacement;
  const copy = JSON.parse(JSON.stringify(value));
  let parent = copy;
  for (const step of target.slice(0, -1)) parent = parent[step];
  const last = target[target.length - 1];
  const mode = choice % 3;
  if (mode === 0) parent[last] = replacement;
  else if (mode === 1 && !Array.isArray(parent)) delete parent[last];
  else if (parent && typeof parent === 'object' && !Array.isArray(parent))
    Object.defineProperty(parent, extraKey, { value: replacement, enumerable: true, configurable: true, writable: true });
  else parent[last] = replacement;
  return copy;
}

// ---------------------------------------------------------------------------
// Judging an answer

const LEAKS: Array<[RegExp, string]> = [
  [/\n\s+at [^\n]*[(:]/, 'stack frame'],
  [/\bat (async )?[\w.<>]+ \((\/|node:|file:)/, 'stack frame'],
  [/\/work\/|\/home\/|node_modules|\/src\/[\w/-]+\.(ts|js)|\.(ts|js):\d+/, 'file path'],
  [
    /violates|syntax error at|relation "|duplicate key|invalid input syntax|invalid byte sequence|out of range for type|QueryFailedError|EntityNotFound|TypeORM/i,
    'database message',
  ],
  [/TypeError|RangeError|ReferenceError|Cannot read propert|is not a function|Maximum call stack/, 'JavaScript error'],
];

interface Answer {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
}

function judge(answer: Answer): string | null {
  if (answer.statusCode >= 500) return `${answer.statusCode}`;
  if (answer.statusCode < 400) return null;
  const type = String(answer.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json')) return `${answer.statusCode} without problem+json (${type})`;
  let problem: { status?: unknown; code?: unknown; title?: unknown };
  try {
    problem = JSON.parse(answer.body);
  } catch {
    return `${answer.statusCode} problem+json that is not JSON`;
  }
  if (problem.status !== answer.statusCode || typeof problem.code !== 'string' || typeof problem.title !== 'string')
    return `${answer.statusCode} malformed problem document`;
  for (const [pattern, what] of LEAKS) if (pattern.test(answer.body)) return `${answer.statusCode} leaks a ${what}: ${answer.body.slice(0, 300)}`;
  return null;
}

// ---------------------------------------------------------------------------

describe('hostile input: property-based fuzzing of every route', () => {
  let t: TestApp;
  let routes: RouteAuth[];
  const tokens: Record<string, string> = {};
  const realIds: string[] = [];
  const failures = new Map<string, { count: number; example: string }>();
  const perRoute: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  let cases = 0;
  let oversized = 0;
  let protocolCases = 0;
  let slowCases408 = 0;
  let port = 0;

  const inject = (options: { method: string; url: string; headers?: Record<string, string>; payload?: string | Buffer }) =>
    t.app
      .getHttpAdapter()
      .getInstance()
      .inject(options as never) as unknown as Promise<Answer>;

  const errorLog = new ErrorLog();
  const record = (route: string, answer: Answer, request: Record<string, unknown>): void => {
    statuses[answer.statusCode] = (statuses[answer.statusCode] ?? 0) + 1;
    const failure = judge(answer);
    if (!failure) return;
    const key = `${route}: ${failure.slice(0, 120)}`;
    const requestId = String(answer.headers['x-request-id'] ?? '');
    const cause =
      answer.statusCode >= 500
        ? errorLog.lines
            .filter((l) => requestId && l.includes(requestId))
            .join(' ')
            .slice(0, 1500)
        : '';
    const { payload, ...rest } = request;
    const example = `payload ${JSON.stringify(payload ?? null).slice(0, 800)}; request ${JSON.stringify(rest).slice(0, 400)}${cause ? `; logged ${cause}` : ''}`;
    const entry = failures.get(key) ?? { count: 0, example };
    entry.count++;
    failures.set(key, entry);
  };

  beforeAll(async () => {
    // Short HTTP deadlines, so slow clients and held sockets show within the run (inject, used by most cases, has no socket).
    t = await startTestApp(
      {
        LOGIN_MAX_ATTEMPTS: '5',
        LOG_LEVEL: 'error',
        HTTP_REQUEST_TIMEOUT_MS: '1500',
        HTTP_HEADERS_TIMEOUT_MS: '1000',
        HTTP_CONNECTION_TIMEOUT_MS: '5000',
        HTTP_KEEP_ALIVE_TIMEOUT_MS: '300',
      },
      { logDestination: errorLog },
    );
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
    routes = listRoutes(t.app).filter((r) => r.method !== 'HEAD');
    const parties = await setupParties(t);
    const contract = await fileContract(t, parties);
    const doc = await upload(t, parties.mainland, contract.id, 'SIGNED_CONTRACT');
    const account = await t.http
      .post(`/organisations/${parties.mainlandId}/service-accounts`)
      .set(...bearer(t.adminToken))
      .send({ name: 'fuzz' });
    const machine = await t.http
      .post('/auth/token')
      .send({ grantType: 'client_credentials', clientId: account.body.clientId, clientSecret: account.body.clientSecret });
    const filer = await t.user('ORG_FILER', { organisationId: parties.mainlandId });
    tokens.SYSTEM_ADMIN = t.adminToken;
    tokens.REGULATOR = parties.gdCac;
    tokens.ORG_ADMIN = parties.hongKong;
    tokens.ORG_FILER = parties.mainland;
    tokens.ORG_SYSTEM = machine.body.accessToken;
    realIds.push(contract.id, parties.mainlandId, parties.hongKongId, doc.body.id, filer.id, 'processor', 'recipient', '1');
  }, 120_000);

  afterAll(async () => {
    const unexpected5xx = Object.entries(statuses)
      .filter(([s]) => Number(s) >= 500)
      .reduce((n, [, c]) => n + c, 0);
    saveSection('fuzz', {
      title: 'Hostile input (fast-check, every route)',
      figures: {
        cases,
        routes: Object.keys(perRoute).length,
        seed: SEED,
        oversizedBodies413: oversized,
        protocolCases,
        slowBodies408: slowCases408,
        statuses: JSON.stringify(statuses),
        failureKinds: failures.size,
        unexpected5xx,
      },
    });
    await t?.close();
  });

  it(`runs at least ${CASES} cases over every route, each answered 2xx or 4xx problem+json`, async () => {
    const perRouteRuns = Math.ceil(CASES / routes.length);
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      const operation = openApiOperation(route.method, route.path);
      const queryNames: string[] = (operation?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      const bodySchema = operation?.requestBody?.content?.['application/json']?.schema;
      const validBody = bodySchema ? exampleOf(bodySchema) : {};
      const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
      const roles = route.auth === 'PUBLIC' || route.auth === 'NO GUARD' || route.auth.startsWith('DENIED') ? [] : route.auth.split(', ');
      const sendsBody = route.method === 'POST' || route.method === 'PATCH' || route.method === 'PUT';

      const requestArb = fc.record({
        params: fc.tuple(...params.map(() => fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...realIds) }, { weight: 3, arbitrary: hostileString }))),
        rawParam: fc.boolean(),
        query: fc.dictionary(
          fc.oneof({ weight: 4, arbitrary: queryNames.length ? fc.constantFrom(...queryNames) : hostileString }, { weight: 1, arbitrary: hostileString }),
          fc.oneof(hostileString, fc.array(hostileString, { maxLength: 3 }), fc.constantFrom(...LIMIT_NUMBERS.map(String))),
          { maxKeys: 5 },
        ),
        token: roles.length
          ? fc.oneof(
              { weight: 8, arbitrary: fc.constantFrom(...roles.filter((r) => tokens[r]).map((r) => tokens[r])) },
              { weight: 1, arbitrary: fc.constantFrom('', 'garbage', 'e30.e30.') },
            )
          : fc.constant(''),
        body: fc.oneof(
          {
            weight: 6,
            arbitrary: fc
              .tuple(fc.nat(), hostileValue, hostileString)
              .map(([c, v, k]) => ({ kind: 'json', payload: JSON.stringify(mutate(validBody, c, v, k)) })),
          },
          { weight: 2, arbitrary: hostileValue.map((v) => ({ kind: 'json', payload: JSON.stringify(v) ?? 'null' })) },
          { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => ({ kind: 'bytes', payload: Buffer.from(b) })) },
          {
            weight: 1,
            arbitrary: fc
              .constantFrom(
                Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]),
                Buffer.from('{"email":"\xed\xa0\x80"}', 'latin1'),
              )
              .map((b) => ({ kind: 'invalid utf-8', payload: b })),
          },
          { weight: 1, arbitrary: deepNesting.map((payload) => ({ kind: 'deep', payload })) },
          { weight: 1, arbitrary: hugeArray.map((payload) => ({ kind: 'huge array', payload })) },
          {
            weight: 1,
            arbitrary: fc
              .constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16')
              .map((type) => ({ kind: `content-type ${type}`, payload: 'a=1&b=2', type })),
          },
        ),
        idempotencyKey: fc.option(hostileString, { nil: undefined }),
      });

      await fc.assert(
        fc.asyncProperty(requestArb, async (request) => {
          const path = route.path.replace(/:(\w+)/g, (_m, name: string) => {
            const value = String(request.params[params.indexOf(name)] ?? '');
            return request.rawParam ? value.replace(/[\s?#%]/g, '') : pct(value);
          });
          const query = Object.entries(request.query)
            .flatMap(([k, v]) => ([] as string[]).concat(v as string).map((x) => `${pct(k)}=${pct(x)}`))
            .join('&');
          const headers: Record<string, string> = {};
          if (request.token) headers.authorization = `Bearer ${request.token}`;
          if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey.replace(/[^\x20-\x7e]/g, '');
          const body = request.body as { kind: string; payload: string | Buffer; type?: string };
          if (sendsBody) headers['content-type'] = body.type ?? 'application/json';
          const options = { method: route.method, url: path + (query ? `?${query}` : ''), headers, ...(sendsBody ? { payload: body.payload } : {}) };
          let answer: Answer;
          try {
            answer = await inject(options);
          } catch (error) {
            // A URL the HTTP layer cannot even carry (light-my-request refuses it) is not a server answer.
            if (/Invalid URL|invalid character|ERR_INVALID/i.test(String((error as Error).message))) return true;
            throw error;
          }
          cases++;
          perRoute[key] = (perRoute[key] ?? 0) + 1;
          record(key, answer, { ...options, kind: body.kind, payload: sendsBody ? String(body.payload).slice(0, 800) : undefined });
          return true;
        }),
        { numRuns: perRouteRuns, seed: SEED, endOnFailure: true },
      );
    }
    const report = [...failures.entries()].map(([k, v]) => `${k} ×${v.count}\n    e.g. ${v.example}`);
    expect(report).toEqual([]);
    expect(cases).toBeGreaterThanOrEqual(CASES * 0.98);
    for (const route of routes) expect(perRoute[`${route.method} ${route.path}`] ?? 0).toBeGreaterThan(0);
  }, 900_000);

  it('answers an oversized body with 413 problem+json on every route that takes a body', async () => {
    const limit = t.config.bodyLimitBytes;
    const tooLarge = Buffer.alloc(limit + 1, 0x20);
    for (const route of routes.filter((r) => ['POST', 'PATCH', 'PUT'].includes(r.method))) {
      const roles = route.auth.includes(',') || /^[A-Z_]+$/.test(route.auth) ? route.auth.split(', ') : [];
      const token = roles.map((r) => tokens[r]).find(Boolean);
      const url = route.path.replace(/:(\w+)/g, () => realIds[0]);
      for (const type of ['application/json', 'multipart/form-data; boundary=----x']) {
        const answer = await inject({
          method: route.method,
          url,
          headers: { 'content-type': type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
          payload: tooLarge,
        });
        record(`${route.method} ${route.path} (oversized ${type})`, answer, { url, type });
        // Multipart is streamed to the upload route's own limit (UPLOAD_LIMIT_BYTES); every other route refuses the body outright.
        // A route that takes no upload answers a multipart body without reading it (4xx problem, checked above).
        const acceptable = type.startsWith('multipart') ? (route.path.endsWith('/documents') ? [400, 413] : [400, 404, 409, 413, 415]) : [413];
        if (!acceptable.includes(answer.statusCode))
          failures.set(`${route.method} ${route.path}: oversized ${type} → ${answer.statusCode}`, { count: 1, example: answer.body.slice(0, 200) });
        else if (answer.statusCode === 413) oversized++;
      }
    }
    // The upload route's own limit.
    const uploadLimit = t.config.uploadLimitBytes;
    const boundary = '----fuzzboundary';
    const multipart = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nSIGNED_CONTRACT\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n`,
      ),
      Buffer.alloc(uploadLimit + 1, 0x20),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const answer = await inject({
      method: 'POST',
      url: `/contracts/${realIds[0]}/documents`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, authorization: `Bearer ${tokens.ORG_FILER}` },
      payload: multipart,
    });
    record('POST /contracts/:id/documents (file over the upload limit)', answer, {});
    expect(answer.statusCode).toBe(413);
    oversized++;
    expect([...failures.entries()].filter(([k]) => k.includes('oversized') || k.includes('upload limit')).map(([k, v]) => `${k}: ${v.example}`)).toEqual([]);
  }, 300_000);

  it(`answers ${PROTOCOL_CASES} malformed HTTP/1.1 requests on a real socket with problem+json, and closes every connection`, async () => {
    const token = fc.constantFrom('GET', 'POST', 'PATCH', 'G ET', 'get', 'CONNECT', 'PRI', '', 'GET\u0000', 'ÄÖ');
    const pathChar = fc.constantFrom('a', '/', ' ', '%', '%zz', '%E0%A4%A', '?', '#', '\u0001', '\u007f', '\u00e9', '\u00ff', '\t', '..', '{', '"', '\\');
    const target = fc.oneof(
      fc.constantFrom(...routes.map((r) => r.path.replace(/:(\w+)/g, realIds[0]))),
      fc.array(pathChar, { maxLength: 12 }).map((parts) => `/${parts.join('')}`),
      fc.constantFrom('*', 'http://evil.example/', '', '//', '/%00', '/health/live?x=%'),
    );
    const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1 extra', 'http/1.1', '');
    const header = fc.oneof(
      fc.constantFrom(
        'Content-Length: 2',
        'Content-Length: -1',
        'Content-Length: ten',
        'Content-Length: 1, 2',
        'Content-Length: 99999999999999999999',
        'Transfer-Encoding: chunked',
        'Transfer-Encoding: gzip, chunked',
        'Transfer-Encoding: identity',
        'Content-Type: application/json',
        'Expect: 100-continue',
        'Host: a',
        'Host:',
        'no colon here',
        ' leading: space',
        'X-Bad\u0001: value',
        'X-Nul: a\u0000b',
        `X-Big: ${'b'.repeat(17_000)}`,
        'Upgrade: websocket',
        'Connection: upgrade',
      ),
      fc.tuple(fc.string({ unit: 'binary-ascii', maxLength: 12 }), fc.string({ unit: 'binary-ascii', maxLength: 24 })).map(([n, v]) => `${n}: ${v}`),
    );
    const body = fc.oneof(fc.constant(''), fc.constantFrom('{}', '0\r\n\r\n', 'zz\r\n{}\r\n0\r\n\r\n', '{"a":'), fc.string({ unit: 'binary', maxLength: 40 }));
    const requestArb = fc.record({ token, target, version, headers: fc.array(header, { maxLength: 4 }), body, lineEnd: fc.constantFrom('\r\n', '\n', '\r') });

    await fc.assert(
      fc.asyncProperty(requestArb, async (r) => {
        const request = `${r.token} ${r.target} ${r.version}${r.lineEnd}${['Host: localhost', ...r.headers, 'Connection: close'].join(r.lineEnd)}${r.lineEnd}${r.lineEnd}${r.body}`;
        // Given far more than the request deadline: a connection the server still holds then is a failure.
        const answer = await rawExchange(port, [Buffer.from(request, 'utf8')], 0, 15_000);
        protocolCases++;
        const key = `raw ${JSON.stringify(request.slice(0, 120))}`;
        if (!answer.closedByServer) failures.set(`raw socket held open: ${key}`, { count: 1, example: answer.raw.slice(0, 200) });
        // An incomplete request the server gave up on, or a connection closed before anything was asked, may get no answer.
        if (answer.raw === '') return true;
        record('raw socket', { statusCode: answer.status, headers: answer.headers, body: answer.body }, { payload: request.slice(0, 800) });
        return true;
      }),
      { numRuns: PROTOCOL_CASES, seed: SEED, endOnFailure: true },
    );
    expect([...failures.entries()].filter(([k]) => k.startsWith('raw')).map(([k, v]) => `${k}: ${v.example}`)).toEqual([]);
    expect(protocolCases).toBe(PROTOCOL_CASES);
  }, 900_000);

  it(`cuts off ${SLOW_CASES} bodies trickled past the request deadline with 408 problem+json and a closed socket`, async () => {
    const writes = routes.filter((r) => ['POST', 'PATCH', 'PUT'].includes(r.method));
    const slow = fc.sample(
      fc.record({ route: fc.constantFrom(...writes), gapMs: fc.integer({ min: 150, max: 600 }), size: fc.integer({ min: 200, max: 2000 }) }),
      {
        numRuns: SLOW_CASES,
        seed: SEED,
      },
    );
    // Concurrently: each waits for the deadline, and many held at once is the attack.
    await Promise.all(
      slow.map(async ({ route, gapMs, size }) => {
        const url = route.path.replace(/:(\w+)/g, () => realIds[0]);
        const body = JSON.stringify({ padding: 'x'.repeat(size) });
        const head = `${route.method} ${url} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nAuthorization: Bearer ${tokens.SYSTEM_ADMIN}\r\nContent-Length: ${body.length}\r\n\r\n`;
        const chunks = [head, ...body.match(/.{1,3}/g)!];
        const answer = await rawExchange(port, chunks, gapMs, 60_000);
        const key = `slow body ${route.method} ${route.path}`;
        if (!answer.closedByServer) failures.set(`${key}: socket held open`, { count: 1, example: answer.raw.slice(0, 200) });
        else if (answer.status !== 408) failures.set(`${key}: ${answer.status}`, { count: 1, example: answer.raw.slice(0, 200) });
        else {
          slowCases408++;
          record(key, { statusCode: answer.status, headers: answer.headers, body: answer.body }, { url });
        }
      }),
    );
    expect([...failures.entries()].filter(([k]) => k.startsWith('slow body')).map(([k, v]) => `${k}: ${v.example}`)).toEqual([]);
    expect(slowCases408).toBe(SLOW_CASES);
  }, 300_000);
});
