import { IsOptional, IsString, validate } from 'class-validator';
import { controlCharacterIn, IsCleanText, isCleanText } from './text';

class Sample {
  @IsString() @IsCleanText() name: string;
  @IsOptional() @IsString({ each: true }) @IsCleanText({ each: true }) tags?: string[];
}

const sample = (name: unknown, tags?: unknown): Sample => Object.assign(new Sample(), { name, tags });

describe('isCleanText', () => {
  it.each(['', 'plain', '灣區銀行（香港）有限公司', '😀 emoji pair \uD83D\uDE00', 'tab\tnew\nline', '\uFFFD', '\uFFFF'])('accepts %j', (value) => {
    expect(isCleanText(value)).toBe(true);
  });

  it.each(['\u0000', 'a\u0000b', 'x\uD800', '\uD800', '\uDC00', 'a\uDC00b', '\uDE00\uD83D', '\uD83D\uD83D', 'ok\uD83D\uDE00\uDE00'])('refuses %j', (value) => {
    expect(isCleanText(value)).toBe(false);
  });

  it('is not true of non-strings', () => {
    expect(isCleanText(1)).toBe(false);
    expect(isCleanText(null)).toBe(false);
  });
});

describe('@IsCleanText()', () => {
  it('names the property for a NUL and for an unpaired surrogate', async () => {
    for (const bad of ['a\u0000', '\uD800']) {
      const errors = await validate(sample(bad));
      expect(errors).toEqual([expect.objectContaining({ property: 'name', constraints: { isCleanText: expect.stringContaining('name may not contain') } })]);
    }
  });

  it('checks each element of a list with { each: true }', async () => {
    const errors = await validate(sample('ok', ['fine', 'x\u0000']));
    expect(errors.map((e) => [e.property, Object.keys(e.constraints ?? {})])).toEqual([['tags', ['isCleanText']]]);
  });

  it('passes clean text, and leaves a non-string to @IsString()', async () => {
    expect(await validate(sample('Bank of the Bay 灣區銀行 \uD83D\uDE00'))).toEqual([]);
    const errors = await validate(sample(42));
    expect(Object.keys(errors[0].constraints ?? {})).toEqual(['isString']);
  });
});

describe('control characters (rule noControlCharacters)', () => {
  it.each(['tab\there', 'line\nfeed', 'windows\r\nline', 'old mac\rline', '灣區 😀', '\u00A0non-breaking'])('accepts %j', async (value) => {
    expect(controlCharacterIn(value)).toBeNull();
    expect(await validate(sample(value))).toEqual([]);
  });

  it.each([
    ['\u0001', 'U+0001'],
    ['a\u001Fb', 'U+001F'],
    ['bell\u0007', 'U+0007'],
    ['vertical\u000Btab', 'U+000B'],
    ['escape\u001B[31m', 'U+001B'],
    ['delete\u007F', 'U+007F'],
    ['c1\u0085', 'U+0085'],
  ])('refuses %j, naming %s', async (value, code) => {
    expect(controlCharacterIn(value)).toBe(code);
    const errors = await validate(sample(value));
    expect(errors).toEqual([
      expect.objectContaining({
        property: 'name',
        constraints: { noControlCharacters: `name may not contain control characters other than tab and line breaks (found ${code})` },
      }),
    ]);
  });
});
