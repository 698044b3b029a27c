/**
 * What an agent's history says about a given task: the statistics of the capabilities it requires,
 * falling back to the agent's overall statistics when a capability has no samples yet.
 */
import type { PerformanceStats } from '../../agents/agent-stats.js';
import type { AgentSnapshot, AssignmentTask } from './types.js';

/**
 * Cold-start prior: an agent with no history is assumed to succeed `successRate` of the time, and the
 * assumption weighs as much as `weight` observed tasks. Observed rates are blended with it
 * (`(rate * n + prior * weight) / (n + weight)`), so new agents get work and one lucky success does
 * not outrank a long good record.
 */
export const coldStartPrior = { successRate: 0.9, weight: 5 } as const;

/** The agent's statistics for one capability, or its overall ones while that has no samples. */
export function statsFor(agent: AgentSnapshot, capability: string): PerformanceStats {
  const stats = agent.stats.byCapability.get(capability);
  return stats !== undefined && stats.samples > 0 ? stats : agent.stats.overall;
}

/**
 * The agent's observed latency for this task in ms: the slowest of the required capabilities (each
 * falling back to the overall average), or the overall average when none is required; -1 when the
 * agent has no samples to go by.
 */
export function observedLatencyMs(task: AssignmentTask, agent: AgentSnapshot): number {
  const required = task.requiredCapabilities;
  if (required.length === 0) return latencyOrUnknown(agent.stats.overall.samples, agent.stats.overall.latencyMs);
  let latency = -1;
  for (const capability of required) {
    const stats = statsFor(agent, capability);
    if (stats.samples > 0 && stats.latencyMs > latency) latency = stats.latencyMs;
  }
  return latency;
}

/** An average latency, or -1 when it rests on no samples. */
export function latencyOrUnknown(samples: number, latencyMs: number): number {
  return samples > 0 ? latencyMs : -1;
}

export function smoothedRate(successRate: number, samples: number): number {
  return (successRate * samples + coldStartPrior.successRate * coldStartPrior.weight) / (samples + coldStartPrior.weight);
}

export function smoothSuccessRate(stats: PerformanceStats): number {
  return smoothedRate(stats.successRate, stats.samples);
}

/** Mean over the required capabilities (or overall when none) of the prior-smoothed success rate. */
export function expectedSuccessRate(task: AssignmentTask, agent: AgentSnapshot): number {
  const required = task.requiredCapabilities;
  if (required.length === 0) return smoothSuccessRate(agent.stats.overall);
  let sum = 0;
  for (const capability of required) sum += smoothSuccessRate(statsFor(agent, capability));
  return sum / required.length;
}
