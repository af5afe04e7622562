import { createHash, randomBytes } from 'node:crypto';
import { sha256 } from './sha256';

describe('sha256', () => {
  it('gives the same 32 bytes as createHash for inputs of every byte value and size', () => {
    const inputs = [Buffer.alloc(0), Buffer.from([0x00]), Buffer.from([0xff, 0x80, 0x7f]), Buffer.from(Array.from({ length: 256 }, (_, i) => i))];
    for (let n = 0; n < 200; n++) inputs.push(randomBytes(n * 7));
    for (const input of inputs) {
      const digest = sha256(input);
      expect(digest).toHaveLength(32);
      expect(digest.equals(createHash('sha256').update(input).digest())).toBe(true);
    }
  });

  it('returns a digest that later digests do not overwrite', () => {
    const first = sha256(Buffer.from('first'));
    const copy = Buffer.from(first);
    for (let i = 0; i < 1000; i++) sha256(randomBytes(64));
    expect(first.equals(copy)).toBe(true);
  });
});
