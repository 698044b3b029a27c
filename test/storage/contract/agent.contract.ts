import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newId } from '../../../src/lib/ids.js';
import type { BreakerRecord } from '../../../src/storage/records.js';
import { at, commit, devMeshError, newAgent, newTask, t0, type ContractContext } from './context.js';

const closedBreaker: BreakerRecord = { state: 'closed', failures: [], openedAt: null, probesInFlight: 0 };
const emptyStats = { overall: { successRate: 0, latencyMs: 0, samples: 0 }, byCapability: {} };

export function defineAgentContract(ctx: ContractContext): void {
  describe('AgentStore', () => {
    it('registers an agent offline, idle, with a closed breaker and empty statistics', async () => {
      const tenant = await ctx.newTenant();
      const input = newAgent(tenant.id);
      const agent = await ctx.stores.agents.register(input, t0);
      assert.deepEqual(agent, {
        ...input, status: 'offline', sessionId: null, inFlight: 0, breaker: closedBreaker, stats: emptyStats,
        lastAssignedAt: null, lastSeenAt: null, createdAt: t0, updatedAt: t0,
      });
      assert.equal(typeof agent.costPerTask, 'number');
      assert.deepEqual(await ctx.stores.agents.get(tenant.id, agent.id), agent);
      assert.equal(await ctx.stores.agents.get(tenant.id, newId('agent')), undefined);
    });

    it('re-registering updates the registration and keeps presence, in_flight, breaker and stats', async () => {
      const tenant = await ctx.newTenant();
      const input = newAgent(tenant.id, { maxConcurrency: 3 });
      await ctx.stores.agents.register(input, t0);
      await ctx.stores.agents.setOnline(tenant.id, input.id, 'sess_1', at(1));
      const task = await ctx.stores.tasks.insert(newTask(tenant.id), 'a', t0);
      assert.ok((await ctx.stores.tasks.assign(tenant.id, task.id, commit(input.id, at(2)))).applied);
      const health = { breaker: { ...closedBreaker, failures: [1, 2] }, stats: { ...emptyStats, byCapability: {} } };
      await ctx.stores.agents.saveHealth(tenant.id, input.id, health, at(3));
      const again = await ctx.stores.agents.register(
        { ...input, name: 'renamed', capabilities: [{ name: 'terraform', proficiency: 0.5 }], maxConcurrency: 1,
          costPerTask: 1.5, metadata: null },
        at(4),
      );
      assert.deepEqual(again, {
        ...input, name: 'renamed', capabilities: [{ name: 'terraform', proficiency: 0.5 }], maxConcurrency: 1,
        costPerTask: 1.5, metadata: null, status: 'online', sessionId: 'sess_1', inFlight: 1, breaker: health.breaker,
        stats: health.stats, lastAssignedAt: at(2), lastSeenAt: at(1), createdAt: t0, updatedAt: at(4),
      });
    });

    it('lists by id in byte order with keyset pages and filters', async () => {
      const tenant = await ctx.newTenant();
      const ids = ['b-agent', 'B-agent', 'a-agent', 'c-agent'];
      for (const id of ids) {
        const caps = id === 'c-agent' ? [{ name: 'helm', proficiency: 1 }] : [{ name: 'k8s', proficiency: 0.5 }];
        await ctx.stores.agents.register(newAgent(tenant.id, { id, capabilities: caps }), t0);
      }
      await ctx.stores.agents.setOnline(tenant.id, 'a-agent', 's', at(1));
      await ctx.stores.agents.setOnline(tenant.id, 'c-agent', 's', at(1));
      const first = await ctx.stores.agents.list(tenant.id, {}, { limit: 3 });
      assert.deepEqual(first.items.map((a) => a.id), ['B-agent', 'a-agent', 'b-agent']);
      assert.equal(first.next, 'b-agent');
      const second = await ctx.stores.agents.list(tenant.id, {}, { limit: 3, after: first.next });
      assert.deepEqual(second, { items: [await ctx.stores.agents.get(tenant.id, 'c-agent')], next: undefined });
      const names = async (filter: Parameters<typeof ctx.stores.agents.list>[1]) =>
        (await ctx.stores.agents.list(tenant.id, filter, { limit: 10 })).items.map((a) => a.id);
      assert.deepEqual(await names({ status: 'online' }), ['a-agent', 'c-agent']);
      assert.deepEqual(await names({ status: 'offline' }), ['B-agent', 'b-agent']);
      assert.deepEqual(await names({ capability: 'k8s' }), ['B-agent', 'a-agent', 'b-agent']);
      assert.deepEqual(await names({ capability: 'helm', status: 'online' }), ['c-agent']);
      assert.deepEqual(await names({ capability: 'k8' }), [], 'capability names match exactly');
      await assert.rejects(ctx.stores.agents.list(tenant.id, {}, { limit: 0 }), devMeshError('invalid_argument'));
    });

    it('listAll returns the agents of every tenant', async () => {
      const [a, b] = [await ctx.newTenant(), await ctx.newTenant()];
      const agentA = await ctx.stores.agents.register(newAgent(a.id), t0);
      const agentB = await ctx.stores.agents.register(newAgent(b.id, { id: agentA.id }), t0);
      const all = await ctx.stores.agents.listAll();
      assert.deepEqual(all.filter((x) => x.tenantId === a.id || x.tenantId === b.id).sort((x, y) => (x.tenantId < y.tenantId ? -1 : 1)),
        [agentA, agentB].sort((x, y) => (x.tenantId < y.tenantId ? -1 : 1)));
    });

    it('setOnline binds the session; setOffline applies only on that session', async () => {
      const tenant = await ctx.newTenant();
      const agent = await ctx.stores.agents.register(newAgent(tenant.id), t0);
      const online = await ctx.stores.agents.setOnline(tenant.id, agent.id, 'sess_old', at(10));
      assert.deepEqual(online, { ...agent, status: 'online', sessionId: 'sess_old', lastSeenAt: at(10), updatedAt: at(10) });
      const reconnected = await ctx.stores.agents.setOnline(tenant.id, agent.id, 'sess_new', at(20));
      assert.equal(reconnected?.sessionId, 'sess_new');
      assert.equal(await ctx.stores.agents.setOffline(tenant.id, agent.id, 'sess_old', at(30)), undefined, 'stale disconnect');
      assert.deepEqual(await ctx.stores.agents.get(tenant.id, agent.id), reconnected);
      const offline = await ctx.stores.agents.setOffline(tenant.id, agent.id, 'sess_new', at(40));
      assert.deepEqual(offline, { ...reconnected, status: 'offline', sessionId: null, updatedAt: at(40) });
      assert.equal(await ctx.stores.agents.setOffline(tenant.id, agent.id, 'sess_new', at(50)), undefined, 'already offline');
      assert.equal(await ctx.stores.agents.setOnline(tenant.id, newId('agent'), 's', at(1)), undefined);
      assert.equal(await ctx.stores.agents.setOffline(tenant.id, newId('agent'), 's', at(1)), undefined);
    });

    it('touch and setOnline never move last_seen_at backwards', async () => {
      const tenant = await ctx.newTenant();
      const agent = await ctx.stores.agents.register(newAgent(tenant.id), t0);
      const lastSeen = async () => (await ctx.stores.agents.get(tenant.id, agent.id))?.lastSeenAt;
      await ctx.stores.agents.touch(tenant.id, agent.id, at(100));
      assert.deepEqual(await lastSeen(), at(100));
      await ctx.stores.agents.touch(tenant.id, agent.id, at(50));
      assert.deepEqual(await lastSeen(), at(100));
      await ctx.stores.agents.setOnline(tenant.id, agent.id, 's', at(70));
      assert.deepEqual(await lastSeen(), at(100));
      await ctx.stores.agents.touch(tenant.id, agent.id, at(200));
      assert.deepEqual(await lastSeen(), at(200));
      await ctx.stores.agents.touch(tenant.id, newId('agent'), at(1));
    });

    it('saveHealth stores breaker and statistics, last write wins', async () => {
      const tenant = await ctx.newTenant();
      const agent = await ctx.stores.agents.register(newAgent(tenant.id), t0);
      const open: BreakerRecord = { state: 'open', failures: [1_000, 2_000.5], openedAt: 2_000, probesInFlight: 0 };
      const stats = {
        overall: { successRate: 0.5, latencyMs: 1234.5, samples: 2 },
        byCapability: { k8s: { successRate: 1, latencyMs: 10, samples: 1 } },
      };
      const saved = await ctx.stores.agents.saveHealth(tenant.id, agent.id, { breaker: open, stats }, at(5));
      assert.deepEqual(saved, { ...agent, breaker: open, stats, updatedAt: at(5) });
      const half: BreakerRecord = { state: 'half_open', failures: [], openedAt: 2_000, probesInFlight: 1 };
      const later = await ctx.stores.agents.saveHealth(tenant.id, agent.id, { breaker: half, stats: emptyStats }, at(6));
      assert.deepEqual([later?.breaker, later?.stats], [half, emptyStats]);
      assert.equal(await ctx.stores.agents.saveHealth(tenant.id, newId('agent'), { breaker: open, stats }, at(7)), undefined);
    });

    it('deletes an idle agent, reports a missing one, refuses a busy one with conflict', async () => {
      const tenant = await ctx.newTenant();
      const idle = await ctx.stores.agents.register(newAgent(tenant.id), t0);
      assert.equal(await ctx.stores.agents.delete(tenant.id, idle.id), true);
      assert.equal(await ctx.stores.agents.get(tenant.id, idle.id), undefined);
      assert.equal(await ctx.stores.agents.delete(tenant.id, idle.id), false);

      const busy = await ctx.stores.agents.register(newAgent(tenant.id), t0);
      await ctx.stores.agents.setOnline(tenant.id, busy.id, 's', t0);
      const task = await ctx.stores.tasks.insert(newTask(tenant.id), 'a', t0);
      assert.ok((await ctx.stores.tasks.assign(tenant.id, task.id, commit(busy.id, at(1)))).applied);
      await assert.rejects(ctx.stores.agents.delete(tenant.id, busy.id), devMeshError('conflict'));
      assert.equal((await ctx.stores.agents.get(tenant.id, busy.id))?.inFlight, 1);
      await ctx.stores.tasks.transition(tenant.id, task.id, { from: ['assigned'], to: 'cancelled', actor: 'a', reason: null, at: at(2) });
      assert.equal(await ctx.stores.agents.delete(tenant.id, busy.id), true);
    });
  });
}
