import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentRegistration } from '../../../src/storage/stores.js';
import { inFlightOf, registerOnline } from './assign.contract.js';
import { at, commit, newTask, t0, type ContractContext } from './context.js';

/** TaskStore.transition keeps the assigned agent's in_flight in step when a task leaves assigned/in_progress. */
export function defineInFlightContract(ctx: ContractContext): void {
  const onlineAgent = (tenantId: string, over: Partial<AgentRegistration> = {}) => registerOnline(ctx, tenantId, over);
  const inFlight = (tenantId: string, agentId: string) => inFlightOf(ctx, tenantId, agentId);

  describe('TaskStore.transition and in_flight', () => {
    it('cancelling an assigned task frees its agent; assigned -> in_progress keeps it', async () => {
      const tenant = await ctx.newTenant();
      const agent = await onlineAgent(tenant.id);
      const [a, b] = await Promise.all([1, 2].map(() => ctx.stores.tasks.insert(newTask(tenant.id), 'x', t0)));
      await ctx.stores.tasks.assign(tenant.id, a!.id, commit(agent.id, at(1)));
      await ctx.stores.tasks.assign(tenant.id, b!.id, commit(agent.id, at(1)));
      assert.equal(await inFlight(tenant.id, agent.id), 2);
      await ctx.stores.tasks.transition(tenant.id, a!.id, { from: ['assigned'], to: 'in_progress', actor: 'x', reason: null, at: at(2) });
      assert.equal(await inFlight(tenant.id, agent.id), 2);
      const cancelled = await ctx.stores.tasks.transition(tenant.id, b!.id, { from: ['assigned', 'in_progress'], to: 'cancelled', actor: 'x', reason: 'user', at: at(3) });
      assert.ok(cancelled.applied);
      assert.equal(await inFlight(tenant.id, agent.id), 1);
      assert.deepEqual((await ctx.stores.tasks.listActiveForAgent(tenant.id, agent.id)).map((t) => t.id), [a!.id]);
    });

    it('10 concurrent completes of an in-progress task decrement in_flight exactly once', async () => {
      const tenant = await ctx.newTenant();
      const agent = await onlineAgent(tenant.id, { maxConcurrency: 5 });
      const tasks = await Promise.all([1, 2].map(() => ctx.stores.tasks.insert(newTask(tenant.id), 'x', t0)));
      for (const task of tasks) {
        await ctx.stores.tasks.assign(tenant.id, task.id, commit(agent.id, at(1)));
        await ctx.stores.tasks.transition(tenant.id, task.id, { from: ['assigned'], to: 'in_progress', actor: 'x', reason: null, at: at(2) });
      }
      const target = tasks[0]!;
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          ctx.stores.tasks.transition(tenant.id, target.id, {
            from: ['in_progress'], to: i % 2 ? 'completed' : 'failed', actor: agent.id, reason: null, at: at(10 + i),
          }),
        ),
      );
      assert.equal(outcomes.filter((o) => o.applied).length, 1);
      assert.equal(await inFlight(tenant.id, agent.id), 1);
    });

    it('moves within assigned/in_progress and moves of unassigned tasks leave in_flight alone; it never goes below 0', async () => {
      const tenant = await ctx.newTenant();
      const agent = await onlineAgent(tenant.id);
      const viaPatch = await ctx.stores.tasks.insert(newTask(tenant.id), 'x', t0);
      const assigned = await ctx.stores.tasks.transition(tenant.id, viaPatch.id, {
        from: ['queued'], to: 'assigned', actor: 'x', reason: null, patch: { assignedAgentId: agent.id }, at: at(1),
      });
      assert.ok(assigned.applied);
      assert.equal(assigned.task.assignedAgentId, agent.id);
      assert.equal(await inFlight(tenant.id, agent.id), 0, 'only assign() increments');
      await ctx.stores.tasks.transition(tenant.id, viaPatch.id, { from: ['assigned'], to: 'failed', actor: 'x', reason: null, at: at(2) });
      assert.equal(await inFlight(tenant.id, agent.id), 0);
      const plain = await ctx.stores.tasks.insert(newTask(tenant.id), 'x', t0);
      await ctx.stores.tasks.assign(tenant.id, plain.id, commit(agent.id, at(3)));
      const other = await ctx.stores.tasks.insert(newTask(tenant.id), 'x', t0);
      await ctx.stores.tasks.transition(tenant.id, other.id, { from: ['queued'], to: 'cancelled', actor: 'x', reason: null, at: at(4) });
      assert.equal(await inFlight(tenant.id, agent.id), 1);
    });

    it('requeue with backoff, then re-assign to another agent: attempts 2, previous agents kept', async () => {
      const tenant = await ctx.newTenant();
      const first = await onlineAgent(tenant.id);
      const second = await onlineAgent(tenant.id);
      const task = await ctx.stores.tasks.insert(newTask(tenant.id, { executionTimeoutMs: 60_000 }), 'x', t0);
      await ctx.stores.tasks.assign(tenant.id, task.id, commit(first.id, at(1_000)));
      const started = await ctx.stores.tasks.transition(tenant.id, task.id, {
        from: ['assigned'], to: 'in_progress', actor: first.id, reason: 'accepted',
        patch: { acceptDeadline: null, executionDeadline: at(61_000), progress: { percent: 10 } }, at: at(1_000),
      });
      assert.ok(started.applied);
      assert.deepEqual([started.task.acceptDeadline, started.task.executionDeadline, started.task.progress], [null, at(61_000), { percent: 10 }]);
      const requeued = await ctx.stores.tasks.transition(tenant.id, task.id, {
        from: ['in_progress'], to: 'queued', actor: 'sweeper', reason: 'agent_failed',
        patch: { assignedAgentId: null, executionDeadline: null, notBefore: at(5_000), appendPreviousAgentId: first.id, progress: null, error: { message: 'crashed' } },
        at: at(2_000),
      });
      assert.ok(requeued.applied);
      assert.deepEqual(
        [requeued.task.status, requeued.task.assignedAgentId, requeued.task.notBefore, requeued.task.previousAgentIds, requeued.task.progress, requeued.task.executionDeadline],
        ['queued', null, at(5_000), [first.id], null, null],
      );
      assert.equal(await inFlight(tenant.id, first.id), 0);
      const again = await ctx.stores.tasks.assign(tenant.id, task.id, commit(second.id, at(6_000)));
      assert.ok(again.applied);
      assert.deepEqual(
        [again.task.attempts, again.task.assignedAgentId, again.task.notBefore, again.task.previousAgentIds, again.task.acceptDeadline],
        [2, second.id, null, [first.id], at(36_000)],
      );
      assert.equal(await inFlight(tenant.id, second.id), 1);
      const appended = await ctx.stores.tasks.transition(tenant.id, task.id, {
        from: ['assigned'], to: 'timed_out', actor: 'sweeper', reason: 'accept_timeout', patch: { appendPreviousAgentId: second.id }, at: at(40_000),
      });
      assert.ok(appended.applied);
      assert.deepEqual(appended.task.previousAgentIds, [first.id, second.id]);
      assert.equal(await inFlight(tenant.id, second.id), 0);
      const events = await ctx.stores.tasks.events(tenant.id, task.id);
      assert.deepEqual(events.map((e) => e.reason), ['created', 'assigned', 'accepted', 'agent_failed', 'assigned', 'accept_timeout']);
    });
  });
}
