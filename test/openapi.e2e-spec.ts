/*
 * OpenAPI 3.1 at /openapi.json, also committed as ./openapi.json so API changes show in review
 * (docs/contributing.md#config-logs-and-api-docs; immich server/src/bin/sync-open-api.ts).
 * After a deliberate API change: `npm run openapi` (UPDATE_OPENAPI=1) rewrites the file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startTestApp, TestApp } from './support/app';

const COMMITTED = path.join(__dirname, '..', 'openapi.json');

/** Keys sorted at every level (arrays keep their order), so the file does not churn with module order. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

const serialiseOpenApi = (document: unknown): string => `${JSON.stringify(sortKeys(document), null, 2)}\n`;

describe('OpenAPI document', () => {
  let t: TestApp;
  let live: Record<string, unknown>;
  beforeAll(async () => {
    t = await startTestApp();
    const response = await t.http.get('/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    live = response.body;
  });
  afterAll(async () => t?.close());

  it('is OpenAPI 3.1', () => {
    expect(live.openapi).toBe('3.1.0');
    expect(live.info).toMatchObject({ title: 'GBA Standard Contract Registry' });
    expect(Object.keys(live.paths as object).length).toBeGreaterThan(5);
  });

  it('documents the foundation routes, with bearer security on the protected ones', () => {
    const paths = live.paths as Record<string, Record<string, { security?: unknown[]; responses?: Record<string, unknown> }>>;
    for (const [route, method] of [
      ['/auth/me', 'get'],
      ['/users', 'post'],
      ['/organisations', 'post'],
      ['/organisations', 'get'],
      ['/organisations/{id}', 'get'],
      ['/organisations/{id}/verify', 'post'],
      ['/organisations/{id}/service-accounts', 'post'],
    ]) {
      expect({ route, method, security: paths[route]?.[method]?.security }).toEqual({ route, method, security: [{ bearer: [] }] });
    }
    expect(paths['/auth/token'].post).toBeDefined();
    expect(paths['/reference'].get.security).toBeUndefined();
    expect(paths['/reference'].get.responses?.['200']).toBeDefined();
  });

  it('matches the committed openapi.json (run `npm run openapi` after an API change)', () => {
    const serialised = serialiseOpenApi(live);
    if (process.env.UPDATE_OPENAPI === '1') {
      fs.writeFileSync(COMMITTED, serialised);
      return;
    }
    const committed = fs.existsSync(COMMITTED) ? fs.readFileSync(COMMITTED, 'utf8') : '';
    if (committed !== serialised) {
      throw new Error(
        `openapi.json is out of date with the live /openapi.json document.\n` +
          `Run \`npm run openapi\` and commit the result.\n` +
          firstDifference(committed, serialised),
      );
    }
  });

  it('serves the browsable documentation at /docs', async () => {
    const page = await t.http.get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect((await t.http.get('/docs/swagger-ui-init.js')).status).toBe(200);
    expect((await t.http.get('/docs/swagger-ui.css')).status).toBe(200);
    // Swagger UI needs inline styles; the rest of the API keeps the strict policy.
    expect(page.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
    expect((await t.http.get('/health/live')).headers['content-security-policy']).toContain("style-src 'self';");
  });
});

function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    if (left[i] !== right[i])
      return `first difference at line ${i + 1}:\n  committed: ${left[i] ?? '(end of file)'}\n  live:      ${right[i] ?? '(end of file)'}`;
  }
  return '';
}
