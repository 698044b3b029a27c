/**
 * The first pass of a decision: apply the hard filters to every candidate and record, for each
 * eligible one, the context-free part of its score and the raw values the rest depends on.
 *
 * Two ways to read the candidates, with the same results (a test holds them equal):
 * - `collectFromAgents`: any iterable of snapshots;
 * - `collectFromColumns`: a list of the agent index that the task needs nothing beyond (see
 *   `columnsServe`), reading its typed-array columns instead of the snapshots (agent-columns.ts).
 */
import { breakerAllows, type BreakerConfig } from '../../agents/breaker.js';
import type { AgentColumns } from './agent-columns.js';
import { expectedFromObserved, filterReasons, firstFilterReason, hasCapacity, meetsDeadline, withinBudget } from './filters.js';
import { avoidFactor, avoidPenalty, baseScore, baseScoreOf, includeInContext, loadScoreOf, type StrategyWeights } from './scores.js';
import { ensureCapacity, type FirstPass } from './scratch.js';
import { latencyOrUnknown, observedLatencyMs, smoothedRate } from './task-stats.js';
import type { AgentSnapshot, AssignmentTask, FilterReason } from './types.js';

/** Positions in `filterReasons` (filters.ts). */
const OFFLINE = 2;
const BREAKER_OPEN = 3;
const AT_CAPACITY = 4;
const OVER_BUDGET = 5;
const DEADLINE_INFEASIBLE = 6;

export const explainedFilteredSize = 20;

/** Count a filtered candidate; true when it should also be listed (only the first few are). */
function counted(pass: FirstPass, at: number): boolean {
  pass.counts[at] = pass.counts[at]! + 1;
  return pass.filtered.length < explainedFilteredSize;
}

function reasonIndex(reason: FilterReason): number {
  switch (reason) {
    case 'wrong_tenant':
      return 0;
    case 'missing_capability':
      return 1;
    case 'offline':
      return OFFLINE;
    case 'breaker_open':
      return BREAKER_OPEN;
    case 'at_capacity':
      return AT_CAPACITY;
    case 'over_budget':
      return OVER_BUDGET;
    case 'deadline_infeasible':
      return DEADLINE_INFEASIBLE;
  }
}

export function collectFromAgents(
  pass: FirstPass,
  task: AssignmentTask,
  candidates: Iterable<AgentSnapshot>,
  now: number,
  breaker: BreakerConfig,
  w: StrategyWeights,
): void {
  const s = pass.s;
  for (const agent of candidates) {
    pass.considered++;
    const reason = firstFilterReason(task, agent, now, breaker);
    if (reason !== null) {
      if (counted(pass, reasonIndex(reason))) pass.filtered.push({ agentId: agent.id, reason });
      continue;
    }
    const e = pass.eligible++;
    ensureCapacity(s, e + 1);
    const latency = observedLatencyMs(task, agent);
    s.agents[e] = agent;
    s.base[e] = baseScore(task, agent, w);
    s.latency[e] = latency;
    s.cost[e] = agent.costPerTask;
    s.last[e] = agent.lastAssignedAt;
    s.factor[e] = avoidFactor(task, agent);
    includeInContext(pass.ctx, latency, agent.costPerTask, agent.lastAssignedAt);
  }
}

/** Positions of the listed agents in the columns (ids not indexed are ignored). */
function positionsOf(columns: AgentColumns, ids: readonly string[]): number[] {
  const positions: number[] = [];
  for (const id of ids) {
    const at = columns.positions.get(id);
    if (at !== undefined) positions.push(at);
  }
  return positions;
}

/**
 * Whether the columns hold everything the task's filters and scores read: the task's tenant, and
 * either no required capability over the tenant-wide list or the one required capability's list.
 * With one capability, its mean proficiency and statistics are that capability's own (x / 1 = x),
 * so the results are the same as from the snapshots.
 */
export function columnsServe(c: AgentColumns, task: AssignmentTask): boolean {
  if (c.tenantId !== task.tenantId) return false;
  const required = task.requiredCapabilities;
  return required.length === 0 ? c.capability === null : required.length === 1 && c.capability === required[0];
}

/** Precondition: `columnsServe(c, task)`, and `list` is the list `c` belongs to. */
export function collectFromColumns(
  pass: FirstPass,
  task: AssignmentTask,
  list: readonly AgentSnapshot[],
  c: AgentColumns,
  now: number,
  breaker: BreakerConfig,
  w: StrategyWeights,
): void {
  const s = pass.s;
  const n = list.length;
  ensureCapacity(s, n);
  pass.list = list;
  const affinity = positionsOf(c, task.affinityAgentIds);
  const avoid = positionsOf(c, task.avoidAgentIds);
  pass.considered += n;
  for (let i = 0; i < n; i++) {
    // Same filters, same order as firstFilterReason; tenant and capabilities hold by precondition.
    let reason = -1;
    let latency = -1;
    if (c.online[i] === 0) reason = OFFLINE;
    else if (c.breakerClosed[i] === 0 && !breakerAllows(list[i]!.breaker, breaker, now)) reason = BREAKER_OPEN;
    else if (!hasCapacity(c.inFlight[i]!, c.maxConcurrency[i]!)) reason = AT_CAPACITY;
    else if (!withinBudget(task, c.costPerTask[i]!)) reason = OVER_BUDGET;
    else {
      latency = latencyOrUnknown(c.samples[i]!, c.latencyMs[i]!);
      if (!meetsDeadline(task, now, expectedFromObserved(task, latency))) reason = DEADLINE_INFEASIBLE;
    }
    if (reason >= 0) {
      // The snapshot is read only for listed ones: the scan otherwise stays off the snapshots.
      if (counted(pass, reason)) pass.filtered.push({ agentId: list[i]!.id, reason: filterReasons[reason]! });
      continue;
    }
    const e = pass.eligible++;
    const cost = c.costPerTask[i]!;
    const last = c.lastAssignedAt[i]!;
    s.positions[e] = i;
    s.base[e] = baseScoreOf(
      w,
      c.proficiency[i]!,
      w.load !== 0 ? loadScoreOf(c.inFlight[i]!, c.maxConcurrency[i]!) : 0,
      w.successRate !== 0 ? smoothedRate(c.successRate[i]!, c.samples[i]!) : 0,
      affinity.length !== 0 && affinity.includes(i) ? 1 : 0,
    );
    s.latency[e] = latency;
    s.cost[e] = cost;
    s.last[e] = last;
    s.factor[e] = avoid.length !== 0 && avoid.includes(i) ? avoidPenalty : 1;
    includeInContext(pass.ctx, latency, cost, last);
  }
}
