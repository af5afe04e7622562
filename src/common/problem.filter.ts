import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';
import { DomainError, ErrorCode, FieldError, statusOf } from './errors';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  errors?: FieldError[];
  rule?: string;
  requestId?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export function problemType(code: string): string {
  return `https://gba-registry.example/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}

const HTTP_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.MALFORMED_REQUEST,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.NOT_FOUND,
  408: ErrorCode.REQUEST_TIMEOUT,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  431: ErrorCode.HEADERS_TOO_LARGE,
  429: ErrorCode.TOO_MANY_REQUESTS,
  503: ErrorCode.SERVICE_UNAVAILABLE,
};

/** Connection-level failures: the database is down or restarting. */
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3]|53)/; // connection exception, admin/crash shutdown, insufficient resources

export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string; name?: string } | undefined;
  if (!e) return false;
  // The connection died mid-transaction (PostgreSQL stopped or restarted): TypeORM has released the
  // query runner, and the transaction's next statement (or its START TRANSACTION) fails with one of these.
  if (e.name === 'QueryRunnerProviderAlreadyReleasedError' || e.name === 'QueryRunnerAlreadyReleasedError') return true;
  if (typeof e.code === 'string' && (UNAVAILABLE_ERRNO.has(e.code) || UNAVAILABLE_SQLSTATE.test(e.code))) return true;
  const message = String(e.message ?? '');
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(
    message,
  );
}

function isDataException(error: unknown): boolean {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  const code = e?.driverError?.code ?? e?.code;
  return (
    (error instanceof QueryFailedError || (error as Error | undefined)?.constructor?.name === 'DatabaseError') &&
    typeof code === 'string' &&
    /^22[0-9A-Z]{3}$/.test(code)
  );
}

/**
 * Turns anything thrown into an RFC 9457 problem document. Never leaks a
 * stack trace or a raw database message.
 */
// eslint-disable-next-line max-lines-per-function -- a checklist: one case per kind of failure, in the order they are told apart
export function toProblem(exception: unknown, instance?: string, requestId?: string): ProblemDocument {
  if (exception instanceof DomainError) {
    return {
      type: problemType(exception.code),
      title: exception.title,
      status: exception.status,
      detail: exception.options.detail,
      instance,
      code: exception.code,
      ...(exception.options.rule ? { rule: exception.options.rule } : {}),
      ...(exception.options.errors ? { errors: exception.options.errors } : {}),
      ...(exception.options.extensions ?? {}),
      requestId,
    };
  }
  const fastifyError = exception as { statusCode?: number; code?: string; message?: string } | undefined;
  if (exception instanceof HttpException || (fastifyError && typeof fastifyError.statusCode === 'number')) {
    const status = exception instanceof HttpException ? exception.getStatus() : fastifyError!.statusCode!;
    const code = HTTP_CODES[status] ?? (status >= 500 ? ErrorCode.INTERNAL : ErrorCode.MALFORMED_REQUEST);
    const safeDetail =
      status === 413
        ? 'The request body is larger than this server accepts'
        : status === 415
          ? 'Unsupported content type; send application/json (or multipart/form-data for documents)'
          : status === 404 && exception instanceof HttpException
            ? 'No such resource'
            : status < 500
              ? (exception as Error).message
              : undefined;
    return {
      type: problemType(code),
      title: status >= 500 ? 'Internal error' : titleFor(status),
      status: status >= 500 && status !== 503 ? 500 : status,
      detail: safeDetail,
      instance,
      code,
      requestId,
    };
  }
  if (isDatabaseUnavailable(exception)) {
    return {
      type: problemType(ErrorCode.SERVICE_UNAVAILABLE),
      title: 'Service unavailable',
      status: 503,
      detail: 'The registry database is not reachable; retry later with the same Idempotency-Key',
      instance,
      code: ErrorCode.SERVICE_UNAVAILABLE,
      requestId,
    };
  }
  if (exception instanceof QueryFailedError && /^40001|^40P01/.test(String((exception as { code?: string }).code))) {
    return {
      type: problemType(ErrorCode.SERVICE_UNAVAILABLE),
      title: 'Service unavailable',
      status: 503,
      detail: 'A concurrent change conflicted with this request; retry',
      instance,
      code: ErrorCode.SERVICE_UNAVAILABLE,
      requestId,
    };
  }
  // SQLSTATE class 22 (data exception: 2025-02-30, a number out of range, …) is a value from the
  // request that validation let through; the caller's error, answered without the database's message.
  if (isDataException(exception)) {
    return {
      type: problemType(ErrorCode.MALFORMED_REQUEST),
      title: 'Bad request',
      status: 400,
      detail: 'a value in the request is not valid for its type or out of range',
      instance,
      code: ErrorCode.MALFORMED_REQUEST,
      requestId,
    };
  }
  return {
    type: problemType(ErrorCode.INTERNAL),
    title: 'Internal error',
    status: statusOf(ErrorCode.INTERNAL),
    detail: 'An unexpected error occurred; it has been logged with this request id',
    instance,
    code: ErrorCode.INTERNAL,
    requestId,
  };
}

function titleFor(status: number): string {
  switch (status) {
    case 400:
      return 'Bad request';
    case 401:
      return 'Authentication required';
    case 403:
      return 'Forbidden';
    case 404:
      return 'Not found';
    case 405:
      return 'Not found';
    case 408:
      return 'Request timeout';
    case 409:
      return 'Conflict';
    case 413:
      return 'Payload too large';
    case 415:
      return 'Unsupported media type';
    case 429:
      return 'Too many requests';
    case 431:
      return 'Request header fields too large';
    case 503:
      return 'Service unavailable';
    default:
      return 'Request failed';
  }
}

export function sendProblem(reply: FastifyReply, problem: ProblemDocument, headers?: Record<string, string>): void {
  if (problem.status === 503) reply.header('Retry-After', '1');
  for (const [name, value] of Object.entries(headers ?? {})) reply.header(name, value);
  void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/**
 * The answer to a request the HTTP parser refused or that did not arrive in time, before Fastify
 * or a route saw it (Node's `clientError` event): a complete HTTP/1.1 problem+json response
 * written straight to the socket, which is then closed, as Node's own answer would be
 * (nodejs/node lib/_http_server.js socketOnError). Nothing is written once an answer has started
 * on the socket, and a socket the client already reset is left alone.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: import('node:stream').Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const [status, code, detail] =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, ErrorCode.REQUEST_TIMEOUT, 'The request did not arrive in time; send it again without pausing']
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, ErrorCode.HEADERS_TOO_LARGE, 'The request line and headers are larger than this server accepts']
          : [400, ErrorCode.MALFORMED_REQUEST, `The request is not valid HTTP/1.1 (${clientErrorReason(error)})`];
    const body = JSON.stringify({ type: problemType(code), title: titleFor(status), status, detail, code });
    socket.write(
      `HTTP/1.1 ${status} ${titleFor(status)}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** What the HTTP parser objected to, in words, from its error code (llhttp's HPE_* codes); never the parser's raw message. */
function clientErrorReason(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'HPE_INVALID_METHOD':
      return 'unknown method';
    case 'HPE_INVALID_URL':
      return 'the request target has a character that must be percent-encoded';
    case 'HPE_INVALID_VERSION':
      return 'bad request line or HTTP version';
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return 'bad Content-Length';
    case 'HPE_INVALID_TRANSFER_ENCODING':
    case 'HPE_INVALID_CHUNK_SIZE':
      return 'bad Transfer-Encoding or chunk';
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_INVALID_EOF_STATE':
    case 'HPE_LF_EXPECTED':
    case 'HPE_CR_EXPECTED':
      return 'malformed header';
    default:
      return 'malformed request';
  }
}

/**
 * What of a failure may be logged: never a query's bound parameters (they can
 * carry password hashes, secrets or personal names), only what locates the fault.
 */
export function loggableError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const e = error as Error & { code?: string; driverError?: { code?: string; routine?: string } };
  if (error instanceof QueryFailedError) {
    const code = e.driverError?.code ?? e.code;
    return {
      type: 'QueryFailedError',
      message: `database error ${code ?? ''}`.trim(),
      code,
      routine: e.driverError?.routine,
      query: typeof error.query === 'string' ? error.query.slice(0, 500) : undefined,
      // The first stack line repeats the database message, which can quote row values.
      stack: e.stack?.split('\n').slice(1).join('\n'),
    };
  }
  return { type: e.constructor?.name ?? 'Error', message: e.message, code: e.code, stack: e.stack };
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = toProblem(exception, request?.url?.split('?')[0], request?.id);
    if (problem.status >= 500) {
      // The request as the completion line names it (src/logging.ts), so the two lines of a failed request go together.
      this.logger.error({ err: loggableError(exception), requestId: request?.id, ...(request ? { req: request.raw } : {}) }, 'request failed');
    }
    if (reply.sent) return;
    sendProblem(reply, problem, exception instanceof DomainError ? exception.options.headers : undefined);
  }
}
