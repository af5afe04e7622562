/*
 * A typed client for the registry's HTTP API: openapi-fetch over the types openapi-typescript generates from the
 * committed openapi.json into ./schema.d.ts (`npm run client:generate`; tools/client.spec.ts fails when it is
 * stale). Paths, parameters, request bodies and the declared answers are checked by the TypeScript compiler.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema';

export type { components, operations, paths } from './schema';

export interface RegistryClientOptions {
  /** Where the registry listens, e.g. https://registry.example or http://localhost:3000. */
  baseUrl: string;
  /** A bearer token from POST /auth/token; sent on every request. */
  token?: string;
}

/** A client for every route of openapi.json, sending the bearer token when one is given. */
export function createRegistryClient({ baseUrl, token }: RegistryClientOptions): Client<paths> {
  const client = createClient<paths>({ baseUrl });
  if (token) {
    client.use({
      onRequest({ request }) {
        request.headers.set('Authorization', `Bearer ${token}`);
        return request;
      },
    });
  }
  return client;
}
