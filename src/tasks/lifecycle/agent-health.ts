import { updateAgentStats } from '../../agents/agent-stats.js';
import { onFailure, onReleased, onSuccess, type BreakerConfig } from '../../agents/breaker.js';
import type { AgentRecord, TaskRecord } from '../../storage/records.js';
import type { AgentSnapshot } from '../assignment/types.js';

export type AttemptOutcome = 'success' | 'failure' | 'released';

/** An agent's health in the assignment engine's form. */
export type AgentHealth = Pick<AgentSnapshot, 'breaker' | 'stats'>;

/** The same, in the form it is stored in (`AgentStore.saveHealth`). */
export interface StoredAgentHealth {
  breaker: AgentRecord['breaker'];
  stats: AgentRecord['stats'];
}

/**
 * Folds the end of an attempt into the agent's breaker and performance statistics. Failures and
 * timeouts count against the breaker; a release (disconnect, cancel) does not. Pure.
 */
export function healthAfterAttempt(snapshot: AgentSnapshot, task: TaskRecord, outcome: AttemptOutcome, config: BreakerConfig, now: number): AgentHealth {
  const breaker =
    outcome === 'success' ? onSuccess(snapshot.breaker, config, now) : outcome === 'failure' ? onFailure(snapshot.breaker, config, now) : onReleased(snapshot.breaker, config, now);
  let stats = snapshot.stats;
  if (outcome !== 'released') {
    const started = task.assignedAt?.getTime() ?? now;
    stats = updateAgentStats(stats, task.requiredCapabilities, { success: outcome === 'success', latencyMs: now - started });
  }
  return { breaker, stats };
}

export function toStoredHealth(health: AgentHealth): StoredAgentHealth {
  return {
    breaker: { ...health.breaker, failures: [...health.breaker.failures] },
    stats: { overall: health.stats.overall, byCapability: Object.fromEntries(health.stats.byCapability) },
  };
}
