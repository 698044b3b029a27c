import { z } from 'zod';
import { agentIdSchema, agentListViewSchema, agentRegisterSchema, agentViewSchema, capabilityName } from '../../../agents/agent-schemas.js';
import type { AgentService } from '../../../agents/agent-service.js';
import { toAgentView } from '../../../agents/agent-view.js';
import { DevMeshError } from '../../../errors/index.js';
import type { Clock } from '../../../lib/clock.js';
import { taskCreateSchema, taskViewSchema } from '../../../tasks/task-schemas.js';
import { toTaskView } from '../../../tasks/task-view.js';
import type { WorkService } from '../../../tasks/work-service.js';
import type { ToolDefinition } from '../definitions.js';
import type { AgentSessions } from './agent-sessions.js';
import type { BreakerConfig } from '../../../agents/breaker.js';

const listInput = z
  .object({
    status: z.enum(['online', 'offline']).optional(),
    capability: capabilityName.optional(),
    limit: z.number().int().min(1).max(500).default(100),
    cursor: z.string().min(1).max(500).optional(),
  })
  .strict();
const statusInput = z.object({ agent_id: agentIdSchema.optional().describe('Defaults to the agent this session speaks for') }).strict();
const assignInput = z.object({ agent_id: agentIdSchema, task: taskCreateSchema }).strict();
const assignOutput = z.object({ task: taskViewSchema, decision: z.unknown() });

export interface AgentToolDeps {
  agents: AgentService;
  work: WorkService;
  sessions: AgentSessions;
  clock: Clock;
  breaker: BreakerConfig;
}

export function agentTools(deps: AgentToolDeps): ToolDefinition[] {
  const view = (agent: Parameters<typeof toAgentView>[0]) => toAgentView(agent, deps.breaker, deps.clock.now().getTime());

  const register: ToolDefinition<typeof agentRegisterSchema, typeof agentViewSchema> = {
    name: 'devmesh_agent_register',
    aliases: ['devmesh.agent.register'],
    title: 'Register this session as an agent',
    description:
      'Register (or update) an agent with its capabilities, proficiency 0..1 each, max concurrency and cost per task. This session becomes the agent’s connection: assigned tasks arrive as notifications/devmesh/task_assigned.',
    role: 'agent',
    input: agentRegisterSchema,
    output: agentViewSchema,
    handler: async (args, ctx) => {
      const registered = await deps.agents.register(ctx.principal, args);
      deps.sessions.bind(ctx.sessionId, ctx.principal.tenantId, registered.id);
      const online = await deps.agents.connected(ctx.principal.tenantId, registered.id, ctx.sessionId);
      return view(online ?? registered);
    },
  };
  const list: ToolDefinition<typeof listInput, typeof agentListViewSchema> = {
    name: 'devmesh_agent_list',
    aliases: ['devmesh.agent.list'],
    title: 'List agents',
    description: 'List this tenant’s agents with presence, load, breaker state and performance; filter by status or capability.',
    role: 'reader',
    input: listInput,
    output: agentListViewSchema,
    annotations: { readOnlyHint: true },
    handler: async (args, ctx) => {
      const page = await deps.agents.list(ctx.principal, args);
      return { agents: page.agents.map(view), next_cursor: page.nextCursor };
    },
  };
  const status: ToolDefinition<typeof statusInput, typeof agentViewSchema> = {
    name: 'devmesh_agent_status',
    aliases: ['devmesh.agent.status'],
    title: 'Get an agent',
    description: 'An agent’s presence, load, circuit-breaker state and performance statistics.',
    role: 'reader',
    input: statusInput,
    output: agentViewSchema,
    annotations: { readOnlyHint: true },
    handler: async (args, ctx) => {
      const agentId = args.agent_id ?? deps.sessions.agentOf(ctx.sessionId);
      if (!agentId) throw new DevMeshError('invalid_argument', 'Give agent_id: this session is not registered as an agent.', { field: 'agent_id' });
      return view(await deps.agents.get(ctx.principal, agentId));
    },
  };
  const assign: ToolDefinition<typeof assignInput, typeof assignOutput> = {
    name: 'devmesh_agent_assign',
    aliases: ['devmesh.agent.assign'],
    title: 'Give a new task to a named agent',
    description: 'Create a task and assign it directly to the named agent. Fails, creating nothing, if the agent cannot take it now (offline, busy, missing capability, breaker open).',
    role: 'agent',
    input: assignInput,
    output: assignOutput,
    handler: async (args, ctx) => {
      const { task, decision } = await deps.work.createFor(ctx.principal, args.agent_id, args.task, ctx.sessionId);
      return { task: toTaskView(task), decision };
    },
  };
  return [register, list, status, assign] as ToolDefinition[];
}
