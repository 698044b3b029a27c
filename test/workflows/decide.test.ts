import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskStatus, WorkflowRunStatus } from '../../src/storage/records.js';
import { decideRun, relaunch } from '../../src/workflows/workflow-decide.js';
import { cancelRun, initialRunState, recordLaunch, stalledLaunches, type RunSnapshot, type RunState, type TaskSnapshot } from '../../src/workflows/workflow-run-state.js';
import { workflowDefinitionSchema, type WorkflowDefinition } from '../../src/workflows/workflow-schemas.js';

const now = new Date('2026-03-01T12:00:00Z');

function pipeline(policy: 'fail_fast' | 'continue' = 'fail_fast'): WorkflowDefinition {
  return workflowDefinitionSchema.parse({
    name: 'pipeline',
    failure_policy: policy,
    steps: [
      { name: 'build', title: 'Build', required_capabilities: ['build'], payload: { ref: '{{input.ref}}' } },
      { name: 'test', title: 'Test', depends_on: ['build'], payload: { artifact: '{{steps.build.output.artifact}}' } },
      { name: 'lint', title: 'Lint', depends_on: ['build'] },
      { name: 'deploy', title: 'Deploy', depends_on: ['test', 'lint'], payload: { artifact: '{{steps.build.output.artifact}}', tests: '{{steps.test.output}}' } },
      { name: 'docs', title: 'Docs', payload: { note: 'independent' } },
    ],
  });
}

/** A run of `def` where the listed steps have the given status and task ids (the rest pending). */
function runWith(def: WorkflowDefinition, steps: Record<string, { status: RunState['steps'][number]['status']; task_ids?: string[]; output?: unknown }>, status: WorkflowRunStatus = 'running'): RunSnapshot {
  const state = initialRunState(def, 'key_1');
  for (const s of state.steps) {
    const spec = steps[s.name];
    if (spec) Object.assign(s, { status: spec.status, task_ids: spec.task_ids ?? [], output: spec.output ?? null });
  }
  return { status, input: { ref: 'main' }, state };
}

const tasks = (...list: [string, TaskStatus, unknown?][]) =>
  new Map<string, TaskSnapshot>(list.map(([id, status, result]) => [id, { id, status, result: result ?? null, error: status === 'failed' ? { message: 'boom' } : null }]));

const statuses = (state: RunState) => Object.fromEntries(state.steps.map((s) => [s.name, s.status]));

