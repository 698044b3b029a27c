import type { ResolvedConsumeOptions } from './work-queue-options.js';
import type { Fifo } from './memory-fifo.js';
import type { JobHandler } from './work-queue-port.js';

/* The in-process queue's state, and the pure choices made on it (which consumer, which job). */

/** The next consumer of the group with a free handler slot, round robin (competing consumers share). */
export function freeConsumer(group: GroupState): MemoryConsumer | undefined {
  const n = group.consumers.length;
  for (let i = 0; i < n; i += 1) {
    const index = (group.nextConsumer + i) % n;
    const consumer = group.consumers[index]!;
    if (consumer.running < consumer.options.concurrency) {
      group.nextConsumer = (index + 1) % n;
      return consumer;
    }
  }
  return undefined;
}

/** The next job the group should deliver: reclaimed ones first, then new ones in enqueue order. */
export function nextJob(q: QueueState, group: GroupState): { stored: StoredJob; state: PendingState } | undefined {
  for (;;) {
    const reclaimed = group.reclaimable.length > 0;
    const id = reclaimed ? group.reclaimable.shift() : group.ready.shift();
    if (id === undefined) return undefined;
    const stored = q.jobs.get(id);
    // Finished meanwhile (a late acknowledgement from the consumer that lost it).
    if (!stored || !stored.openGroups.has(group.name)) continue;
    const existing = group.pending.get(id);
    if (existing) {
      if (existing.delivery) continue;
      return { stored, state: existing };
    }
    const state: PendingState = { deliveries: 0, lastError: undefined, delivery: undefined, expiredAfterMs: 0 };
    group.pending.set(id, state);
    return { stored, state };
  }
}

/** The dead-letter reason of a job whose last delivery expired (same text as the Redis adapter's). */
export function timeoutReason(state: PendingState): string {
  const timeout = `not acknowledged within ${state.expiredAfterMs} ms`;
  return state.lastError === undefined ? timeout : `${timeout} (last error: ${state.lastError})`;
}

export interface StoredJob {
  id: string;
  /** JSON text: every delivery parses its own copy, so a handler cannot change the next one's. */
  payload: string;
  enqueuedAt: number;
  /** Groups that have not finished this job; the job is dropped when none is left. */
  openGroups: Set<string>;
}

export interface Delivery {
  number: number;
  consumer: MemoryConsumer;
  timer: NodeJS.Timeout | undefined;
}

export interface PendingState {
  deliveries: number;
  lastError: string | undefined;
  /** The delivery holding the job; undefined once it expired and the job waits to be reclaimed. */
  delivery: Delivery | undefined;
  expiredAfterMs: number;
}

export interface GroupState {
  name: string;
  ready: Fifo<string>;
  reclaimable: Fifo<string>;
  pending: Map<string, PendingState>;
  consumers: MemoryConsumer[];
  nextConsumer: number;
}

export interface MemoryConsumer {
  handler: JobHandler;
  options: ResolvedConsumeOptions;
  running: number;
  active: Set<Promise<void>>;
  stop: () => Promise<void>;
  stopping?: Promise<void>;
}

export interface QueueState {
  name: string;
  jobs: Map<string, StoredJob>;
  groups: Map<string, GroupState>;
  dead: { stored: StoredJob; deliveries: number; reason: string; at: number }[];
}
