/**
 * In-memory limits of one server node (each node counts for itself; with N nodes a client gets at most N times
 * the limit, still bounded). Used where a database round trip per request would cost more than the abuse.
 */
export class WindowLimiter {
  private readonly hits = new Map<string, { start: number; n: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one hit for `key`; false when the key is over its limit in the current window. */
  take(key: string, now = Date.now()): boolean {
    let h = this.hits.get(key);
    if (!h || now - h.start >= this.windowMs) {
      if (!h && this.hits.size >= this.maxKeys) this.sweep(now);
      h = { start: now, n: 0 };
      this.hits.set(key, h);
    }
    h.n++;
    return h.n <= this.limit;
  }

  private sweep(now: number) {
    for (const [k, h] of this.hits) if (now - h.start >= this.windowMs) this.hits.delete(k);
    // Still full: forget the oldest entries (Map keeps insertion order).
    for (const k of this.hits.keys()) {
      if (this.hits.size < this.maxKeys) break;
      this.hits.delete(k);
    }
  }
}

/** Distinct values seen per key (e.g. learners per view token), capped; the oldest keys are forgotten first. */
export class DistinctLimiter {
  private readonly seen = new Map<string, Set<string>>();
  constructor(
    private readonly limit: number,
    private readonly maxKeys = 200_000,
  ) {}

  /** Records `value` under `key`; false when it would be more than `limit` distinct values. */
  take(key: string, value: string): boolean {
    let set = this.seen.get(key);
    if (!set) {
      if (this.seen.size >= this.maxKeys) this.seen.delete(this.seen.keys().next().value!);
      this.seen.set(key, (set = new Set()));
    }
    if (set.has(value)) return true;
    if (set.size >= this.limit) return false;
    set.add(value);
    return true;
  }
}
