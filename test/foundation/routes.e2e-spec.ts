/*
 * Every route with its auth requirement (docs/contributing.md#requests; twenty's
 * endpoint-permission-declarations.spec.ts). A permission change, a new route, or a route
 * whose @Public/@Roles was forgotten ("DENIED (no roles)") shows up in review as a snapshot diff.
 * After a deliberate change: `npx jest test/foundation/routes.e2e-spec.ts -u`, and review the diff.
 */
import { startTestApp, TestApp } from '../support/app';
import { listRoutes } from '../support/routes';

describe('route permissions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t?.close());

  it('matches the committed snapshot', () => {
    const table = listRoutes(t.app)
      .map((r) => `${r.method.padEnd(6)} ${r.path.padEnd(56)} ${r.auth}`)
      .join('\n');
    expect(`\n${table}\n`).toMatchSnapshot();
  });

  it('is consistent with what the guard actually does', async () => {
    const routes = listRoutes(t.app);
    expect(routes.length).toBeGreaterThan(5);
    for (const route of routes.filter((r) => r.auth !== 'PUBLIC' && r.auth !== 'NO GUARD')) {
      // No token: the guard refuses before any handler runs (path ids filled with a UUID).
      const path = route.path.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');
      const response = await t.http[route.method.toLowerCase() as 'get'](path);
      expect({ route: `${route.method} ${route.path}`, status: response.status }).toEqual({ route: `${route.method} ${route.path}`, status: 401 });
    }
  });

  it('marks a route without @Public or @Roles as DENIED, and the guard refuses it even to an administrator', async () => {
    const denied = listRoutes(t.app).filter((r) => r.auth === 'DENIED (no roles)');
    for (const route of denied) {
      const path = route.path.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');
      const response = await t.http[route.method.toLowerCase() as 'get'](path).set('Authorization', `Bearer ${t.adminToken}`);
      expect({ route: `${route.method} ${route.path}`, status: response.status }).toEqual({ route: `${route.method} ${route.path}`, status: 403 });
    }
  });
});
