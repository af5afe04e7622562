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

export function loggerOptions(config: RegistryConfig, destination?: NodeJS.WritableStream): Params {
  return {
    pinoHttp: [
      {
        level: config.logLevel,
        base: { service: 'gba-registry' },
        redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
        genReqId: (req) => (req as IncomingMessage & { id?: string }).id ?? requestIdOf(req),
        customProps: () => ({}),
        autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health/') },
        serializers: {
          req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url?.split('?')[0] }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
      },
      ...(destination ? [destination] : []),
    ] as Params['pinoHttp'],
  };
}
