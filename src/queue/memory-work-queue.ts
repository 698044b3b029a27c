import { newId } from '../lib/ids.js';
import { assertQueueName, encodePayload, errorMessage, resolveConsumeOptions } from './work-queue-options.js';
import { createFifo } from './memory-fifo.js';
import { createIdempotencyMemory } from './memory-idempotency.js';
import {
  freeConsumer,
  nextJob,
  timeoutReason,
  type Delivery,
  type GroupState,
  type MemoryConsumer,
  type PendingState,
  type QueueState,
  type StoredJob,
} from './memory-queue-state.js';
import type { Consumer, DeadLetter, Job, WorkQueue } from './work-queue-port.js';

export interface MemoryWorkQueueOptions {
  /** Milliseconds since the epoch; stamps jobs and dead letters and times idempotency windows. */
  clock?: () => number;
  /** How long an idempotency key is remembered; default 24 h. */
  idempotencyRetentionMs?: number;
  /** Most idempotency keys remembered (oldest forgotten first); default 100 000. */
  maxIdempotencyKeys?: number;
  /** Dead letters kept per queue (oldest dropped first); default 10 000, as on Redis. */
  maxDeadLetters?: number;
}

/**
 * The in-process work queue: the embedded default, same semantics as the Redis Streams adapter
 * within one process. A queue is a log of jobs; each consumer group reads the whole log (groups
 * are independent, consumers within one compete). A delivery holds the job for `reclaimAfterMs`
 * (timers measure real time; the injected clock only stamps values): past that, or that long
 * after its handler threw, any consumer of the group may take it again.
 */
