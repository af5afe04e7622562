import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, validationFailed } from './errors';

/** The one message of a field that is missing (or null where a value is needed): `reason is required`. */
export const requiredError = (field: string): FieldError => ({ field, rule: 'required', message: `${field} is required` });

/**
 * Flattens class-validator's tree into `records[3].direction`-style field paths. A field that is
 * absent or null, and so fails every check it has, gets one error (`requiredError`) rather than one
 * per check ("must be a string", "must be longer than…", …), which only the first would explain.
 */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const key = /^\d+$/.test(error.property) ? `[${error.property}]` : error.property;
    const field = parent ? (key.startsWith('[') ? `${parent}${key}` : `${parent}.${key}`) : key;
    const rules = Object.keys(error.constraints ?? {});
    if ((error.value === undefined || error.value === null) && rules.length > 0 && !rules.includes('whitelistValidation')) {
      out.push(requiredError(field));
      continue;
    }
    for (const [rule, message] of Object.entries(error.constraints ?? {})) {
      out.push({ field, rule, message: rule === 'whitelistValidation' ? `${field} is not an accepted field` : message });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

/** Whitelist, forbid unknown fields, transform (brocoders src/utils/validation-options.ts). */
export function registryValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    forbidUnknownValues: true,
    stopAtFirstError: false,
    // `value` tells a missing field from a wrong one (flattenValidationErrors); it never reaches the answer.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => validationFailed(flattenValidationErrors(errors)),
  });
}

/** No request body the API accepts nests deeper than a few levels; far deeper ones are refused before validation walks them recursively. */
export const MAX_BODY_DEPTH = 32;

const NUL_CHARACTER = 'strings may not contain the NUL character (U+0000)';

type Fault = { rule: 'noNulCharacter' | 'maxDepth' };

/**
 * The first fault of `value`, depth first in member order, with the keys that lead to it pushed onto `path`
 * deepest first (an array's index as a number), when given: a string or key with a NUL character (PostgreSQL text cannot hold U+0000, so it
 * would fail in the database as a 500), or a container `limit` levels down. Recursive, but never deeper than
 * `limit`, so a hostile body cannot overflow the stack; it allocates nothing for a body without a fault.
 */
function firstFault(value: unknown, depth: number, limit: number, path?: Array<string | number>): Fault | null {
  if (typeof value === 'string') return value.includes('\u0000') ? { rule: 'noNulCharacter' } : null;
  if (value === null || typeof value !== 'object') return null;
  if (depth >= limit) return { rule: 'maxDepth' };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const fault = firstFault(value[i], depth + 1, limit, path);
      if (!fault) continue;
      path?.push(i);
      return fault;
    }
    return null;
  }
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    if (key.includes('\u0000')) {
      path?.push(key);
      return { rule: 'noNulCharacter' };
    }
    const fault = firstFault((value as Record<string, unknown>)[key], depth + 1, limit, path);
    if (!fault) continue;
    path?.push(key);
    return fault;
  }
  return null;
}

/** Why a request body (or query) cannot be accepted before validation walks it (`firstFault`), or null. */
export function unacceptableInput(value: unknown, limit: number): string | null {
  const fault = firstFault(value, 0, limit);
  if (!fault) return null;
  return fault.rule === 'maxDepth' ? `the body nests deeper than ${limit} levels` : NUL_CHARACTER;
}

/**
 * Where `unacceptableInput` found its fault, as a field path (`records[3].purposes[0]`), under `root`.
 * Only called once a fault is known, so the hot path builds no paths.
 */
export function locateUnacceptableInput(value: unknown, limit: number, root: string): { field: string; rule: 'noNulCharacter' | 'maxDepth' } | null {
  const path: Array<string | number> = [];
  const fault = firstFault(value, 0, limit, path);
  if (!fault) return null;
  let field = root;
  for (let i = path.length - 1; i >= 0; i--) {
    const step = path[i];
    field = typeof step === 'number' ? `${field}[${step}]` : field ? `${field}.${step}` : step;
  }
  return { field: field.replaceAll('\u0000', '\\u0000'), rule: fault.rule };
}
