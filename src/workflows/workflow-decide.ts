import type { WorkflowRunStatus } from '../storage/records.js';
import type { TaskCreateInput } from '../tasks/task-schemas.js';
import { isTerminal } from '../tasks/task-lifecycle.js';
import { dependentsOf, readySteps, stepsByName } from './workflow-graph.js';
import {
  sameState,
  stopStep,
  unfinished,
  type RunSnapshot,
  type RunState,
  type StepState,
  type TaskSnapshot,
} from './workflow-run-state.js';
import type { WorkflowDefinition, WorkflowStep } from './workflow-schemas.js';
import { stepTaskInputs } from './workflow-task-inputs.js';

/** A step the run has just decided to start, with the inputs of its tasks (one per branch). */
export interface StepLaunch {
  step: string;
  tasks: TaskCreateInput[];
}

export interface RunDecision {
  state: RunState;
  status: WorkflowRunStatus;
  /** Steps marked running by this decision; create their tasks once the decision is stored. */
  launch: StepLaunch[];
  /** Tasks to cancel once the decision is stored. */
  cancel: string[];
  changed: boolean;
}

/** Completes or fails a running step from its tasks' outcomes; returns sibling tasks to cancel. */
function settleStep(step: StepState, definition: WorkflowStep, tasks: ReadonlyMap<string, TaskSnapshot>, at: string): string[] {
  if (step.status !== 'running' || step.task_ids.length === 0) return [];
  const snapshots = step.task_ids.map((id) => tasks.get(id));
  const failed = snapshots.find((task) => task && isTerminal(task.status) && task.status !== 'completed');
  if (failed) {
    step.status = 'failed';
    step.error = { message: `task ${failed.id} ended ${failed.status}`, task_id: failed.id, task_status: failed.status, task_error: failed.error ?? null };
    step.finished_at = at;
    return unfinished(step.task_ids, tasks);
  }
  if (!snapshots.every((task) => task?.status === 'completed')) return [];
  const results = snapshots.map((task) => task?.result ?? null);
  step.status = 'completed';
  step.output = definition.fan_out ? results : (results[0] ?? null);
  step.finished_at = at;
  return [];
}

/** Stops what the failure policy says must stop after a step failed; returns tasks to cancel. */
function applyFailurePolicy(state: RunState, definition: WorkflowDefinition, tasks: ReadonlyMap<string, TaskSnapshot>, at: string): string[] {
  const failed = state.steps.filter((s) => s.status === 'failed').map((s) => s.name);
  if (failed.length === 0) return [];
  const cause = `step "${failed[0]}" failed`;
  const cancel: string[] = [];
  if (state.failure_policy === 'fail_fast') {
    for (const step of state.steps) {
      if (step.status === 'running') cancel.push(...stopStep(step, 'cancelled', `cancelled: ${cause}`, at, tasks));
      else if (step.status === 'pending') stopStep(step, 'skipped', `skipped: ${cause}`, at, tasks);
    }
    return cancel;
  }
  const broken = state.steps.filter((s) => ['failed', 'skipped', 'cancelled'].includes(s.status)).map((s) => s.name);
  const doomed = dependentsOf(definition.steps, broken);
  for (const step of state.steps) {
    if (step.status === 'pending' && doomed.has(step.name)) {
      const because = (stepsByName(definition.steps).get(step.name)?.depends_on ?? []).join(', ');
      stopStep(step, 'skipped', `skipped: a step it depends on (${because}) did not complete`, at, tasks);
    }
  }
  return cancel;
}

/** The task inputs of a step, from the run's input and the outputs of the steps completed so far. */
function launchOf(def: WorkflowStep, run: RunSnapshot, state: RunState): StepLaunch {
  const outputs = new Map(state.steps.filter((s) => s.status === 'completed').map((s) => [s.name, s.output]));
  return { step: def.name, tasks: stepTaskInputs(def, { input: run.input, outputs }) };
}

/**
 * Launches again steps whose launch stalled (see stalledLaunches). Their inputs are computed as the
 * first launch computed them: a step starts only once its dependencies completed, and completed
 * outputs never change, so the tasks' idempotency keys and fingerprints match the first launch's.
 */
export function relaunch(definition: WorkflowDefinition, run: RunSnapshot, steps: readonly string[]): StepLaunch[] {
  const byName = stepsByName(definition.steps);
  return steps.flatMap((name) => {
    const def = byName.get(name);
    return def ? [launchOf(def, run, run.state)] : [];
  });
}

/**
 * The next state of a run given its tasks' current states: settle running steps, apply the
 * failure policy, mark ready steps running (resolving their payloads), and end the run when no
 * step is left to run. Pure: the caller stores the state, then cancels and creates tasks.
 */
export function decideRun(definition: WorkflowDefinition, run: RunSnapshot, tasks: ReadonlyMap<string, TaskSnapshot>, now: Date): RunDecision {
  const state = structuredClone(run.state);
  const unchanged: RunDecision = { state, status: run.status, launch: [], cancel: [], changed: false };
  if (run.status !== 'running') return unchanged;
  const at = now.toISOString();
  const byName = stepsByName(definition.steps);
  const cancel: string[] = [];
  const launch: StepLaunch[] = [];
  for (const step of state.steps) {
    const def = byName.get(step.name);
    if (def) cancel.push(...settleStep(step, def, tasks, at));
  }
  for (;;) {
    cancel.push(...applyFailurePolicy(state, definition, tasks, at));
    const status = new Map(state.steps.map((s) => [s.name, s.status]));
    const ready = readySteps(definition.steps, status);
    if (ready.length === 0) break;
    for (const name of ready) {
      const step = state.steps.find((s) => s.name === name);
      const def = byName.get(name);
      if (!step || !def) continue;
      step.started_at = at;
      try {
        launch.push(launchOf(def, run, state));
        step.status = 'running';
      } catch (error) {
        step.status = 'failed';
        step.error = { message: error instanceof Error ? error.message : String(error) };
        step.finished_at = at;
      }
    }
  }
  let status: WorkflowRunStatus = 'running';
  if (!state.steps.some((s) => s.status === 'pending' || s.status === 'running')) {
    status = state.steps.every((s) => s.status === 'completed') ? 'completed' : 'failed';
    state.finished_at = at;
  }
  const changed = status !== run.status || !sameState(state, run.state);
  return { state, status, launch, cancel: [...new Set(cancel)], changed };
}