export function createMemoryWorkQueue(options: MemoryWorkQueueOptions = {}): WorkQueue {
  const clock = options.clock ?? Date.now;
  const maxDeadLetters = options.maxDeadLetters ?? 10_000;
  const idempotency = createIdempotencyMemory({
    clock,
    retentionMs: options.idempotencyRetentionMs ?? 24 * 60 * 60 * 1000,
    maxKeys: options.maxIdempotencyKeys ?? 100_000,
  });
  const queues = new Map<string, QueueState>();
  const live = new Set<MemoryConsumer>();
  let closing: Promise<void> | undefined;

  function queueState(name: string): QueueState {
    let q = queues.get(name);
    if (!q) {
      q = { name, jobs: new Map(), groups: new Map(), dead: [] };
      queues.set(name, q);
    }
    return q;
  }

  function finish(q: QueueState, group: GroupState, stored: StoredJob): void {
    const state = group.pending.get(stored.id);
    if (state?.delivery) clearTimeout(state.delivery.timer);
    group.pending.delete(stored.id);
    stored.openGroups.delete(group.name);
    if (stored.openGroups.size === 0) q.jobs.delete(stored.id);
  }

  function deadLetter(q: QueueState, group: GroupState, stored: StoredJob, deliveries: number, reason: string): void {
    q.dead.push({ stored, deliveries, reason, at: clock() });
    if (q.dead.length > maxDeadLetters) q.dead.shift();
    finish(q, group, stored);
  }

  function arm(q: QueueState, group: GroupState, id: string, delivery: Delivery): void {
    delivery.timer = setTimeout(() => {
      const state = group.pending.get(id);
      if (!state || state.delivery !== delivery) return;
      state.delivery = undefined;
      state.expiredAfterMs = delivery.consumer.options.reclaimAfterMs;
      group.reclaimable.push(id);
      pump(q, group);
    }, delivery.consumer.options.reclaimAfterMs);
    delivery.timer.unref();
  }

  function settle(q: QueueState, group: GroupState, id: string, delivery: Delivery, failure: { error: unknown } | undefined): void {
    const stored = q.jobs.get(id);
    const state = group.pending.get(id);
    if (!stored || !stored.openGroups.has(group.name) || !state) return;
    // A late success still completes the job, whoever holds it now (at-least-once).
    if (!failure) return finish(q, group, stored);
    state.lastError = errorMessage(failure.error);
    // Reclaimed by the group meanwhile: the newer delivery decides what happens next.
    if (state.delivery !== delivery) return;
    clearTimeout(delivery.timer);
    if (delivery.number >= delivery.consumer.options.maxDeliveries) {
      return deadLetter(q, group, stored, delivery.number, state.lastError);
    }
    arm(q, group, id, delivery);
  }

  function deliver(q: QueueState, group: GroupState, consumer: MemoryConsumer, stored: StoredJob, state: PendingState): void {
    state.deliveries += 1;
    const delivery: Delivery = { number: state.deliveries, consumer, timer: undefined };
    state.delivery = delivery;
    arm(q, group, stored.id, delivery);
    consumer.running += 1;
    const job: Job = {
      id: stored.id,
      queue: q.name,
      payload: JSON.parse(stored.payload) as Job['payload'],
      deliveries: delivery.number,
      enqueuedAt: stored.enqueuedAt,
    };
    // Handlers start after the caller's current work, as they would with a networked queue.
    const run: Promise<void> = Promise.resolve()
      .then(() => consumer.handler(job))
      .then(
        () => settle(q, group, stored.id, delivery, undefined),
        (error: unknown) => settle(q, group, stored.id, delivery, { error }),
      )
      .finally(() => {
        consumer.running -= 1;
        consumer.active.delete(run);
        pump(q, group);
      });
    consumer.active.add(run);
  }

  /** Hands available jobs to consumers with free slots, reclaimed jobs first, round robin. */
  function pump(q: QueueState, group: GroupState): void {
    while (group.ready.length > 0 || group.reclaimable.length > 0) {
      const consumer = freeConsumer(group);
      if (!consumer) return;
      const next = nextJob(q, group);
      if (!next) return;
      const { stored, state } = next;
      if (state.deliveries >= consumer.options.maxDeliveries) {
        deadLetter(q, group, stored, state.deliveries, timeoutReason(state));
        continue;
      }
      deliver(q, group, consumer, stored, state);
    }
  }

  function stopConsumer(group: GroupState, consumer: MemoryConsumer): Promise<void> {
    if (!consumer.stopping) {
      group.consumers = group.consumers.filter((c) => c !== consumer);
      consumer.stopping = (async () => {
        while (consumer.active.size > 0) await Promise.allSettled([...consumer.active]);
        live.delete(consumer);
      })();
    }
    return consumer.stopping;
  }

  return {
    async enqueue(queue, input) {
      if (closing) throw new Error('work queue is closed');
      assertQueueName('queue', queue);
      const payload = encodePayload(input.payload);
      const q = queueState(queue);
      const key = input.idempotencyKey === undefined ? undefined : `${queue}\n${input.idempotencyKey}`;
      if (key !== undefined) {
        const existing = idempotency.lookup(key);
        if (existing !== undefined) return { id: existing, duplicate: true };
      }
      const stored: StoredJob = { id: newId('job'), payload, enqueuedAt: clock(), openGroups: new Set(q.groups.keys()) };
      q.jobs.set(stored.id, stored);
      if (key !== undefined) idempotency.remember(key, stored.id);
      for (const group of q.groups.values()) {
        group.ready.push(stored.id);
        pump(q, group);
      }
      return { id: stored.id, duplicate: false };
    },

    consume(queue, handler, consumeOptions): Consumer {
      if (closing) throw new Error('work queue is closed');
      assertQueueName('queue', queue);
      const resolved = resolveConsumeOptions(consumeOptions);
      const q = queueState(queue);
      let group = q.groups.get(resolved.group);
      if (!group) {
        // A new group starts at the beginning of the log, as XGROUP CREATE … 0 does.
        group = { name: resolved.group, ready: createFifo(), reclaimable: createFifo(), pending: new Map(), consumers: [], nextConsumer: 0 };
        q.groups.set(group.name, group);
        for (const stored of q.jobs.values()) {
          stored.openGroups.add(group.name);
          group.ready.push(stored.id);
        }
      }
      const owner = group;
      const consumer: MemoryConsumer = {
        handler,
        options: resolved,
        running: 0,
        active: new Set(),
        stop: () => stopConsumer(owner, consumer),
      };
      group.consumers.push(consumer);
      live.add(consumer);
      pump(q, group);
      return { stop: consumer.stop };
    },

    async deadLetters(queue, limit): Promise<DeadLetter[]> {
      const dead = queues.get(queue)?.dead ?? [];
      return dead
        .slice(Math.max(0, dead.length - Math.max(0, limit)))
        .reverse()
        .map((d) => ({
          job: { id: d.stored.id, queue, payload: JSON.parse(d.stored.payload) as Job['payload'], deliveries: d.deliveries, enqueuedAt: d.stored.enqueuedAt },
          reason: d.reason,
          deadLetteredAt: d.at,
        }));
    },

    async stats(queue) {
      const q = queues.get(queue);
      return { pending: q?.jobs.size ?? 0, deadLettered: q?.dead.length ?? 0 };
    },

    close() {
      closing ??= (async () => {
        await Promise.all([...live].map((c) => c.stop()));
        for (const q of queues.values()) {
          for (const group of q.groups.values()) {
            for (const state of group.pending.values()) clearTimeout(state.delivery?.timer);
          }
        }
      })();
      return closing;
    },
  };
}
