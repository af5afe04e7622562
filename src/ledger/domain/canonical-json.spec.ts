// Examples from RFC 8785 (https://www.rfc-editor.org/rfc/rfc8785): §3.2.2 sample,
// §3.2.3 sorting example, Appendix B number serialisation samples.
import fc from 'fast-check';
import { CanonicalJsonError, canonicalJson, canonicalJsonBytes, compareUtf16CodeUnits } from './canonical-json';

function fromIeeeHex(hex: string): number {
  return Buffer.from(hex, 'hex').readDoubleBE(0);
}

describe('canonicalJson (RFC 8785)', () => {
  it('serialises the §3.2.2 sample exactly', () => {
    // Parsed from the RFC's input text, so number literals go through the same
    // IEEE 754 rounding as in the RFC.
    const input = JSON.parse(String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`);
    expect(canonicalJson(input)).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it('encodes the §3.2.2 sample as the RFC §3.2.4 UTF-8 bytes', () => {
    const input = { literals: [null, true, false], numbers: [1e30], string: '\u20ac$\u000f\nA' };
    const bytes = canonicalJsonBytes(input);
    // "€" is e2 82 ac in UTF-8 (RFC 8785 §3.2.4 shows it in the hex dump).
    expect(bytes.includes(Buffer.from('e282ac', 'hex'))).toBe(true);
    expect(bytes.toString('utf8')).toBe(canonicalJson(input));
  });

  it('sorts property names by UTF-16 code units as in §3.2.3', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // Expected member order from §3.2.3 (compared on the text: JSON.parse would
    // reorder the integer-like key "1" first). U+1F600 (surrogates D83D DE00)
    // sorts *before* U+FB33 by code unit, although after it by code point.
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('sorts nested objects and keeps array order', () => {
    expect(canonicalJson({ b: [3, 1, { z: 1, a: 2 }], a: { d: null, c: 'x' } })).toBe('{"a":{"c":"x","d":null},"b":[3,1,{"a":2,"z":1}]}');
  });

  // RFC 8785 Appendix B: IEEE 754 bit pattern -> canonical text.
  const appendixB: Array<[string, string]> = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];
  it.each(appendixB)('serialises IEEE 754 %s as %s (Appendix B)', (hex, expected) => {
    expect(canonicalJson(fromIeeeHex(hex))).toBe(expected);
  });

  it.each([
    ['7fffffffffffffff', 'NaN'],
    ['7ff0000000000000', 'Infinity'],
    ['fff0000000000000', '-Infinity'],
  ])('rejects IEEE 754 %s (%s) as Appendix B requires', (hex) => {
    expect(() => canonicalJson({ count: fromIeeeHex(hex) })).toThrow(/Non-finite number .* at \$\.count/);
  });

  it('escapes control characters per §3.2.2.2', () => {
    expect(canonicalJson('\u0000\u0008\u0009\u000a\u000b\u000c\u000d\u001f\u007f')).toBe('"\\u0000\\b\\t\\n\\u000b\\f\\r\\u001f\u007f"');
    expect(canonicalJson('</script> \u2028 é')).toBe('"</script> \u2028 é"');
  });

  it('rejects undefined, functions, symbols, bigints, lone surrogates, exotic objects and cycles with a path', () => {
    expect(() => canonicalJson({ a: { b: undefined } })).toThrow(
      new CanonicalJsonError('undefined is not a JSON value (use null or omit the property)', '$.a.b'),
    );
    expect(() => canonicalJson(undefined)).toThrow(CanonicalJsonError);
    expect(() => canonicalJson([1, () => 1])).toThrow(/function .* at \$\[1\]/);
    expect(() => canonicalJson({ s: Symbol('x') })).toThrow(/symbol/);
    expect(() => canonicalJson({ n: 10n })).toThrow(/bigint/);
    expect(() => canonicalJson({ 'weird key': '\ud800' })).toThrow(/Unpaired surrogate U\+D800 .* at \$\["weird key"\]/);
    expect(() => canonicalJson({ ['\udc00']: 1 })).toThrow(/Unpaired surrogate U\+DC00/);
    expect(() => canonicalJson({ m: new Map() })).toThrow(/Map object/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/Cyclic/);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
  });

  it('serialises through toJSON like JSON.stringify (Date -> ISO string)', () => {
    expect(canonicalJson({ at: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)) })).toBe('{"at":"2025-01-02T03:04:05.000Z"}');
    expect(canonicalJson(Object.assign(Object.create(null), { b: 1, a: 2 }))).toBe('{"a":2,"b":1}');
  });

  it('compares UTF-16 code units, not code points or locale', () => {
    expect(compareUtf16CodeUnits('\ud83d\ude00', '\ufb33')).toBeLessThan(0);
    expect(compareUtf16CodeUnits('a', 'B')).toBeGreaterThan(0);
    expect(compareUtf16CodeUnits('ab', 'abc')).toBeLessThan(0);
    expect(compareUtf16CodeUnits('x', 'x')).toBe(0);
  });

  it('property: parses back to an equal value, is idempotent and independent of key insertion order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        const reparsed = JSON.parse(text);
        expect(canonicalJson(reparsed)).toBe(text);
        // -0 becomes 0, which JSON.stringify round-trips as well
        expect(reparsed).toEqual(JSON.parse(JSON.stringify(value)));
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
          const reversed = Object.fromEntries(Object.entries(value).reverse());
          expect(canonicalJson(reversed)).toBe(text);
        }
      }),
      { numRuns: 300 },
    );
  });
});
