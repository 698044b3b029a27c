import type { TaskRecord } from '../../storage/records.js';
import type { AssignmentTask, StrategyName } from '../assignment/types.js';

/** What the dispatcher remembers about a task waiting for an agent. */
export interface PendingTask extends AssignmentTask {
  strategy: StrategyName | null;
  acceptTimeoutMs: number;
  sessionId: string | null;
  workflowRunId: string | null;
  enqueuedAt: number;
}

export const taskKey = (tenantId: string, taskId: string) => `${tenantId}\u0000${taskId}`;

/** Agents that recently did work for the same session or workflow get an affinity bonus. */
export function createAffinity(limit = 5) {
  const recent = new Map<string, string[]>();
  const keysOf = (task: { sessionId: string | null; workflowRunId: string | null; tenantId: string }) =>
    [task.sessionId && `s:${task.tenantId}:${task.sessionId}`, task.workflowRunId && `w:${task.tenantId}:${task.workflowRunId}`].filter(
      (k): k is string => Boolean(k),
    );
  return {
    agentsFor(task: { sessionId: string | null; workflowRunId: string | null; tenantId: string }): string[] {
      return keysOf(task).flatMap((k) => recent.get(k) ?? []);
    },
    record(task: { sessionId: string | null; workflowRunId: string | null; tenantId: string }, agentId: string): void {
      for (const k of keysOf(task)) {
        const list = (recent.get(k) ?? []).filter((id) => id !== agentId);
        list.unshift(agentId);
        recent.delete(k); // re-insert: Map order doubles as LRU order
        recent.set(k, list.slice(0, limit));
        if (recent.size > 100_000) recent.delete(recent.keys().next().value as string);
      }
    },
  };
}

/** The fields of a task the engine decides on. */
export type DecidableTask = Pick<
  TaskRecord,
  'tenantId' | 'id' | 'priority' | 'requiredCapabilities' | 'maxCost' | 'deadline' | 'previousAgentIds' | 'strategy' | 'acceptTimeoutMs' | 'sessionId' | 'workflowRunId' | 'createdAt'
>;

export function toPendingTask(task: DecidableTask, affinityAgentIds: string[], now: number): PendingTask {
  return {
    tenantId: task.tenantId,
    id: task.id,
    priority: task.priority,
    requiredCapabilities: task.requiredCapabilities,
    maxCost: task.maxCost,
    deadline: task.deadline?.getTime() ?? null,
    expectedDurationMs: null,
    affinityAgentIds,
    avoidAgentIds: task.previousAgentIds,
    strategy: task.strategy,
    acceptTimeoutMs: task.acceptTimeoutMs,
    sessionId: task.sessionId,
    workflowRunId: task.workflowRunId,
    // Age counts from creation, so a requeued task keeps its place and its aging.
    enqueuedAt: Math.min(task.createdAt.getTime(), now),
  };
}
