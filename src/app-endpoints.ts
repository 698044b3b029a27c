import type { Orchestration } from './app-orchestration.js';
import { wireSessionHooks } from './app-sessions.js';
import { toAgentView } from './agents/agent-view.js';
import type { ContextService } from './contexts/context-service.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './observability/logger.js';
import type { Metrics } from './observability/metrics.js';
import type { AgentSessions } from './protocol/mcp/devmesh/agent-sessions.js';
import { createDevMeshCatalogue } from './protocol/mcp/devmesh/catalogue.js';
import { workflowTools } from './protocol/mcp/devmesh/workflow-tools.js';
import { createMcpServer } from './protocol/mcp/server.js';
import type { EventBus } from './queue/event-bus-port.js';
import type { Stores } from './storage/stores.js';
import type { TenancyService } from './tenancy/tenancy-service.js';
import { agentRoutes } from './transport/http/rest/agent-routes.js';
import { apiKeyRoutes } from './transport/http/rest/api-key-routes.js';
import { contextRoutes } from './transport/http/rest/context-routes.js';
import type { RouteSpec } from './transport/http/rest/route-spec.js';
import { settingsRoutes } from './transport/http/rest/settings-routes.js';
import { taskRoutes } from './transport/http/rest/task-routes.js';
import { webhookRoutes } from './transport/http/rest/webhook-routes.js';
import { workflowRoutes } from './transport/http/rest/workflow-routes.js';
import { version } from './version.js';
import type { WebhookService } from './webhooks/webhook-service.js';
import type { WorkflowService } from './workflows/workflow-engine.js';

const instructions =
  'DevMesh orchestrates AI agents for DevOps work. Create tasks with devmesh_task_create and follow them with devmesh_task_status or by subscribing to devmesh://tasks/{tenant_id}.';

/** The MCP side: every DevMesh tool and resource in one catalogue, served by one MCP server. */
export function createMcpSide(deps: {
  orchestration: Orchestration;
  contexts: ContextService;
  workflows: WorkflowService;
  stores: Stores;
  agentSessions: AgentSessions;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  health: () => Promise<Record<string, unknown>>;
}) {
  const { orchestration, agentSessions, clock, logger } = deps;
  const workflowCatalogue = workflowTools(deps.workflows);
  const catalogue = createDevMeshCatalogue({
    tasks: orchestration.tasks,
    contexts: deps.contexts,
    agents: orchestration.agents,
    work: orchestration.work,
    agentSessions,
    clock,
    breaker: orchestration.breaker,
    health: deps.health,
    extraTools: workflowCatalogue.tools,
  });
  catalogue.templates.set(workflowCatalogue.template.uriTemplate, workflowCatalogue.template);
  const sessionHooks = wireSessionHooks({ sessions: deps.stores.sessions, agentSessions, agents: orchestration.agents, clock, logger });
  const mcpServer = createMcpServer({
    catalogue,
    bus: deps.bus,
    logger: logger.child({ component: 'mcp' }),
    serverInfo: { name: 'devmesh', version },
    instructions,
    hooks: sessionHooks,
    observe: deps.metrics.observeRpc,
  });
  return { catalogue, mcpServer, sessionHooks };
}

/** Every REST route of /api/v1 (the webhook ingress is registered separately). */
export function restRoutes(deps: {
  orchestration: Orchestration;
  contexts: ContextService;
  tenancy: TenancyService;
  workflows: WorkflowService;
  webhooks: { service: WebhookService };
  clock: Clock;
}): RouteSpec[] {
  const { orchestration, clock } = deps;
  return [
    ...taskRoutes(orchestration.tasks),
    ...contextRoutes(deps.contexts),
    ...apiKeyRoutes(deps.tenancy),
    ...agentRoutes(orchestration.agents, (agent) => toAgentView(agent, orchestration.breaker, clock.now().getTime())),
    ...settingsRoutes(orchestration.settings),
    ...workflowRoutes(deps.workflows),
    ...webhookRoutes(deps.webhooks.service),
  ];
}
