import { conflict, invalidArgument, notFound } from '../errors/index.js';
import type { Clock } from '../lib/clock.js';
import { decodeCursor, encodeCursor } from '../lib/cursor.js';
import { canonicalJson } from '../lib/canonical-json.js';
import { sha256Hex } from '../lib/hashing.js';
import { newId } from '../lib/ids.js';
import type { TaskRecord, TaskStatus } from '../storage/records.js';
import type { TaskPosition, TaskStore } from '../storage/stores.js';
import type { Principal } from '../tenancy/principal.js';
import { requireRole } from '../tenancy/tenancy-service.js';
import { cancellableStatuses, isTerminal } from './task-lifecycle.js';
import type { TaskCreateInput, TaskListQuery } from './task-schemas.js';

export interface TaskServiceDeps {
  tasks: TaskStore;
  /** Tells subscribers a resource changed (coalesced by the caller). */
  announce(tenantId: string, uri: string): void;
  clock: Clock;
  /** A new task is waiting for an agent. */
  onQueued?(task: TaskRecord): void;
  /** A task was cancelled; `previous` is the status it left (its agent, if any, has room again). */
  onCancelled?(task: TaskRecord, previous: TaskStatus | null): void;
}

export type TaskService = ReturnType<typeof createTaskService>;

export const tasksResourceUri = (tenantId: string) => `devmesh://tasks/${tenantId}`;

function actorOf(principal: Principal): string {
  return `key:${principal.apiKeyId}`;
}

function decodeTaskCursor(cursor: string): TaskPosition {
  const key = decodeCursor(cursor);
  const createdAt = typeof key?.c === 'string' ? new Date(key.c) : undefined;
  if (!key || typeof key.i !== 'string' || !createdAt || Number.isNaN(createdAt.getTime())) {
    throw invalidArgument('Invalid cursor: pass next_cursor from the previous page unchanged.', { field: 'cursor' });
  }
  return { createdAt, id: key.i };
}

export function createTaskService(deps: TaskServiceDeps) {
  const { tasks, clock } = deps;

  const announce = (tenantId: string) => deps.announce(tenantId, tasksResourceUri(tenantId));

  async function get(principal: Principal, id: string): Promise<TaskRecord> {
    requireRole(principal, 'reader');
    const task = await tasks.get(principal.tenantId, id);
    if (!task) throw notFound(`No task with id "${id}" in this tenant.`, { task_id: id });
    return task;
  }

  return {
    get,

    /** `input.status` 'pending' holds the task back (a workflow step waiting for its dependencies). */
    async create(
      principal: Principal,
      input: TaskCreateInput & { status?: 'pending' | 'queued'; workflow_run_id?: string; workflow_step?: string },
      sessionId: string | null = null,
    ): Promise<TaskRecord> {
      requireRole(principal, 'agent');
      const id = newId('task');
      const { idempotency_key: idempotencyKey, ...request } = input;
      const task = await tasks.insert(
        {
          tenantId: principal.tenantId,
          id,
          title: input.title,
          description: input.description,
          type: input.type,
          priority: input.priority,
          status: input.status ?? 'queued',
          requiredCapabilities: [...new Set(input.required_capabilities)],
          payload: input.payload ?? null,
          sessionId,
          createdBy: principal.apiKeyId,
          maxAttempts: input.max_attempts,
          strategy: input.strategy ?? null,
          maxCost: input.max_cost ?? null,
          deadline: input.deadline ? new Date(input.deadline) : null,
          acceptTimeoutMs: input.accept_timeout_ms,
          executionTimeoutMs: input.execution_timeout_ms ?? null,
          workflowRunId: input.workflow_run_id ?? null,
          workflowStep: input.workflow_step ?? null,
          idempotency: idempotencyKey === undefined ? undefined : { key: idempotencyKey, fingerprint: sha256Hex(canonicalJson(request)) },
        },
        actorOf(principal),
        clock.now(),
      );
      // A repeat with an idempotency key got the first task back: nothing new to announce or queue.
      if (task.id !== id) return task;
      announce(principal.tenantId);
      if (task.status === 'queued') deps.onQueued?.(task);
      return task;
    },

    async list(principal: Principal, query: TaskListQuery): Promise<{ tasks: TaskRecord[]; nextCursor: string | null }> {
      requireRole(principal, 'reader');
      const page = await tasks.list(
        principal.tenantId,
        { status: query.status, priority: query.priority, type: query.type, sessionId: query.session_id },
        { limit: query.limit, after: query.cursor ? decodeTaskCursor(query.cursor) : undefined },
      );
      const nextCursor = page.next ? encodeCursor({ c: page.next.createdAt.toISOString(), i: page.next.id }) : null;
      return { tasks: page.items, nextCursor };
    },

    async events(principal: Principal, id: string) {
      await get(principal, id);
      return tasks.events(principal.tenantId, id);
    },

    /** Cancels a task that has not finished; cancelling a finished task is a conflict naming its status. */
    async cancel(principal: Principal, id: string, reason?: string): Promise<TaskRecord> {
      requireRole(principal, 'agent');
      const outcome = await tasks.transition(principal.tenantId, id, {
        from: cancellableStatuses,
        to: 'cancelled',
        actor: actorOf(principal),
        reason: reason ?? 'cancelled by request',
        at: clock.now(),
      });
      if (outcome.applied) {
        deps.onCancelled?.(outcome.task, outcome.event.fromStatus);
        announce(principal.tenantId);
        return outcome.task;
      }
      if (!outcome.current) throw notFound(`No task with id "${id}" in this tenant.`, { task_id: id });
      if (isTerminal(outcome.current.status)) {
        throw conflict(`Task "${id}" is already ${outcome.current.status}; finished tasks cannot be cancelled.`, {
          task_id: id,
          status: outcome.current.status,
        });
      }
      throw conflict(`Task "${id}" changed while cancelling (now ${outcome.current.status}); retry.`, { task_id: id });
    },
  };
}
