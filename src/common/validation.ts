import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, validationFailed } from './errors';

/** Flattens class-validator's tree into `records[3].direction`-style field paths. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const key = /^\d+$/.test(error.property) ? `[${error.property}]` : error.property;
    const field = parent ? (key.startsWith('[') ? `${parent}${key}` : `${parent}.${key}`) : key;
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
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationFailed(flattenValidationErrors(errors)),
  });
}
