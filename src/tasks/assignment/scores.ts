/**
 * Score components, each a pure function in 0..1 where 1 is best, and the one table of weights that
 * turns them into a strategy. Components that compare agents with each other (latency, cost, idle)
 * are normalised over the eligible candidates of the same decision, gathered in a `ScoreContext`.
 */
import { expectedSuccessRate, observedLatencyMs } from './task-stats.js';
import type { AgentSnapshot, AppliedStrategy, AssignmentTask, ScoreBreakdown, StrategyName } from './types.js';

export interface StrategyWeights {
  capability: number;
  load: number;
  latency: number;
  successRate: number;
  cost: number;
  affinity: number;
  idle: number;
}

const none: StrategyWeights = { capability: 0, load: 0, latency: 0, successRate: 0, cost: 0, affinity: 0, idle: 0 };

/**
 * Weights per strategy; each row sums to 1, so a total is in 0..1 before the avoid penalty.
 * Named strategies apply their rule and little else; `balanced` (what `auto` runs) blends everything,
 * including affinity to the agent that handled the same session or workflow.
 */
export const strategyWeights: Readonly<Record<AppliedStrategy, StrategyWeights>> = {
  round_robin: { ...none, idle: 1 },
  least_loaded: { ...none, load: 1 },
  capability_match: { ...none, capability: 1 },
  // A failure costs a whole retry, so reliability outweighs speed.
  performance_based: { ...none, successRate: 0.7, latency: 0.3 },
  // Cheapest wins, but proficiency still counts: a cheap agent that barely has the skill is no bargain.
  cost_optimized: { ...none, cost: 0.8, capability: 0.2 },
  balanced: { capability: 0.25, load: 0.2, latency: 0.1, successRate: 0.2, cost: 0.1, affinity: 0.15, idle: 0 },
};

/** Multiplies the total of an agent that failed this task before: a second chance, not the first. */
export const avoidPenalty = 0.5;

/** Latency score of an agent with no history: neither rewarded nor punished for being unknown. */
export const unknownLatencyScore = 0.5;

export function appliedStrategy(requested: StrategyName): AppliedStrategy {
  return requested === 'auto' ? 'balanced' : requested;
}

/** Bests and ranges over the eligible candidates; latency only over agents with history. */
export interface ScoreContext {
  minLatency: number;
  minCost: number;
  minLastAssigned: number;
  maxLastAssigned: number;
}

export function emptyScoreContext(): ScoreContext {
  return {
    minLatency: Infinity,
    minCost: Infinity,
    minLastAssigned: Infinity,
    maxLastAssigned: -Infinity,
  };
}

/** Widen the ranges with one eligible agent. */
export function includeInContext(ctx: ScoreContext, task: AssignmentTask, agent: AgentSnapshot): void {
  const latency = observedLatencyMs(task, agent);
  if (latency >= 0 && latency < ctx.minLatency) ctx.minLatency = latency;
  if (agent.costPerTask < ctx.minCost) ctx.minCost = agent.costPerTask;
  if (agent.lastAssignedAt < ctx.minLastAssigned) ctx.minLastAssigned = agent.lastAssignedAt;
  if (agent.lastAssignedAt > ctx.maxLastAssigned) ctx.maxLastAssigned = agent.lastAssignedAt;
}

/** Where `value` sits in [min, max] when lower is better: min -> 1, max -> 0, all equal -> 1. */
function lowerIsBetter(value: number, min: number, max: number): number {
  if (!(max > min)) return 1;
  return Math.min(1, Math.max(0, (max - value) / (max - min)));
}

/**
 * The best value relative to this one, `best / value`: best -> 1, twice the best -> 0.5. Relative
 * rather than range-normalised so that two close candidates get close scores (a range would map a
 * 5% difference between two candidates to 1 and 0).
 */
function relativeToBest(value: number, best: number): number {
  if (!(value > best)) return 1;
  return best <= 0 ? 0 : best / value;
}

