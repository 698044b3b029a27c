import type { AgentRecord } from '../storage/records.js';
import type { AgentSnapshot } from '../tasks/assignment/types.js';

/** The assignment engine's view of a stored agent. */
export function toAgentSnapshot(agent: AgentRecord): AgentSnapshot {
  return {
    tenantId: agent.tenantId,
    id: agent.id,
    capabilities: new Map(agent.capabilities.map((c) => [c.name, c.proficiency])),
    maxConcurrency: agent.maxConcurrency,
    inFlight: agent.inFlight,
    online: agent.status === 'online',
    breaker: agent.breaker,
    costPerTask: agent.costPerTask,
    stats: { overall: agent.stats.overall, byCapability: new Map(Object.entries(agent.stats.byCapability)) },
    lastAssignedAt: agent.lastAssignedAt?.getTime() ?? 0,
  };
}
