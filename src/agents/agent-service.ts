import { conflict, notFound } from '../errors/index.js';
import type { Clock } from '../lib/clock.js';
import { decodeCursor, encodeCursor } from '../lib/cursor.js';
import { invalidArgument } from '../errors/index.js';
import type { AgentRecord } from '../storage/records.js';
import type { AgentStore } from '../storage/stores.js';
import type { Principal } from '../tenancy/principal.js';
import { requireRole } from '../tenancy/tenancy-service.js';
import type { AgentListQuery, AgentRegisterInput, AgentUpdateInput } from './agent-schemas.js';

export interface AgentServiceDeps {
  agents: AgentStore;
  clock: Clock;
  /** Called after an agent's registration or presence changed. */
  onChanged(agent: AgentRecord): void;
  onRemoved(tenantId: string, agentId: string): void;
  /** The agent (re)connected on a session: give it back the work it still holds. */
  onConnected?(agent: AgentRecord): void;
  /** How often a live connection refreshes last_seen_at at most. */
  touchIntervalMs?: number;
  /** This process's current id, recorded as the holder of the agents connected to it. */
  processId?: () => string;
}

export type AgentService = ReturnType<typeof createAgentService>;

export const agentsResourceUri = (tenantId: string) => `devmesh://agents/${tenantId}`;

const key = (tenantId: string, agentId: string) => `${tenantId}\u0000${agentId}`;

/** Agent registry and presence. An agent is online while one of its MCP sessions is connected. */
export function createAgentService(deps: AgentServiceDeps) {
  const { agents, clock } = deps;
  const touchInterval = deps.touchIntervalMs ?? 10_000;
  const lastTouch = new Map<string, number>();
  /** When each agent with a dropped connection went offline, for the grace period before requeueing. */
  const offlineSince = new Map<string, { tenantId: string; agentId: string; at: number }>();

  async function get(principal: Principal, agentId: string): Promise<AgentRecord> {
    requireRole(principal, 'reader');
    const agent = await agents.get(principal.tenantId, agentId);
    if (!agent) throw notFound(`No agent with id "${agentId}" in this tenant.`, { agent_id: agentId });
    return agent;
  }

  async function register(principal: Principal, input: AgentRegisterInput): Promise<AgentRecord> {
    requireRole(principal, 'agent');
    const agent = await agents.register(
      {
        tenantId: principal.tenantId,
        id: input.id,
        name: input.name ?? input.id,
        capabilities: input.capabilities,
        maxConcurrency: input.max_concurrency,
        costPerTask: input.cost_per_task,
        metadata: input.metadata,
      },
      clock.now(),
    );
    deps.onChanged(agent);
    return agent;
  }

  return {
    get,
    register,

    async list(principal: Principal, query: AgentListQuery): Promise<{ agents: AgentRecord[]; nextCursor: string | null }> {
      requireRole(principal, 'reader');
      let after: string | undefined;
      if (query.cursor) {
        const decoded = decodeCursor(query.cursor);
        if (typeof decoded?.a !== 'string') throw invalidArgument('Invalid cursor: pass next_cursor from the previous page unchanged.', { field: 'cursor' });
        after = decoded.a;
      }
      const page = await agents.list(principal.tenantId, { status: query.status, capability: query.capability }, { limit: query.limit, after });
      return { agents: page.items, nextCursor: page.next ? encodeCursor({ a: page.next }) : null };
    },

    async update(principal: Principal, agentId: string, input: AgentUpdateInput): Promise<AgentRecord> {
      requireRole(principal, 'agent');
      const current = await get(principal, agentId);
      return register(principal, {
        id: agentId,
        name: input.name ?? current.name,
        capabilities: input.capabilities ?? current.capabilities,
        max_concurrency: input.max_concurrency ?? current.maxConcurrency,
        cost_per_task: input.cost_per_task ?? current.costPerTask,
        metadata: (input.metadata ?? current.metadata ?? {}) as Record<string, unknown>,
      });
    },

    async remove(principal: Principal, agentId: string): Promise<void> {
      requireRole(principal, 'admin');
      const agent = await get(principal, agentId);
      if (agent.status === 'online') throw conflict(`Agent "${agentId}" is online; disconnect it before deleting it.`, { agent_id: agentId });
      if (!(await agents.delete(principal.tenantId, agentId))) throw notFound(`No agent with id "${agentId}" in this tenant.`);
      offlineSince.delete(key(principal.tenantId, agentId));
      deps.onRemoved(principal.tenantId, agentId);
    },

    /** The agent's session connected (or registered): it is online on that session. */
    async connected(tenantId: string, agentId: string, sessionId: string): Promise<AgentRecord | undefined> {
      const at = clock.now();
      const agent = await agents.setOnline(tenantId, agentId, sessionId, at, deps.processId?.());
      if (!agent) return undefined;
      offlineSince.delete(key(tenantId, agentId));
      lastTouch.set(key(tenantId, agentId), at.getTime());
      deps.onChanged(agent);
      deps.onConnected?.(agent);
      return agent;
    },

    /** The agent's session ended; its unfinished work is requeued after the grace period unless it returns. */
    async disconnected(tenantId: string, agentId: string, sessionId: string): Promise<void> {
      const at = clock.now();
      const agent = await agents.setOffline(tenantId, agentId, sessionId, at);
      if (!agent) return;
      offlineSince.set(key(tenantId, agentId), { tenantId, agentId, at: at.getTime() });
      deps.onChanged(agent);
    },

    /** Any message from an agent's session: refresh last_seen_at, at most once per interval. */
    heartbeat(tenantId: string, agentId: string): void {
      const now = clock.now().getTime();
      const k = key(tenantId, agentId);
      if (now - (lastTouch.get(k) ?? 0) < touchInterval) return;
      lastTouch.set(k, now);
      void agents.touch(tenantId, agentId, new Date(now)).catch(() => undefined);
    },

    /** Agents offline for longer than `graceMs`; each is returned once. */
    takeExpiredOffline(graceMs: number): { tenantId: string; agentId: string }[] {
      const now = clock.now().getTime();
      const expired = [...offlineSince.entries()].filter(([, v]) => now - v.at >= graceMs);
      for (const [k] of expired) offlineSince.delete(k);
      return expired.map(([, v]) => ({ tenantId: v.tenantId, agentId: v.agentId }));
    },

    /** At startup, agents recorded online have no connection in this process: start their grace period. */
    async markAllOfflineAtStartup(all: AgentRecord[]): Promise<void> {
      for (const agent of all) {
        if (agent.status !== 'online' || !agent.sessionId) continue;
        await this.disconnected(agent.tenantId, agent.id, agent.sessionId);
      }
    },
  };
}
