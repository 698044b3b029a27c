/**
 * In-memory queue of tasks waiting for an agent: priority order within a tenant (critical > high >
 * normal > low, FIFO within a level) with aging so low tasks are not starved, and round-robin between
 * tenants so one tenant's flood does not starve another.
 *
 * Effective priority at take time = rank (low 0, normal 1, high 2, critical 3)
 *   + floor((now - enqueuedAt) / agingMs), capped at 3: a low task that has waited 3 * agingMs ranks
 *   with critical ones. Equal effective priorities go oldest first (enqueuedAt, then push order).
 *
 * Layout: per tenant, one FIFO heap per base priority. Within a level the oldest entry also has the
 * highest effective priority, so a tenant's best task is always one of its (at most) 4 heads.
 *
 * Complexity (n queued tasks, T tenants with queued tasks):
 *   push O(log n); remove O(1) amortised (lazy deletion); has, size, sizeOf O(1);
 *   takeNext O(k log n) for k tasks taken, plus O(d log n) for d declined tasks (at most
 *   `maxDeclinesPerTenant` per tenant per call), plus O(T) tenants visited.
 */
import type { TaskPriority } from '../../storage/records.js';
import { createFifoHeap, type FifoHeap } from './fifo-heap.js';

export interface QueuedTask {
  tenantId: string;
  taskId: string;
  priority: TaskPriority;
  /** ms */
  enqueuedAt: number;
  requiredCapabilities: readonly string[];
}

export interface FairPriorityQueueOptions {
  /** Waiting this long raises a task's effective priority by one level. Default 60 s. */
  agingMs?: number;
  /** Declined tasks examined per tenant per `takeNext` before moving on; bounds the cost of a call. */
  maxDeclinesPerTenant?: number;
}

export interface FairPriorityQueue {
  /** Queue a task; false (and no change) when the tenant already has a task of that id queued. */
  push(item: QueuedTask): boolean;
  remove(tenantId: string, taskId: string): boolean;
  has(tenantId: string, taskId: string): boolean;
  readonly size: number;
  sizeOf(tenantId: string): number;
  /**
   * Take up to `limit` tasks that `accept` says yes to, one per tenant per turn, least recently served
   * tenant first. Declined tasks stay queued, in place. If `accept` throws, every task of this call
   * is put back (accepted ones included) and the error propagates.
   */
  takeNext(now: number, accept: (item: QueuedTask) => boolean, limit: number): QueuedTask[];
}

export const priorityRank: Readonly<Record<TaskPriority, number>> = { low: 0, normal: 1, high: 2, critical: 3 };
const maxRank = 3;

interface Entry {
  readonly item: QueuedTask;
  readonly enqueuedAt: number;
  readonly seq: number;
  readonly rank: number;
  removed: boolean;
  /** Popped and set aside by a running `takeNext`, so not in its heap. */
  held: boolean;
}

interface TenantQueue {
  levels: FifoHeap<Entry>[];
  live: Map<string, Entry>;
  epoch: number;
  declines: number;
}

export function effectivePriority(rank: number, enqueuedAt: number, now: number, agingMs: number): number {
  const aged = rank + Math.floor(Math.max(0, now - enqueuedAt) / agingMs);
  return aged > maxRank ? maxRank : aged;
}

