import { z } from 'zod';
import { DevMeshError } from '../errors/index.js';
import type { TaskStatus, WorkflowRunStatus } from '../storage/records.js';
import { isTerminal } from '../tasks/task-lifecycle.js';
import { failurePolicySchema, stepStatusSchema, type WorkflowDefinition } from './workflow-schemas.js';

/**
 * The state of a run as stored in `WorkflowRunRecord.steps`. Steps are a list in definition order
 * (not an object keyed by name, so no step name can collide with an object's own machinery).
 * A running step with no task ids is one whose tasks are being created by the process that
 * decided to start it; that process records the ids next.
 */
const stepStateSchema = z.object({
  name: z.string(),
  status: stepStatusSchema,
  task_ids: z.array(z.string()),
  output: z.unknown(),
  error: z.unknown(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
});
export type StepState = z.infer<typeof stepStateSchema>;
export type StepStatus = StepState['status'];

const runStateSchema = z.object({
  /** API key id of whoever started the run: the tasks created later are created on its behalf. */
  started_by: z.string(),
  failure_policy: failurePolicySchema,
  finished_at: z.string().nullable(),
  steps: z.array(stepStateSchema),
});
export type RunState = z.infer<typeof runStateSchema>;

/** What a run decision needs to know about a task. */
export interface TaskSnapshot {
  id: string;
  status: TaskStatus;
  result: unknown;
  error: unknown;
}

export interface RunSnapshot {
  status: WorkflowRunStatus;
  input: unknown;
  state: RunState;
}

export function initialRunState(definition: WorkflowDefinition, startedBy: string): RunState {
  return {
    started_by: startedBy,
    failure_policy: definition.failure_policy,
    finished_at: null,
    steps: definition.steps.map((step) => ({
      name: step.name,
      status: 'pending',
      task_ids: [],
      output: null,
      error: null,
      started_at: null,
      finished_at: null,
    })),
  };
}

export function parseRunState(value: unknown, runId: string): RunState {
  const parsed = runStateSchema.safeParse(value);
  if (!parsed.success) throw new DevMeshError('internal', `Workflow run ${runId} has unreadable state.`, { run_id: runId });
  return parsed.data;
}

export const sameState = (a: RunState, b: RunState): boolean => JSON.stringify(a) === JSON.stringify(b);

const sameIds = (a: readonly string[], b: readonly string[]) => a.length > 0 && a.length === b.length && a.every((id, i) => id === b[i]);

/**
 * Running steps with no task ids that started before `startedBefore`: the process creating their
 * tasks should have recorded them long ago, so it probably died in between.
 */
export function stalledLaunches(state: RunState, startedBefore: Date): string[] {
  return state.steps
    .filter((s) => s.status === 'running' && s.task_ids.length === 0 && s.started_at !== null && Date.parse(s.started_at) < startedBefore.getTime())
    .map((s) => s.name);
}

/** Ids among `ids` whose task is not known to be finished (unknown ones included: cancelling them is harmless). */
export function unfinished(ids: readonly string[], tasks: ReadonlyMap<string, TaskSnapshot>): string[] {
  return ids.filter((id) => {
    const task = tasks.get(id);
    return !task || !isTerminal(task.status);
  });
}

/** Ends a step that had not finished, with a reason; returns the task ids to cancel. */
export function stopStep(step: StepState, status: 'skipped' | 'cancelled', message: string, at: string, tasks: ReadonlyMap<string, TaskSnapshot>): string[] {
  const cancel = step.status === 'running' ? unfinished(step.task_ids, tasks) : [];
  step.status = status;
  step.error = { message };
  step.finished_at = at;
  return cancel;
}

/** A cancel request: every unfinished step is cancelled, and with it its tasks. */
export function cancelRun(run: RunSnapshot, tasks: ReadonlyMap<string, TaskSnapshot>, at: string, reason: string) {
  const state = structuredClone(run.state);
  if (run.status !== 'running') return { state, status: run.status, cancel: [] as string[], changed: false };
  const cancel: string[] = [];
  for (const step of state.steps) {
    if (step.status === 'pending' || step.status === 'running') cancel.push(...stopStep(step, 'cancelled', reason, at, tasks));
  }
  state.finished_at = at;
  return { state, status: 'cancelled' as WorkflowRunStatus, cancel, changed: true };
}

/**
 * Records the tasks created for a step the run decided to start. If the step stopped meanwhile
 * (the run failed fast or was cancelled), the new tasks are returned for cancelling; if creating
 * them failed part way, the step fails and the ones created are cancelled.
 */
export function recordLaunch(run: RunSnapshot, stepName: string, taskIds: readonly string[], failure: string | undefined, at: string) {
  const state = structuredClone(run.state);
  const step = state.steps.find((s) => s.name === stepName);
  // Recorded already by another launch of the step (a recovery, or the process it thought dead):
  // the idempotency keys gave both the same tasks, so there is nothing to undo.
  if (step && sameIds(step.task_ids, taskIds)) return { state, cancel: [] as string[], changed: false };
  if (!step || step.task_ids.length > 0) return { state, cancel: [...taskIds], changed: false };
  step.task_ids = [...taskIds];
  const stillWanted = run.status === 'running' && step.status === 'running';
  if (stillWanted && failure === undefined) return { state, cancel: [] as string[], changed: true };
  if (stillWanted) {
    step.status = 'failed';
    step.error = { message: `could not create the step's tasks: ${failure}` };
    step.finished_at = at;
  }
  return { state, cancel: [...taskIds], changed: true };
}
