import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, MinLength, ValidateBy, ValidationOptions } from 'class-validator';

// U+0000 (PostgreSQL text and jsonb cannot hold it: 22P05 / 22021, a 500) and UTF-16 code units
// that are not half of a surrogate pair (not Unicode text: jsonb refuses "\udc00" with 22P02, and
// text columns silently store U+FFFD instead of what was sent).
// eslint-disable-next-line no-control-regex -- deliberate: refuses U+0000
const UNCLEAN = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Control characters (Unicode category Cc) that free text may not carry: every C0 control but tab
 * (U+0009) and the line breaks line feed (U+000A) and carriage return (U+000D, alone or in CRLF),
 * then DEL and the C1 controls. No contract, name or reason needs them, and JSON writes a C0 control as a
 * six-byte escape, so long runs of them inflated every answer that quoted the text. U+0000 is
 * `UNCLEAN`'s (the body is refused before validation).
 */
// eslint-disable-next-line no-control-regex -- deliberate: this is the list of refused control characters
const CONTROL = /[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** True for a string PostgreSQL stores exactly as sent: no NUL, no unpaired surrogate. Non-strings are not text. */
export function isCleanText(value: unknown): value is string {
  return typeof value === 'string' && !UNCLEAN.test(value);
}

/** The first control character free text may not carry (see `CONTROL`), as `U+0001`, or null. */
export function controlCharacterIn(value: string): string | null {
  const match = CONTROL.exec(value);
  if (!match) return null;
  return `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The one wording of the control-character rule, for the DTOs and the hand-written validators. */
export const CONTROL_CHARACTER_MESSAGE = 'may not contain control characters other than tab and line breaks';

/**
 * Free text that PostgreSQL can store exactly as sent (see `isCleanText`) and that carries no
 * control character other than tab and line breaks (rule `noControlCharacters`). Use on every
 * free-text field of a DTO, with `{ each: true }` on lists; a non-string is left to `@IsString()`.
 */
export function IsCleanText(options?: ValidationOptions): PropertyDecorator {
  const unicode = ValidateBy(
    {
      name: 'isCleanText',
      validator: {
        validate: (value) => typeof value !== 'string' || isCleanText(value),
        defaultMessage: (args) => `${args?.property} may not contain the NUL character (U+0000) or an unpaired surrogate (not Unicode text)`,
      },
    },
    options,
  );
  const control = ValidateBy(
    {
      name: 'noControlCharacters',
      validator: {
        validate: (value) => typeof value !== 'string' || controlCharacterIn(value) === null,
        defaultMessage: (args) => {
          const value: unknown = args?.value;
          if (Array.isArray(value)) {
            const at = value.findIndex((v) => typeof v === 'string' && controlCharacterIn(v) !== null);
            if (at >= 0) return `${args?.property} ${CONTROL_CHARACTER_MESSAGE} (found ${controlCharacterIn(value[at] as string)} in item ${at})`;
          }
          const found = typeof value === 'string' ? controlCharacterIn(value) : null;
          return `${args?.property} ${CONTROL_CHARACTER_MESSAGE}${found ? ` (found ${found})` : ''}`;
        },
      },
    },
    options,
  );
  return (target, key) => {
    unicode(target, key);
    control(target, key);
  };
}

/**
 * A free-text field of a request body: a string of `min` to `max` characters (default 1 to `max`),
 * clean text (`IsCleanText`), with the limits in the OpenAPI schema. `each` for a list of them.
 * The limits of each field are the DTO's, documented in openapi.json and docs/api.md#free-text.
 */
export function FreeText(max: number, { min = 1, each = false }: { min?: number; each?: boolean } = {}): PropertyDecorator {
  const options = each ? { each: true } : undefined;
  return applyDecorators(
    IsString(options),
    IsCleanText(options),
    ...(min > 0 ? [MinLength(min, options)] : []),
    MaxLength(max, options),
    ApiProperty(each ? { items: { type: 'string', minLength: min, maxLength: max } } : { minLength: min, maxLength: max }),
  );
}

/**
 * A city code, trimmed and upper-cased before it is checked, as identifiers are (`shenzhen` →
 * `SHENZHEN`); R1 and R5 then decide whether it is in the GBA.
 */
export const CITY_CODE = /^[A-Z][A-Z_]{1,39}$/;
export const CITY_CODE_MESSAGE = 'must be a city code such as SHENZHEN or HONG_KONG (any letter case)';
export const normaliseCity = (value: unknown): unknown => (typeof value === 'string' ? value.trim().toUpperCase() : value);
export const UpperCaseCity = (): PropertyDecorator => Transform(({ value }) => normaliseCity(value));
