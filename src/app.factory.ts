import fastifyMultipart from '@fastify/multipart';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { answerClientError, ProblemFilter, sendProblem, toProblem } from './common/problem.filter';
import { installAsyncResourceBind } from './common/async-resource-bind';
import { DomainError, ErrorCode } from './common/errors';
import { locateUnacceptableInput, MAX_BODY_DEPTH, registryValidationPipe, unacceptableInput } from './common/validation';
import { RegistryConfig } from './config/config';
import { RegistryMetrics } from './common/metrics';
import { RequestActivity } from './common/request-activity';
import { addRequestLogging, RegistryLogger, requestIdOf, rootLogger } from './logging';
import { setupOpenApi } from './openapi';

export interface RegisteredRoute {
  method: string;
  url: string;
}
const REGISTERED_ROUTES = new WeakMap<object, RegisteredRoute[]>();
/** The one route that reads multipart/form-data (a filing's documents). */
const MULTIPART_ROUTE = '/contracts/:id/documents';

/** The (method, url) of every route registered on the application's Fastify instance. */
export function registeredRoutes(app: NestFastifyApplication): RegisteredRoute[] {
  return [...(REGISTERED_ROUTES.get(app) ?? [])];
}

/**
 * Builds the whole HTTP application; `main.ts`, the tests and the benchmarks
 * all start the registry through this one function.
 */
export interface CreateAppOptions {
  /** No logs at all (tests). */
  silent?: boolean;
  /** Where the JSON log lines go instead of stdout (the log test captures them). */
  logDestination?: NodeJS.WritableStream;
}

export async function createApp(config: RegistryConfig, databaseUrl: string, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  installAsyncResourceBind();
  const adapter = fastifyAdapter(config);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, databaseUrl), adapter, {
    bufferLogs: true,
    abortOnError: false,
    logger: options.silent ? false : undefined,
  });
  const logger = rootLogger(config, options.logDestination);
  if (!options.silent) app.useLogger(new RegistryLogger(logger));
  const fastify = app.getHttpAdapter().getInstance();
  // First of the registry's hooks, so that the others and the route run in the request's log context.
  addRequestLogging(fastify, logger);
  // Every route Fastify serves, including those registered around Nest (API docs, static
  // assets), so the route snapshot test sees a route that bypasses the guard.
  const routes: RegisteredRoute[] = [];
  REGISTERED_ROUTES.set(app, routes);
  fastify.addHook('onRoute', (route) => {
    for (const method of ([] as string[]).concat(route.method)) routes.push({ method, url: route.url });
  });

  await registerSecurity(app, config);
  fastify.addHook('preValidation', refuseUnacceptableInput);
  addResponseHooks(fastify, app.get(RegistryMetrics));
  // When requests last arrived, for background work that defers to them (docs/scaling.md#read-tails); probes do not count.
  const activity = app.get(RequestActivity);
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (!request.url.startsWith('/health/') && request.url !== '/metrics') activity.started();
    done();
  });

  app.useGlobalPipes(registryValidationPipe());
  app.useGlobalFilters(new ProblemFilter());
  setupOpenApi(app);
  await app.init();
  await fastify.ready();
  return app;
}

/** Fastify with the registry's limits and deadlines, and problem+json for what its parser and router refuse. */
function fastifyAdapter(config: RegistryConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    genReqId: (req: import('node:http').IncomingMessage) => {
      const id = requestIdOf(req);
      (req as typeof req & { id?: string }).id = id;
      return id;
    },
    // Behind a load balancer every client would otherwise share its address, and five failed
    // sign-ins by anyone would lock everybody out (per-address throttling).
    trustProxy: config.trustProxy,
    routerOptions: { maxParamLength: 200 },
    // A client that trickles its request (one byte every few seconds) must not hold a socket
    // forever: the whole request and its headers have deadlines (then 408), an idle socket and an
    // idle keep-alive connection are closed (src/config/config.ts, HTTP_*_TIMEOUT_MS).
    requestTimeout: config.httpRequestTimeoutMs,
    connectionTimeout: config.httpConnectionTimeoutMs,
    keepAliveTimeout: config.httpKeepAliveTimeoutMs,
    http: {
      headersTimeout: config.httpHeadersTimeoutMs,
      // Node checks the request and headers deadlines on this interval (default 30 s), so a
      // deadline shorter than that would only be enforced late.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(config.httpHeadersTimeoutMs / 4))),
    },
    // What the HTTP parser refuses before Fastify sees a request (a header block over the limit, a
    // malformed request line, a bad Content-Length, a raw space in the path) and the 408 of a slow
    // request: problem+json too, then the connection is closed.
    clientErrorHandler: answerClientError,
    // A URL the router cannot decode (bad percent-encoding) or a path parameter past maxParamLength: problem+json too.
    frameworkErrors: (error: Error, request: { url: string; id: string }, reply: import('fastify').FastifyReply) =>
      sendProblem(reply, toProblem(error, request.url.split('?')[0], request.id)),
  });
}

