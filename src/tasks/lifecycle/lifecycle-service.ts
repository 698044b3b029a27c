import { conflict, notFound, type DevMeshError } from '../../errors/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../observability/logger.js';
import type { TaskRecord, TaskStatus } from '../../storage/records.js';
import type { Stores, TaskTransition } from '../../storage/stores.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import { healthAfterAttempt, toStoredHealth, type AttemptOutcome } from './agent-health.js';
import type { HealthWriter } from './health-writer.js';
import { defaultRetryPolicy, retryDelayMs, statusAfterUnsuccessfulAttempt, type RetryPolicy } from './retry-policy.js';

export interface LifecycleDeps {
  stores: Pick<Stores, 'tasks' | 'agents'>;
  dispatcher: Dispatcher;
  clock: Clock;
  logger: Logger;
  /** Called after every applied change (resource notifications, workflow progress). */
  onChanged(task: TaskRecord, previous: TaskStatus | null): void;
  /** Stores agents' health after attempts end (coalesced, behind the lifecycle). */
  health: Pick<HealthWriter, 'record'>;
  retry?: RetryPolicy;
}

const active: readonly TaskStatus[] = ['assigned', 'in_progress'];

export type Lifecycle = ReturnType<typeof createLifecycle>;

/**
 * What happens to a task after it is assigned: accept, progress, complete, fail, timeouts and
 * requeues. Every change is one conditional transition in the store, so a late or repeated
 * message (a second complete, a complete after a timeout) changes nothing and says why.
 */
