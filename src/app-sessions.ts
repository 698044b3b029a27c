import type { AgentService } from './agents/agent-service.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './observability/logger.js';
import { agentFromHandshake } from './protocol/mcp/devmesh/agent-handshake.js';
import type { AgentSessions } from './protocol/mcp/devmesh/agent-sessions.js';
import type { McpServerOptions, McpSession } from './protocol/mcp/server.js';
import type { SessionStore } from './storage/stores.js';

/**
 * What happens when MCP sessions start and end: the session is recorded (so a reconnecting
 * client can resume its id and context), and a session that identifies as an agent makes the
 * agent online; when it ends, the agent goes offline and its grace period starts.
 */
export function wireSessionHooks(deps: {
  sessions: SessionStore;
  agentSessions: AgentSessions;
  agents: AgentService;
  clock: Clock;
  logger: Logger;
}): NonNullable<McpServerOptions['hooks']> & { drain(): Promise<void> } {
  const { sessions, agentSessions, agents, clock, logger } = deps;
  // Close hooks still writing, so shutdown can wait for them before closing the database.
  const pending = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    pending.add(work);
    void work.finally(() => pending.delete(work)).catch(() => undefined);
    return work;
  };

  async function registerAgent(session: McpSession): Promise<void> {
    const handshake = agentFromHandshake(session);
    if (!handshake) return;
    if ('error' in handshake) {
      logger.warn({ sessionId: session.id, problem: handshake.error }, 'ignored malformed agent registration in initialize; use devmesh_agent_register');
      return;
    }
    const agent = await agents.register(session.principal, handshake.input);
    agentSessions.bind(session.id, session.principal.tenantId, agent.id);
    await agents.connected(session.principal.tenantId, agent.id, session.id);
  }

  return {
    async onInitialized(session) {
      agentSessions.opened(session);
      await sessions.upsert(
        {
          tenantId: session.principal.tenantId,
          id: session.id,
          apiKeyId: session.principal.apiKeyId,
          transport: session.transport,
          protocolVersion: session.protocolVersion ?? null,
          clientInfo: session.clientInfo ?? null,
        },
        clock.now(),
      );
      await registerAgent(session).catch((error: unknown) => {
        logger.warn({ err: error, sessionId: session.id }, 'could not register the agent named at initialize');
      });
    },
    onClosed(session) {
      return track(
        (async () => {
          const binding = agentSessions.closed(session);
          if (binding) await agents.disconnected(binding.tenantId, binding.agentId, session.id);
          if (!session.initialized) return;
          await sessions.close(session.principal.tenantId, session.id, clock.now());
        })().catch((error: unknown) => {
          logger.warn({ err: error, sessionId: session.id }, 'could not record the end of a session');
        }),
      );
    },
    async drain() {
      while (pending.size) await Promise.allSettled([...pending]);
    },
  };
}
