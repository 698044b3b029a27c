import type { ContextService } from '../../../contexts/context-service.js';
import type { TaskService } from '../../../tasks/task-service.js';
import type { McpCatalogue } from '../definitions.js';
import { contextTools } from './context-tools.js';
import { contextTemplate, healthResource, tasksTemplate } from './resources.js';
import { taskTools } from './task-tools.js';

export interface DevMeshCatalogueDeps {
  tasks: TaskService;
  contexts: ContextService;
  health: () => Promise<unknown>;
}

/** Every DevMesh function as an MCP tool or resource. */
export function createDevMeshCatalogue(deps: DevMeshCatalogueDeps): McpCatalogue {
  const catalogue: McpCatalogue = { tools: new Map(), resources: new Map(), templates: new Map(), prompts: new Map() };
  for (const tool of [...taskTools(deps.tasks), ...contextTools(deps.contexts)]) catalogue.tools.set(tool.name, tool);
  const health = healthResource(deps.health);
  catalogue.resources.set(health.uri, health);
  for (const template of [tasksTemplate(deps.tasks), contextTemplate(deps.contexts)]) {
    catalogue.templates.set(template.uriTemplate, template);
  }
  return catalogue;
}
