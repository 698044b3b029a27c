/**
 * Performance statistics per agent (overall and per capability), kept as exponentially weighted
 * moving averages of completed tasks so recent behaviour counts more than old history.
 */

export interface PerformanceStats {
  /** Decaying average of outcomes, 1 = success, 0 = failure or timeout. 0 when no samples. */
  successRate: number;
  /** Decaying average of task duration in ms. 0 when no samples. */
  latencyMs: number;
  /** Completed tasks seen (not decayed): tells a cold agent from a proven one. */
  samples: number;
}

export interface AgentStats {
  overall: PerformanceStats;
  byCapability: ReadonlyMap<string, PerformanceStats>;
}

export interface TaskOutcome {
  success: boolean;
  latencyMs: number;
}

export const defaultStatsAlpha = 0.2;

const noStats: PerformanceStats = Object.freeze({ successRate: 0, latencyMs: 0, samples: 0 });

/** No samples yet. Shared and frozen (like every stats value, it is replaced, never mutated). */
export function emptyStats(): PerformanceStats {
  return noStats;
}

export function emptyAgentStats(): AgentStats {
  return { overall: emptyStats(), byCapability: new Map() };
}

/**
 * Fold one outcome into the averages: `next = prev + alpha * (sample - prev)`. The first sample is
 * taken as is, so an agent's first result is not diluted towards an arbitrary starting value.
 * Negative latencies (clock skew between processes) count as 0.
 */
export function updateStats(stats: PerformanceStats, outcome: TaskOutcome, alpha = defaultStatsAlpha): PerformanceStats {
  const success = outcome.success ? 1 : 0;
  const latency = Math.max(0, outcome.latencyMs);
  if (stats.samples === 0) return { successRate: success, latencyMs: latency, samples: 1 };
  return {
    successRate: stats.successRate + alpha * (success - stats.successRate),
    latencyMs: stats.latencyMs + alpha * (latency - stats.latencyMs),
    samples: stats.samples + 1,
  };
}

/** Fold one outcome into the overall averages and those of each capability the task required. */
export function updateAgentStats(
  stats: AgentStats,
  capabilities: readonly string[],
  outcome: TaskOutcome,
  alpha = defaultStatsAlpha,
): AgentStats {
  const byCapability = new Map(stats.byCapability);
  for (const capability of new Set(capabilities)) {
    byCapability.set(capability, updateStats(byCapability.get(capability) ?? emptyStats(), outcome, alpha));
  }
  return { overall: updateStats(stats.overall, outcome, alpha), byCapability };
}
