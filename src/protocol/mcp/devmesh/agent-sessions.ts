import type { TaskRecord } from '../../../storage/records.js';
import type { TaskDelivery } from '../../../tasks/delivery-port.js';
import type { TaskView } from '../../../tasks/task-schemas.js';
import { toTaskView } from '../../../tasks/task-view.js';
import type { McpSession } from '../session-types.js';

const key = (tenantId: string, agentId: string) => `${tenantId}\u0000${agentId}`;

export type AgentSessions = ReturnType<typeof createAgentSessions>;

/**
 * Which MCP session speaks for which agent, in this process, and task delivery over it:
 * `notifications/devmesh/task_assigned` (params `{ task }`) when a task is assigned to the agent
 * and `notifications/devmesh/task_cancelled` when its task is cancelled.
 */
export function createAgentSessions() {
  const sessions = new Map<string, McpSession>();
  const agentBySession = new Map<string, { tenantId: string; agentId: string }>();
  const sessionByAgent = new Map<string, McpSession>();

  function notify(method: string, tenantId: string, agentId: string, task: TaskView): boolean {
    const session = sessionByAgent.get(key(tenantId, agentId));
    if (!session) return false;
    session.notify(method, { task });
    return true;
  }

  function send(task: TaskRecord, method: string): boolean {
    if (!task.assignedAgentId || !sessionByAgent.has(key(task.tenantId, task.assignedAgentId))) return false;
    return notify(method, task.tenantId, task.assignedAgentId, toTaskView(task));
  }

  const delivery: TaskDelivery & { cancelled(task: TaskRecord): boolean } = {
    deliver: (task) => send(task, 'notifications/devmesh/task_assigned'),
    cancelled: (task) => send(task, 'notifications/devmesh/task_cancelled'),
  };

  return {
    delivery,
    /** Pushes a notice to an agent connected to this process (for notices relayed from others). */
    notify,
    opened(session: McpSession): void {
      sessions.set(session.id, session);
    },
    /** Forgets the session; returns the agent it spoke for, if any. */
    closed(session: McpSession): { tenantId: string; agentId: string } | undefined {
      sessions.delete(session.id);
      const binding = agentBySession.get(session.id);
      agentBySession.delete(session.id);
      if (binding && sessionByAgent.get(key(binding.tenantId, binding.agentId)) === session) {
        sessionByAgent.delete(key(binding.tenantId, binding.agentId));
      }
      return binding;
    },
    /** Makes the session the agent's connection (a newer connection replaces an older one). */
    bind(sessionId: string, tenantId: string, agentId: string): McpSession | undefined {
      const session = sessions.get(sessionId);
      if (!session) return undefined;
      const previous = agentBySession.get(sessionId);
      if (previous && previous.agentId !== agentId) sessionByAgent.delete(key(previous.tenantId, previous.agentId));
      agentBySession.set(sessionId, { tenantId, agentId });
      sessionByAgent.set(key(tenantId, agentId), session);
      return session;
    },
    agentOf: (sessionId: string) => agentBySession.get(sessionId)?.agentId,
    /** Every agent connected to this process, with the session that is its connection. */
    connectedAgents(): { tenantId: string; agentId: string; sessionId: string }[] {
      return [...agentBySession.entries()]
        .filter(([sessionId, a]) => sessionByAgent.get(key(a.tenantId, a.agentId))?.id === sessionId)
        .map(([sessionId, a]) => ({ ...a, sessionId }));
    },
  };
}