describe('workflow runs: deciding what happens next', () => {
  it('a new run starts its root steps with resolved payloads', () => {
    const decision = decideRun(pipeline(), runWith(pipeline(), {}), new Map(), now);
    assert.equal(decision.changed, true);
    assert.equal(decision.status, 'running');
    assert.deepEqual(decision.launch.map((l) => l.step), ['build', 'docs']);
    assert.deepEqual(decision.launch[0]?.tasks[0]?.payload, { ref: 'main' });
    assert.deepEqual(decision.launch[0]?.tasks[0]?.required_capabilities, ['build']);
    assert.equal(decision.launch[0]?.tasks[0]?.max_attempts, 3, 'task defaults are filled');
    assert.deepEqual(statuses(decision.state), { build: 'running', test: 'pending', lint: 'pending', deploy: 'pending', docs: 'running' });
    assert.equal(decision.state.steps[0]?.started_at, now.toISOString());
  });

  it('nothing changes while tasks run, or while a starting step has no task ids yet', () => {
    const run = runWith(pipeline(), { build: { status: 'running', task_ids: ['t1'] }, docs: { status: 'running' } });
    const decision = decideRun(pipeline(), run, tasks(['t1', 'in_progress']), now);
    assert.equal(decision.changed, false);
    assert.deepEqual(decision.launch, []);
  });

  it('a completed step hands its output on and starts its dependents in parallel', () => {
    const run = runWith(pipeline(), { build: { status: 'running', task_ids: ['t1'] }, docs: { status: 'completed' } });
    const decision = decideRun(pipeline(), run, tasks(['t1', 'completed', { artifact: 'app.tgz' }]), now);
    assert.deepEqual(decision.launch.map((l) => l.step), ['test', 'lint']);
    assert.deepEqual(decision.launch[0]?.tasks[0]?.payload, { artifact: 'app.tgz' });
    assert.deepEqual(decision.state.steps[0]?.output, { artifact: 'app.tgz' });
  });

  it('deploy receives outputs of test and build; the run completes when every step has', () => {
    const def = pipeline();
    const run = runWith(def, {
      build: { status: 'completed', output: { artifact: 'app.tgz' } },
      test: { status: 'running', task_ids: ['t2'] },
      lint: { status: 'completed' },
      docs: { status: 'completed' },
    });
    const started = decideRun(def, run, tasks(['t2', 'completed', { passed: 10 }]), now);
    assert.deepEqual(started.launch[0]?.tasks[0]?.payload, { artifact: 'app.tgz', tests: { passed: 10 } });
    const done = decideRun(def, { ...run, state: { ...started.state, steps: started.state.steps.map((s) => (s.name === 'deploy' ? { ...s, task_ids: ['t3'] } : s)) } }, tasks(['t2', 'completed'], ['t3', 'completed', 'shipped']), now);
    assert.equal(done.status, 'completed');
    assert.equal(done.state.finished_at, now.toISOString());
    assert.equal(done.state.steps.find((s) => s.name === 'deploy')?.output, 'shipped');
  });

  it('fan-out: the output is the array of branch results in branch order, once all branches complete', () => {
    const def = workflowDefinitionSchema.parse({
      name: 'review',
      steps: [{ name: 'review', title: 'Review', payload: { pr: 7, focus: 'all' }, fan_out: [{ required_capabilities: ['sec'], payload: { focus: 'security' } }, { title: 'Style pass', required_capabilities: ['style'] }] }],
    });
    const start = decideRun(def, runWith(def, {}), new Map(), now);
    const inputs = start.launch[0]?.tasks ?? [];
    assert.deepEqual(inputs.map((t) => [t.title, t.required_capabilities, t.payload]), [
      ['Review [1/2]', ['sec'], { pr: 7, focus: 'security' }],
      ['Style pass', ['style'], { pr: 7, focus: 'all' }],
    ]);
    const run = runWith(def, { review: { status: 'running', task_ids: ['s', 'y'] } });
    assert.equal(decideRun(def, run, tasks(['s', 'completed', 'sec ok'], ['y', 'in_progress']), now).changed, false);
    const done = decideRun(def, run, tasks(['s', 'completed', 'sec ok'], ['y', 'completed', 'style ok']), now);
    assert.deepEqual(done.state.steps[0]?.output, ['sec ok', 'style ok']);
    assert.equal(done.status, 'completed');
  });

  it('fan-out: one failed branch fails the step and cancels its siblings', () => {
    const def = workflowDefinitionSchema.parse({ name: 'r', failure_policy: 'continue', steps: [{ name: 'review', title: 'R', fan_out: [{}, {}, {}] }] });
    const run = runWith(def, { review: { status: 'running', task_ids: ['a', 'b', 'c'] } });
    const decision = decideRun(def, run, tasks(['a', 'completed'], ['b', 'dead_lettered'], ['c', 'assigned']), now);
    assert.equal(decision.state.steps[0]?.status, 'failed');
    assert.deepEqual(decision.state.steps[0]?.error, { message: 'task b ended dead_lettered', task_id: 'b', task_status: 'dead_lettered', task_error: null });
    assert.deepEqual(decision.cancel, ['c']);
    assert.equal(decision.status, 'failed');
  });

  const policies: { policy: 'fail_fast' | 'continue'; statuses: Record<string, string>; cancel: string[]; run: WorkflowRunStatus; launch: string[] }[] = [
    {
      policy: 'fail_fast',
      statuses: { build: 'completed', test: 'failed', lint: 'cancelled', deploy: 'skipped', docs: 'cancelled' },
      cancel: ['t-lint', 't-docs'],
      run: 'failed',
      launch: [],
    },
    {
      policy: 'continue',
      statuses: { build: 'completed', test: 'failed', lint: 'running', deploy: 'skipped', docs: 'running' },
      cancel: [],
      run: 'running',
      launch: [],
    },
  ];
  for (const row of policies) {
    it(`${row.policy}: a failed step`, () => {
      const def = pipeline(row.policy);
      const run = runWith(def, {
        build: { status: 'completed', output: { artifact: 'x' } },
        test: { status: 'running', task_ids: ['t-test'] },
        lint: { status: 'running', task_ids: ['t-lint'] },
        docs: { status: 'running', task_ids: ['t-docs'] },
      });
      const decision = decideRun(def, run, tasks(['t-test', 'failed'], ['t-lint', 'in_progress'], ['t-docs', 'queued']), now);
      assert.deepEqual(statuses(decision.state), row.statuses);
      assert.deepEqual(decision.cancel, row.cancel);
      assert.equal(decision.status, row.run);
      assert.deepEqual(decision.launch.map((l) => l.step), row.launch);
      assert.match(JSON.stringify(decision.state.steps.find((s) => s.name === 'deploy')?.error), /skipped/);
    });
  }

  it('continue: the run fails once the remaining independent steps finish', () => {
    const def = pipeline('continue');
    const run = runWith(def, {
      build: { status: 'completed' },
      test: { status: 'failed' },
      lint: { status: 'running', task_ids: ['l'] },
      deploy: { status: 'skipped' },
      docs: { status: 'running', task_ids: ['d'] },
    });
    const decision = decideRun(def, run, tasks(['l', 'completed'], ['d', 'completed']), now);
    assert.equal(decision.status, 'failed');
    assert.deepEqual(statuses(decision.state), { build: 'completed', test: 'failed', lint: 'completed', deploy: 'skipped', docs: 'completed' });
  });

  it('a reference to a missing output path fails the step with a message naming it', () => {
    const def = pipeline('continue');
    const run = runWith(def, { build: { status: 'running', task_ids: ['b'] }, docs: { status: 'completed' } });
    const decision = decideRun(def, run, tasks(['b', 'completed', { no_artifact: true }]), now);
    const test = decision.state.steps.find((s) => s.name === 'test');
    assert.equal(test?.status, 'failed');
    assert.match(JSON.stringify(test?.error), /steps.build.output.artifact.*has nothing at \\"artifact\\"/);
    assert.deepEqual(decision.launch.map((l) => l.step), ['lint'], 'continue keeps the independent step');
    assert.equal(decision.state.steps.find((s) => s.name === 'deploy')?.status, 'skipped');
  });

  it('a finished run is left alone', () => {
    const def = pipeline();
    const decision = decideRun(def, runWith(def, {}, 'cancelled'), new Map(), now);
    assert.equal(decision.changed, false);
  });
});

