import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newId } from '../../../src/lib/ids.js';
import type { AgentRegistration } from '../../../src/storage/stores.js';
import { at, commit, newAgent, newTask, t0, type ContractContext } from './context.js';

/** Registers an agent and brings it online on a fresh session. */
export async function registerOnline(ctx: ContractContext, tenantId: string, over: Partial<AgentRegistration> = {}) {
  const agent = await ctx.stores.agents.register(newAgent(tenantId, over), t0);
  return (await ctx.stores.agents.setOnline(tenantId, agent.id, newId('sess'), t0))!;
}

export async function inFlightOf(ctx: ContractContext, tenantId: string, agentId: string) {
  return (await ctx.stores.agents.get(tenantId, agentId))?.inFlight;
}

export function defineAssignContract(ctx: ContractContext): void {
  const onlineAgent = (tenantId: string, over: Partial<AgentRegistration> = {}) => registerOnline(ctx, tenantId, over);
  const inFlight = (tenantId: string, agentId: string) => inFlightOf(ctx, tenantId, agentId);

  describe('TaskStore.assign', () => {
    it('assigns a queued task: task fields, event, agent in_flight and last_assigned_at', async () => {
      const tenant = await ctx.newTenant();
      const agent = await onlineAgent(tenant.id);
      const task = await ctx.stores.tasks.insert(newTask(tenant.id), 'creator', t0);
      const decision = { strategy: 'capability_match', scores: [{ agent: agent.id, score: 0.9 }] };
      const outcome = await ctx.stores.tasks.assign(tenant.id, task.id, commit(agent.id, at(1000), decision));
      assert.ok(outcome.applied);
      assert.deepEqual(outcome.task, {
        ...task, status: 'assigned', attempts: 1, assignedAgentId: agent.id, assignedAt: at(1000),
        acceptDeadline: at(31_000), assignment: decision, notBefore: null, executionDeadline: null,
        updatedAt: at(1000), version: 2,
      });
      assert.deepEqual(outcome.agent, { ...agent, inFlight: 1, lastAssignedAt: at(1000) });
      assert.deepEqual(await ctx.stores.tasks.get(tenant.id, task.id), outcome.task);
      assert.deepEqual(await ctx.stores.agents.get(tenant.id, agent.id), outcome.agent);
      const events = await ctx.stores.tasks.events(tenant.id, task.id);
      assert.deepEqual({ ...events[1], seq: undefined }, {
        tenantId: tenant.id, taskId: task.id, seq: undefined, fromStatus: 'queued', toStatus: 'assigned',
        actor: 'scheduler', reason: 'assigned', data: { agent_id: agent.id }, createdAt: at(1000),
      });
    });

    it('assigns a pending task, recording the move from pending', async () => {
      const tenant = await ctx.newTenant();
      const agent = await onlineAgent(tenant.id);
      const task = await ctx.stores.tasks.insert(newTask(tenant.id, { status: 'pending' }), 'a', t0);
      assert.ok((await ctx.stores.tasks.assign(tenant.id, task.id, commit(agent.id, at(1)))).applied);
      assert.equal((await ctx.stores.tasks.events(tenant.id, task.id))[1]?.fromStatus, 'pending');
    });

    it('refuses a task that is not pending or queued, or does not exist, and changes nothing', async () => {
      const tenant = await ctx.newTenant();
      const agent = await onlineAgent(tenant.id);
      const task = await ctx.stores.tasks.insert(newTask(tenant.id), 'a', t0);
      const moved = await ctx.stores.tasks.transition(tenant.id, task.id, { from: ['queued'], to: 'in_progress', actor: 'a', reason: null, at: at(1) });
      assert.ok(moved.applied);
      assert.deepEqual(await ctx.stores.tasks.assign(tenant.id, task.id, commit(agent.id, at(2))), {
        applied: false, reason: 'task_not_assignable', current: moved.task,
      });
      assert.deepEqual(await ctx.stores.tasks.assign(tenant.id, newId('task'), commit(agent.id, at(2))), {
        applied: false, reason: 'task_not_assignable', current: undefined,
      });
      assert.deepEqual(await ctx.stores.agents.get(tenant.id, agent.id), agent, 'agent untouched');
      assert.equal((await ctx.stores.tasks.events(tenant.id, task.id)).length, 2);
    });

    it('refuses an offline, full or unknown agent and leaves the task as it was', async () => {
      const tenant = await ctx.newTenant();
      const offline = await ctx.stores.agents.register(newAgent(tenant.id), t0);
      const full = await onlineAgent(tenant.id, { maxConcurrency: 1 });
      const task = await ctx.stores.tasks.insert(newTask(tenant.id), 'a', t0);
      assert.deepEqual(await ctx.stores.tasks.assign(tenant.id, task.id, commit(offline.id, at(1))), {
        applied: false, reason: 'agent_unavailable', agent: offline,
      });
      const other = await ctx.stores.tasks.insert(newTask(tenant.id), 'a', t0);
      const filled = await ctx.stores.tasks.assign(tenant.id, other.id, commit(full.id, at(1)));
      assert.ok(filled.applied);
      assert.deepEqual(await ctx.stores.tasks.assign(tenant.id, task.id, commit(full.id, at(2))), {
        applied: false, reason: 'agent_unavailable', agent: filled.agent,
      });
      assert.deepEqual(await ctx.stores.tasks.assign(tenant.id, task.id, commit(newId('agent'), at(3))), {
        applied: false, reason: 'agent_unavailable', agent: undefined,
      });
      assert.deepEqual(await ctx.stores.tasks.get(tenant.id, task.id), task, 'the task update was rolled back');
      assert.equal((await ctx.stores.tasks.events(tenant.id, task.id)).length, 1);
      assert.equal(await inFlight(tenant.id, full.id), 1);
    });

    it('20 concurrent assigns of different tasks to an agent with max_concurrency 3: exactly 3 apply', async () => {
      const tenant = await ctx.newTenant();
      const agent = await onlineAgent(tenant.id, { maxConcurrency: 3 });
      const tasks = await Promise.all(Array.from({ length: 20 }, () => ctx.stores.tasks.insert(newTask(tenant.id), 'a', t0)));
      const outcomes = await Promise.all(tasks.map((task, i) => ctx.stores.tasks.assign(tenant.id, task.id, commit(agent.id, at(i)))));
      assert.equal(outcomes.filter((o) => o.applied).length, 3);
      assert.ok(outcomes.every((o) => o.applied || o.reason === 'agent_unavailable'));
      assert.equal(await inFlight(tenant.id, agent.id), 3);
      const active = await ctx.stores.tasks.listActiveForAgent(tenant.id, agent.id);
      assert.equal(active.length, 3);
      const queued = (await ctx.stores.tasks.list(tenant.id, { status: ['queued'] }, { limit: 100 })).items;
      assert.equal(queued.length, 17);
      assert.ok(queued.every((t) => t.attempts === 0 && t.version === 1 && t.assignedAgentId === null));
    });

    it('10 concurrent assigns of one task to 10 agents: exactly one applies, the others hold nothing', async () => {
      const tenant = await ctx.newTenant();
      const agents = await Promise.all(Array.from({ length: 10 }, () => onlineAgent(tenant.id)));
      const task = await ctx.stores.tasks.insert(newTask(tenant.id), 'a', t0);
      const outcomes = await Promise.all(agents.map((agent, i) => ctx.stores.tasks.assign(tenant.id, task.id, commit(agent.id, at(i)))));
      const winners = outcomes.filter((o) => o.applied);
      assert.equal(winners.length, 1);
      const winner = winners[0]!;
      for (const loser of outcomes.filter((o) => !o.applied)) {
        assert.equal(loser.reason, 'task_not_assignable');
        assert.equal(loser.reason === 'task_not_assignable' ? loser.current?.assignedAgentId : undefined, winner.agent.id);
      }
      for (const agent of agents) assert.equal(await inFlight(tenant.id, agent.id), agent.id === winner.agent.id ? 1 : 0);
      const stored = await ctx.stores.tasks.get(tenant.id, task.id);
      assert.deepEqual([stored?.attempts, stored?.version], [1, 2]);
      assert.equal((await ctx.stores.tasks.events(tenant.id, task.id)).length, 2);
    });
  });
}
