/**
 * Hard filters: an agent failing any of them is not a candidate, whatever its score. Each is a pure
 * function returning its reason code or null; `firstFilterReason` applies them in the order below,
 * so an explanation names the most fundamental reason (another tenant's agent is `wrong_tenant`,
 * not `offline`).
 */
import { breakerAllows, type BreakerConfig } from '../../agents/breaker.js';
import { observedLatencyMs } from './task-stats.js';
import type { AgentSnapshot, AssignmentTask, FilterReason } from './types.js';

export type HardFilter = (task: AssignmentTask, agent: AgentSnapshot, now: number, breaker: BreakerConfig) => FilterReason | null;

export function filterTenant(task: AssignmentTask, agent: AgentSnapshot): FilterReason | null {
  return agent.tenantId === task.tenantId ? null : 'wrong_tenant';
}

/** Every required capability must be declared by the agent (any proficiency, even 0). */
export function filterCapabilities(task: AssignmentTask, agent: AgentSnapshot): FilterReason | null {
  for (const capability of task.requiredCapabilities) {
    if (!agent.capabilities.has(capability)) return 'missing_capability';
  }
  return null;
}

export function filterOnline(_task: AssignmentTask, agent: AgentSnapshot): FilterReason | null {
  return agent.online ? null : 'offline';
}

/** Open breakers take no tasks; half-open ones take probes up to their limit (see agents/breaker.ts). */
export function filterBreaker(_task: AssignmentTask, agent: AgentSnapshot, now: number, breaker: BreakerConfig): FilterReason | null {
  if (agent.breaker.state === 'closed') return null;
  return breakerAllows(agent.breaker, breaker, now) ? null : 'breaker_open';
}

export function filterCapacity(_task: AssignmentTask, agent: AgentSnapshot): FilterReason | null {
  return agent.inFlight < agent.maxConcurrency ? null : 'at_capacity';
}

/** A task without `maxCost` accepts any price; otherwise the agent's price must not exceed it. */
export function filterBudget(task: AssignmentTask, agent: AgentSnapshot): FilterReason | null {
  return task.maxCost === null || agent.costPerTask <= task.maxCost ? null : 'over_budget';
}

/**
 * How long the agent is expected to take: its observed latency for the task's capabilities, else the
 * task's own `expectedDurationMs`, else 0 (nothing known: assume feasible).
 */
export function expectedLatencyMs(task: AssignmentTask, agent: AgentSnapshot): number {
  const observed = observedLatencyMs(task, agent);
  if (observed >= 0) return observed;
  return task.expectedDurationMs ?? 0;
}

/** Feasible when `now + expected latency <= deadline`. */
export function filterDeadline(task: AssignmentTask, agent: AgentSnapshot, now: number): FilterReason | null {
  if (task.deadline === null) return null;
  return now + expectedLatencyMs(task, agent) <= task.deadline ? null : 'deadline_infeasible';
}

/** The filters in the order they are applied. */
export const hardFilters: readonly HardFilter[] = [
  filterTenant,
  filterCapabilities,
  filterOnline,
  filterBreaker,
  filterCapacity,
  filterBudget,
  filterDeadline,
];

/** The first filter the agent fails, or null when it is eligible. */
export function firstFilterReason(task: AssignmentTask, agent: AgentSnapshot, now: number, breaker: BreakerConfig): FilterReason | null {
  for (const filter of hardFilters) {
    const reason = filter(task, agent, now, breaker);
    if (reason !== null) return reason;
  }
  return null;
}
