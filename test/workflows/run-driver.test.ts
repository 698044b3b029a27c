import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/observability/logger.js';
import type { TaskRecord, WorkflowRecord, WorkflowRunRecord } from '../../src/storage/records.js';
import type { TaskStore, WorkflowStore } from '../../src/storage/stores.js';
import type { TaskService } from '../../src/tasks/task-service.js';
import { createRunDriver } from '../../src/workflows/workflow-run-driver.js';
import { initialRunState, parseRunState } from '../../src/workflows/workflow-run-state.js';
import { workflowDefinitionSchema } from '../../src/workflows/workflow-schemas.js';

const definition = workflowDefinitionSchema.parse({
  name: 'wf',
  steps: [
    { name: 'a', title: 'A' },
    { name: 'b', title: 'B', fan_out: [{}, {}] },
    { name: 'c', title: 'C', depends_on: ['a', 'b'], payload: '{{steps.b.output}}' },
  ],
});

/** In-memory stores with the same optimistic-version contract as the SQL ones. */
function fixture(options: { conflictsOnFirstWrites?: number } = {}) {
  const clock = createManualClock();
  const workflow: WorkflowRecord = { tenantId: 't', id: 'wf_1', name: 'wf', description: '', definition, createdAt: clock.now(), updatedAt: clock.now() };
  let run: WorkflowRunRecord = { tenantId: 't', id: 'run_1', workflowId: 'wf_1', status: 'running', input: null, steps: initialRunState(definition, 'key_1'), createdAt: clock.now(), updatedAt: clock.now(), version: 1 };
  const created: TaskRecord[] = [];
  let conflicts = options.conflictsOnFirstWrites ?? 0;
  let writes = 0;
  const workflows = {
    get: async (_t: string, id: string) => (id === workflow.id ? workflow : undefined),
    getRun: async () => structuredClone(run),
    async updateRun(_t: string, _id: string, expected: number, patch: { status?: WorkflowRunRecord['status']; steps?: unknown }) {
      await new Promise((r) => setImmediate(r));
      if (conflicts > 0) {
        conflicts--;
        run = { ...run, version: run.version + 1 }; // another process got there first
        return undefined;
      }
      if (expected !== run.version) return undefined;
      writes++;
      run = { ...run, ...patch, status: patch.status ?? run.status, steps: patch.steps ?? run.steps, version: run.version + 1 };
      return structuredClone(run);
    },
  } as unknown as WorkflowStore;
  const taskStore = { listByWorkflowRun: async () => created.map((t) => ({ ...t })) } as unknown as TaskStore;
  const cancelled: string[] = [];
  const tasks = {
    async create(_p: unknown, input: { title: string; payload?: unknown; workflow_step?: string }) {
      const task = { id: `task_${created.length + 1}`, title: input.title, payload: input.payload, status: 'queued', result: null, error: null, workflowStep: input.workflow_step } as unknown as TaskRecord;
      created.push(task);
      return task;
    },
    async cancel(_p: unknown, id: string) {
      cancelled.push(id);
    },
  } as unknown as TaskService;
  const driver = createRunDriver({ workflows, tasks, taskStore, clock, logger: createLogger('silent'), changed: () => undefined });
  const finish = (id: string, result: unknown) => Object.assign(created.find((t) => t.id === id) ?? assert.fail(id), { status: 'completed', result });
  return { driver, created, cancelled, finish, run: () => run, state: () => parseRunState(run.steps, run.id), writes: () => writes };
}

describe('workflow run driver', () => {
  it('starts ready steps once, records their task ids, and finishes the run', async () => {
    const f = fixture();
    await Promise.all([f.driver.advance('t', 'run_1'), f.driver.advance('t', 'run_1'), f.driver.advance('t', 'run_1')]);
    assert.deepEqual(f.created.map((t) => [t.id, t.workflowStep, t.title]), [
      ['task_1', 'a', 'A'],
      ['task_2', 'b', 'B [1/2]'],
      ['task_3', 'b', 'B [2/2]'],
    ]);
    assert.deepEqual(f.state().steps.map((s) => [s.name, s.status, s.task_ids]), [
      ['a', 'running', ['task_1']],
      ['b', 'running', ['task_2', 'task_3']],
      ['c', 'pending', []],
    ]);
    f.finish('task_1', 'a done');
    f.finish('task_3', 'b2');
    f.finish('task_2', 'b1');
    await f.driver.advance('t', 'run_1');
    assert.deepEqual(f.created[3]?.payload, ['b1', 'b2']);
    f.finish('task_4', 'c done');
    await f.driver.advance('t', 'run_1');
    assert.equal(f.run().status, 'completed');
    assert.equal(f.state().steps[2]?.output, 'c done');
  });

  it('retries a write that lost to another process, deciding again from the fresh run', async () => {
    const f = fixture({ conflictsOnFirstWrites: 3 });
    await f.driver.advance('t', 'run_1');
    assert.equal(f.created.length, 3, 'tasks are created once, after the winning write');
    assert.deepEqual(f.state().steps.map((s) => s.status), ['running', 'running', 'pending']);
  });

  it('fail_fast: a failed task cancels the run’s other unfinished tasks through the task service', async () => {
    const f = fixture();
    await f.driver.advance('t', 'run_1');
    f.finish('task_2', 'b1');
    Object.assign(f.created[0] ?? assert.fail('task_1'), { status: 'failed', error: { message: 'boom' } });
    await f.driver.advance('t', 'run_1');
    assert.equal(f.run().status, 'failed');
    assert.deepEqual(f.cancelled, ['task_3']);
    assert.deepEqual(f.state().steps.map((s) => s.status), ['failed', 'cancelled', 'skipped']);
  });
});
