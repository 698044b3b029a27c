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
  maxCost: number;
  minLastAssigned: number;
  maxLastAssigned: number;
}

export function emptyScoreContext(): ScoreContext {
  return {
    minLatency: Infinity,
    minCost: Infinity,
    maxCost: -Infinity,
    minLastAssigned: Infinity,
    maxLastAssigned: -Infinity,
  };
}

/** Widen the bests and ranges with one eligible agent's raw values (latency -1 = unknown). */
export function includeInContext(ctx: ScoreContext, latencyMs: number, costPerTask: number, lastAssignedAt: number): void {
  if (latencyMs >= 0 && latencyMs < ctx.minLatency) ctx.minLatency = latencyMs;
  if (costPerTask < ctx.minCost) ctx.minCost = costPerTask;
  if (costPerTask > ctx.maxCost) ctx.maxCost = costPerTask;
  if (lastAssignedAt < ctx.minLastAssigned) ctx.minLastAssigned = lastAssignedAt;
  if (lastAssignedAt > ctx.maxLastAssigned) ctx.maxLastAssigned = lastAssignedAt;
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
    sum += clampProficiency(agent.capabilities.get(capability) ?? 0);
  }
  return sum / required.length;
}

export function clampProficiency(proficiency: number): number {
  return proficiency < 0 ? 0 : proficiency > 1 ? 1 : proficiency;
}

/** Free capacity: `1 - inFlight / maxConcurrency`, 0 when full. */
export function scoreLoad(agent: AgentSnapshot): number {
  return loadScoreOf(agent.inFlight, agent.maxConcurrency);
}

export function loadScoreOf(inFlight: number, maxConcurrency: number): number {
  if (maxConcurrency <= 0) return 0;
  return Math.max(0, 1 - inFlight / maxConcurrency);
}

/** Latency score of an observed latency (-1 = unknown); see `scoreLatency`. */
export function latencyScoreOf(latencyMs: number, ctx: ScoreContext): number {
  if (latencyMs < 0) return unknownLatencyScore;
  return relativeToBest(latencyMs + 1, ctx.minLatency + 1);
}

/**
 * Observed latency relative to the fastest candidate: fastest = 1, twice as slow = 0.5 (1 ms is added
 * to both so a 0 ms average does not zero everyone else); `unknownLatencyScore` without history.
 */
export function scoreLatency(task: AssignmentTask, agent: AgentSnapshot, ctx: ScoreContext): number {
  return latencyScoreOf(observedLatencyMs(task, agent), ctx);
}

/** Success rate for the task's capabilities, blended with the cold-start prior (see task-stats.ts). */
export function scoreSuccessRate(task: AssignmentTask, agent: AgentSnapshot): number {
  return expectedSuccessRate(task, agent);
}

/**
 * Price relative to the cheapest candidate: cheapest = 1, twice the price = 0.5. When a free agent
 * is among the candidates a ratio would zero every other price, so the scale is then linear from
 * free (1) to the dearest candidate (0).
 */
export function scoreCost(agent: AgentSnapshot, ctx: ScoreContext): number {
  return costScoreOf(agent.costPerTask, ctx);
}

export function costScoreOf(costPerTask: number, ctx: ScoreContext): number {
  if (ctx.minCost > 0) return relativeToBest(costPerTask, ctx.minCost);
  return lowerIsBetter(costPerTask, ctx.minCost, ctx.maxCost);
}

/** 1 when the agent handled the same session or workflow, else 0. */
export function scoreAffinity(task: AssignmentTask, agent: AgentSnapshot): number {
  return task.affinityAgentIds.length > 0 && task.affinityAgentIds.includes(agent.id) ? 1 : 0;
}

/** Time since last assignment, longest idle candidate (or never assigned) = 1, most recent = 0. */
export function scoreIdle(agent: AgentSnapshot, ctx: ScoreContext): number {
  return idleScoreOf(agent.lastAssignedAt, ctx);
}

export function idleScoreOf(lastAssignedAt: number, ctx: ScoreContext): number {
  return lowerIsBetter(lastAssignedAt, ctx.minLastAssigned, ctx.maxLastAssigned);
}

export function avoidFactor(task: AssignmentTask, agent: AgentSnapshot): number {
  return task.avoidAgentIds.length > 0 && task.avoidAgentIds.includes(agent.id) ? avoidPenalty : 1;
}

/**
 * The weighted sum of the components that do not depend on the other candidates (capability, load,
 * success rate, affinity); components of weight 0 are skipped (their term is exactly 0).
 */
export function baseScore(task: AssignmentTask, agent: AgentSnapshot, w: StrategyWeights): number {
  return baseScoreOf(
    w,
    w.capability !== 0 ? scoreCapability(task, agent) : 0,
    w.load !== 0 ? scoreLoad(agent) : 0,
    w.successRate !== 0 ? scoreSuccessRate(task, agent) : 0,
    w.affinity !== 0 ? scoreAffinity(task, agent) : 0,
  );
}

/** Components are finite and >= 0, so a weight of 0 gives a term of exactly 0, computed or not. */
export function baseScoreOf(w: StrategyWeights, capability: number, load: number, successRate: number, affinity: number): number {
  return w.capability * capability + w.load * load + w.successRate * successRate + w.affinity * affinity;
}

/**
 * The total: `(base + latency, cost and idle terms) * avoid factor`. `decide` ranks with this same
 * function on stored raw values, so a ranking total and its explanation are bit-identical.
 */
export function combineScore(base: number, latency: number, cost: number, idle: number, factor: number, w: StrategyWeights): number {
  return (base + w.latency * latency + w.cost * cost + w.idle * idle) * factor;
}

/** Every component and the total, for explanations. */
export function scoreAgent(task: AssignmentTask, agent: AgentSnapshot, ctx: ScoreContext, w: StrategyWeights): ScoreBreakdown {
  const latency = scoreLatency(task, agent, ctx);
  const cost = scoreCost(agent, ctx);
  const idle = scoreIdle(agent, ctx);
  const factor = avoidFactor(task, agent);
  return {
    capability: scoreCapability(task, agent),
    load: scoreLoad(agent),
    latency,
    successRate: scoreSuccessRate(task, agent),
    cost,
    affinity: scoreAffinity(task, agent),
    idle,
    avoidFactor: factor,
    total: combineScore(baseScore(task, agent, w), latency, cost, idle, factor, w),
  };
}
