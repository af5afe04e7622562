import { setBounded } from './bounded-map';

describe('setBounded', () => {
  it('keeps the most recently set entries, at most `capacity`, oldest out first', () => {
    const map = new Map<string, number>();
    setBounded(map, 'a', 1, 2);
    setBounded(map, 'b', 2, 2);
    setBounded(map, 'a', 3, 2); // "a" is now the most recent
    setBounded(map, 'c', 4, 2);
    expect([...map]).toEqual([
      ['a', 3],
      ['c', 4],
    ]);
  });
});
