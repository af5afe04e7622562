import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { registeredRoutes } from '../../src/app.factory';
import { IS_PUBLIC, ROLES_KEY } from '../../src/common/decorators';

export interface RouteAuth {
  method: string;
  path: string;
  /** `PUBLIC`, the roles the guard admits, `DENIED (no roles)`, or `NO GUARD` for a route served around Nest. */
  auth: string;
  handler?: string;
}

const joinPath = (...parts: string[]): string =>
  '/' +
  parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/');

/** Fastify writes `:id`, Nest writes `:id` too; both without a trailing slash. */
const normalise = (path: string): string => (path.length > 1 ? path.replace(/\/+$/, '') : path);

/**
 * Every Nest route with the auth requirement the global guard applies to it (the same
 * metadata lookup as RegistryAuthGuard), plus every other route Fastify serves.
 */
export function listRoutes(app: NestFastifyApplication): RouteAuth[] {
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  const nestRoutes: RouteAuth[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!type || !wrapper.instance) continue;
      const prototype = Object.getPrototypeOf(wrapper.instance) as Record<string, unknown>;
      const controllerPaths = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, type) ?? '/');
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as (...args: unknown[]) => unknown;
        const methodPath = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (methodPath === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const targets = [handler, type];
        const isPublic = reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets);
        const roles = reflector.getAllAndOverride<string[] | undefined>(ROLES_KEY, targets);
        const auth = isPublic ? 'PUBLIC' : roles?.length ? [...roles].sort().join(', ') : 'DENIED (no roles)';
        for (const controllerPath of controllerPaths) {
          for (const path of ([] as string[]).concat(methodPath)) {
            nestRoutes.push({ method, path: normalise(joinPath(controllerPath, path)), auth, handler: `${type.name}.${name}` });
          }
        }
      }
    }
  }
  const known = new Set(nestRoutes.map((r) => `${r.method} ${r.path}`));
  const others: RouteAuth[] = [];
  for (const route of registeredRoutes(app)) {
    if (route.method === 'HEAD' || route.method === 'OPTIONS') continue;
    const path = normalise(route.url);
    const key = `${route.method} ${path}`;
    if (known.has(key) || others.some((o) => `${o.method} ${o.path}` === key)) continue;
    others.push({ method: route.method, path, auth: 'NO GUARD' });
  }
  return [...nestRoutes, ...others].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}
