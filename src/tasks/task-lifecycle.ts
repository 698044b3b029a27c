import type { TaskStatus } from '../storage/records.js';

/** Statuses a task never leaves. */
export const terminalStatuses: readonly TaskStatus[] = ['completed', 'failed', 'cancelled', 'timed_out', 'dead_lettered'];

/** Statuses from which a task may be cancelled (every non-terminal one). */
export const cancellableStatuses: readonly TaskStatus[] = ['pending', 'queued', 'assigned', 'in_progress'];

export function isTerminal(status: TaskStatus): boolean {
  return terminalStatuses.includes(status);
}
