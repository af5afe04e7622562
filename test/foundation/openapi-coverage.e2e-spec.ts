/*
 * openapi.json is the whole truth about what the server accepts: every query parameter and body
 * field a route reads is documented for that operation, and nothing is documented that the route
 * would refuse.
 *
 * "What the server accepts" is derived from the code, not from the document: for each
 * controller method, the classes its `@Query()` and `@Body()` parameters are typed with (or, for
 * a body typed `unknown` and validated by hand, the class its `@ApiBody` names and validates
 * against), and from each class the properties class-validator has rules for. The global
 * ValidationPipe whitelists and forbids anything else (src/common/validation.ts,
 * `forbidNonWhitelisted`), so those properties are exactly what is accepted; the last test probes
 * that on every such route. The test cannot pass vacuously: it counts what it compared, and checks
 * the derivation against routes whose parameters are known.
 */
import 'reflect-metadata';
import { ROUTE_ARGS_METADATA, PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import { bearer, startTestApp, TestApp } from '../support/app';

type Class = abstract new (...args: never[]) => unknown;

interface SchemaObject {
  $ref?: string;
  allOf?: SchemaObject[];
  properties?: Record<string, SchemaObject>;
}
interface Operation {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content?: Record<string, { schema?: SchemaObject }> };
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, SchemaObject> };
}

interface Accepted {
  key: string;
  method: string;
  path: string;
  query: Class | null;
  body: Class | null;
}

/** The properties class-validator validates on `type`, inherited ones included. */
function validatedProperties(type: Class): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(type, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))].sort();
}

function join(...parts: Array<string | undefined>): string {
  const path = parts
    .flatMap((p) => (p ?? '').split('/'))
    .filter(Boolean)
    .join('/');
  return `/${path}`.replace(/:(\w+)/g, '{$1}');
}

/** Every controller method and the classes its query and body are validated against. */
function acceptedByRoute(t: TestApp): Accepted[] {
  const out: Accepted[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Class | null;
      // The console's pages and assets are deliberately not part of the API document (@ApiExcludeController).
      if (!controller || (Reflect.getMetadata('swagger/apiExcludeController', controller) as unknown[] | undefined)?.[0] === true) continue;
      const prefix = Reflect.getMetadata(PATH_METADATA, controller) as string | undefined;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (requestMethod === undefined) continue;
        const method = RequestMethod[requestMethod].toLowerCase();
        const path = join(prefix, Reflect.getMetadata(PATH_METADATA, handler) as string | undefined);
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, { index: number; data?: unknown }>;
        const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, name) ?? []) as Class[];
        let query: Class | null = null;
        let body: Class | null = null;
        for (const [key, arg] of Object.entries(args)) {
          const kind = Number(key.split(':')[0]);
          if (kind !== Number(RouteParamtypes.QUERY) && kind !== Number(RouteParamtypes.BODY)) continue;
          if (arg.data !== undefined) throw new Error(`${method} ${path}: a @Query or @Body of one member; the test reads whole-object classes only`);
          const type = types[arg.index];
          if (kind === Number(RouteParamtypes.QUERY)) query = type;
          else if (type === Object) {
            // A body typed `unknown` skips the global pipe and is validated by hand against the class @ApiBody names.
            const declared = (Reflect.getMetadata('swagger/apiParameters', handler) ?? []) as Array<{ in?: string; type?: Class }>;
            const apiBody = declared.find((p) => p.in === 'body')?.type;
            if (!apiBody) throw new Error(`${method} ${path}: a body typed unknown without @ApiBody naming the class it is validated against`);
            body = apiBody;
          } else body = type;
        }
        out.push({ key: `${method.toUpperCase()} ${path}`, method, path, query, body });
      }
    }
  }
  return out;
}

describe('openapi.json documents exactly what each route accepts', () => {
  let t: TestApp;
  let document: OpenApi;
  let routes: Accepted[];

  beforeAll(async () => {
    t = await startTestApp();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the committed document, read as data
    document = require('../../openapi.json') as OpenApi;
    routes = acceptedByRoute(t);
  });
  afterAll(async () => t?.close());

  const resolve = (schema: SchemaObject | undefined): SchemaObject | undefined => {
    if (schema?.$ref) return document.components.schemas[schema.$ref.slice(schema.$ref.lastIndexOf('/') + 1)];
    if (schema?.allOf?.length === 1) return resolve(schema.allOf[0]);
    return schema;
  };
  const documented = (r: Accepted) => {
    const operation = document.paths[r.path]?.[r.method];
    const schema = resolve(operation?.requestBody?.content?.['application/json']?.schema);
    return {
      operation,
      query: (operation?.parameters ?? [])
        .filter((p) => p.in === 'query')
        .map((p) => p.name)
        .sort(),
      body: Object.keys(schema?.properties ?? {}).sort(),
    };
  };

  it('derives the accepted parameters from the code (the derivation itself is checked)', () => {
    expect(routes.length).toBeGreaterThan(40);
    const transfers = routes.find((r) => r.key === 'GET /transfers');
    expect(transfers?.query && validatedProperties(transfers.query)).toEqual(expect.arrayContaining(['contractId', 'direction', 'flag', 'limit', 'cursor']));
    const token = routes.find((r) => r.key === 'POST /auth/token');
    expect(token?.body && validatedProperties(token.body)).toEqual(expect.arrayContaining(['grantType']));
    const transfersPost = routes.find((r) => r.key === 'POST /transfers');
    expect(transfersPost?.body && validatedProperties(transfersPost.body)).toEqual(['records']);
    expect(routes.filter((r) => r.query).length).toBeGreaterThan(10);
    expect(routes.filter((r) => r.body).length).toBeGreaterThan(10);
  });

  it('every route is an operation of the document', () => {
    expect(routes.filter((r) => !documented(r).operation).map((r) => r.key)).toEqual([]);
  });

  it('every query parameter a route accepts is documented, and no other', () => {
    const mismatches = routes
      .map((r) => ({ route: r.key, accepted: r.query ? validatedProperties(r.query) : [], documented: documented(r).query }))
      .filter((m) => JSON.stringify(m.accepted) !== JSON.stringify(m.documented));
    expect(mismatches).toEqual([]);
  });

  it('every body field a route accepts is documented, and no other', () => {
    const mismatches = routes
      .filter((r) => r.body)
      .map((r) => ({ route: r.key, accepted: validatedProperties(r.body!), documented: documented(r).body }))
      .filter((m) => JSON.stringify(m.accepted) !== JSON.stringify(m.documented));
    expect(mismatches).toEqual([]);
  });

  it('a route with a query class refuses a parameter outside it, so the class is all it accepts', async () => {
    const probed: string[] = [];
    for (const r of routes.filter((x) => x.query && x.method === 'get')) {
      const path = r.path.replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000');
      const response = await t.http.get(`${path}?notAParameter=1`).set(...bearer(t.adminToken));
      // An administrator may be refused a party's route (403) before the query is read; those are not counted.
      if (response.status === 403) continue;
      probed.push(r.key);
      expect({ route: r.key, status: response.status, errors: response.body.errors }).toEqual({
        route: r.key,
        status: 400,
        errors: expect.arrayContaining([expect.objectContaining({ field: 'notAParameter', rule: 'whitelistValidation' })]),
      });
    }
    expect(probed.length).toBeGreaterThan(8);
  });
});
