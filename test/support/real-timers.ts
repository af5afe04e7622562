/**
 * Every timer API a test keeps real when it moves only the clock (`jest.useFakeTimers({ now, advanceTimers: true,
 * doNotFake: [...REAL_TIMERS] })`): the app, its pool and its background jobs keep running; `Date` reads the moved time.
 */
export const REAL_TIMERS = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;