/**
 * Security headers (helmet): the names and values its middleware sets, computed once, as the directives are the same
 * for every request; setting them is all a request pays (README, Performance).
 */
const securityHeaders = headersSetBy(
  helmet({
    // The console is served by this process with its own scripts and styles only.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        // TLS is the deployment's job (docs/api.md, HSTS is sent); upgrading here would break
        // the console for anyone opening a plain-HTTP development instance on a LAN address.
        upgradeInsecureRequests: null,
      },
    },
  }),
);

/** The headers a middleware that depends on nothing in the request sets, in its order. */
function headersSetBy(middleware: (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  const res = {
    setHeader: (name: string, value: string) => headers.push([name, value]),
    // helmet's hidePoweredBy: Fastify sends no X-Powered-By.
    removeHeader: () => undefined,
  };
  let finished = false;
  middleware({} as IncomingMessage, res as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error('the security headers middleware failed');
    finished = true;
  });
  if (!finished) throw new Error('the security headers middleware did not finish at once');
  return headers;
}

/** Security headers (helmet), the document upload's limits and CORS. */
async function registerSecurity(app: NestFastifyApplication, config: RegistryConfig): Promise<void> {
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (_request, reply, done) => {
      for (const [name, value] of securityHeaders) reply.raw.setHeader(name, value);
      done();
    });
  await app.register(fastifyMultipart, { limits: { fileSize: config.uploadLimitBytes, files: 1, fields: 10 } });
  if (config.corsOrigins.length) app.enableCors({ origin: config.corsOrigins, credentials: false });
}

// Deeply nested JSON would overflow the recursive validation (class-transformer), and a NUL
// character would reach PostgreSQL: both were 500s. Refused up front as 400. (Synchronous: the
// hook answers through `done`.)
function refuseUnacceptableInput(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
  // Only the document upload reads multipart/form-data; any other route would answer without
  // reading it (a sign-out would say 204 to a 10 MB form), so it is refused as the wrong type.
  if (request.isMultipart() && request.routeOptions.url !== MULTIPART_ROUTE) {
    done(
      new DomainError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Unsupported media type', {
        detail: 'send application/json; multipart/form-data is taken only by POST /contracts/:id/documents',
        errors: [{ field: 'content-type', rule: 'media-type', message: 'multipart/form-data is taken only by the document upload' }],
      }),
    );
    return;
  }
  const parts: Array<[unknown, string]> = [
    [request.body, ''],
    [request.query, 'query'],
    [request.params, 'path'],
  ];
  for (const [part, root] of parts) {
    const reason = unacceptableInput(part, MAX_BODY_DEPTH);
    if (!reason) continue;
    const where = locateUnacceptableInput(part, MAX_BODY_DEPTH, root);
    done(
      new DomainError(ErrorCode.MALFORMED_REQUEST, 'Bad request', {
        detail: where?.field ? `${where.field}: ${reason}` : reason,
        errors: where ? [{ field: where.field || root || 'body', rule: where.rule, message: reason }] : undefined,
      }),
    );
    return;
  }
  done();
}

/** The request id on every answer, /docs' inline styles, and the request duration metric. */
function addResponseHooks(fastify: FastifyInstance, metrics: RegistryMetrics): void {
  // Errors raised by Fastify itself (bad JSON, body too large, wrong content type) reach the
  // ProblemFilter through the error handler Nest installs at init (RoutesResolver), so they are
  // problem+json too; a second handler here would only replace Nest's and warn (FSTWRN004).
  // Callback hooks, not async ones: no promise per hook on every request.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    // Swagger UI's page and components use inline styles; allow those on /docs only.
    if (request.url.startsWith('/docs')) {
      const policy = reply.getHeader('content-security-policy');
      if (typeof policy === 'string') reply.header('content-security-policy', policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"));
    }
    done(null, payload);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    metrics.httpDuration.labels(request.method, route, String(reply.statusCode)).observe(reply.elapsedTime / 1000);
    done();
  });
}
