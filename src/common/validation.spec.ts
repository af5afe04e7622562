import { locateUnacceptableInput, MAX_BODY_DEPTH, unacceptableInput } from './validation';

describe('unacceptableInput and locateUnacceptableInput', () => {
  const body = (purposes: unknown[]) => ({ records: [{ purposes: ['a'] }, { purposes: ['b'] }, { purposes: ['c'] }, { purposes }] });

  it('accepts a body without NUL characters within the depth limit', () => {
    expect(unacceptableInput(body(['credit assessment', 42, null, true]), MAX_BODY_DEPTH)).toBeNull();
    expect(locateUnacceptableInput(body(['x']), MAX_BODY_DEPTH, '')).toBeNull();
  });

  it('names the string with a NUL character by its field path', () => {
    const value = body(['ok', 'bad\u0000']);
    expect(unacceptableInput(value, MAX_BODY_DEPTH)).toBe('strings may not contain the NUL character (U+0000)');
    expect(locateUnacceptableInput(value, MAX_BODY_DEPTH, '')).toEqual({ field: 'records[3].purposes[1]', rule: 'noNulCharacter' });
  });

  it('names a key with a NUL character, escaped, under the root of the part', () => {
    const value = { a: { 'b\u0000c': 1 } };
    expect(unacceptableInput(value, MAX_BODY_DEPTH)).toMatch(/NUL/);
    expect(locateUnacceptableInput(value, MAX_BODY_DEPTH, 'query')).toEqual({ field: 'query.a.b\\u0000c', rule: 'noNulCharacter' });
  });

  it('treats an object key that looks like an index as a key', () => {
    expect(locateUnacceptableInput({ '[0]': ['\u0000'] }, MAX_BODY_DEPTH, '')).toEqual({ field: '[0][0]', rule: 'noNulCharacter' });
  });

  it('refuses nesting at the limit and says where, and walks a hostile depth without overflowing the stack', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(unacceptableInput(deep, MAX_BODY_DEPTH)).toBe(`the body nests deeper than ${MAX_BODY_DEPTH} levels`);
    expect(locateUnacceptableInput(deep, MAX_BODY_DEPTH, '')).toEqual({ field: '[0]'.repeat(MAX_BODY_DEPTH), rule: 'maxDepth' });
    expect(unacceptableInput({ a: [[['x']]] }, 3)).toMatch(/deeper than 3/);
    expect(unacceptableInput({ a: [['x']] }, 3)).toBeNull();
  });

  it('reports the first fault in member order, the same one in both functions', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5; i++) deep = { d: deep };
    const value = { first: deep, second: 'nul\u0000' };
    expect(unacceptableInput(value, 4)).toMatch(/deeper than 4/);
    expect(locateUnacceptableInput(value, 4, '')).toEqual({ field: 'first.d.d.d', rule: 'maxDepth' });
    const other = { first: 'nul\u0000', second: deep };
    expect(unacceptableInput(other, 4)).toMatch(/NUL/);
    expect(locateUnacceptableInput(other, 4, '')).toEqual({ field: 'first', rule: 'noNulCharacter' });
  });
});