export function createFairPriorityQueue(options: FairPriorityQueueOptions = {}): FairPriorityQueue {
  const agingMs = options.agingMs ?? 60_000;
  const maxDeclines = options.maxDeclinesPerTenant ?? 100;
  if (!(agingMs > 0)) throw new RangeError('agingMs must be positive');
  // Map order is the turn order: a served tenant is moved to the end.
  const tenants = new Map<string, TenantQueue>();
  let size = 0;
  let seq = 0;
  let epoch = 0;

  function tenantOf(tenantId: string): TenantQueue {
    let tenant = tenants.get(tenantId);
    if (tenant === undefined) {
      tenant = { levels: [0, 1, 2, 3].map(() => createFifoHeap<Entry>()), live: new Map(), epoch: 0, declines: 0 };
      tenants.set(tenantId, tenant);
    }
    return tenant;
  }

  function enqueue(tenant: TenantQueue, entry: Entry): void {
    entry.held = false;
    tenant.levels[entry.rank]!.push(entry);
  }

  function push(item: QueuedTask): boolean {
    const tenant = tenantOf(item.tenantId);
    if (tenant.live.has(item.taskId)) return false;
    const rank = priorityRank[item.priority];
    const entry: Entry = { item, enqueuedAt: item.enqueuedAt, seq: seq++, rank, removed: false, held: false };
    tenant.live.set(item.taskId, entry);
    enqueue(tenant, entry);
    size++;
    return true;
  }

  function remove(tenantId: string, taskId: string): boolean {
    const tenant = tenants.get(tenantId);
    const entry = tenant?.live.get(taskId);
    if (tenant === undefined || entry === undefined) return false;
    tenant.live.delete(taskId);
    entry.removed = true;
    if (!entry.held) tenant.levels[entry.rank]!.markRemoved();
    size--;
    if (tenant.live.size === 0) tenants.delete(tenantId);
    return true;
  }

  /** The tenant's best task by effective priority, then age, then push order, popped from its heap. */
  function popBest(tenant: TenantQueue, now: number): Entry | undefined {
    let best: Entry | undefined;
    let bestPriority = -1;
    for (const level of tenant.levels) {
      const head = level.peek();
      if (head === undefined) continue;
      const priority = effectivePriority(head.rank, head.enqueuedAt, now, agingMs);
      if (
        best === undefined ||
        priority > bestPriority ||
        (priority === bestPriority && (head.enqueuedAt < best.enqueuedAt || (head.enqueuedAt === best.enqueuedAt && head.seq < best.seq)))
      ) {
        best = head;
        bestPriority = priority;
      }
    }
    if (best !== undefined) {
      tenant.levels[best.rank]!.pop();
      best.held = true;
    }
    return best;
  }

  function takeFromTenant(tenant: TenantQueue, now: number, accept: (item: QueuedTask) => boolean, declined: Entry[]): Entry | undefined {
    if (tenant.epoch !== epoch) {
      tenant.epoch = epoch;
      tenant.declines = 0;
    }
    while (tenant.declines < maxDeclines) {
      const entry = popBest(tenant, now);
      if (entry === undefined) return undefined;
      // Popped entries are set aside before `accept` runs, so a throw cannot lose them.
      declined.push(entry);
      const accepted = accept(entry.item);
      // `accept` may have removed the task itself: then it is gone, taken or not.
      if (entry.removed) continue;
      if (accepted) {
        declined.pop();
        return entry;
      }
      tenant.declines++;
    }
    return undefined;
  }

  function takeNext(now: number, accept: (item: QueuedTask) => boolean, limit: number): QueuedTask[] {
    const taken: Entry[] = [];
    const declined: Entry[] = [];
    if (limit <= 0) return [];
    epoch++;
    try {
      for (const [tenantId, tenant] of tenants) {
        if (taken.length >= limit) break;
        const entry = takeFromTenant(tenant, now, accept, declined);
        if (entry === undefined) continue;
        taken.push(entry);
        tenant.live.delete(entry.item.taskId);
        size--;
        // Re-inserting moves the tenant behind the others; this loop reaches it again next turn.
        tenants.delete(tenantId);
        if (tenant.live.size > 0) tenants.set(tenantId, tenant);
      }
    } catch (error) {
      for (const entry of taken) {
        const tenant = tenantOf(entry.item.tenantId);
        if (tenant.live.has(entry.item.taskId)) continue; // pushed again by `accept`
        tenant.live.set(entry.item.taskId, entry);
        enqueue(tenant, entry);
        size++;
      }
      throw error;
    } finally {
      // A live declined entry keeps its tenant in the map (its `live` is not empty).
      for (const entry of declined) {
        if (!entry.removed) enqueue(tenants.get(entry.item.tenantId)!, entry);
      }
    }
    return taken.map((entry) => entry.item);
  }

  return {
    push,
    remove,
    has: (tenantId, taskId) => tenants.get(tenantId)?.live.has(taskId) ?? false,
    get size() {
      return size;
    },
    sizeOf: (tenantId) => tenants.get(tenantId)?.live.size ?? 0,
    takeNext,
  };
}
