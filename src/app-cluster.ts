import { createClusterRelay } from './cluster/cluster-relay.js';
import { runPeriodically } from './lib/periodic.js';
import type { Orchestration } from './app-orchestration.js';
import type { Logger } from './observability/logger.js';
import type { AgentSessions } from './protocol/mcp/devmesh/agent-sessions.js';
import type { EventBus } from './queue/event-bus-port.js';
import type { Stores } from './storage/stores.js';

export interface ClusterOptions {
  /** How often queued tasks and agents are re-read, in case a message between processes was missed. */
  resyncQueueMs: number;
  resyncAgentsMs: number;
}

/**
 * Joins this process to the others sharing the database and Redis: relays agent notices and agent
 * changes, and periodically re-reads queued tasks (tasks another process queued, or whose process
 * died, get assigned here too; the database decides who wins) and agents (so a missed change
 * heals). Returns a stop function.
 */
export function joinCluster(deps: {
  orchestration: Orchestration;
  stores: Stores;
  bus: EventBus;
  processId: string;
  agentSessions: AgentSessions;
  logger: Logger;
  options: ClusterOptions;
}): () => void {
  const { orchestration, stores, logger } = deps;
  const { dispatcher } = orchestration;
  const reloading = new Set<string>();
  const relay = createClusterRelay({
    bus: deps.bus,
    processId: deps.processId,
    local: { notify: deps.agentSessions.notify },
    onRemoteAssignment: (tenantId, agentId) => orchestration.claims.wake(tenantId, agentId),
    onRemoteAgentChange(tenantId, agentId, agent) {
      if (agent) return dispatcher.applyRemoteAgentChange(agent);
      const key = `${tenantId}\u0000${agentId}`;
      if (reloading.has(key)) return;
      reloading.add(key);
      void stores.agents
        .get(tenantId, agentId)
        .then((fresh) => (fresh ? dispatcher.applyRemoteAgentChange(fresh) : dispatcher.agentRemoved(tenantId, agentId)))
        .catch((error: unknown) => logger.warn({ err: error, agentId }, 'could not refresh an agent changed elsewhere'))
        .finally(() => reloading.delete(key));
    },
    onError: (error) => logger.warn({ err: error }, 'cluster relay error'),
  });
  orchestration.connectCluster(relay);

  const every = (ms: number, work: () => Promise<void>, what: string) =>
    runPeriodically(work, { everyMs: ms, onError: (error) => logger.warn({ err: error }, `${what} failed`) });
  const timers = [
    every(deps.options.resyncQueueMs, async () => {
      for (const task of await stores.tasks.listQueued(10_000)) dispatcher.enqueue(task);
    }, 'queue resync'),
    every(deps.options.resyncAgentsMs, async () => {
      for (const agent of await stores.agents.listAll()) dispatcher.applyRemoteAgentChange(agent);
    }, 'agent resync'),
  ];
  return () => {
    for (const timer of timers) void timer.stop();
    relay.close();
  };
}
