import { DevMeshError } from '../errors/index.js';
import type { TaskRecord, WorkflowRecord, WorkflowRunRecord } from '../storage/records.js';
import { parseRunState } from './workflow-run-state.js';
import { workflowDefinitionSchema, type WorkflowDefinition, type WorkflowRunView, type WorkflowView } from './workflow-schemas.js';

export function definitionOf(workflow: WorkflowRecord): WorkflowDefinition {
  const parsed = workflowDefinitionSchema.safeParse(workflow.definition);
  if (!parsed.success) throw new DevMeshError('internal', `Workflow ${workflow.id} has an unreadable definition.`, { workflow_id: workflow.id });
  return parsed.data;
}

export function toWorkflowView(workflow: WorkflowRecord): WorkflowView {
  const definition = definitionOf(workflow);
  return {
    id: workflow.id,
    tenant_id: workflow.tenantId,
    name: workflow.name,
    description: workflow.description,
    failure_policy: definition.failure_policy,
    steps: definition.steps,
    created_at: workflow.createdAt.toISOString(),
    updated_at: workflow.updatedAt.toISOString(),
  };
}

/** A run as clients see it; with `tasks`, each step also shows the live state of its tasks. */
export function toRunView(run: WorkflowRunRecord, workflow: WorkflowRecord, tasks?: readonly TaskRecord[]): WorkflowRunView {
  const state = parseRunState(run.steps, run.id);
  const definition = definitionOf(workflow);
  const byId = new Map((tasks ?? []).map((task) => [task.id, task]));
  return {
    id: run.id,
    tenant_id: run.tenantId,
    workflow_id: run.workflowId,
    workflow_name: workflow.name,
    status: run.status,
    failure_policy: state.failure_policy,
    input: run.input ?? null,
    started_by: state.started_by,
    steps: state.steps.map((step) => ({
      name: step.name,
      status: step.status,
      depends_on: definition.steps.find((s) => s.name === step.name)?.depends_on ?? [],
      task_ids: step.task_ids,
      ...(tasks
        ? {
            tasks: step.task_ids.flatMap((id) => {
              const task = byId.get(id);
              return task ? [{ id, status: task.status, assigned_agent_id: task.assignedAgentId }] : [];
            }),
          }
        : {}),
      output: step.output ?? null,
      error: step.error ?? null,
      started_at: step.started_at,
      finished_at: step.finished_at,
    })),
    created_at: run.createdAt.toISOString(),
    updated_at: run.updatedAt.toISOString(),
    finished_at: state.finished_at,
    version: run.version,
  };
}
