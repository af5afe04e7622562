import { VerifiedTokens } from './verified-tokens';

describe('VerifiedTokens', () => {
  let now = 1_000;
  const tokens = () => new VerifiedTokens<{ exp: number; sub: string }>(2, () => now);

  it('answers only the exact token remembered', () => {
    const t = tokens();
    t.remember('a.b.c', { exp: 2_000, sub: 'x' });
    expect(t.get('a.b.c')).toEqual({ exp: 2_000, sub: 'x' });
    expect(t.get('a.b.C')).toBeNull();
    expect(t.get('')).toBeNull();
  });

  it('gives a token up once now >= exp (jsonwebtoken: expired at exp exactly)', () => {
    const t = tokens();
    now = 1_000;
    t.remember('tok', { exp: 1_010, sub: 'x' });
    now = 1_009.999;
    expect(t.get('tok')).not.toBeNull();
    now = 1_010;
    expect(t.get('tok')).toBeNull();
    expect(t.size).toBe(0);
  });

  it('keeps at most `capacity` tokens, dropping the least recently used', () => {
    const t = tokens();
    now = 1_000;
    t.remember('one', { exp: 9_999, sub: '1' });
    t.remember('two', { exp: 9_999, sub: '2' });
    expect(t.get('one')).not.toBeNull(); // "two" is now the least recently used
    t.remember('three', { exp: 9_999, sub: '3' });
    expect(t.size).toBe(2);
    expect(t.get('two')).toBeNull();
    expect(t.get('one')).not.toBeNull();
    expect(t.get('three')).not.toBeNull();
  });

  it('forgets on request', () => {
    const t = tokens();
    t.remember('tok', { exp: 9_999, sub: 'x' });
    t.forget('tok');
    expect(t.get('tok')).toBeNull();
  });
});
