import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newId } from '../../../src/lib/ids.js';
import type { WorkflowRecord } from '../../../src/storage/records.js';
import { at, devMeshError, jsonSamples, t0, type ContractContext } from './context.js';

export const definition = {
  steps: [
    { name: 'build', type: 'build', dependsOn: [] },
    { name: 'deploy', type: 'deploy', dependsOn: ['build'] },
  ],
  onFailure: 'stop',
};

export function newWorkflow(tenantId: string, over: Partial<WorkflowRecord> = {}) {
  return { tenantId, id: newId('wf'), name: newId('pipeline'), description: 'Build then deploy', definition, ...over };
}

export function defineWorkflowContract(ctx: ContractContext): void {
  describe('TenantSettingsStore', () => {
    it("defaults to 'auto' and keeps the last strategy set", async () => {
      const tenant = await ctx.newTenant();
      assert.deepEqual(await ctx.stores.tenantSettings.get(tenant.id), { defaultStrategy: 'auto' });
      await ctx.stores.tenantSettings.setDefaultStrategy(tenant.id, 'least_loaded', at(1));
      assert.deepEqual(await ctx.stores.tenantSettings.get(tenant.id), { defaultStrategy: 'least_loaded' });
      await ctx.stores.tenantSettings.setDefaultStrategy(tenant.id, 'performance_based', at(2));
      assert.deepEqual(await ctx.stores.tenantSettings.get(tenant.id), { defaultStrategy: 'performance_based' });
      assert.deepEqual(await ctx.stores.tenantSettings.get(newId('tenant')), { defaultStrategy: 'auto' });
    });
  });

  describe('WorkflowStore', () => {
    it('creates a workflow and finds it by id and by name', async () => {
      const tenant = await ctx.newTenant();
      const input = newWorkflow(tenant.id);
      const workflow = await ctx.stores.workflows.create(input, t0);
      assert.deepEqual(workflow, { ...input, createdAt: t0, updatedAt: t0 });
      assert.deepEqual(await ctx.stores.workflows.get(tenant.id, input.id), workflow);
      assert.deepEqual(await ctx.stores.workflows.getByName(tenant.id, input.name), workflow);
      assert.equal(await ctx.stores.workflows.get(tenant.id, newId('wf')), undefined);
      assert.equal(await ctx.stores.workflows.getByName(tenant.id, 'nope'), undefined);
    });

    it('rejects a taken name (or id) in the tenant with conflict; another tenant may use the name', async () => {
      const [a, b] = [await ctx.newTenant(), await ctx.newTenant()];
      const first = await ctx.stores.workflows.create(newWorkflow(a.id), t0);
      await assert.rejects(ctx.stores.workflows.create(newWorkflow(a.id, { name: first.name }), t0), devMeshError('conflict'));
      await assert.rejects(ctx.stores.workflows.create(newWorkflow(a.id, { id: first.id }), t0), devMeshError('conflict'));
      const twin = await ctx.stores.workflows.create(newWorkflow(b.id, { id: first.id, name: first.name }), t0);
      assert.equal(twin.tenantId, b.id);
    });

    it('lists newest first with keyset pages', async () => {
      const tenant = await ctx.newTenant();
      const made = [];
      for (let i = 0; i < 5; i++) made.push(await ctx.stores.workflows.create(newWorkflow(tenant.id), at(i % 3)));
      const expected = [...made].sort((x, y) => y.createdAt.getTime() - x.createdAt.getTime() || (x.id < y.id ? 1 : -1));
      const seen: string[] = [];
      let after: { createdAt: Date; id: string } | undefined;
      do {
        const p = await ctx.stores.workflows.list(tenant.id, { limit: 2, ...(after ? { after } : {}) });
        seen.push(...p.items.map((w) => w.id));
        after = p.next;
      } while (after);
      assert.deepEqual(seen, expected.map((w) => w.id));
      await assert.rejects(ctx.stores.workflows.list(tenant.id, { limit: 0 }), devMeshError('invalid_argument'));
    });

    it('creates runs of an existing workflow only', async () => {
      const tenant = await ctx.newTenant();
      const workflow = await ctx.stores.workflows.create(newWorkflow(tenant.id), t0);
      const input = { tenantId: tenant.id, id: newId('run'), workflowId: workflow.id, status: 'running' as const, input: { ref: 'main' }, steps: {} };
      const run = await ctx.stores.workflows.createRun(input, at(1));
      assert.deepEqual(run, { ...input, createdAt: at(1), updatedAt: at(1), version: 1 });
      assert.deepEqual(await ctx.stores.workflows.getRun(tenant.id, run.id), run);
      assert.equal(await ctx.stores.workflows.getRun(tenant.id, newId('run')), undefined);
      await assert.rejects(ctx.stores.workflows.createRun({ ...input, id: newId('run'), workflowId: newId('wf') }, at(1)), devMeshError('not_found'));
      await assert.rejects(ctx.stores.workflows.createRun(input, at(1)), devMeshError('conflict'));
    });

    it('round-trips any JSON value in definition, input and steps', async () => {
      const tenant = await ctx.newTenant();
      for (const { label, value } of jsonSamples) {
        const workflow = await ctx.stores.workflows.create(newWorkflow(tenant.id, { definition: value }), t0);
        assert.deepEqual((await ctx.stores.workflows.get(tenant.id, workflow.id))?.definition, value, `definition: ${label}`);
        const run = await ctx.stores.workflows.createRun(
          { tenantId: tenant.id, id: newId('run'), workflowId: workflow.id, status: 'running', input: value, steps: value }, t0,
        );
        const stored = await ctx.stores.workflows.getRun(tenant.id, run.id);
        assert.deepEqual([stored?.input, stored?.steps], [value, value], `input/steps: ${label}`);
      }
    });

    it('lists runs newest first, filtered by workflow and status, with keyset pages', async () => {
      const tenant = await ctx.newTenant();
      const [w1, w2] = [await ctx.stores.workflows.create(newWorkflow(tenant.id), t0), await ctx.stores.workflows.create(newWorkflow(tenant.id), t0)];
      const run = (workflowId: string, ms: number) =>
        ctx.stores.workflows.createRun({ tenantId: tenant.id, id: newId('run'), workflowId, status: 'running', input: null, steps: {} }, at(ms));
      const r1 = await run(w1.id, 1);
      const r2 = await run(w2.id, 2);
      const r3 = await run(w1.id, 3);
      const r4 = await run(w1.id, 4);
      await ctx.stores.workflows.updateRun(tenant.id, r3.id, 1, { status: 'failed' }, at(5));
      const list = async (filter: Parameters<typeof ctx.stores.workflows.listRuns>[1]) =>
        (await ctx.stores.workflows.listRuns(tenant.id, filter, { limit: 10 })).items.map((r) => r.id);
      assert.deepEqual(await list({}), [r4.id, r3.id, r2.id, r1.id]);
      assert.deepEqual(await list({ workflowId: w1.id }), [r4.id, r3.id, r1.id]);
      assert.deepEqual(await list({ status: ['running'] }), [r4.id, r2.id, r1.id]);
      assert.deepEqual(await list({ workflowId: w1.id, status: ['failed', 'completed'] }), [r3.id]);
      assert.deepEqual(await list({ status: [] }), []);
      const first = await ctx.stores.workflows.listRuns(tenant.id, {}, { limit: 3 });
      assert.deepEqual(first.next, { createdAt: at(2), id: r2.id });
      const second = await ctx.stores.workflows.listRuns(tenant.id, {}, { limit: 3, after: first.next });
      assert.deepEqual([second.items.map((r) => r.id), second.next], [[r1.id], undefined]);
    });

    it('updates a run optimistically on its version', async () => {
      const tenant = await ctx.newTenant();
      const workflow = await ctx.stores.workflows.create(newWorkflow(tenant.id), t0);
      const run = await ctx.stores.workflows.createRun(
        { tenantId: tenant.id, id: newId('run'), workflowId: workflow.id, status: 'running', input: null, steps: { build: { state: 'pending' } } }, t0,
      );
      const steps = { build: { state: 'done', output: { image: 'x' } } };
      const updated = await ctx.stores.workflows.updateRun(tenant.id, run.id, 1, { steps }, at(1));
      assert.deepEqual(updated, { ...run, steps, version: 2, updatedAt: at(1) });
      assert.equal(await ctx.stores.workflows.updateRun(tenant.id, run.id, 1, { status: 'failed' }, at(2)), undefined, 'stale version');
      const done = await ctx.stores.workflows.updateRun(tenant.id, run.id, 2, { status: 'completed' }, at(3));
      assert.deepEqual(done, { ...run, steps, status: 'completed', version: 3, updatedAt: at(3) });
      assert.deepEqual(await ctx.stores.workflows.getRun(tenant.id, run.id), done);
      assert.equal(await ctx.stores.workflows.updateRun(tenant.id, newId('run'), 1, { status: 'failed' }, at(4)), undefined);
      const racers = await Promise.all(
        Array.from({ length: 5 }, (_, i) => ctx.stores.workflows.updateRun(tenant.id, run.id, 3, { steps: { n: i } }, at(10 + i))),
      );
      assert.equal(racers.filter((r) => r !== undefined).length, 1);
    });
  });
}
