import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { pino, stdSerializers, type Logger as Pino } from 'pino';
import type { RegistryConfig } from './config/config';

/** Request ids: the caller's `X-Request-Id` when it looks sane, else a fresh UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  if (typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given)) return given;
  return randomUUID();
}

/**
 * Structured JSON logs (pino), each request's lines with its id (`addRequestLogging`). Credentials
 * never reach a log line: authorization headers, cookies and any body field
 * that carries a secret are redacted.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  'password',
  'clientSecret',
  'accessToken',
  '*.password',
  '*.clientSecret',
  '*.accessToken',
];

/** The request path without its query string (which may carry a cursor or other caller data). */
function pathOf(req: { url?: string; originalUrl?: string }): string {
  return (req.originalUrl ?? req.url ?? '').split('?')[0];
}

/** Probes are not logged when they complete (they would drown everything else). */
function isProbe(req: IncomingMessage): boolean {
  return pathOf(req).startsWith('/health/');
}

/** The registry's one pino logger: every line carries `service`; `req`, `res` and `err` are serialized as below. */
export function rootLogger(config: RegistryConfig, destination?: NodeJS.WritableStream): Pino {
  const options = {
    level: config.logLevel,
    base: { service: 'gba-registry' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req: stdSerializers.wrapRequestSerializer((req) => ({ id: req.id as string, method: req.method, url: pathOf(req.raw ?? req) })),
      res: stdSerializers.wrapResponseSerializer((res) => ({ statusCode: res.statusCode })),
      err: stdSerializers.wrapErrorSerializer(stdSerializers.err as unknown as Parameters<typeof stdSerializers.wrapErrorSerializer>[0]),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Request logging as one Fastify hook, not middleware: at `info` and below, one line is logged as each request
 * completes ("request completed", or "request errored" for a 5xx or a failed response) with its `req` (id, method,
 * path), `res` and `responseTime` in ms; at `warn` and above, nothing per request. A request that fails with a 5xx
 * is also logged at `error` by the problem filter, with the same `req` (src/common/problem.filter.ts).
 *
 * Lines that services log while a request runs are not bound to the request: that took an `AsyncLocalStorage`,
 * which on Node 20 follows every promise of the process once it is in use, and cost a one-record `POST /transfers`
 * about 15% of the registry's CPU (docs/scaling.md#filings). Those lines name what they concern (a record, a
 * replica, a witness) instead.
 */
export function addRequestLogging(fastify: FastifyInstance, root: Pino): void {
  if (!root.isLevelEnabled('info')) return;
  fastify.addHook('onRequest', (request, reply, done) => {
    logCompletion(root, request.raw, reply.raw);
    done();
  });
}

/** The completion line of a request; of a probe only when its response fails. */
function logCompletion(root: Pino, req: IncomingMessage, res: ServerResponse & { err?: Error }): void {
  const startedAt = Date.now();
  const probe = isProbe(req);
  const onComplete = (err?: Error): void => {
    res.removeListener('close', onComplete);
    res.removeListener('finish', onComplete);
    res.removeListener('error', onComplete);
    if (probe && !err) return;
    const responseTime = Date.now() - startedAt;
    if (err || res.err || res.statusCode >= 500) {
      const error = err ?? res.err ?? new Error(`failed with status code ${res.statusCode}`);
      root.info({ req, res, err: error, responseTime }, 'request errored');
    } else {
      root.info({ req, res, responseTime }, 'request completed');
    }
  };
  if (!probe) {
    res.on('close', onComplete);
    res.on('finish', onComplete);
  }
  res.on('error', onComplete);
}

/**
 * Nest's logger (`new Logger(context)` in services, and Nest's own lines) on pino: the context as
 * `context`, an object message merged into the line (a `req` in it serialized as the completion line's), an
 * Error as `err`, a stack passed by Nest's exception handlers as `err.stack`.
 */
export class RegistryLogger implements LoggerService {
  constructor(private readonly root: Pino) {}
  verbose(message: unknown, ...params: unknown[]): void {
    this.call('trace', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.call('debug', message, params);
  }
  log(message: unknown, ...params: unknown[]): void {
    this.call('info', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.call('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.call('error', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.call('fatal', message, params);
  }

  private call(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', message: unknown, optional: unknown[]): void {
    if (!this.root.isLevelEnabled(level)) return;
    const logger = this.root;
    const fields: Record<string, unknown> = {};
    // The last optional parameter is the context (Nest's contract); any before it are format arguments.
    const params = optional.slice(0, -1);
    if (optional.length) fields.context = optional[optional.length - 1];
    if (typeof message === 'object') {
      if (message instanceof Error) fields.err = message;
      else Object.assign(fields, message);
      logger[level](fields, ...(params as [string]));
    } else if (level === 'error' && typeof message === 'string' && params.length === 1 && typeof params[0] === 'string' && /\n\s*at /.test(params[0])) {
      const err = new Error(message);
      err.stack = params[0];
      logger[level]({ ...fields, err });
    } else {
      logger[level](fields, message as string, ...params);
    }
  }
}
