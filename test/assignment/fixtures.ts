import { emptyStats, type PerformanceStats } from '../../src/agents/agent-stats.js';
import { initialBreaker } from '../../src/agents/breaker.js';
import type { AgentSnapshot, AssignmentTask } from '../../src/tasks/assignment/types.js';

export const tenant = 'tenant-a';
export const now = 1_000_000;

export interface AgentSpec extends Partial<Omit<AgentSnapshot, 'capabilities' | 'stats'>> {
  /** capability names (proficiency 1) or [name, proficiency] pairs */
  caps?: (string | [string, number])[];
  overall?: Partial<PerformanceStats>;
  byCapability?: Record<string, Partial<PerformanceStats>>;
}

export function stats(partial: Partial<PerformanceStats> = {}): PerformanceStats {
  return { ...emptyStats(), ...partial };
}

export function agent(id: string, spec: AgentSpec = {}): AgentSnapshot {
  const { caps = [], overall, byCapability = {}, ...rest } = spec;
  return {
    tenantId: tenant,
    id,
    capabilities: new Map(caps.map((c) => (typeof c === 'string' ? [c, 1] : c))),
    maxConcurrency: 4,
    inFlight: 0,
    online: true,
    breaker: initialBreaker(),
    costPerTask: 1,
    stats: {
      overall: stats(overall),
      byCapability: new Map(Object.entries(byCapability).map(([k, v]) => [k, stats(v)])),
    },
    lastAssignedAt: 0,
    ...rest,
  };
}

export function task(partial: Partial<AssignmentTask> = {}): AssignmentTask {
  return {
    tenantId: tenant,
    id: 'task-1',
    priority: 'normal',
    requiredCapabilities: [],
    maxCost: null,
    deadline: null,
    expectedDurationMs: null,
    affinityAgentIds: [],
    avoidAgentIds: [],
    ...partial,
  };
}
