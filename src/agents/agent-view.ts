import type { AgentRecord, PerformanceRecord } from '../storage/records.js';
import { effectiveState, type BreakerConfig } from './breaker.js';
import type { AgentView } from './agent-schemas.js';

const perf = (p: PerformanceRecord) => ({ success_rate: p.successRate, latency_ms: p.latencyMs, samples: p.samples });

export function toAgentView(agent: AgentRecord, breakerConfig: BreakerConfig, now: number): AgentView {
  return {
    id: agent.id,
    tenant_id: agent.tenantId,
    name: agent.name,
    capabilities: agent.capabilities,
    max_concurrency: agent.maxConcurrency,
    cost_per_task: agent.costPerTask,
    metadata: agent.metadata ?? {},
    status: agent.status,
    in_flight: agent.inFlight,
    breaker: {
      state: effectiveState(agent.breaker, breakerConfig, now),
      recent_failures: agent.breaker.failures.filter((t) => now - t < breakerConfig.windowMs).length,
      opened_at: agent.breaker.openedAt === null ? null : new Date(agent.breaker.openedAt).toISOString(),
    },
    performance: {
      overall: perf(agent.stats.overall),
      by_capability: Object.fromEntries(Object.entries(agent.stats.byCapability).map(([k, v]) => [k, perf(v)])),
    },
    last_seen_at: agent.lastSeenAt?.toISOString() ?? null,
    last_assigned_at: agent.lastAssignedAt?.toISOString() ?? null,
    created_at: agent.createdAt.toISOString(),
    updated_at: agent.updatedAt.toISOString(),
  };
}
