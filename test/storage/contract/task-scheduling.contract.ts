import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newId } from '../../../src/lib/ids.js';
import type { TaskRecord } from '../../../src/storage/records.js';
import { at, commit, devMeshError, jsonSamples, newAgent, newTask, t0, type ContractContext } from './context.js';

/**
 * listQueued and listDue read every tenant. The suite shares one database, so these tests put their
 * tasks' times in 2001, before anything else the suite writes, and ask only about their own tenant.
 */
const early = new Date('2001-01-01T00:00:00.000Z');
const e = (ms: number) => new Date(early.getTime() + ms);
const ids = (tasks: TaskRecord[], tenantId: string) => tasks.filter((t) => t.tenantId === tenantId).map((t) => t.id);

export function defineTaskSchedulingContract(ctx: ContractContext): void {
  describe('TaskStore scheduling fields', () => {
    it('inserts and returns the scheduling fields with their types', async () => {
      const tenant = await ctx.newTenant();
      const task = await ctx.stores.tasks.insert(
        newTask(tenant.id, {
          strategy: 'cost_optimized', maxCost: 12.75, deadline: at(3_600_000), acceptTimeoutMs: 5_000,
          executionTimeoutMs: 600_000, workflowRunId: 'run_1', workflowStep: 'build',
        }),
        'a',
        t0,
      );
      assert.deepEqual(
        [task.strategy, task.maxCost, task.deadline, task.acceptTimeoutMs, task.executionTimeoutMs, task.workflowRunId, task.workflowStep],
        ['cost_optimized', 12.75, at(3_600_000), 5_000, 600_000, 'run_1', 'build'],
      );
      assert.deepEqual(
        [task.acceptDeadline, task.executionDeadline, task.notBefore, task.assignment, task.previousAgentIds, task.progress, task.assignedAt],
        [null, null, null, null, [], null, null],
      );
      assert.deepEqual(await ctx.stores.tasks.get(tenant.id, task.id), task);
      const plain = await ctx.stores.tasks.insert(newTask(tenant.id, { strategy: null, maxCost: null }), 'a', t0);
      assert.deepEqual([plain.strategy, plain.maxCost, plain.acceptTimeoutMs, plain.executionTimeoutMs], [null, null, 30_000, null]);
    });

    it('returns the first task for a repeated idempotency key, per tenant, and refuses the key for another request', async () => {
      const tenant = await ctx.newTenant();
      const other = await ctx.newTenant();
      const idempotency = { key: 'deploy-42', fingerprint: 'f1' };
      const first = await ctx.stores.tasks.insert(newTask(tenant.id, { idempotency }), 'a', t0);
      assert.equal(first.idempotencyKey, 'deploy-42');
      const again = await ctx.stores.tasks.insert(newTask(tenant.id, { idempotency, title: 'ignored' }), 'a', at(1));
      assert.deepEqual(again, first);
      // No second row, and no second 'created' event.
      assert.equal((await ctx.stores.tasks.events(tenant.id, first.id)).length, 1);
      const page = await ctx.stores.tasks.list(tenant.id, {}, { limit: 10 });
      assert.deepEqual(page.items.map((t) => t.id), [first.id]);
      // Keys are per tenant.
      const elsewhere = await ctx.stores.tasks.insert(newTask(other.id, { idempotency }), 'a', t0);
      assert.notEqual(elsewhere.id, first.id);
      await assert.rejects(
        ctx.stores.tasks.insert(newTask(tenant.id, { idempotency: { key: 'deploy-42', fingerprint: 'f2' } }), 'a', t0),
        devMeshError('conflict', new RegExp(`already used to create task ${first.id}`)),
      );
      // Concurrent creates with one key make one task.
      const racing = await Promise.all(
        Array.from({ length: 8 }, () => ctx.stores.tasks.insert(newTask(tenant.id, { idempotency: { key: 'race', fingerprint: 'r' } }), 'a', t0)),
      );
      assert.equal(new Set(racing.map((t) => t.id)).size, 1);
      const plain = await ctx.stores.tasks.insert(newTask(tenant.id), 'a', t0);
      assert.equal(plain.idempotencyKey, null);
    });

    it('rejects scheduling values the schema forbids', async () => {
      const tenant = await ctx.newTenant();
      await assert.rejects(ctx.stores.tasks.insert(newTask(tenant.id, { acceptTimeoutMs: 0 }), 'a', t0), /check constraint/);
      await assert.rejects(ctx.stores.tasks.insert(newTask(tenant.id, { executionTimeoutMs: -1 }), 'a', t0), /check constraint/);
      await assert.rejects(
        ctx.stores.tasks.insert(newTask(tenant.id, { strategy: 'fastest' as never }), 'a', t0),
        /check constraint/,
      );
    });

    it('round-trips any JSON value in progress and assignment', async () => {
      const tenant = await ctx.newTenant();
      const agent = await ctx.stores.agents.register(newAgent(tenant.id, { maxConcurrency: 100 }), t0);
      await ctx.stores.agents.setOnline(tenant.id, agent.id, 's', t0);
      for (const { label, value } of jsonSamples) {
        const task = await ctx.stores.tasks.insert(newTask(tenant.id), 'a', t0);
        const assigned = await ctx.stores.tasks.assign(tenant.id, task.id, commit(agent.id, at(1), value));
        assert.ok(assigned.applied);
        assert.deepEqual(assigned.task.assignment, value, `assignment: ${label}`);
        const moved = await ctx.stores.tasks.transition(tenant.id, task.id, {
          from: ['assigned'], to: 'in_progress', actor: 'a', reason: null, patch: { progress: value }, at: at(2),
        });
        assert.ok(moved.applied);
        assert.deepEqual((await ctx.stores.tasks.get(tenant.id, task.id))?.progress, value, `progress: ${label}`);
      }
    });

    it('lists the tasks active on an agent and the tasks of a workflow run, oldest first', async () => {
      const tenant = await ctx.newTenant();
      const agent = await ctx.stores.agents.register(newAgent(tenant.id, { maxConcurrency: 10 }), t0);
      await ctx.stores.agents.setOnline(tenant.id, agent.id, 's', t0);
      const runId = newId('run');
      const tasks = [];
      for (let i = 0; i < 4; i++) {
        tasks.push(await ctx.stores.tasks.insert(newTask(tenant.id, { workflowRunId: runId, workflowStep: `s${i}` }), 'a', at(i)));
      }
      await ctx.stores.tasks.insert(newTask(tenant.id, { workflowRunId: newId('run') }), 'a', t0);
      for (const task of tasks.slice(0, 3)) await ctx.stores.tasks.assign(tenant.id, task.id, commit(agent.id, at(10)));
      await ctx.stores.tasks.transition(tenant.id, tasks[1]!.id, { from: ['assigned'], to: 'in_progress', actor: 'a', reason: null, at: at(11) });
      await ctx.stores.tasks.transition(tenant.id, tasks[2]!.id, { from: ['assigned'], to: 'completed', actor: 'a', reason: null, at: at(12) });
      assert.deepEqual((await ctx.stores.tasks.listActiveForAgent(tenant.id, agent.id)).map((t) => t.id), [tasks[0]!.id, tasks[1]!.id]);
      assert.deepEqual(await ctx.stores.tasks.listActiveForAgent(tenant.id, newId('agent')), []);
      const ofRun = await ctx.stores.tasks.listByWorkflowRun(tenant.id, runId);
      assert.deepEqual(ofRun.map((t) => [t.id, t.workflowStep]), tasks.map((t, i) => [t.id, `s${i}`]));
      assert.deepEqual(await ctx.stores.tasks.listByWorkflowRun(tenant.id, newId('run')), []);
    });
  });

  describe('TaskStore.listQueued', () => {
    it('returns queued tasks of every tenant by priority, then age, limited', async () => {
      const [a, b] = [await ctx.newTenant(), await ctx.newTenant()];
      const low = await ctx.stores.tasks.insert(newTask(a.id, { priority: 'low' }), 'x', e(0));
      const normalOld = await ctx.stores.tasks.insert(newTask(b.id, { priority: 'normal' }), 'x', e(1));
      const critical = await ctx.stores.tasks.insert(newTask(a.id, { priority: 'critical' }), 'x', e(5));
      const normalNew = await ctx.stores.tasks.insert(newTask(a.id, { priority: 'normal' }), 'x', e(2));
      const high = await ctx.stores.tasks.insert(newTask(b.id, { priority: 'high' }), 'x', e(3));
      await ctx.stores.tasks.insert(newTask(a.id, { priority: 'critical', status: 'pending' }), 'x', e(0));
      const all = await ctx.stores.tasks.listQueued(100_000);
      const mine = all.filter((t) => t.tenantId === a.id || t.tenantId === b.id).map((t) => t.id);
      assert.deepEqual(mine, [critical.id, high.id, normalOld.id, normalNew.id, low.id]);
      assert.ok(all.every((t) => t.status === 'queued'));
      const firstTwo = await ctx.stores.tasks.listQueued(2);
      assert.deepEqual(firstTwo.map((t) => t.id), [critical.id, high.id], 'critical from 2001 comes before anything else');
      await assert.rejects(ctx.stores.tasks.listQueued(0), devMeshError('invalid_argument'));
    });
  });

  describe('TaskStore.listDue', () => {
    it('finds each kind of expired timer at its time and not before, oldest first, limited per kind', async () => {
      const tenant = await ctx.newTenant();
      const agent = await ctx.stores.agents.register(newAgent(tenant.id, { maxConcurrency: 10 }), e(0));
      await ctx.stores.agents.setOnline(tenant.id, agent.id, 's', e(0));
      const insert = (over: Parameters<typeof newTask>[1] = {}) => ctx.stores.tasks.insert(newTask(tenant.id, over), 'x', e(0));
      // accept: assigned with accept deadlines at +30 s and +20 s
      const accept1 = await insert();
      await ctx.stores.tasks.assign(tenant.id, accept1.id, { ...commit(agent.id, e(0)), acceptDeadline: e(30_000) });
      const accept2 = await insert();
      await ctx.stores.tasks.assign(tenant.id, accept2.id, { ...commit(agent.id, e(0)), acceptDeadline: e(20_000) });
      // execution: in progress with an execution deadline at +40 s
      const exec = await insert();
      await ctx.stores.tasks.assign(tenant.id, exec.id, commit(agent.id, e(0)));
      await ctx.stores.tasks.transition(tenant.id, exec.id, {
        from: ['assigned'], to: 'in_progress', actor: 'x', reason: null, patch: { acceptDeadline: null, executionDeadline: e(40_000) }, at: e(1),
      });
      // backoff: queued with not_before at +50 s (and a queued one without)
      const backoff = await insert();
      await ctx.stores.tasks.transition(tenant.id, backoff.id, { from: ['queued'], to: 'queued', actor: 'x', reason: 'retry', patch: { notBefore: e(50_000) }, at: e(1) });
      await insert();
      // deadline: at +60 s, and one already terminal that must never show
      const deadline = await insert({ deadline: e(60_000) });
      const done = await insert({ deadline: e(10_000) });
      await ctx.stores.tasks.transition(tenant.id, done.id, { from: ['queued'], to: 'completed', actor: 'x', reason: null, at: e(1) });

      const due = async (ms: number, limit = 100) => {
        const found = await ctx.stores.tasks.listDue(e(ms), limit);
        return {
          acceptExpired: ids(found.acceptExpired, tenant.id), executionExpired: ids(found.executionExpired, tenant.id),
          backoffOver: ids(found.backoffOver, tenant.id), deadlinePassed: ids(found.deadlinePassed, tenant.id),
        };
      };
      const none = { acceptExpired: [], executionExpired: [], backoffOver: [], deadlinePassed: [] };
      assert.deepEqual(await due(19_999), none);
      assert.deepEqual(await due(20_000), { ...none, acceptExpired: [accept2.id] });
      assert.deepEqual(await due(30_000), { ...none, acceptExpired: [accept2.id, accept1.id] });
      assert.deepEqual(await due(39_999), { ...none, acceptExpired: [accept2.id, accept1.id] });
      assert.deepEqual(await due(40_000), { ...none, acceptExpired: [accept2.id, accept1.id], executionExpired: [exec.id] });
      assert.deepEqual((await due(50_000)).backoffOver, [backoff.id]);
      assert.deepEqual((await due(59_999)).deadlinePassed, []);
      assert.deepEqual(await due(60_000), {
        acceptExpired: [accept2.id, accept1.id], executionExpired: [exec.id], backoffOver: [backoff.id], deadlinePassed: [deadline.id],
      });
      assert.deepEqual(await due(60_000, 1), {
        acceptExpired: [accept2.id], executionExpired: [exec.id], backoffOver: [backoff.id], deadlinePassed: [deadline.id],
      });
      const full = await ctx.stores.tasks.listDue(e(60_000), 100);
      assert.deepEqual(full.acceptExpired.find((t) => t.id === accept2.id), await ctx.stores.tasks.get(tenant.id, accept2.id), 'whole records');
      await assert.rejects(ctx.stores.tasks.listDue(e(0), 0), devMeshError('invalid_argument'));
    });
  });
}
