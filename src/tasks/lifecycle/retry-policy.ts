import type { TaskRecord, TaskStatus } from '../../storage/records.js';

export interface RetryPolicy {
  /** First retry delay; doubles with every attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { baseDelayMs: 1000, maxDelayMs: 60_000 };

/** Exponential backoff after the `attempts`-th attempt failed: base, 2·base, 4·base … capped. */
export function retryDelayMs(policy: RetryPolicy, attempts: number): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 30));
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

/**
 * Where a task goes when its attempt ends without success: back to the queue while attempts remain,
 * dead-lettered when they are used up, failed when the agent says retrying cannot help.
 */
export function statusAfterUnsuccessfulAttempt(task: Pick<TaskRecord, 'attempts' | 'maxAttempts'>, retryable: boolean): TaskStatus {
  if (!retryable) return 'failed';
  return task.attempts < task.maxAttempts ? 'queued' : 'dead_lettered';
}
