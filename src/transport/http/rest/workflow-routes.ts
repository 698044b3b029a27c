import { z } from 'zod';
import type { WorkflowService } from '../../../workflows/workflow-engine.js';
import {
  runIdSchema,
  runListQuerySchema,
  runListViewSchema,
  workflowDefinitionSchema,
  workflowListQuerySchema,
  workflowListViewSchema,
  workflowRefSchema,
  workflowRunViewSchema,
  workflowViewSchema,
} from '../../../workflows/workflow-schemas.js';
import { route, type RouteSpec } from './route-spec.js';

const workflowParams = z.object({ workflow_id: workflowRefSchema });
const runParams = z.object({ run_id: runIdSchema });
const executeBody = z.object({ input: z.unknown().optional().describe('JSON that steps read as "{{input.<path>}}"') }).strict().default({});
const cancelBody = z.object({ reason: z.string().max(1000).optional() }).strict().default({});

export function workflowRoutes(workflows: WorkflowService): RouteSpec[] {
  return [
    route({
      method: 'POST',
      path: '/api/v1/workflows',
      operationId: 'createWorkflow',
      summary: 'Create a workflow (named steps with dependencies, fan-out and a failure policy)',
      tag: 'workflows',
      body: workflowDefinitionSchema,
      response: workflowViewSchema,
      status: 201,
      handler: async ({ principal, body }) => workflows.create(principal, body),
    }),
    route({
      method: 'GET',
      path: '/api/v1/workflows',
      operationId: 'listWorkflows',
      summary: 'List workflows, newest first (cursor pagination)',
      tag: 'workflows',
      query: workflowListQuerySchema,
      response: workflowListViewSchema,
      status: 200,
      handler: async ({ principal, query }) => workflows.list(principal, query),
    }),
    route({
      method: 'GET',
      path: '/api/v1/workflows/:workflow_id',
      operationId: 'getWorkflow',
      summary: 'Get a workflow by id or name',
      tag: 'workflows',
      params: workflowParams,
      response: workflowViewSchema,
      status: 200,
      handler: async ({ principal, params }) => workflows.get(principal, params.workflow_id),
    }),
    route({
      method: 'POST',
      path: '/api/v1/workflows/:workflow_id/runs',
      operationId: 'executeWorkflow',
      summary: 'Start a run of a workflow (by id or name)',
      tag: 'workflows',
      params: workflowParams,
      body: executeBody,
      response: workflowRunViewSchema,
      status: 201,
      handler: async ({ principal, params, body }) => workflows.execute(principal, params.workflow_id, body.input),
    }),
    route({
      method: 'GET',
      path: '/api/v1/workflows/:workflow_id/runs',
      operationId: 'listWorkflowRuns',
      summary: 'Runs of a workflow, newest first (status takes a comma list)',
      tag: 'workflows',
      params: workflowParams,
      query: runListQuerySchema,
      response: runListViewSchema,
      status: 200,
      handler: async ({ principal, params, query }) => workflows.listRuns(principal, { ...query, workflow: params.workflow_id }),
    }),
    route({
      method: 'GET',
      path: '/api/v1/workflow-runs/:run_id',
      operationId: 'getWorkflowRun',
      summary: 'A workflow run with the state, tasks, output and error of each step',
      tag: 'workflows',
      params: runParams,
      response: workflowRunViewSchema,
      status: 200,
      handler: async ({ principal, params }) => workflows.status(principal, params.run_id),
    }),
    route({
      method: 'POST',
      path: '/api/v1/workflow-runs/:run_id/cancel',
      operationId: 'cancelWorkflowRun',
      summary: 'Cancel a running workflow run and its unfinished tasks',
      tag: 'workflows',
      params: runParams,
      body: cancelBody,
      response: workflowRunViewSchema,
      status: 200,
      handler: async ({ principal, params, body }) => workflows.cancel(principal, params.run_id, body.reason),
    }),
  ];
}
