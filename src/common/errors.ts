/**
 * Every error the registry answers with has a code from this list. The HTTP
 * status comes from one exhaustive switch (`statusOf`), so a new code that
 * nobody mapped fails to compile (docs/contributing.md#requests; twenty's
 * *-exception-code-to-http-status.util.ts).
 */
export enum ErrorCode {
  // 400
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  MALFORMED_REQUEST = 'MALFORMED_REQUEST',
  // 401 / 403
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  FORBIDDEN = 'FORBIDDEN',
  // 404
  NOT_FOUND = 'NOT_FOUND',
  // 409
  DUPLICATE_IDENTIFIER = 'DUPLICATE_IDENTIFIER',
  DUPLICATE_EMAIL = 'DUPLICATE_EMAIL',
  DUPLICATE_REGIME = 'DUPLICATE_REGIME',
  DUPLICATE_PHASE = 'DUPLICATE_PHASE',
  DUPLICATE_ENROLMENT = 'DUPLICATE_ENROLMENT',
  DUPLICATE_CALENDAR_OVERRIDE = 'DUPLICATE_CALENDAR_OVERRIDE',
  ILLEGAL_TRANSITION = 'ILLEGAL_TRANSITION',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  CONFLICT = 'CONFLICT',
  // 408: the request did not arrive in time (HTTP_REQUEST_TIMEOUT_MS, HTTP_HEADERS_TIMEOUT_MS)
  REQUEST_TIMEOUT = 'REQUEST_TIMEOUT',
  // 413 / 415 / 431
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  HEADERS_TOO_LARGE = 'HEADERS_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  // 422: legal rules (docs/rules.md); the rule number goes in `rule`.
  RULE_VIOLATION = 'RULE_VIOLATION',
  PARTY_OUTSIDE_GBA = 'PARTY_OUTSIDE_GBA',
  SAME_SIDE_PARTIES = 'SAME_SIDE_PARTIES',
  REGIME_SIDES_MISMATCH = 'REGIME_SIDES_MISMATCH',
  IMPORTANT_DATA_DECLARED = 'IMPORTANT_DATA_DECLARED',
  ONWARD_RECIPIENT_OUTSIDE_GBA = 'ONWARD_RECIPIENT_OUTSIDE_GBA',
  STORAGE_OUTSIDE_GBA = 'STORAGE_OUTSIDE_GBA',
  SECTOR_NOT_OPEN = 'SECTOR_NOT_OPEN',
  EXPIRY_BEFORE_EFFECTIVE = 'EXPIRY_BEFORE_EFFECTIVE',
  RETENTION_PERIOD_INVALID = 'RETENTION_PERIOD_INVALID',
  PIPIA_AFTER_EFFECTIVE = 'PIPIA_AFTER_EFFECTIVE',
  FILING_MATERIALS_MISSING = 'FILING_MATERIALS_MISSING',
  CONTRACT_TERMINATED = 'CONTRACT_TERMINATED',
  AMENDMENT_BACKDATED = 'AMENDMENT_BACKDATED',
  TERMINATION_BEFORE_EFFECTIVE = 'TERMINATION_BEFORE_EFFECTIVE',
  // 429
  TOO_MANY_REQUESTS = 'TOO_MANY_REQUESTS',
  // 503
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  // 500
  INTERNAL = 'INTERNAL',
}

export function statusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.VALIDATION_FAILED:
    case ErrorCode.MALFORMED_REQUEST:
      return 400;
    case ErrorCode.UNAUTHENTICATED:
    case ErrorCode.INVALID_CREDENTIALS:
      return 401;
    case ErrorCode.FORBIDDEN:
      return 403;
    case ErrorCode.NOT_FOUND:
      return 404;
    case ErrorCode.DUPLICATE_IDENTIFIER:
    case ErrorCode.DUPLICATE_EMAIL:
    case ErrorCode.DUPLICATE_REGIME:
    case ErrorCode.DUPLICATE_PHASE:
    case ErrorCode.DUPLICATE_ENROLMENT:
    case ErrorCode.DUPLICATE_CALENDAR_OVERRIDE:
    case ErrorCode.ILLEGAL_TRANSITION:
    case ErrorCode.IDEMPOTENCY_KEY_REUSED:
    case ErrorCode.CONFLICT:
      return 409;
    case ErrorCode.REQUEST_TIMEOUT:
      return 408;
    case ErrorCode.PAYLOAD_TOO_LARGE:
      return 413;
    case ErrorCode.HEADERS_TOO_LARGE:
      return 431;
    case ErrorCode.UNSUPPORTED_MEDIA_TYPE:
      return 415;
    case ErrorCode.RULE_VIOLATION:
    case ErrorCode.PARTY_OUTSIDE_GBA:
    case ErrorCode.SAME_SIDE_PARTIES:
    case ErrorCode.REGIME_SIDES_MISMATCH:
    case ErrorCode.IMPORTANT_DATA_DECLARED:
    case ErrorCode.ONWARD_RECIPIENT_OUTSIDE_GBA:
    case ErrorCode.STORAGE_OUTSIDE_GBA:
    case ErrorCode.SECTOR_NOT_OPEN:
    case ErrorCode.EXPIRY_BEFORE_EFFECTIVE:
    case ErrorCode.RETENTION_PERIOD_INVALID:
    case ErrorCode.PIPIA_AFTER_EFFECTIVE:
    case ErrorCode.FILING_MATERIALS_MISSING:
    case ErrorCode.CONTRACT_TERMINATED:
    case ErrorCode.AMENDMENT_BACKDATED:
    case ErrorCode.TERMINATION_BEFORE_EFFECTIVE:
      return 422;
    case ErrorCode.TOO_MANY_REQUESTS:
      return 429;
    case ErrorCode.SERVICE_UNAVAILABLE:
      return 503;
    case ErrorCode.INTERNAL:
      return 500;
    default: {
      const unmapped: never = code;
      throw new Error(`unmapped error code ${String(unmapped)}`);
    }
  }
}

export interface FieldError {
  /** Dotted path into the request, e.g. `records[3].direction` or `query.from`. */
  field: string;
  /** Machine-readable rule, e.g. `isIn`, `USCC_CHECK_CHARACTER`, `R5`. */
  rule: string;
  message: string;
}

export interface DomainErrorOptions {
  detail?: string;
  errors?: FieldError[];
  /** The legal rule of docs/rules.md, e.g. "R5". */
  rule?: string;
  /** Extra members for the problem document (e.g. `from`, `to` states). */
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
}

export class DomainError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly title: string,
    readonly options: DomainErrorOptions = {},
  ) {
    super(options.detail ?? title);
    this.status = statusOf(code);
  }
}

export const notFound = (what: string): DomainError => new DomainError(ErrorCode.NOT_FOUND, 'Not found', { detail: `${what} was not found` });

export const validationFailed = (errors: FieldError[], detail?: string): DomainError =>
  new DomainError(ErrorCode.VALIDATION_FAILED, 'The request is not valid', {
    detail: detail ?? errors.map((e) => `${e.field}: ${e.message}`).join('; '),
    errors,
  });
