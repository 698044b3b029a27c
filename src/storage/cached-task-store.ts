import type { TaskRecord } from './records.js';
import type { TaskStore } from './stores.js';

const key = (tenantId: string, id: string) => `${tenantId}\u0000${id}`;

/**
 * A write-through cache of task records in front of a TaskStore, for the embedded database only.
 *
 * Why it is safe there: PGlite is single-process (the data-dir lock guarantees it), and every task
 * write goes through this store, so the cache sees each change as it is made and a cached record
 * is never older than the database. It must NOT be used on PostgreSQL, where other processes write.
 *
 * Why it matters: a PGlite query costs ~0.3–0.8 ms of this process's CPU, so reads of hot tasks
 * (devmesh_task_status polling) would otherwise cap throughput at ~1–2k/s.
 */
export function withTaskCache(inner: TaskStore, capacity = 20_000): TaskStore {
  const cache = new Map<string, TaskRecord>();
  const put = (task: TaskRecord | undefined): void => {
    if (!task) return;
    const k = key(task.tenantId, task.id);
    cache.delete(k); // re-insert: Map order doubles as LRU order
    cache.set(k, task);
    if (cache.size > capacity) cache.delete(cache.keys().next().value as string);
  };
  return {
    ...inner,
    async insert(task, actor, at) {
      const record = await inner.insert(task, actor, at);
      put(record);
      return record;
    },
    async get(tenantId, id) {
      const hit = cache.get(key(tenantId, id));
      if (hit) return hit;
      const record = await inner.get(tenantId, id);
      put(record);
      return record;
    },
    async transition(tenantId, id, change) {
      const outcome = await inner.transition(tenantId, id, change);
      put(outcome.applied ? outcome.task : outcome.current);
      return outcome;
    },
    async assign(tenantId, taskId, commit) {
      const outcome = await inner.assign(tenantId, taskId, commit);
      if (outcome.applied) put(outcome.task);
      else cache.delete(key(tenantId, taskId));
      return outcome;
    },
  };
}
