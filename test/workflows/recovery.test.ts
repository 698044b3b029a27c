import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createManualClock } from '../../src/lib/clock.js';
import { newId } from '../../src/lib/ids.js';
import { createMemoryEventBus } from '../../src/queue/memory-event-bus.js';
import { createStores } from '../../src/storage/queries/index.js';
import type { Stores, WorkflowStore } from '../../src/storage/stores.js';
import { createTaskService } from '../../src/tasks/task-service.js';
import type { Principal } from '../../src/tenancy/principal.js';
import { createWorkflowService } from '../../src/workflows/workflow-engine.js';
import { workflowDefinitionSchema } from '../../src/workflows/workflow-schemas.js';
import { openTestPglite, type TestPglite } from '../helpers/databases.js';

/**
 * A process that dies between starting a step (first write) and recording its tasks (second write)
 * leaves the step running with no task ids. The recovery sweep launches it again; the tasks'
 * idempotency keys make that create nothing twice. Real stores (PGlite), real task service.
 */
describe('workflow recovery', () => {
  let db: TestPglite;
  let stores: Stores;
  // Far from every other test's times: the sweep reads every tenant.
  const clock = createManualClock(new Date('2032-01-01T00:00:00Z'));
  const logger = pino({ level: 'silent' });
  const definition = workflowDefinitionSchema.parse({
    name: 'release',
    steps: [
      { name: 'build', title: 'Build {{input.ref}}', fan_out: [{ payload: { arch: 'amd64' } }, { payload: { arch: 'arm64' } }] },
      { name: 'deploy', title: 'Deploy', depends_on: ['build'], payload: { builds: '{{steps.build.output}}' } },
    ],
  });

  before(async () => {
    db = await openTestPglite();
    stores = createStores(db.sql);
  });
  after(async () => {
    await db.cleanup();
  });

  it('launches a step again after a crash mid-launch, creating no task twice, and the run goes on', async () => {
    const tenant = await stores.tenants.create({ id: newId('tnt'), name: newId('t') });
    const principal: Principal = { tenantId: tenant.id, tenantName: '', apiKeyId: 'key_1', role: 'agent' };
    const tasks = createTaskService({ tasks: stores.tasks, announce: () => undefined, clock });
    let dying = true;
    let writes = 0;
    // The second run write is the one that records the step's task ids: the process "dies" there.
    const crashingWorkflows: WorkflowStore = {
      ...stores.workflows,
      updateRun: async (...args) => {
        if (dying && ++writes === 2) throw new Error('process died');
        return stores.workflows.updateRun(...args);
      },
    };
    const deps = { tasks, taskStore: stores.tasks, clock, bus: createMemoryEventBus(), logger, launchStallMs: 30_000 };
    const crashed = createWorkflowService({ ...deps, workflows: crashingWorkflows });
    await crashed.create(principal, definition);
    const started = await crashed.execute(principal, 'release', { ref: 'v1.2' });
    const runTasks = () => stores.tasks.listByWorkflowRun(tenant.id, started.id);
    const orphans = await runTasks();
    assert.equal(orphans.length, 2, 'both build tasks were created before the crash');
    const stuck = await stores.workflows.getRun(tenant.id, started.id);
    assert.deepEqual((stuck?.steps as { steps: { name: string; status: string; task_ids: string[] }[] }).steps[0], {
      ...(stuck?.steps as { steps: object[] }).steps[0],
      status: 'running',
      task_ids: [],
    });

    // Another process (a fresh service on the same database) sweeps. Too early: nothing happens.
    dying = false;
    const survivor = createWorkflowService({ ...deps, workflows: stores.workflows });
    clock.advance(20_000);
    assert.equal(await survivor.recoverIdleRuns(10_000), 1);
    assert.deepEqual((await survivor.status(principal, started.id)).steps.find((s) => s.name === 'build')?.task_ids, []);

    clock.advance(20_000);
    assert.equal(await survivor.recoverIdleRuns(10_000), 1);
    const recovered = await survivor.status(principal, started.id);
    const build = recovered.steps.find((s) => s.name === 'build');
    assert.deepEqual([...(build?.task_ids ?? [])].sort(), orphans.map((t) => t.id).sort(), 'the tasks created before the crash, recorded');
    assert.equal((await runTasks()).length, 2, 'no task created twice');

    // The build tasks complete: the run moves on to deploy with their outputs.
    for (const task of orphans) {
      const outcome = await stores.tasks.transition(tenant.id, task.id, {
        from: ['queued'],
        to: 'completed',
        actor: 'test',
        reason: 'done',
        patch: { result: { image: String((task.payload as { arch: string }).arch) } },
        at: clock.now(),
      });
      assert.ok(outcome.applied);
    }
    clock.advance(20_000);
    await survivor.recoverIdleRuns(10_000);
    const all = await runTasks();
    const deploy = all.find((t) => t.workflowStep === 'deploy');
    assert.ok(deploy, 'deploy launched by the sweep (no task event reached this service)');
    assert.equal(deploy.idempotencyKey, `workflow:${started.id}:deploy:0`);
    assert.deepEqual((deploy.payload as { builds: unknown[] }).builds.length, 2);
  });
});
