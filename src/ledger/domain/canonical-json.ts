// RFC 8785 "JSON Canonicalization Scheme (JCS)", https://www.rfc-editor.org/rfc/rfc8785
//
// docs/architecture.md#the-transfer-log: a log leaf is the transfer record's RFC 8785 canonical JSON, so
// the same record always hashes to the same leaf, whoever serialises it.
//
// - §3.2.2.1 literals null/true/false as in ECMAScript JSON.stringify.
// - §3.2.2.2 strings: JSON.stringify escaping (only ", \, and U+0000–U+001F are
//   escaped; \b \t \n \f \r short forms; other controls as lower-case \u00xx).
//   Input must be I-JSON (RFC 7493 §2.1), so lone surrogates are rejected.
// - §3.2.2.3 numbers: ECMAScript Number::toString (ECMA-262 7.1.12.1), which is
//   exactly what JSON.stringify emits for a finite number; NaN and ±Infinity
//   are not JSON and are rejected; -0 serialises as 0.
// - §3.2.3 object members sorted by their names as arrays of UTF-16 code units,
//   compared unsigned, independent of locale.
// - §3.2.4 output is UTF-8.
//
// Values JSON.stringify would silently drop or distort (undefined, functions,
// symbols, bigints, Map/Set, cycles) are rejected with an Error naming the
// path, because a leaf is evidence: a field must never vanish unnoticed. An
// object with a toJSON method (e.g. Date) is serialised through it, as
// JSON.stringify does (ECMA-262 SerializeJSONProperty step 2).

/** Thrown when a value cannot be represented in RFC 8785 canonical JSON. */
export class CanonicalJsonError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${message} at ${path}`);
    this.name = 'CanonicalJsonError';
  }
}

/** RFC 8785 canonical JSON text of a value. */
export function canonicalJson(value: unknown): string {
  return serialise(value, '$', new Set<object>());
}

/** RFC 8785 canonical JSON as UTF-8 bytes (§3.2.4), the exact bytes of a log leaf. */
export function canonicalJsonBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}

/**
 * RFC 8785 §3.2.3: compare property names as sequences of UTF-16 code units.
 * (ECMAScript `<` on strings already compares code units, but we spell it out so
 * the rule does not depend on a reader knowing that.)
 */
export function compareUtf16CodeUnits(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const difference = a.charCodeAt(i) - b.charCodeAt(i);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

function serialise(value: unknown, path: string, ancestors: Set<object>): string {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: (key: string) => unknown }).toJSON(lastKey(path));
  }
  switch (typeof value) {
    case 'string':
      return serialiseString(value, path);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new CanonicalJsonError(`Non-finite number ${String(value)} is not allowed in JSON (RFC 8785 §3.2.2.3)`, path);
      }
      // ECMAScript Number::toString; also turns -0 into "0" as §3.2.2.3 requires.
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      throw new CanonicalJsonError('undefined is not a JSON value (use null or omit the property)', path);
    case 'function':
      throw new CanonicalJsonError('A function is not a JSON value', path);
    case 'symbol':
      throw new CanonicalJsonError('A symbol is not a JSON value', path);
    case 'bigint':
      throw new CanonicalJsonError('A bigint is not a JSON number (RFC 8785 §3.2.2.3 requires IEEE 754 doubles; send it as a string)', path);
    case 'object':
      break;
  }
  if (value === null) return 'null';
  const object = value;
  if (ancestors.has(object)) throw new CanonicalJsonError('Cyclic structure cannot be serialised', path);
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      const parts: string[] = [];
      for (let i = 0; i < object.length; i++) parts.push(serialise(object[i], `${path}[${i}]`, ancestors));
      return `[${parts.join(',')}]`;
    }
    const prototype: unknown = Object.getPrototypeOf(object);
    if (prototype !== Object.prototype && prototype !== null) {
      const kind = (object as { constructor?: { name?: string } }).constructor?.name ?? 'exotic';
      throw new CanonicalJsonError(`A ${kind} object is not a plain JSON object`, path);
    }
    const record = object as Record<string, unknown>;
    const names = Object.keys(record).sort(compareUtf16CodeUnits);
    const members = names.map((name) => `${serialiseString(name, `${path}{key}`)}:${serialise(record[name], memberPath(path, name), ancestors)}`);
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(object);
  }
}

function serialiseString(value: string, path: string): string {
  // I-JSON (RFC 7493 §2.1) forbids unpaired surrogates; RFC 8785 §3.2.2.2 expects I-JSON input.
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      throw new CanonicalJsonError(`Unpaired surrogate U+${unit.toString(16).toUpperCase()} is not allowed (I-JSON)`, path);
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) {
      throw new CanonicalJsonError(`Unpaired surrogate U+${unit.toString(16).toUpperCase()} is not allowed (I-JSON)`, path);
    }
  }
  // With surrogates paired, ES2019 JSON.stringify escaping is exactly RFC 8785 §3.2.2.2.
  return JSON.stringify(value);
}

function memberPath(path: string, name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
}

function lastKey(path: string): string {
  const match = /(?:\.([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])$/.exec(path);
  if (!match) return '';
  if (match[1] !== undefined) return match[1];
  if (match[2] !== undefined) return match[2];
  return JSON.parse(match[3]) as string;
}