/** Capability fit: mean proficiency over the required capabilities; 1 when none is required. */
export function scoreCapability(task: AssignmentTask, agent: AgentSnapshot): number {
  const required = task.requiredCapabilities;
  if (required.length === 0) return 1;
  let sum = 0;
  for (const capability of required) {
    const proficiency = agent.capabilities.get(capability) ?? 0;
    sum += proficiency < 0 ? 0 : proficiency > 1 ? 1 : proficiency;
  }
  return sum / required.length;
}

/** Free capacity: `1 - inFlight / maxConcurrency`, 0 when full. */
export function scoreLoad(agent: AgentSnapshot): number {
  if (agent.maxConcurrency <= 0) return 0;
  return Math.max(0, 1 - agent.inFlight / agent.maxConcurrency);
}

/**
 * Observed latency relative to the fastest candidate: fastest = 1, twice as slow = 0.5 (1 ms is added
 * to both so a 0 ms average does not zero everyone else); `unknownLatencyScore` without history.
 */
export function scoreLatency(task: AssignmentTask, agent: AgentSnapshot, ctx: ScoreContext): number {
  const latency = observedLatencyMs(task, agent);
  if (latency < 0) return unknownLatencyScore;
  return relativeToBest(latency + 1, ctx.minLatency + 1);
}

/** Success rate for the task's capabilities, blended with the cold-start prior (see task-stats.ts). */
export function scoreSuccessRate(task: AssignmentTask, agent: AgentSnapshot): number {
  return expectedSuccessRate(task, agent);
}

/** Price relative to the cheapest candidate: cheapest = 1, twice the price = 0.5; 0 when a free one exists. */
export function scoreCost(agent: AgentSnapshot, ctx: ScoreContext): number {
  return relativeToBest(agent.costPerTask, ctx.minCost);
}

/** 1 when the agent handled the same session or workflow, else 0. */
export function scoreAffinity(task: AssignmentTask, agent: AgentSnapshot): number {
  return task.affinityAgentIds.length > 0 && task.affinityAgentIds.includes(agent.id) ? 1 : 0;
}

/** Time since last assignment, longest idle candidate (or never assigned) = 1, most recent = 0. */
export function scoreIdle(agent: AgentSnapshot, ctx: ScoreContext): number {
  return lowerIsBetter(agent.lastAssignedAt, ctx.minLastAssigned, ctx.maxLastAssigned);
}

export function avoidFactor(task: AssignmentTask, agent: AgentSnapshot): number {
  return task.avoidAgentIds.length > 0 && task.avoidAgentIds.includes(agent.id) ? avoidPenalty : 1;
}

/**
 * The weighted total. With `out`, every component is computed and written there (for explanations);
 * without, components of weight 0 are skipped. Both paths sum in the same order, so the totals are
 * bit-identical and rankings computed without `out` match the explanation.
 */
export function scoreAgent(
  task: AssignmentTask,
  agent: AgentSnapshot,
  ctx: ScoreContext,
  w: StrategyWeights,
  out: ScoreBreakdown | null,
): number {
  const all = out !== null;
  const capability = all || w.capability !== 0 ? scoreCapability(task, agent) : 0;
  const load = all || w.load !== 0 ? scoreLoad(agent) : 0;
  const latency = all || w.latency !== 0 ? scoreLatency(task, agent, ctx) : 0;
  const successRate = all || w.successRate !== 0 ? scoreSuccessRate(task, agent) : 0;
  const cost = all || w.cost !== 0 ? scoreCost(agent, ctx) : 0;
  const affinity = all || w.affinity !== 0 ? scoreAffinity(task, agent) : 0;
  const idle = all || w.idle !== 0 ? scoreIdle(agent, ctx) : 0;
  const factor = avoidFactor(task, agent);
  const total =
    (w.capability * capability +
      w.load * load +
      w.latency * latency +
      w.successRate * successRate +
      w.cost * cost +
      w.affinity * affinity +
      w.idle * idle) *
    factor;
  if (out !== null) {
    out.capability = capability;
    out.load = load;
    out.latency = latency;
    out.successRate = successRate;
    out.cost = cost;
    out.affinity = affinity;
    out.idle = idle;
    out.avoidFactor = factor;
    out.total = total;
  }
  return total;
}
