import type { TaskRecord } from '../../storage/records.js';
import type { TaskStore } from '../../storage/stores.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { Lifecycle } from './lifecycle-service.js';

const key = (tenantId: string, agentId: string) => `${tenantId}\u0000${agentId}`;

export type ClaimService = ReturnType<typeof createClaimService>;

/**
 * Pull delivery: an agent that prefers polling asks for its next task and waits up to `waitMs`.
 * Pull agents are assigned like push agents; a claim accepts the oldest task assigned to the
 * agent, so both styles share one lifecycle and one set of guarantees.
 */
export function createClaimService(deps: { tasks: TaskStore; lifecycle: Lifecycle; dispatcher: Dispatcher }) {
  const waiters = new Map<string, Set<() => void>>();

  function wake(tenantId: string, agentId: string): void {
    const set = waiters.get(key(tenantId, agentId));
    if (!set) return;
    waiters.delete(key(tenantId, agentId));
    for (const resolve of set) resolve();
  }

  function waitForAssignment(tenantId: string, agentId: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const k = key(tenantId, agentId);
      const set = waiters.get(k) ?? new Set();
      waiters.set(k, set);
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }

  async function tryClaim(tenantId: string, agentId: string): Promise<TaskRecord | undefined> {
    const active = await deps.tasks.listActiveForAgent(tenantId, agentId);
    for (const task of active.filter((t) => t.status === 'assigned')) {
      try {
        return await deps.lifecycle.accept(tenantId, agentId, task.id);
      } catch {
        // Lost a race (timed out, cancelled): try the next one.
      }
    }
    return undefined;
  }

  return {
    /** Wakes a waiting claim of the agent (a task was assigned to it in another process). */
    wake,
    /** Call after every assignment: wakes a waiting claim of that agent. */
    assigned: (task: TaskRecord) => {
      if (task.assignedAgentId) wake(task.tenantId, task.assignedAgentId);
    },
    async claim(tenantId: string, agentId: string, waitMs: number, signal: AbortSignal): Promise<TaskRecord | undefined> {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const task = await tryClaim(tenantId, agentId);
        if (task) return task;
        const remaining = deadline - Date.now();
        if (remaining <= 0 || signal.aborted) return undefined;
        deps.dispatcher.kick();
        await waitForAssignment(tenantId, agentId, remaining, signal);
      }
    },
  };
}
