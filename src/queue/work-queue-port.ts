/**
 * The work-queue port: durable background jobs, each handled by exactly one consumer at a time.
 *
 * Semantics the domain relies on (the contract suite in test/queue/ makes them executable):
 * - `enqueue` appends a job to a named queue and resolves once it is durably stored (in-process:
 *   in memory). A job with an `idempotencyKey` already enqueued on that queue within the
 *   retention window is not enqueued again; `enqueue` then resolves with `{ duplicate: true }`.
 * - `consume` delivers each job to one handler call at a time across every consumer of the same
 *   queue and group (competing consumers). A handler that resolves acknowledges the job; one
 *   that throws (or whose consumer dies) leaves it pending, and it is delivered again — to any
 *   consumer — after `reclaimAfterMs`. Delivery is at-least-once: handlers must be idempotent.
 * - After `maxDeliveries` failed deliveries a job moves to the queue's dead-letter list with the
 *   last error as its reason, and is not delivered again.
 * - `close` stops fetching, waits for running handlers (graceful drain), then releases
 *   connections; jobs it fetched but did not finish are redelivered to others.
 * - Each consumer group receives every job; consumers within a group compete. A new group starts
 *   at the oldest stored job, so jobs enqueued before any consumer existed are still delivered.
 * - A job whose handler throws is retried `reclaimAfterMs` after the failure; a handler that hangs
 *   loses its job `reclaimAfterMs` after delivery (a visibility timeout).
 * - `stats().pending` counts jobs not yet finished: waiting, running or awaiting a retry.
 * - Queue and group names use `[A-Za-z0-9._-]`; payloads are JSON objects.
 */
export interface WorkQueue {
  enqueue(queue: string, job: JobInput): Promise<{ id: string; duplicate: boolean }>;
  consume(queue: string, handler: JobHandler, options?: ConsumeOptions): Consumer;
  /** Jobs that exhausted their deliveries, newest first. */
  deadLetters(queue: string, limit: number): Promise<DeadLetter[]>;
  /** Counts for metrics and health. */
  stats(queue: string): Promise<{ pending: number; deadLettered: number }>;
  close(): Promise<void>;
}

export interface JobInput {
  /** Small JSON payload. */
  payload: Record<string, unknown>;
  /** Jobs with the same key on the same queue are enqueued once (e.g. a webhook delivery id). */
  idempotencyKey?: string;
}

export interface Job {
  id: string;
  queue: string;
  payload: Record<string, unknown>;
  /** 1 on the first delivery. */
  deliveries: number;
  enqueuedAt: number;
}

export type JobHandler = (job: Job) => Promise<void>;

export interface ConsumeOptions {
  /** Consumers in one group share the work; default 'workers'. */
  group?: string;
  /** Handler calls running at once in this consumer; default 4. */
  concurrency?: number;
  /** A delivery not acknowledged within this time is given to another consumer; default 30 000. */
  reclaimAfterMs?: number;
  /** Deliveries before a job is dead-lettered; default 5. */
  maxDeliveries?: number;
}

export interface Consumer {
  /** Stops taking new jobs and resolves when the running ones finished. */
  stop(): Promise<void>;
}

export interface DeadLetter {
  job: Job;
  reason: string;
  deadLetteredAt: number;
}
