import type { EventBus } from '../queue/event-bus-port.js';
import type { AgentRecord, TaskRecord } from '../storage/records.js';
import type { TaskView } from '../tasks/task-schemas.js';
import { toTaskView } from '../tasks/task-view.js';

/** Topics only the cluster relay uses. */
export const clusterTopics = {
  /** `{ origin, method, tenantId, agentId, task }`: push `method` to the agent, wherever it is connected. */
  agentNotice: 'cluster.agent_notice',
  /** `{ origin, tenantId, agentId, agent? }`: an agent's state changed; `agent` is the new record if known. */
  agentChanged: 'cluster.agent_changed',
} as const;

/** What the relay needs from this process's MCP layer: push a notice to a locally connected agent. */
export interface LocalAgentNotices {
  notify(method: string, tenantId: string, agentId: string, task: TaskView): boolean;
}

export interface ClusterRelayDeps {
  bus: EventBus;
  processId: string;
  local: LocalAgentNotices;
  /** Another process changed an agent: refresh this process's view (record given, or re-read it). */
  onRemoteAgentChange(tenantId: string, agentId: string, agent: AgentRecord | undefined): void;
  /** A task was assigned to an agent connected here by another process. */
  onRemoteAssignment(tenantId: string, agentId: string): void;
  onError(error: unknown): void;
}

const dateFields = ['createdAt', 'updatedAt', 'lastAssignedAt', 'lastSeenAt'] as const;

/** AgentRecord back from JSON: timestamps were ISO strings on the wire. */
function reviveAgent(value: unknown): AgentRecord | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const agent = { ...(value as Record<string, unknown>) };
  for (const field of dateFields) agent[field] = typeof agent[field] === 'string' ? new Date(agent[field]) : null;
  return agent as unknown as AgentRecord;
}

export type ClusterRelay = ReturnType<typeof createClusterRelay>;

/**
 * Makes several DevMesh processes act as one: a notice for an agent connected to another process
 * travels over the bus to it, and every agent change is broadcast so each process's assignment
 * engine sees current load, presence and breaker state. The database stays the arbiter; these
 * messages only keep the in-memory views fresh.
 */
export function createClusterRelay(deps: ClusterRelayDeps) {
  const { bus, processId } = deps;
  const unsubscribe = [
    bus.subscribe(clusterTopics.agentNotice, (event) => {
      if (event.origin === processId) return;
      const { method, tenantId, agentId, task } = event as { method: string; tenantId: string; agentId: string; task: TaskView };
      if (deps.local.notify(method, tenantId, agentId, task) && method === 'notifications/devmesh/task_assigned') {
        deps.onRemoteAssignment(tenantId, agentId);
      }
    }),
    bus.subscribe(clusterTopics.agentChanged, (event) => {
      if (event.origin === processId) return;
      deps.onRemoteAgentChange(String(event.tenantId), String(event.agentId), reviveAgent(event.agent));
    }),
  ];

  return {
    /** Sends a notice for an agent that is not connected to this process. */
    forward(method: string, task: TaskRecord): void {
      if (!task.assignedAgentId) return;
      bus
        .publish(clusterTopics.agentNotice, { origin: processId, method, tenantId: task.tenantId, agentId: task.assignedAgentId, task: toTaskView(task) })
        .catch(deps.onError);
    },
    agentChanged(tenantId: string, agentId: string, agent?: AgentRecord): void {
      bus.publish(clusterTopics.agentChanged, { origin: processId, tenantId, agentId, ...(agent ? { agent } : {}) }).catch(deps.onError);
    },
    close(): void {
      for (const stop of unsubscribe) stop();
    },
  };
}