export function createLifecycle(deps: LifecycleDeps) {
  const { stores, dispatcher, clock } = deps;
  const retry = deps.retry ?? defaultRetryPolicy;

  async function move(tenantId: string, taskId: string, change: Omit<TaskTransition, 'at'>, outcome?: { agentId: string; kind: AttemptOutcome }) {
    const at = clock.now();
    const result = await stores.tasks.transition(tenantId, taskId, { ...change, at });
    if (!result.applied) return { applied: false as const, current: result.current };
    const task = result.task;
    if (outcome) {
      const snapshot = dispatcher.agentSnapshot(tenantId, outcome.agentId);
      if (snapshot) {
        const health = healthAfterAttempt(snapshot, task, outcome.kind, dispatcher.breakerConfig, at.getTime());
        dispatcher.agentFinishedTask(tenantId, outcome.agentId, health);
        deps.health.record(tenantId, outcome.agentId, toStoredHealth(health));
      } else {
        dispatcher.agentReleased(tenantId, outcome.agentId);
      }
    }
    if (task.status === 'queued') dispatcher.enqueue(task);
    deps.onChanged(task, result.event.fromStatus);
    return { applied: true as const, task };
  }

  function explainRefusal(taskId: string, agentId: string, current: TaskRecord | undefined, action: string): DevMeshError {
    if (!current) return notFound(`No task with id "${taskId}" in this tenant.`, { task_id: taskId });
    if (current.assignedAgentId !== agentId || !active.includes(current.status)) {
      return conflict(
        `Cannot ${action} task "${taskId}": it is ${current.status}${current.assignedAgentId ? ` and assigned to ${current.assignedAgentId}` : ''}, not in progress on agent ${agentId}.`,
        { task_id: taskId, status: current.status },
      );
    }
    return conflict(`Task "${taskId}" changed while trying to ${action} it (now ${current.status}); look again.`, { task_id: taskId });
  }

  /**
   * Ends an attempt that did not succeed: requeue, dead-letter or fail. `lostAgent`: the agent went
   * away (disconnected, or its process died) rather than failing the task, so the attempt counts
   * as a release, not against its breaker, and the task is requeued without backoff.
   */
  function unsuccessful(task: TaskRecord, agentId: string, retryable: boolean, reason: string, error: unknown, actor: string, from: readonly TaskStatus[], lostAgent = false) {
    const to = statusAfterUnsuccessfulAttempt(task, retryable);
    const notBefore = to === 'queued' && !lostAgent ? new Date(clock.now().getTime() + retryDelayMs(retry, task.attempts)) : undefined;
    return move(
      task.tenantId,
      task.id,
      {
        from,
        to,
        actor,
        reason: to === 'dead_lettered' ? `${reason}; attempts exhausted (${task.attempts}/${task.maxAttempts})` : reason,
        onlyIfAgentId: agentId,
        patch: { error, appendPreviousAgentId: agentId, notBefore, acceptDeadline: null, executionDeadline: null, ...(to === 'queued' ? { assignedAgentId: null } : {}) },
      },
      { agentId, kind: lostAgent ? 'released' : 'failure' },
    );
  }

  async function load(tenantId: string, taskId: string): Promise<TaskRecord> {
    const task = await stores.tasks.get(tenantId, taskId);
    if (!task) throw notFound(`No task with id "${taskId}" in this tenant.`, { task_id: taskId });
    return task;
  }

  return {
    async accept(tenantId: string, agentId: string, taskId: string): Promise<TaskRecord> {
      const result = await move(tenantId, taskId, {
        from: ['assigned'],
        to: 'in_progress',
        actor: `agent:${agentId}`,
        reason: 'accepted',
        onlyIfAgentId: agentId,
        patch: { acceptDeadline: null, startExecutionClock: true },
      });
      if (!result.applied) {
        if (result.current?.status === 'in_progress' && result.current.assignedAgentId === agentId) return result.current;
        throw explainRefusal(taskId, agentId, result.current, 'accept');
      }
      return result.task;
    },

    async progress(tenantId: string, agentId: string, taskId: string, progress: { progress: number; total?: number; message?: string }): Promise<TaskRecord> {
      const result = await move(tenantId, taskId, {
        from: ['in_progress'],
        to: 'in_progress',
        actor: `agent:${agentId}`,
        reason: progress.message ? `progress: ${progress.message}` : 'progress',
        onlyIfAgentId: agentId,
        data: progress,
        patch: { progress },
      });
      if (!result.applied) throw explainRefusal(taskId, agentId, result.current, 'report progress on');
      return result.task;
    },

    async complete(tenantId: string, agentId: string, taskId: string, resultValue: unknown): Promise<TaskRecord> {
      const result = await move(
        tenantId,
        taskId,
        { from: active, to: 'completed', actor: `agent:${agentId}`, reason: 'completed', onlyIfAgentId: agentId, patch: { result: resultValue ?? null, acceptDeadline: null, executionDeadline: null } },
        { agentId, kind: 'success' },
      );
      if (!result.applied) throw explainRefusal(taskId, agentId, result.current, 'complete');
      return result.task;
    },

    async fail(tenantId: string, agentId: string, taskId: string, error: { message: string; retryable: boolean; details?: unknown }): Promise<TaskRecord> {
      const task = await load(tenantId, taskId);
      const result = await unsuccessful(task, agentId, error.retryable, `failed: ${error.message}`, error, `agent:${agentId}`, active);
      if (!result.applied) throw explainRefusal(taskId, agentId, result.current, 'fail');
      return result.task;
    },

    /**
     * Puts the unfinished tasks of an agent that went away back in the queue, at once (disconnect
     * past its grace period, or its process died). One at a time: each folds into the agent's health.
     */
    async requeueAgentTasks(tenantId: string, agentId: string, reason: string): Promise<number> {
      let moved = 0;
      for (const task of await stores.tasks.listActiveForAgent(tenantId, agentId)) {
        const result = await unsuccessful(task, agentId, true, reason, { message: reason }, 'system', active, true);
        if (result.applied) moved++;
      }
      return moved;
    },

    /** Handles expired accept and execution timers and passed deadlines; returns how many tasks moved. */
    async sweepTimers(limit = 500): Promise<number> {
      const now = clock.now();
      const due = await stores.tasks.listDue(now, limit);
      let moved = 0;
      for (const task of due.acceptExpired) {
        if (!task.assignedAgentId) continue;
        const r = await unsuccessful(task, task.assignedAgentId, true, 'accept timeout', { message: 'the agent did not accept in time' }, 'system', ['assigned']);
        if (r.applied) moved++;
      }
      for (const task of due.executionExpired) {
        if (!task.assignedAgentId) continue;
        const r = await unsuccessful(task, task.assignedAgentId, true, 'execution timeout', { message: 'the agent did not finish in time' }, 'system', ['in_progress']);
        if (r.applied) moved++;
      }
      for (const task of due.deadlinePassed) {
        const agentId = active.includes(task.status) ? task.assignedAgentId : null;
        const r = await move(
          task.tenantId,
          task.id,
          { from: ['pending', 'queued', 'assigned', 'in_progress'], to: 'timed_out', actor: 'system', reason: 'deadline passed', patch: { acceptDeadline: null, executionDeadline: null } },
          agentId ? { agentId, kind: 'released' } : undefined,
        );
        if (r.applied) {
          dispatcher.forget(task.tenantId, task.id);
          moved++;
        }
      }
      dispatcher.releaseDelayed(now.getTime());
      return moved;
    },
  };
}