describe('workflow runs: cancelling and recording launches', () => {
  it('cancelRun stops unfinished steps and returns their unfinished tasks', () => {
    const def = pipeline();
    const run = runWith(def, { build: { status: 'completed' }, test: { status: 'running', task_ids: ['t', 'u'] }, lint: { status: 'running' } });
    const result = cancelRun(run, tasks(['t', 'in_progress'], ['u', 'completed']), now.toISOString(), 'stop');
    assert.equal(result.status, 'cancelled');
    assert.deepEqual(result.cancel, ['t']);
    assert.deepEqual(statuses(result.state), { build: 'completed', test: 'cancelled', lint: 'cancelled', deploy: 'cancelled', docs: 'cancelled' });
    assert.equal(cancelRun({ ...run, status: 'completed' }, new Map(), now.toISOString(), 'x').changed, false);
  });

  const launches: { name: string; runStatus: WorkflowRunStatus; stepStatus: 'running' | 'cancelled'; failure?: string; expect: { stepStatus: string; cancel: string[]; ids: string[] } }[] = [
    { name: 'records the ids of a step still starting', runStatus: 'running', stepStatus: 'running', expect: { stepStatus: 'running', cancel: [], ids: ['a', 'b'] } },
    { name: 'cancels tasks of a step stopped meanwhile', runStatus: 'failed', stepStatus: 'cancelled', expect: { stepStatus: 'cancelled', cancel: ['a', 'b'], ids: ['a', 'b'] } },
    { name: 'fails the step when creation failed part way', runStatus: 'running', stepStatus: 'running', failure: 'db down', expect: { stepStatus: 'failed', cancel: ['a', 'b'], ids: ['a', 'b'] } },
  ];
  for (const row of launches) {
    it(row.name, () => {
      const def = pipeline();
      const run = runWith(def, { build: { status: row.stepStatus } }, row.runStatus);
      const result = recordLaunch(run, 'build', ['a', 'b'], row.failure, now.toISOString());
      const build = result.state.steps[0];
      assert.equal(build?.status, row.expect.stepStatus);
      assert.deepEqual(result.cancel, row.expect.cancel);
      assert.deepEqual(build?.task_ids, row.expect.ids);
    });
  }

  it('never overwrites ids already recorded', () => {
    const def = pipeline();
    const run = runWith(def, { build: { status: 'running', task_ids: ['old'] } });
    const result = recordLaunch(run, 'build', ['new'], undefined, now.toISOString());
    assert.equal(result.changed, false);
    assert.deepEqual(result.cancel, ['new']);
  });

  it('a second launch that got the same tasks (idempotency keys) changes and cancels nothing', () => {
    const run = runWith(pipeline(), { build: { status: 'running', task_ids: ['a', 'b'] } });
    const result = recordLaunch(run, 'build', ['a', 'b'], undefined, now.toISOString());
    assert.deepEqual([result.changed, result.cancel], [false, []]);
  });

  it('a step without task ids long after it started is stalled, and is relaunched with its first inputs', () => {
    const def = pipeline();
    const first = decideRun(def, runWith(def, {}), new Map(), now);
    const run = { status: first.status, input: { ref: 'main' }, state: first.state };
    assert.deepEqual(stalledLaunches(run.state, now), []);
    assert.deepEqual(stalledLaunches(run.state, new Date(now.getTime() + 1)), ['build', 'docs']);
    assert.deepEqual(relaunch(def, run, ['build', 'docs']), first.launch);
    const recorded = recordLaunch(run, 'build', ['t1'], undefined, now.toISOString()).state;
    assert.deepEqual(stalledLaunches(recorded, new Date(now.getTime() + 1)), ['docs']);
  });
});
