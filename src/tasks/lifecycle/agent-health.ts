import { updateAgentStats } from '../../agents/agent-stats.js';
import { onFailure, onReleased, onSuccess, type BreakerConfig } from '../../agents/breaker.js';
import type { AgentRecord, TaskRecord } from '../../storage/records.js';
import type { AgentStore } from '../../storage/stores.js';
import type { AgentSnapshot } from '../assignment/types.js';

export type AttemptOutcome = 'success' | 'failure' | 'released';

/**
 * Folds the end of an attempt into the agent's breaker and performance statistics and stores
 * them. Failures and timeouts count against the breaker; a release (disconnect, cancel) does not.
 */
export async function recordAttempt(
  agents: AgentStore,
  snapshot: AgentSnapshot,
  task: TaskRecord,
  outcome: AttemptOutcome,
  config: BreakerConfig,
  now: number,
): Promise<AgentRecord | undefined> {
  const breaker =
    outcome === 'success' ? onSuccess(snapshot.breaker, config, now) : outcome === 'failure' ? onFailure(snapshot.breaker, config, now) : onReleased(snapshot.breaker, config, now);
  let stats = snapshot.stats;
  if (outcome !== 'released') {
    const started = task.assignedAt?.getTime() ?? now;
    stats = updateAgentStats(stats, task.requiredCapabilities, { success: outcome === 'success', latencyMs: now - started });
  }
  return agents.saveHealth(
    task.tenantId,
    snapshot.id,
    {
      breaker: { ...breaker, failures: [...breaker.failures] },
      stats: { overall: stats.overall, byCapability: Object.fromEntries(stats.byCapability) },
    },
    new Date(now),
  );
}
