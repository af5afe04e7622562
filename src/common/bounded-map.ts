/**
 * Sets `key` as the most recently used entry of `map` (a Map keeps insertion order) and drops the
 * least recently used while it holds more than `capacity`: the one bounded in-memory memo the
 * registry's caches share (verified tokens, principals, party facts).
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, capacity: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > capacity) map.delete(map.keys().next().value as K);
}
