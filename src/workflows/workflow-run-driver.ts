import { conflict, isDevMeshError } from '../errors/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../observability/logger.js';
import type { WorkflowRunRecord, WorkflowRunStatus } from '../storage/records.js';
import type { TaskStore, WorkflowStore } from '../storage/stores.js';
import type { TaskService } from '../tasks/task-service.js';
import type { Principal } from '../tenancy/principal.js';
import { decideRun, relaunch, type StepLaunch } from './workflow-decide.js';
import { parseRunState, recordLaunch, stalledLaunches, type RunSnapshot, type RunState, type TaskSnapshot } from './workflow-run-state.js';
import { definitionOf } from './workflow-view.js';

export interface RunDriverDeps {
  workflows: WorkflowStore;
  tasks: TaskService;
  taskStore: TaskStore;
  clock: Clock;
  logger: Logger;
  /** Called after every stored change of a run. */
  changed(tenantId: string): void;
  /** A step still without task ids this long after it started is launched again; default 30 000. */
  launchStallMs?: number;
}

/** A change to a run computed from its stored state and its tasks; `changed: false` writes nothing. */
type Plan<E> = (run: RunSnapshot, tasks: ReadonlyMap<string, TaskSnapshot>) => { state: RunState; status?: WorkflowRunStatus; changed: boolean } & E;

const MAX_WRITE_ATTEMPTS = 20;
const MAX_ROUNDS = 250;

/** The principal a run's tasks are created and cancelled as: the key that started it, as an agent. */
export const runPrincipal = (tenantId: string, state: RunState): Principal => ({ tenantId, tenantName: '', apiKeyId: state.started_by, role: 'agent' });

/**
 * Moves runs forward. Updates of one run are serialized in this process (a promise chain per run)
 * and stored with the run's optimistic version (retried on conflict), so processes sharing the
 * database cannot lose each other's changes. Tasks are created only after the write that decided
 * to start their step succeeded, and their ids are recorded by a second write. Each task has an
 * idempotency key (run, step, branch), so a step whose launch a crash interrupted between those
 * writes is launched again later (by whichever process examines the run) without creating any
 * task twice.
 */
export function createRunDriver(deps: RunDriverDeps) {
  const { workflows, tasks, taskStore, clock, logger } = deps;
  const chains = new Map<string, Promise<unknown>>();
  const launchStallMs = deps.launchStallMs ?? 30_000;

  function serialize<T>(runId: string, work: () => Promise<T>): Promise<T> {
    const next = (chains.get(runId) ?? Promise.resolve()).then(work, work);
    const tail = next.catch(() => undefined);
    chains.set(runId, tail);
    void tail.then(() => {
      if (chains.get(runId) === tail) chains.delete(runId);
    });
    return next;
  }

  async function snapshotTasks(tenantId: string, runId: string): Promise<Map<string, TaskSnapshot>> {
    const list = await taskStore.listByWorkflowRun(tenantId, runId);
    return new Map(list.map((t) => [t.id, { id: t.id, status: t.status, result: t.result, error: t.error }]));
  }

  /** Reads, plans and writes with the run's version until the write applies. */
  async function mutate<E>(tenantId: string, runId: string, plan: Plan<E>): Promise<{ run: WorkflowRunRecord; result: ReturnType<Plan<E>> } | undefined> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const run = await workflows.getRun(tenantId, runId);
      if (!run) return undefined;
      const snapshot = { status: run.status, input: run.input, state: parseRunState(run.steps, run.id) };
      const result = plan(snapshot, await snapshotTasks(tenantId, runId));
      if (!result.changed) return { run, result };
      const updated = await workflows.updateRun(tenantId, runId, run.version, { status: result.status, steps: result.state }, clock.now());
      if (updated) {
        deps.changed(tenantId);
        return { run: updated, result };
      }
    }
    throw conflict(`Workflow run ${runId} kept changing while being updated; try again.`, { run_id: runId });
  }

  async function cancelTasks(principal: Principal, ids: readonly string[], reason: string): Promise<void> {
    for (const id of ids) {
      try {
        await tasks.cancel(principal, id, reason);
      } catch (error) {
        // Already finished or gone: nothing left to cancel.
        if (!isDevMeshError(error) || (error.code !== 'conflict' && error.code !== 'not_found')) throw error;
      }
    }
  }

  async function launch(tenantId: string, runId: string, principal: Principal, step: StepLaunch): Promise<void> {
    const ids: string[] = [];
    let failure: string | undefined;
    try {
      for (const input of step.tasks) {
        const idempotency_key = `workflow:${runId}:${step.step}:${ids.length}`;
        ids.push((await tasks.create(principal, { ...input, idempotency_key, status: 'queued', workflow_run_id: runId, workflow_step: step.step })).id);
      }
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
      logger.warn({ err: error, runId, step: step.step }, 'could not create the tasks of a workflow step');
    }
    const stored = await mutate(tenantId, runId, (run) => recordLaunch(run, step.step, ids, failure, clock.now().toISOString()));
    const cancel = stored?.result.cancel ?? ids;
    if (cancel.length) await cancelTasks(principal, cancel, 'workflow step stopped');
  }

  /** Brings a run up to date with its tasks, starting every step that became ready. */
  async function advanceNow(tenantId: string, runId: string): Promise<void> {
    const run = await workflows.getRun(tenantId, runId);
    if (!run || run.status !== 'running') return;
    const workflow = await workflows.get(tenantId, run.workflowId);
    if (!workflow) return;
    const definition = definitionOf(workflow);
    const snapshot = { status: run.status, input: run.input, state: parseRunState(run.steps, run.id) };
    const stalled = stalledLaunches(snapshot.state, new Date(clock.now().getTime() - launchStallMs));
    if (stalled.length) {
      logger.warn({ tenantId, runId, steps: stalled }, 'launching workflow steps again: their launch did not finish');
      const principal = runPrincipal(tenantId, snapshot.state);
      for (const step of relaunch(definition, snapshot, stalled)) await launch(tenantId, runId, principal, step);
    }
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const stored = await mutate(tenantId, runId, (snapshot, taskStates) => decideRun(definition, snapshot, taskStates, clock.now()));
      if (!stored) return;
      const { result } = stored;
      const principal = runPrincipal(tenantId, result.state);
      if (result.cancel.length) await cancelTasks(principal, result.cancel, 'workflow run stopped');
      if (!result.changed || result.launch.length === 0) return;
      for (const step of result.launch) await launch(tenantId, runId, principal, step);
    }
  }

  return {
    serialize,
    mutate,
    cancelTasks,
    /** Serialized advance; errors are logged, not thrown (callers are event listeners). */
    advance(tenantId: string, runId: string): Promise<void> {
      return serialize(runId, () => advanceNow(tenantId, runId)).catch((error: unknown) => {
        logger.error({ err: error, tenantId, runId }, 'workflow run could not advance');
      });
    },
  };
}

export type RunDriver = ReturnType<typeof createRunDriver>;
