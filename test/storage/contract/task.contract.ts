import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newId } from '../../../src/lib/ids.js';
import { at, devMeshError, jsonSamples, newTask, t0, unscheduled, type ContractContext } from './context.js';

export function defineTaskContract(ctx: ContractContext): void {
  describe('TaskStore', () => {
    it('inserts a task with its created event', async () => {
      const tenant = await ctx.newTenant();
      const input = newTask(tenant.id, { sessionId: 'sess_1', createdBy: 'key_1', priority: 'high' });
      const task = await ctx.stores.tasks.insert(input, 'key_1', t0);
      const { tenantId, id, title, description, type, priority, status, requiredCapabilities, payload, sessionId,
        createdBy, maxAttempts } = input;
      assert.deepEqual(task, {
        tenantId, id, title, description, type, priority, status, requiredCapabilities, payload, sessionId, createdBy,
        maxAttempts, result: null, error: null, assignedAgentId: null, attempts: 0, createdAt: t0, updatedAt: t0,
        version: 1, idempotencyKey: null, ...unscheduled,
      });
      assert.deepEqual(await ctx.stores.tasks.get(tenant.id, task.id), task);
      const events = await ctx.stores.tasks.events(tenant.id, task.id);
      assert.equal(events.length, 1);
      assert.equal(typeof events[0]?.seq, 'string');
      assert.deepEqual({ ...events[0], seq: undefined }, {
        tenantId: tenant.id, taskId: task.id, seq: undefined, fromStatus: null, toStatus: 'queued', actor: 'key_1',
        reason: 'created', data: null, createdAt: t0,
      });
    });

    it('rejects a duplicate task id with conflict and keeps no partial rows', async () => {
      const tenant = await ctx.newTenant();
      const task = await ctx.stores.tasks.insert(newTask(tenant.id), 'a', t0);
      await assert.rejects(ctx.stores.tasks.insert(newTask(tenant.id, { id: task.id }), 'a', t0), devMeshError('conflict'));
      assert.equal((await ctx.stores.tasks.events(tenant.id, task.id)).length, 1);
    });

    it('transitions atomically: status, patch, version, updatedAt and an event', async () => {
      const tenant = await ctx.newTenant();
      const task = await ctx.stores.tasks.insert(newTask(tenant.id), 'creator', t0);
      const assigned = await ctx.stores.tasks.transition(tenant.id, task.id, {
        from: ['pending', 'queued'], to: 'assigned', actor: 'scheduler', reason: 'best match',
        data: { score: 0.9 }, patch: { assignedAgentId: 'agent_1' }, at: at(1000),
      });
      assert.ok(assigned.applied);
      assert.deepEqual(assigned.task, { ...task, status: 'assigned', assignedAgentId: 'agent_1', version: 2, updatedAt: at(1000) });
      assert.deepEqual({ ...assigned.event, seq: undefined }, {
        tenantId: tenant.id, taskId: task.id, seq: undefined, fromStatus: 'queued', toStatus: 'assigned',
        actor: 'scheduler', reason: 'best match', data: { score: 0.9 }, createdAt: at(1000),
      });
      const done = await ctx.stores.tasks.transition(tenant.id, task.id, {
        from: ['assigned', 'in_progress'], to: 'completed', actor: 'agent_1', reason: null,
        patch: { result: { ok: true } }, at: at(2000),
      });
      assert.ok(done.applied);
      assert.equal(done.event.fromStatus, 'assigned');
      assert.equal(done.event.data, null);
      assert.deepEqual(done.task.result, { ok: true });
      assert.equal(done.task.assignedAgentId, 'agent_1', 'fields absent from patch are kept');
      assert.equal(done.task.version, 3);
      const events = await ctx.stores.tasks.events(tenant.id, task.id);
      assert.deepEqual(events.map((e) => [e.fromStatus, e.toStatus]), [[null, 'queued'], ['queued', 'assigned'], ['assigned', 'completed']]);
      assert.ok(BigInt(events[1]!.seq) < BigInt(events[2]!.seq));
      const retried = await ctx.stores.tasks.transition(tenant.id, task.id, {
        from: ['completed'], to: 'queued', actor: 'x', reason: null, patch: { assignedAgentId: null, error: 'e' }, at: at(3000),
      });
      assert.ok(retried.applied);
      assert.equal(retried.task.assignedAgentId, null);
      assert.equal(retried.task.error, 'e');
    });

    it('does not apply from another state, and reports the current task', async () => {
      const tenant = await ctx.newTenant();
      const task = await ctx.stores.tasks.insert(newTask(tenant.id), 'a', t0);
      const outcome = await ctx.stores.tasks.transition(tenant.id, task.id, {
        from: ['in_progress'], to: 'completed', actor: 'a', reason: null, patch: { result: 1 }, at: at(1),
      });
      assert.deepEqual(outcome, { applied: false, current: task });
      assert.equal((await ctx.stores.tasks.events(tenant.id, task.id)).length, 1);
      const missing = await ctx.stores.tasks.transition(tenant.id, newId('task'), {
        from: ['queued'], to: 'assigned', actor: 'a', reason: null, at: at(1),
      });
      assert.deepEqual(missing, { applied: false, current: undefined });
    });

    it('applies exactly one of 10 concurrent transitions from the same state', async () => {
      const tenant = await ctx.newTenant();
      const task = await ctx.stores.tasks.insert(newTask(tenant.id), 'a', t0);
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          ctx.stores.tasks.transition(tenant.id, task.id, {
            from: ['queued'], to: 'assigned', actor: `agent_${i}`, reason: null,
            patch: { assignedAgentId: `agent_${i}` }, at: at(1000 + i),
          }),
        ),
      );
      const winners = outcomes.filter((o) => o.applied);
      assert.equal(winners.length, 1);
      const winner = winners[0]!;
      for (const loser of outcomes.filter((o) => !o.applied)) {
        assert.equal(loser.current?.status, 'assigned');
        assert.equal(loser.current?.assignedAgentId, winner.task.assignedAgentId);
      }
      const stored = await ctx.stores.tasks.get(tenant.id, task.id);
      assert.equal(stored?.version, 2);
      assert.equal(stored?.assignedAgentId, winner.event.actor);
      assert.equal((await ctx.stores.tasks.events(tenant.id, task.id)).length, 2);
    });

    it('keeps the event chain consistent under mixed concurrent transitions', async () => {
      const tenant = await ctx.newTenant();
      const task = await ctx.stores.tasks.insert(newTask(tenant.id), 'a', t0);
      const moves = [
        { from: ['queued', 'assigned'], to: 'in_progress' },
        { from: ['queued'], to: 'assigned' },
        { from: ['in_progress', 'assigned'], to: 'queued' },
      ] as const;
      const outcomes = await Promise.all(
        Array.from({ length: 24 }, (_, i) => {
          const move = moves[i % moves.length]!;
          return ctx.stores.tasks.transition(tenant.id, task.id, { ...move, actor: `w${i}`, reason: null, at: at(i) });
        }),
      );
      const events = await ctx.stores.tasks.events(tenant.id, task.id);
      const applied = outcomes.filter((o) => o.applied).length;
      assert.equal(events.length, applied + 1);
      for (let i = 1; i < events.length; i++) {
        assert.equal(events[i]!.fromStatus, events[i - 1]!.toStatus, `event ${i} starts where event ${i - 1} ended`);
      }
      const stored = await ctx.stores.tasks.get(tenant.id, task.id);
      assert.equal(stored?.status, events[events.length - 1]!.toStatus);
      assert.equal(stored?.version, applied + 1);
    });

    it('round-trips any JSON value in payload, result, error and event data', async () => {
      const tenant = await ctx.newTenant();
      for (const { label, value } of jsonSamples) {
        const task = await ctx.stores.tasks.insert(newTask(tenant.id, { payload: value }), 'a', t0);
        assert.deepEqual((await ctx.stores.tasks.get(tenant.id, task.id))?.payload, value, `payload: ${label}`);
        const moved = await ctx.stores.tasks.transition(tenant.id, task.id, {
          from: ['queued'], to: 'failed', actor: 'a', reason: null, data: value, patch: { result: value, error: value }, at: at(1),
        });
        assert.ok(moved.applied);
        const stored = await ctx.stores.tasks.get(tenant.id, task.id);
        assert.deepEqual([stored?.result, stored?.error], [value, value], `result/error: ${label}`);
        const events = await ctx.stores.tasks.events(tenant.id, task.id);
        assert.deepEqual(events[1]?.data, value, `event data: ${label}`);
      }
    });

    it('counts tasks by tenant and status', async () => {
      const tenant = await ctx.newTenant();
      await ctx.stores.tasks.insert(newTask(tenant.id), 'a', t0);
      await ctx.stores.tasks.insert(newTask(tenant.id), 'a', t0);
      await ctx.stores.tasks.insert(newTask(tenant.id, { status: 'pending' }), 'a', t0);
      const counts = (await ctx.stores.tasks.countByStatus()).filter((c) => c.tenantId === tenant.id);
      assert.deepEqual(counts, [
        { tenantId: tenant.id, status: 'pending', count: 1 },
        { tenantId: tenant.id, status: 'queued', count: 2 },
      ]);
    });
  });
}
