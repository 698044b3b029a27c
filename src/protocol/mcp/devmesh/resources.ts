import { agentsResourceUri, type AgentService } from '../../../agents/agent-service.js';
import type { ContextService } from '../../../contexts/context-service.js';
import type { AgentRecord } from '../../../storage/records.js';
import { contextResourceUri } from '../../../contexts/context-service.js';
import { notFound } from '../../../errors/index.js';
import type { TaskService } from '../../../tasks/task-service.js';
import { tasksResourceUri } from '../../../tasks/task-service.js';
import { toTaskView } from '../../../tasks/task-view.js';
import type { ResourceDefinition, ResourceTemplateDefinition } from '../definitions.js';

export const HEALTH_URI = 'devmesh://system/health';

const json = (uri: string, value: unknown) => [{ uri, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }];

export function healthResource(health: () => Promise<unknown>): ResourceDefinition {
  return {
    uri: HEALTH_URI,
    name: 'system-health',
    title: 'DevMesh health',
    description: 'Liveness, backends, uptime and open sessions of this DevMesh process.',
    mimeType: 'application/json',
    role: 'reader',
    read: async () => json(HEALTH_URI, await health()),
  };
}

export function tasksTemplate(tasks: TaskService): ResourceTemplateDefinition {
  return {
    uriTemplate: 'devmesh://tasks/{tenant_id}',
    name: 'tenant-tasks',
    title: 'Tasks of a tenant',
    description: 'The 100 most recently created tasks of your tenant. Subscribe to be told of every change.',
    mimeType: 'application/json',
    role: 'reader',
    async read(uri, variables, ctx) {
      // Another tenant's URI looks exactly like a missing one: no hint that it exists.
      if (variables.tenant_id !== ctx.principal.tenantId) throw notFound(`Resource not found: ${uri}`, { uri });
      const page = await tasks.list(ctx.principal, { limit: 100 });
      return json(uri, { tenant_id: ctx.principal.tenantId, tasks: page.tasks.map(toTaskView), next_cursor: page.nextCursor });
    },
    complete: async (variable, _value, ctx) => (variable === 'tenant_id' ? [ctx.principal.tenantId] : []),
    list: async (ctx) => [
      {
        uri: tasksResourceUri(ctx.principal.tenantId),
        name: `tasks-${ctx.principal.tenantName}`,
        description: `Tasks of tenant ${ctx.principal.tenantName}`,
        mimeType: 'application/json',
      },
    ],
  };
}

export function contextTemplate(contexts: ContextService): ResourceTemplateDefinition {
  return {
    uriTemplate: 'devmesh://context/{session_id}',
    name: 'session-context',
    title: 'Context of a session',
    description: 'The shared key/value context of a session in your tenant.',
    mimeType: 'application/json',
    role: 'reader',
    async read(uri, variables, ctx) {
      const sessionId = variables.session_id;
      if (!sessionId) throw notFound(`Resource not found: ${uri}`, { uri });
      return json(uri, await contexts.get(ctx.principal, sessionId));
    },
    complete: async (variable, _value, ctx) => (variable === 'session_id' ? [ctx.sessionId] : []),
    list: async (ctx) => [
      {
        uri: contextResourceUri(ctx.sessionId),
        name: 'my-session-context',
        description: 'The context of this session',
        mimeType: 'application/json',
      },
    ],
  };
}

export function agentsTemplate(agents: AgentService, view: (agent: AgentRecord) => unknown): ResourceTemplateDefinition {
  return {
    uriTemplate: 'devmesh://agents/{tenant_id}',
    name: 'tenant-agents',
    title: 'Agents of a tenant',
    description: 'Your tenant’s agents with presence, load, breaker state and performance. Subscribe to be told of every change.',
    mimeType: 'application/json',
    role: 'reader',
    async read(uri, variables, ctx) {
      if (variables.tenant_id !== ctx.principal.tenantId) throw notFound(`Resource not found: ${uri}`, { uri });
      const page = await agents.list(ctx.principal, { limit: 500 });
      return json(uri, { tenant_id: ctx.principal.tenantId, agents: page.agents.map(view), next_cursor: page.nextCursor });
    },
    complete: async (variable, _value, ctx) => (variable === 'tenant_id' ? [ctx.principal.tenantId] : []),
    list: async (ctx) => [
      { uri: agentsResourceUri(ctx.principal.tenantId), name: `agents-${ctx.principal.tenantName}`, mimeType: 'application/json' },
    ],
  };
}
