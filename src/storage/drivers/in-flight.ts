/**
 * Tracks running statements and transactions so `close()` can wait for them, as the SqlClient
 * port promises, and refuse new work afterwards. (`pg.Pool.end()` alone leaves a query that is
 * still waiting for its first connection pending forever.)
 */
export function createInFlight() {
  const running = new Set<Promise<unknown>>();
  let closed = false;
  return {
    get closed() {
      return closed;
    },
    run<T>(work: () => Promise<T>): Promise<T> {
      if (closed) return Promise.reject(new Error('SQL client is closed'));
      const promise = work();
      running.add(promise);
      const forget = () => running.delete(promise);
      promise.then(forget, forget);
      return promise;
    },
    /** Marks the client closed and resolves once everything started before has settled. */
    async drain(): Promise<void> {
      closed = true;
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
