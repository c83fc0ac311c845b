import { describe, expect, it } from 'vitest';
import { DistinctLimiter, WindowLimiter } from './rate-limit.js';

describe('rate limits', () => {
  it('counts hits per key in a window and starts again after it', () => {
    const l = new WindowLimiter(3, 1000);
    expect([1, 2, 3, 4].map(() => l.take('a', 0))).toEqual([true, true, true, false]);
    expect(l.take('b', 10)).toBe(true);
    expect(l.take('a', 999)).toBe(false);
    expect(l.take('a', 1000)).toBe(true);
  });

  it('forgets the oldest keys when full, so memory stays bounded', () => {
    const l = new WindowLimiter(1, 60_000, 2);
    l.take('a', 0);
    l.take('b', 0);
    l.take('c', 0);
    // 'a' was forgotten: it may hit again.
    expect(l.take('a', 1)).toBe(true);
  });

  it('allows a value seen before and at most `limit` distinct values per key', () => {
    const d = new DistinctLimiter(2);
    expect(d.take('t', 'x')).toBe(true);
    expect(d.take('t', 'y')).toBe(true);
    expect(d.take('t', 'x')).toBe(true);
    expect(d.take('t', 'z')).toBe(false);
    expect(d.take('u', 'z')).toBe(true);
  });
});
