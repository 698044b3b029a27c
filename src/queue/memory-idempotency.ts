/**
 * Idempotency keys remembered for a retention window, bounded in number: past `maxKeys` the oldest
 * key is forgotten first (its job may then be enqueued again — at-least-once still holds).
 * Keys are kept in insertion order, which is expiry order while the clock moves forward, so
 * expired keys are dropped from the front as a side effect of lookups.
 */
export interface IdempotencyMemory {
  /** The job id remembered for `key`, if the key is within its retention window. */
  lookup(key: string): string | undefined;
  remember(key: string, id: string): void;
}

export function createIdempotencyMemory(options: {
  clock: () => number;
  retentionMs: number;
  maxKeys: number;
}): IdempotencyMemory {
  const { clock, retentionMs, maxKeys } = options;
  const entries = new Map<string, { id: string; expiresAt: number }>();

  function dropExpired(now: number): void {
    for (const [key, entry] of entries) {
      if (entry.expiresAt > now) return;
      entries.delete(key);
    }
  }

  return {
    lookup(key) {
      const now = clock();
      dropExpired(now);
      const entry = entries.get(key);
      return entry && entry.expiresAt > now ? entry.id : undefined;
    },
    remember(key, id) {
      entries.delete(key);
      entries.set(key, { id, expiresAt: clock() + retentionMs });
      while (entries.size > maxKeys) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
    },
  };
}
