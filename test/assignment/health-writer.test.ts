import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { newId } from '../../src/lib/ids.js';
import { createStores } from '../../src/storage/queries/index.js';
import type { AgentRecord } from '../../src/storage/records.js';
import type { Stores } from '../../src/storage/stores.js';
import type { StoredAgentHealth } from '../../src/tasks/lifecycle/agent-health.js';
import { createHealthWriter } from '../../src/tasks/lifecycle/health-writer.js';
import { openTestPglite, type TestPglite } from '../helpers/databases.js';
import { newAgent } from '../storage/contract/context.js';

const health = (successes: number): StoredAgentHealth => ({
  breaker: { state: 'closed', failures: [], openedAt: null, probesInFlight: 0 } as unknown as StoredAgentHealth['breaker'],
  stats: { overall: { count: successes, successRate: 1, latencyMs: 100 }, byCapability: {} } as unknown as StoredAgentHealth['stats'],
});

/** The write-behind of agent health against a real store (PGlite), counting the writes it makes. */
describe('agent health writer', () => {
  let db: TestPglite;
  let stores: Stores;

  before(async () => {
    db = await openTestPglite();
    stores = createStores(db.sql);
  });
  after(async () => {
    await db.cleanup();
  });

  async function setup(delayMs: number) {
    const tenant = await stores.tenants.create({ id: newId('tnt'), name: newId('t') });
    const [a, b] = [await stores.agents.register(newAgent(tenant.id), new Date()), await stores.agents.register(newAgent(tenant.id), new Date())];
    const writes: string[] = [];
    const saved: AgentRecord[] = [];
    const errors: string[] = [];
    const writer = createHealthWriter({
      agents: { saveHealth: (...args) => (writes.push(args[1]), stores.agents.saveHealth(...args)) },
      delayMs,
      now: () => new Date(),
      onSaved: (agent) => saved.push(agent),
      onError: (_error, agentId) => errors.push(agentId),
    });
    return { tenant, a: a, b: b, writes, saved, errors, writer };
  }

  it('writes only the latest health of each agent once per window, and flush writes what is pending', async () => {
    const { tenant, a, b, writes, saved, writer } = await setup(60_000);
    for (let i = 1; i <= 5; i++) writer.record(tenant.id, a.id, health(i));
    writer.record(tenant.id, b.id, health(7));
    assert.deepEqual(writes, [], 'nothing written before the window ends');
    await writer.flush();
    assert.deepEqual(writes.sort(), [a.id, b.id].sort(), 'one write per agent');
    const storedA = await stores.agents.get(tenant.id, a.id);
    assert.equal((storedA?.stats.overall as unknown as { count: number }).count, 5, 'the latest value');
    assert.deepEqual(saved.map((s) => s.id).sort(), [a.id, b.id].sort(), 'the stored records are handed on');
    await writer.flush();
    assert.equal(writes.length, 2, 'nothing pending: nothing written');
  });

  it('hands on the newest value when one was recorded while the write was under way', async () => {
    const tenant = await stores.tenants.create({ id: newId('tnt'), name: newId('t') });
    const agent = await stores.agents.register(newAgent(tenant.id), new Date());
    const saved: AgentRecord[] = [];
    let recordDuringWrite: (() => void) | undefined;
    const writer = createHealthWriter({
      agents: {
        saveHealth: (...args) => {
          recordDuringWrite?.();
          recordDuringWrite = undefined;
          return stores.agents.saveHealth(...args);
        },
      },
      delayMs: 60_000,
      now: () => new Date(),
      onSaved: (record) => saved.push(record),
      onError: () => undefined,
    });
    writer.record(tenant.id, agent.id, health(1));
    recordDuringWrite = () => writer.record(tenant.id, agent.id, health(2));
    await writer.flush();
    assert.equal((saved[0]?.stats.overall as unknown as { count: number }).count, 2, 'not the older stored value');
    await writer.flush();
    assert.equal(((await stores.agents.get(tenant.id, agent.id))?.stats.overall as unknown as { count: number }).count, 2);
  });

  it('writes by itself after the delay, and reports a failed write without losing the others', async () => {
    const { tenant, a, writes, errors, writer } = await setup(30);
    writer.record(tenant.id, a.id, health(1));
    writer.record(tenant.id, 'agent_gone', health(1));
    await sleep(200);
    assert.ok(writes.includes(a.id), 'written after the delay');
    assert.equal(((await stores.agents.get(tenant.id, a.id))?.stats.overall as unknown as { count: number }).count, 1);
    assert.deepEqual(errors, [], 'an unknown agent is no error: nothing to store');
    // A lone surrogate is not valid JSON text for jsonb: the database refuses the write.
    writer.record(tenant.id, a.id, { ...health(2), stats: { note: '\ud800' } } as unknown as StoredAgentHealth);
    await writer.flush();
    assert.deepEqual(errors, [a.id], 'a write the database refuses is reported');
  });
});
