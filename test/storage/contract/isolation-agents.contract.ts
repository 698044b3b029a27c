import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { newId } from '../../../src/lib/ids.js';
import type { AgentRecord, TaskRecord, TenantRecord, WorkflowRecord, WorkflowRunRecord } from '../../../src/storage/records.js';
import { at, commit, devMeshError, newAgent, newTask, t0, type ContractContext } from './context.js';
import { newWorkflow } from './workflow.contract.js';

/** The agent, assignment, settings and workflow paths, tried by tenant B on tenant A's rows. */
export function defineAgentIsolationContract(ctx: ContractContext): void {
  describe('tenant isolation: agents, assignment, settings, workflows', () => {
    let a: TenantRecord;
    let b: TenantRecord;
    let agentA: AgentRecord;
    let taskA: TaskRecord;
    let workflowA: WorkflowRecord;
    let runA: WorkflowRunRecord;

    before(async () => {
      a = await ctx.newTenant();
      b = await ctx.newTenant();
      const registered = await ctx.stores.agents.register(newAgent(a.id, { maxConcurrency: 5 }), t0);
      await ctx.stores.agents.setOnline(a.id, registered.id, 'sess_a', t0);
      workflowA = await ctx.stores.workflows.create(newWorkflow(a.id), t0);
      runA = await ctx.stores.workflows.createRun(
        { tenantId: a.id, id: newId('run'), workflowId: workflowA.id, status: 'running', input: null, steps: {} }, t0,
      );
      const active = await ctx.stores.tasks.insert(newTask(a.id, { workflowRunId: runA.id }), 'a', t0);
      const assigned = await ctx.stores.tasks.assign(a.id, active.id, commit(registered.id, at(1)));
      assert.ok(assigned.applied);
      agentA = assigned.agent;
      taskA = await ctx.stores.tasks.insert(newTask(a.id, { workflowRunId: runA.id }), 'a', t0);
      await ctx.stores.tenantSettings.setDefaultStrategy(a.id, 'round_robin', t0);
    });

    const agentUnchanged = async () => assert.deepEqual(await ctx.stores.agents.get(a.id, agentA.id), agentA);

    it('agents: get, list, setOnline, setOffline, touch, saveHealth, delete', async () => {
      assert.equal(await ctx.stores.agents.get(b.id, agentA.id), undefined);
      assert.deepEqual(await ctx.stores.agents.list(b.id, {}, { limit: 100 }), { items: [], next: undefined });
      assert.equal(await ctx.stores.agents.setOnline(b.id, agentA.id, 'sess_b', at(2)), undefined);
      assert.equal(await ctx.stores.agents.setOffline(b.id, agentA.id, 'sess_a', at(2)), undefined);
      await ctx.stores.agents.touch(b.id, agentA.id, at(99_000));
      const health = { breaker: { state: 'open' as const, failures: [1], openedAt: 1, probesInFlight: 0 }, stats: agentA.stats };
      assert.equal(await ctx.stores.agents.saveHealth(b.id, agentA.id, health, at(2)), undefined);
      assert.equal(await ctx.stores.agents.delete(b.id, agentA.id), false);
      await agentUnchanged();
    });

    it('agents: the same id in two tenants is two agents', async () => {
      const twin = await ctx.stores.agents.register(newAgent(b.id, { id: agentA.id, name: 'B agent' }), at(3));
      assert.deepEqual([twin.tenantId, twin.name, twin.inFlight, twin.status], [b.id, 'B agent', 0, 'offline']);
      await ctx.stores.agents.setOnline(b.id, agentA.id, 'sess_b', at(4));
      assert.equal(await ctx.stores.agents.delete(b.id, agentA.id), true);
      await agentUnchanged();
    });

    it("assign: B cannot assign A's task, nor its own task to A's agent", async () => {
      const stolen = await ctx.stores.tasks.assign(b.id, taskA.id, commit(agentA.id, at(5)));
      assert.deepEqual(stolen, { applied: false, reason: 'task_not_assignable', current: undefined });
      const ownTask = await ctx.stores.tasks.insert(newTask(b.id), 'b', t0);
      const borrowed = await ctx.stores.tasks.assign(b.id, ownTask.id, commit(agentA.id, at(5)));
      assert.deepEqual(borrowed, { applied: false, reason: 'agent_unavailable', agent: undefined });
      assert.equal((await ctx.stores.tasks.get(b.id, ownTask.id))?.status, 'queued');
      assert.equal((await ctx.stores.tasks.get(a.id, taskA.id))?.status, 'queued');
      await agentUnchanged();
    });

    it("transition: B's task naming A's agent does not touch A's agent", async () => {
      const ownTask = await ctx.stores.tasks.insert(newTask(b.id), 'b', t0);
      await ctx.stores.tasks.transition(b.id, ownTask.id, { from: ['queued'], to: 'assigned', actor: 'b', reason: null, patch: { assignedAgentId: agentA.id }, at: at(6) });
      await ctx.stores.tasks.transition(b.id, ownTask.id, { from: ['assigned'], to: 'cancelled', actor: 'b', reason: null, at: at(7) });
      await agentUnchanged();
    });

    it('tasks: listActiveForAgent and listByWorkflowRun', async () => {
      assert.deepEqual(await ctx.stores.tasks.listActiveForAgent(b.id, agentA.id), []);
      assert.deepEqual(await ctx.stores.tasks.listByWorkflowRun(b.id, runA.id), []);
      assert.equal((await ctx.stores.tasks.listActiveForAgent(a.id, agentA.id)).length, 1);
      assert.equal((await ctx.stores.tasks.listByWorkflowRun(a.id, runA.id)).length, 2);
    });

    it('tenant settings: each tenant has its own', async () => {
      assert.deepEqual(await ctx.stores.tenantSettings.get(b.id), { defaultStrategy: 'auto' });
      await ctx.stores.tenantSettings.setDefaultStrategy(b.id, 'cost_optimized', at(8));
      assert.deepEqual(await ctx.stores.tenantSettings.get(a.id), { defaultStrategy: 'round_robin' });
    });

    it('workflows: get, getByName, list, createRun, getRun, listRuns, updateRun', async () => {
      assert.equal(await ctx.stores.workflows.get(b.id, workflowA.id), undefined);
      assert.equal(await ctx.stores.workflows.getByName(b.id, workflowA.name), undefined);
      assert.deepEqual(await ctx.stores.workflows.list(b.id, { limit: 100 }), { items: [], next: undefined });
      await assert.rejects(
        ctx.stores.workflows.createRun({ tenantId: b.id, id: newId('run'), workflowId: workflowA.id, status: 'running', input: null, steps: {} }, at(9)),
        devMeshError('not_found'),
      );
      assert.equal(await ctx.stores.workflows.getRun(b.id, runA.id), undefined);
      assert.deepEqual(await ctx.stores.workflows.listRuns(b.id, {}, { limit: 100 }), { items: [], next: undefined });
      assert.deepEqual((await ctx.stores.workflows.listRuns(b.id, { workflowId: workflowA.id }, { limit: 100 })).items, []);
      assert.equal(await ctx.stores.workflows.updateRun(b.id, runA.id, runA.version, { status: 'cancelled' }, at(9)), undefined);
      assert.deepEqual(await ctx.stores.workflows.getRun(a.id, runA.id), runA);
      assert.deepEqual(await ctx.stores.workflows.get(a.id, workflowA.id), workflowA);
    });
  });
}
