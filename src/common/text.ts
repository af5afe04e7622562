import { ValidateBy, ValidationOptions } from 'class-validator';

// U+0000 (PostgreSQL text and jsonb cannot hold it: 22P05 / 22021, a 500) and UTF-16 code units
// that are not half of a surrogate pair (not Unicode text: jsonb refuses "\udc00" with 22P02, and
// text columns silently store U+FFFD instead of what was sent).
// eslint-disable-next-line no-control-regex -- deliberate: refuses U+0000
const UNCLEAN = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True for a string PostgreSQL stores exactly as sent: no NUL, no unpaired surrogate. Non-strings are not text. */
export function isCleanText(value: unknown): value is string {
  return typeof value === 'string' && !UNCLEAN.test(value);
}

/**
 * Free text that PostgreSQL can store exactly as sent (see `isCleanText`). Use on every free-text
 * field of a DTO, with `{ each: true }` on lists; a non-string is left to `@IsString()`.
 */
export function IsCleanText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCleanText',
      validator: {
        validate: (value) => typeof value !== 'string' || isCleanText(value),
        defaultMessage: (args) => `${args?.property} may not contain the NUL character (U+0000) or an unpaired surrogate (not Unicode text)`,
      },
    },
    options,
  );
}
