import { conflict } from '../errors/index.js';
import type { Clock } from '../lib/clock.js';
import type { TaskRecord } from '../storage/records.js';
import type { TaskStore } from '../storage/stores.js';
import type { Principal } from '../tenancy/principal.js';
import { requireRole } from '../tenancy/tenancy-service.js';
import type { StrategyName } from './assignment/types.js';
import { toDecisionView, type DecisionView } from './dispatch/decision-view.js';
import type { Dispatcher } from './dispatch/dispatcher.js';
import type { ClaimService } from './lifecycle/claim.js';
import type { Lifecycle } from './lifecycle/lifecycle-service.js';
import type { TaskService } from './task-service.js';
import type { TaskCreateInput } from './task-schemas.js';

export type WorkService = ReturnType<typeof createWorkService>;

/**
 * The agent-facing side of tasks, with roles checked: accept, progress, complete, fail, claim,
 * and assignment by hand. Agent identity comes from the caller's session (the protocol layer).
 */
export function createWorkService(deps: { tasks: TaskService; taskStore: TaskStore; dispatcher: Dispatcher; lifecycle: Lifecycle; claims: ClaimService; clock: Clock }) {
  const { dispatcher, lifecycle, clock } = deps;

  async function assignExisting(task: TaskRecord, options: { agentId?: string; strategy?: StrategyName }) {
    if (task.status !== 'queued' && task.status !== 'pending') {
      throw conflict(`Task "${task.id}" is ${task.status}; only waiting (queued or pending) tasks can be assigned.`, { task_id: task.id, status: task.status });
    }
    const { decision, task: assigned } = await dispatcher.assignNow(task, options);
    const view = toDecisionView(decision, clock.now());
    if (!assigned) {
      const who = options.agentId ? `agent ${options.agentId}` : 'any agent';
      const why = decision.reason ?? (decision.filtered[0] ? `${decision.filtered[0].agentId}: ${decision.filtered[0].reason}` : 'the assignment lost a race; retry');
      throw conflict(`Task "${task.id}" cannot go to ${who} now: ${why}.`, { task_id: task.id, decision: view });
    }
    return { task: assigned, decision: view };
  }

  return {
    async accept(principal: Principal, agentId: string, taskId: string) {
      requireRole(principal, 'agent');
      return lifecycle.accept(principal.tenantId, agentId, taskId);
    },
    async progress(principal: Principal, agentId: string, taskId: string, progress: { progress: number; total?: number; message?: string }) {
      requireRole(principal, 'agent');
      return lifecycle.progress(principal.tenantId, agentId, taskId, progress);
    },
    async complete(principal: Principal, agentId: string, taskId: string, result: unknown) {
      requireRole(principal, 'agent');
      return lifecycle.complete(principal.tenantId, agentId, taskId, result);
    },
    async fail(principal: Principal, agentId: string, taskId: string, error: { message: string; retryable: boolean; details?: unknown }) {
      requireRole(principal, 'agent');
      return lifecycle.fail(principal.tenantId, agentId, taskId, error);
    },
    async claim(principal: Principal, agentId: string, waitMs: number, signal: AbortSignal) {
      requireRole(principal, 'agent');
      return deps.claims.claim(principal.tenantId, agentId, waitMs, signal);
    },

    /** Re-runs the engine for a waiting task, or gives it to a named agent if the hard filters allow. */
    async assign(principal: Principal, taskId: string, options: { agentId?: string; strategy?: StrategyName }) {
      requireRole(principal, 'agent');
      return assignExisting(await deps.tasks.get(principal, taskId), options);
    },

    /** Creates a task and gives it to the named agent; if the agent cannot take it, nothing is left behind. */
    async createFor(principal: Principal, agentId: string, input: TaskCreateInput, sessionId: string | null) {
      requireRole(principal, 'agent');
      const decision = dispatcher.decideNow(
        {
          tenantId: principal.tenantId,
          id: '(new task)',
          priority: input.priority,
          requiredCapabilities: input.required_capabilities,
          maxCost: input.max_cost ?? null,
          deadline: input.deadline ? new Date(input.deadline) : null,
          previousAgentIds: [],
          strategy: input.strategy ?? null,
          acceptTimeoutMs: input.accept_timeout_ms,
          sessionId,
          workflowRunId: null,
          createdAt: clock.now(),
        },
        { agentId },
      );
      if (!decision.chosenAgentId) {
        const why = decision.filtered[0]?.reason ?? decision.reason ?? 'unknown agent';
        throw conflict(`Agent "${agentId}" cannot take this task now (${why}); nothing was created.`, { agent_id: agentId, reason: why });
      }
      const task = await deps.tasks.create(principal, { ...input, status: 'pending' }, sessionId);
      try {
        return await assignExisting(task, { agentId });
      } catch (error) {
        await deps.tasks.cancel(principal, task.id, `could not assign to ${agentId}`).catch(() => undefined);
        throw error;
      }
    },

    /** Why a waiting task has not been assigned yet, if the engine has tried. */
    pendingDecision(principal: Principal, taskId: string): DecisionView | undefined {
      const decision = dispatcher.lastDecision(principal.tenantId, taskId);
      return decision ? toDecisionView(decision, clock.now()) : undefined;
    },
  };
}
