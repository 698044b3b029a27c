import { conflict, invalidArgument, notFound } from '../errors/index.js';
import type { Clock } from '../lib/clock.js';
import { decodeCursor, encodeCursor } from '../lib/cursor.js';
import { newId } from '../lib/ids.js';
import type { Logger } from '../observability/logger.js';
import { topics, type EventBus } from '../queue/event-bus-port.js';
import type { TaskRecord, TaskStatus, WorkflowRecord } from '../storage/records.js';
import type { IdleRunPosition, TaskStore, WorkflowStore } from '../storage/stores.js';
import { isTerminal } from '../tasks/task-lifecycle.js';
import type { TaskService } from '../tasks/task-service.js';
import type { Principal } from '../tenancy/principal.js';
import { requireRole } from '../tenancy/tenancy-service.js';
import { findDefinitionProblems, findInputProblems } from './workflow-graph.js';
import { createRunDriver } from './workflow-run-driver.js';
import { cancelRun, initialRunState } from './workflow-run-state.js';
import type { RunListQuery, WorkflowDefinition, WorkflowListQuery, WorkflowRunView, WorkflowView } from './workflow-schemas.js';
import { definitionOf, toRunView, toWorkflowView } from './workflow-view.js';

export interface WorkflowServiceDeps {
  workflows: WorkflowStore;
  tasks: TaskService;
  taskStore: TaskStore;
  clock: Clock;
  bus: EventBus;
  logger: Logger;
  /** See RunDriverDeps.launchStallMs. */
  launchStallMs?: number;
}

export type WorkflowService = ReturnType<typeof createWorkflowService>;

export const workflowsResourceUri = (tenantId: string) => `devmesh://workflows/${tenantId}`;

type Position = { createdAt: Date; id: string };

function decodePosition(cursor: string | undefined): Position | undefined {
  if (cursor === undefined) return undefined;
  const key = decodeCursor(cursor);
  const createdAt = typeof key?.c === 'string' ? new Date(key.c) : undefined;
  if (!key || typeof key.i !== 'string' || !createdAt || Number.isNaN(createdAt.getTime())) {
    throw invalidArgument('Invalid cursor: pass next_cursor from the previous page unchanged.', { field: 'cursor' });
  }
  return { createdAt, id: key.i };
}

const encodePosition = (next: Position | undefined) => (next ? encodeCursor({ c: next.createdAt.toISOString(), i: next.id }) : null);

/**
 * Workflows: named step graphs whose steps run as tasks. A run advances whenever one of its tasks
 * finishes (`onTaskChanged`, wired to the orchestration's task listener).
 */
