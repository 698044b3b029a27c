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

export function hasCapacity(inFlight: number, maxConcurrency: number): boolean {
  return inFlight < maxConcurrency;
}

export function filterCapacity(_task: AssignmentTask, agent: AgentSnapshot): FilterReason | null {
  return hasCapacity(agent.inFlight, agent.maxConcurrency) ? null : 'at_capacity';
}

/** A task without `maxCost` accepts any price; otherwise the agent's price must not exceed it. */
export function withinBudget(task: AssignmentTask, costPerTask: number): boolean {
  return task.maxCost === null || costPerTask <= task.maxCost;
}

export function filterBudget(task: AssignmentTask, agent: AgentSnapshot): FilterReason | null {
  return withinBudget(task, agent.costPerTask) ? null : 'over_budget';
}

/**
 * How long the agent is expected to take: its observed latency for the task's capabilities, else the
 * task's own `expectedDurationMs`, else 0 (nothing known: assume feasible).
 */
export function expectedLatencyMs(task: AssignmentTask, agent: AgentSnapshot): number {
  return expectedFromObserved(task, observedLatencyMs(task, agent));
}

/** `observedMs` is -1 when unknown. */
export function expectedFromObserved(task: AssignmentTask, observedMs: number): number {
  return observedMs >= 0 ? observedMs : (task.expectedDurationMs ?? 0);
}

/** Feasible when there is no deadline or `now + expected latency <= deadline`. */
export function meetsDeadline(task: AssignmentTask, now: number, expectedMs: number): boolean {
  return task.deadline === null || now + expectedMs <= task.deadline;
}

export function filterDeadline(task: AssignmentTask, agent: AgentSnapshot, now: number): FilterReason | null {
  if (task.deadline === null) return null;
  return meetsDeadline(task, now, expectedLatencyMs(task, agent)) ? null : 'deadline_infeasible';
}

/** The reasons in the order their filters are applied (the order of `hardFilters`). */
export const filterReasons: readonly FilterReason[] = [
  'wrong_tenant',
  'missing_capability',
  'offline',
  'breaker_open',
  'at_capacity',
  'over_budget',
  'deadline_infeasible',
];

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

/**
 * The first filter the agent fails, or null when it is eligible. Same order as `hardFilters`, written
 * out as direct calls because this runs once per candidate of every decision.
 */
export function firstFilterReason(task: AssignmentTask, agent: AgentSnapshot, now: number, breaker: BreakerConfig): FilterReason | null {
  return (
    filterTenant(task, agent) ??
    filterCapabilities(task, agent) ??
    filterOnline(task, agent) ??
    filterBreaker(task, agent, now, breaker) ??
    filterCapacity(task, agent) ??
    filterBudget(task, agent) ??
    filterDeadline(task, agent, now)
  );
}
