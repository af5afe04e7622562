import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { RegistryConfig } from './config/config';

/** Request ids: the caller's `X-Request-Id` when it looks sane, else a fresh UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  if (typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given)) return given;
  return randomUUID();
}

/**
 * Structured JSON logs (pino) with the request id on every line. Credentials
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

export function loggerOptions(config: RegistryConfig, destination?: NodeJS.WritableStream): Params {
  return {
    pinoHttp: [
      {
        level: config.logLevel,
        base: { service: 'gba-registry' },
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        genReqId: (req) => (req as IncomingMessage & { id?: string }).id ?? requestIdOf(req),
        // Under Fastify, Nest runs this middleware through middie, which strips the mount path from
        // req.url while the middleware runs ("/health/live" reads "/"): match on originalUrl.
        autoLogging: { ignore: (req) => pathOf(req).startsWith('/health/') },
        serializers: {
          req: (req: { id: string; method: string; url: string; raw?: IncomingMessage }) => ({ id: req.id, method: req.method, url: pathOf(req.raw ?? req) }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
      },
      ...(destination ? [destination] : []),
    ] as Params['pinoHttp'],
  };
}
