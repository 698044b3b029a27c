import { z } from 'zod';
import { notFound } from '../../../errors/index.js';
import { workflowsResourceUri, type WorkflowService } from '../../../workflows/workflow-engine.js';
import {
  runIdSchema,
  workflowDefinitionSchema,
  workflowExecuteSchema,
  workflowListViewSchema,
  workflowRunViewSchema,
  workflowViewSchema,
} from '../../../workflows/workflow-schemas.js';
import type { ResourceTemplateDefinition, ToolDefinition } from '../definitions.js';

const statusInput = z.object({ run_id: runIdSchema }).strict();
const cancelInput = z.object({ run_id: runIdSchema, reason: z.string().max(1000).optional() }).strict();
const listInput = z
  .object({
    limit: z.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(500).optional().describe('next_cursor from the previous page'),
  })
  .strict();

const RECENT_RUNS = 50;

/** The workflow tools and the `devmesh://workflows/{tenant_id}` resource template. */
export function workflowTools(workflows: WorkflowService): { tools: ToolDefinition[]; template: ResourceTemplateDefinition } {
  const create: ToolDefinition<typeof workflowDefinitionSchema, typeof workflowViewSchema> = {
    name: 'devmesh_workflow_create',
    aliases: ['devmesh.workflow.create'],
    title: 'Create a workflow',
    description:
      'Define a workflow: named steps, each a task template with required capabilities and depends_on. Steps without a path between them run in parallel; fan_out runs one step as several tasks and gathers their results as an array. A payload string "{{steps.<name>.output.<path>}}" or "{{input.<path>}}" is replaced by that value when the step starts. failure_policy: fail_fast (default) or continue.',
    role: 'agent',
    input: workflowDefinitionSchema,
    output: workflowViewSchema,
    handler: async (args, ctx) => workflows.create(ctx.principal, args),
  };
  const execute: ToolDefinition<typeof workflowExecuteSchema, typeof workflowRunViewSchema> = {
    name: 'devmesh_workflow_execute',
    aliases: ['devmesh.workflow.execute', 'devmesh.workflow.run'],
    title: 'Run a workflow',
    description: 'Start a run of a workflow (by id or name) with optional input JSON. Returns the run; follow it with devmesh_workflow_status or subscribe to devmesh://workflows/{tenant_id}.',
    role: 'agent',
    input: workflowExecuteSchema,
    output: workflowRunViewSchema,
    handler: async (args, ctx) => workflows.execute(ctx.principal, args.workflow, args.input),
  };
  const status: ToolDefinition<typeof statusInput, typeof workflowRunViewSchema> = {
    name: 'devmesh_workflow_status',
    aliases: ['devmesh.workflow.status'],
    title: 'Get a workflow run',
    description: 'A workflow run’s status and, per step, its status (pending, running, completed, failed, skipped, cancelled), tasks, output and error.',
    role: 'reader',
    input: statusInput,
    output: workflowRunViewSchema,
    annotations: { readOnlyHint: true },
    handler: async (args, ctx) => workflows.status(ctx.principal, args.run_id),
  };
  const list: ToolDefinition<typeof listInput, typeof workflowListViewSchema> = {
    name: 'devmesh_workflow_list',
    aliases: ['devmesh.workflow.list'],
    title: 'List workflows',
    description: 'List this tenant’s workflows, newest first. Pass next_cursor to get the next page.',
    role: 'reader',
    input: listInput,
    output: workflowListViewSchema,
    annotations: { readOnlyHint: true },
    handler: async (args, ctx) => workflows.list(ctx.principal, args),
  };
  const cancel: ToolDefinition<typeof cancelInput, typeof workflowRunViewSchema> = {
    name: 'devmesh_workflow_cancel',
    aliases: ['devmesh.workflow.cancel'],
    title: 'Cancel a workflow run',
    description: 'Cancel a running workflow run and its unfinished tasks. Cancelling a finished run is an error that names its status.',
    role: 'agent',
    input: cancelInput,
    output: workflowRunViewSchema,
    annotations: { destructiveHint: true, idempotentHint: false },
    handler: async (args, ctx) => workflows.cancel(ctx.principal, args.run_id, args.reason),
  };

  const template: ResourceTemplateDefinition = {
    uriTemplate: 'devmesh://workflows/{tenant_id}',
    name: 'tenant-workflows',
    title: 'Workflows of a tenant',
    description: `Your tenant’s workflows and its ${RECENT_RUNS} most recent runs. Subscribe to be told of every change.`,
    mimeType: 'application/json',
    role: 'reader',
    async read(uri, variables, ctx) {
      // Another tenant's URI looks exactly like a missing one: no hint that it exists.
      if (variables.tenant_id !== ctx.principal.tenantId) throw notFound(`Resource not found: ${uri}`, { uri });
      const defined = await workflows.list(ctx.principal, { limit: 100 });
      const recent = await workflows.listRuns(ctx.principal, { limit: RECENT_RUNS });
      const body = { tenant_id: ctx.principal.tenantId, workflows: defined.workflows, next_cursor: defined.next_cursor, runs: recent.runs };
      return [{ uri, mimeType: 'application/json', text: JSON.stringify(body, null, 2) }];
    },
    complete: async (variable, _value, ctx) => (variable === 'tenant_id' ? [ctx.principal.tenantId] : []),
    list: async (ctx) => [
      {
        uri: workflowsResourceUri(ctx.principal.tenantId),
        name: `workflows-${ctx.principal.tenantName}`,
        description: `Workflows of tenant ${ctx.principal.tenantName}`,
        mimeType: 'application/json',
      },
    ],
  };
  return { tools: [create, execute, status, list, cancel], template };
}