export function createWorkflowService(deps: WorkflowServiceDeps) {
  const { workflows, taskStore, clock, bus, logger } = deps;
  const announce = (tenantId: string) => {
    void bus.publish(topics.resourceUpdated, { tenantId, uri: workflowsResourceUri(tenantId) }).catch(() => undefined);
  };
  const driver = createRunDriver({
    workflows,
    tasks: deps.tasks,
    taskStore,
    clock,
    logger: logger.child({ component: 'workflows' }),
    changed: announce,
    launchStallMs: deps.launchStallMs,
  });
  let recoveryCursor: IdleRunPosition | undefined;

  async function find(principal: Principal, ref: string): Promise<WorkflowRecord> {
    requireRole(principal, 'reader');
    const workflow = (await workflows.get(principal.tenantId, ref)) ?? (await workflows.getByName(principal.tenantId, ref));
    if (!workflow) throw notFound(`No workflow with id or name "${ref}" in this tenant.`, { workflow: ref });
    return workflow;
  }

  async function loadRun(principal: Principal, runId: string) {
    requireRole(principal, 'reader');
    const run = await workflows.getRun(principal.tenantId, runId);
    const workflow = run && (await workflows.get(principal.tenantId, run.workflowId));
    if (!run || !workflow) throw notFound(`No workflow run with id "${runId}" in this tenant.`, { run_id: runId });
    return { run, workflow };
  }

  async function status(principal: Principal, runId: string): Promise<WorkflowRunView> {
    const { run, workflow } = await loadRun(principal, runId);
    return toRunView(run, workflow, await taskStore.listByWorkflowRun(principal.tenantId, run.id));
  }

  return {
    async create(principal: Principal, definition: WorkflowDefinition): Promise<WorkflowView> {
      requireRole(principal, 'agent');
      const problems = findDefinitionProblems(definition);
      if (problems.length) throw invalidArgument(`Invalid workflow "${definition.name}": ${problems.join('; ')}`, { problems });
      if (await workflows.getByName(principal.tenantId, definition.name)) {
        throw conflict(`A workflow named "${definition.name}" already exists in this tenant; choose another name.`, { name: definition.name });
      }
      const record = await workflows.create(
        { tenantId: principal.tenantId, id: newId('wf'), name: definition.name, description: definition.description, definition },
        clock.now(),
      );
      announce(principal.tenantId);
      return toWorkflowView(record);
    },

    async list(principal: Principal, query: WorkflowListQuery): Promise<{ workflows: WorkflowView[]; next_cursor: string | null }> {
      requireRole(principal, 'reader');
      const page = await workflows.list(principal.tenantId, { limit: query.limit, after: decodePosition(query.cursor) });
      return { workflows: page.items.map(toWorkflowView), next_cursor: encodePosition(page.next) };
    },

    get: async (principal: Principal, ref: string): Promise<WorkflowView> => toWorkflowView(await find(principal, ref)),

    /** Starts a run of a workflow (by id or name) and its ready steps; returns the run. */
    async execute(principal: Principal, ref: string, input: unknown): Promise<WorkflowRunView> {
      requireRole(principal, 'agent');
      const workflow = await find(principal, ref);
      const definition = definitionOf(workflow);
      const problems = findInputProblems(definition, input ?? null);
      if (problems.length) throw invalidArgument(`Invalid input for workflow "${workflow.name}": ${problems.join('; ')}`, { problems });
      const run = await workflows.createRun(
        {
          tenantId: principal.tenantId,
          id: newId('wfrun'),
          workflowId: workflow.id,
          status: 'running',
          input: input ?? null,
          steps: initialRunState(definition, principal.apiKeyId),
        },
        clock.now(),
      );
      announce(principal.tenantId);
      await driver.advance(principal.tenantId, run.id);
      return status(principal, run.id);
    },

    status,

    async listRuns(principal: Principal, query: RunListQuery): Promise<{ runs: WorkflowRunView[]; next_cursor: string | null }> {
      requireRole(principal, 'reader');
      const only = query.workflow === undefined ? undefined : await find(principal, query.workflow);
      const page = await workflows.listRuns(
        principal.tenantId,
        { workflowId: only?.id, status: query.status },
        { limit: query.limit, after: decodePosition(query.cursor) },
      );
      const byId = new Map<string, WorkflowRecord | undefined>(only ? [[only.id, only]] : []);
      const runs: WorkflowRunView[] = [];
      for (const run of page.items) {
        if (!byId.has(run.workflowId)) byId.set(run.workflowId, await workflows.get(principal.tenantId, run.workflowId));
        const workflow = byId.get(run.workflowId);
        if (workflow) runs.push(toRunView(run, workflow));
      }
      return { runs, next_cursor: encodePosition(page.next) };
    },

    /** Cancels a running run and its unfinished tasks; cancelling a finished run is a conflict naming its status. */
    async cancel(principal: Principal, runId: string, reason = 'workflow run cancelled'): Promise<WorkflowRunView> {
      requireRole(principal, 'agent');
      await loadRun(principal, runId);
      await driver.serialize(runId, async () => {
        const stored = await driver.mutate(principal.tenantId, runId, (run, tasks) => cancelRun(run, tasks, clock.now().toISOString(), reason));
        if (!stored) throw notFound(`No workflow run with id "${runId}" in this tenant.`, { run_id: runId });
        if (!stored.result.changed) {
          throw conflict(`Workflow run "${runId}" is already ${stored.run.status}; only running runs can be cancelled.`, { run_id: runId, status: stored.run.status });
        }
        await driver.cancelTasks(principal, stored.result.cancel, reason);
      });
      return status(principal, runId);
    },

    /** Orchestration hook: a task of a run finished, so the run may move on. */
    onTaskChanged(task: TaskRecord, _previous: TaskStatus | null): void {
      if (task.workflowRunId === null || !isTerminal(task.status)) return;
      void driver.advance(task.tenantId, task.workflowRunId);
    },

    /** Re-examines a run (e.g. after a restart, or when a finished task's event was missed). */
    resume: (tenantId: string, runId: string): Promise<void> => driver.advance(tenantId, runId),

    /**
     * One round of the recovery sweep: re-examines up to `batch` running runs unchanged for
     * `idleMs`, continuing where the previous round stopped (so every idle run gets its turn).
     * This heals a run whose process died mid-launch, or that missed a task's finishing event.
     * Returns how many runs were examined.
     */
    async recoverIdleRuns(idleMs: number, batch = 200): Promise<number> {
      const idle = await workflows.listIdleRunning(new Date(clock.now().getTime() - idleMs), batch, recoveryCursor);
      recoveryCursor = idle.length === batch ? idle[idle.length - 1] : undefined;
      for (const run of idle) await driver.advance(run.tenantId, run.id);
      return idle.length;
    },
  };
}
