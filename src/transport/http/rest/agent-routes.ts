import { z } from 'zod';
import { agentIdSchema, agentListQuerySchema, agentListViewSchema, agentUpdateSchema, agentViewSchema } from '../../../agents/agent-schemas.js';
import type { AgentService } from '../../../agents/agent-service.js';
import type { AgentView } from '../../../agents/agent-schemas.js';
import type { AgentRecord } from '../../../storage/records.js';
import { route, type RouteSpec } from './route-spec.js';

const params = z.object({ agent_id: agentIdSchema });

export function agentRoutes(agents: AgentService, view: (agent: AgentRecord) => AgentView): RouteSpec[] {
  return [
    route({
      method: 'GET',
      path: '/api/v1/agents',
      operationId: 'listAgents',
      summary: 'List agents with presence, load, breaker state and performance',
      tag: 'agents',
      query: agentListQuerySchema,
      response: agentListViewSchema,
      status: 200,
      handler: async ({ principal, query }) => {
        const page = await agents.list(principal, query);
        return { agents: page.agents.map(view), next_cursor: page.nextCursor };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/agents/:agent_id',
      operationId: 'getAgent',
      summary: 'Get an agent',
      tag: 'agents',
      params,
      response: agentViewSchema,
      status: 200,
      handler: async ({ principal, params: p }) => view(await agents.get(principal, p.agent_id)),
    }),
    route({
      method: 'PATCH',
      path: '/api/v1/agents/:agent_id',
      operationId: 'updateAgent',
      summary: 'Change an agent’s name, capabilities, max concurrency, cost or metadata',
      tag: 'agents',
      params,
      body: agentUpdateSchema,
      response: agentViewSchema,
      status: 200,
      handler: async ({ principal, params: p, body }) => view(await agents.update(principal, p.agent_id, body)),
    }),
    route({
      method: 'DELETE',
      path: '/api/v1/agents/:agent_id',
      operationId: 'deleteAgent',
      summary: 'Delete an offline agent with no work in flight',
      tag: 'agents',
      params,
      response: z.object({ deleted: z.literal(true) }),
      status: 200,
      handler: async ({ principal, params: p }) => {
        await agents.remove(principal, p.agent_id);
        return { deleted: true as const };
      },
    }),
  ];
}
