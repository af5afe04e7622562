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

/**
 * Why a request body (or query) cannot be accepted before validation walks it: nested more than
 * `limit` deep, or a string with a NUL character (PostgreSQL text cannot hold U+0000, so it would
 * fail in the database as a 500). Iterative: a hostile body cannot overflow the stack here.
 */
export function unacceptableInput(value: unknown, limit: number): string | null {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return 'strings may not contain the NUL character (U+0000)';
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limit) return `the body nests deeper than ${limit} levels`;
    for (const [key, child] of Object.entries(current)) {
      if (key.includes('\u0000')) return 'strings may not contain the NUL character (U+0000)';
      stack.push([child, depth + 1]);
    }
  }
  return null;
}

/**
 * Where `unacceptableInput` found its fault, as a field path (`records[3].purposes[0]`).
 * Only called once a fault is known, so the hot path builds no paths.
 */
export function locateUnacceptableInput(value: unknown, limit: number, root: string): { field: string; rule: 'noNulCharacter' | 'maxDepth' } | null {
  const stack: Array<[unknown, number, string]> = [[value, 0, root]];
  while (stack.length > 0) {
    const [current, depth, path] = stack.pop() as [unknown, number, string];
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return { field: path, rule: 'noNulCharacter' };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limit) return { field: path, rule: 'maxDepth' };
    for (const [key, child] of Object.entries(current)) {
      const childPath = Array.isArray(current) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) return { field: childPath.replaceAll('\u0000', '\\u0000'), rule: 'noNulCharacter' };
      stack.push([child, depth + 1, childPath]);
    }
  }
  return null;
}
