import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';

/** Decimal digits only: no sign, no exponent, no fraction, no `0x`/`0b`/`0o` prefix, no spaces, not empty. */
const DECIMAL_DIGITS = /^[0-9]{1,16}$/;

/**
 * A whole number in a query string, from `min` to `max`. `Number()` would read `''`, `' '`,
 * `0x10`, `0b1`, `+1`, `1e3` and `1.0` as numbers; a query integer here is decimal digits and
 * nothing else, so anything else is 400 naming the parameter (docs/api.md#errors). Repeated
 * parameters (`?limit=1&limit=2`) arrive as an array and are refused too.
 */
export function QueryInteger(min: number, max: number): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && DECIMAL_DIGITS.test(value) ? Number(value) : value)),
    ValidateBy({
      name: 'queryInteger',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max,
        defaultMessage: (args) => `${args?.property ?? 'the parameter'} must be a whole number from ${min} to ${max}, written in decimal digits only`,
      },
    }),
  );
}
