import type { AgentService } from '../../../agents/agent-service.js';
import type { BreakerConfig } from '../../../agents/breaker.js';
import { toAgentView } from '../../../agents/agent-view.js';
import type { ContextService } from '../../../contexts/context-service.js';
import type { Clock } from '../../../lib/clock.js';
import type { TaskService } from '../../../tasks/task-service.js';
import type { WorkService } from '../../../tasks/work-service.js';
import type { McpCatalogue, ToolDefinition } from '../definitions.js';
import { agentTools } from './agent-tools.js';
import type { AgentSessions } from './agent-sessions.js';
import { contextTools } from './context-tools.js';
import { lifecycleTools } from './lifecycle-tools.js';
import { agentsTemplate, contextTemplate, healthResource, tasksTemplate } from './resources.js';
import { taskTools } from './task-tools.js';

export interface DevMeshCatalogueDeps {
  tasks: TaskService;
  contexts: ContextService;
  agents: AgentService;
  work: WorkService;
  agentSessions: AgentSessions;
  clock: Clock;
  breaker: BreakerConfig;
  health: () => Promise<unknown>;
  /** More tools from other domains (workflows, …). */
  extraTools?: ToolDefinition[];
}

/** Every DevMesh function as an MCP tool or resource. */
export function createDevMeshCatalogue(deps: DevMeshCatalogueDeps): McpCatalogue {
  const catalogue: McpCatalogue = { tools: new Map(), resources: new Map(), templates: new Map(), prompts: new Map() };
  const tools = [
    ...taskTools(deps.tasks, (principal, taskId) => deps.work.pendingDecision(principal, taskId)),
    ...contextTools(deps.contexts),
    ...agentTools({ agents: deps.agents, work: deps.work, sessions: deps.agentSessions, clock: deps.clock, breaker: deps.breaker }),
    ...lifecycleTools(deps.work, deps.agentSessions),
    ...(deps.extraTools ?? []),
  ];
  // Our own handlers return data typed by their output schema: no run-time re-validation needed.
  for (const tool of tools) catalogue.tools.set(tool.name, { ...tool, trustedOutput: true });
  const health = healthResource(deps.health);
  catalogue.resources.set(health.uri, health);
  const agentView = (agent: Parameters<typeof toAgentView>[0]) => toAgentView(agent, deps.breaker, deps.clock.now().getTime());
  for (const template of [tasksTemplate(deps.tasks), contextTemplate(deps.contexts), agentsTemplate(deps.agents, agentView)]) {
    catalogue.templates.set(template.uriTemplate, template);
  }
  return catalogue;
}
