import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultBreakerConfig, initialBreaker, onAssigned, onFailure, type BreakerSnapshot } from '../../src/agents/breaker.js';
import { columnsOf } from '../../src/tasks/assignment/agent-columns.js';
import { createAgentIndex } from '../../src/tasks/assignment/agent-index.js';
import { decide } from '../../src/tasks/assignment/decide.js';
import { filterReasons, hardFilters } from '../../src/tasks/assignment/filters.js';
import { strategyNames, type AgentSnapshot, type FilterReason } from '../../src/tasks/assignment/types.js';
import { agent, now, task, tenant } from './fixtures.js';

function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

function randomAgent(random: () => number, i: number): AgentSnapshot {
  const failures = (at: number): BreakerSnapshot =>
    [0, 1, 2, 3, 4].reduce((b) => onFailure(b, defaultBreakerConfig, at), initialBreaker());
  const breakers = [
    initialBreaker(),
    failures(now - 1000),
    failures(now - defaultBreakerConfig.cooldownMs),
    onAssigned(failures(now - defaultBreakerConfig.cooldownMs), defaultBreakerConfig, now),
  ];
  const r = random();
  return agent(`ag-${String(i).padStart(3, '0')}`, {
    caps: (['ts', 'py'] as const).filter(() => random() < 0.6).map((c) => [c, Math.round(random() * 12 - 1) / 10] as [string, number]),
    byCapability: random() < 0.5 ? {} : { ts: random() < 0.3 ? {} : { samples: 1 + Math.floor(random() * 9), successRate: random(), latencyMs: Math.floor(random() * 5) * 400 } },
    online: random() > 0.1,
    breaker: r < 0.85 ? breakers[0]! : breakers[Math.floor(random() * 4)]!,
    maxConcurrency: Math.floor(random() * 4),
    inFlight: Math.floor(random() * 3),
    costPerTask: Math.floor(random() * 5) / 2,
    lastAssignedAt: random() < 0.3 ? 0 : now - Math.floor(random() * 100) * 1000,
    overall: random() < 0.2 ? {} : { samples: Math.floor(random() * 20) + 1, successRate: random(), latencyMs: Math.floor(random() * 5) * 500 },
  });
}

describe('columnar scan', () => {
  it('keeps the reason order of the filters', () => {
    const names = hardFilters.map((f) => f.name);
    assert.deepEqual(names, ['filterTenant', 'filterCapabilities', 'filterOnline', 'filterBreaker', 'filterCapacity', 'filterBudget', 'filterDeadline']);
    assert.deepEqual(filterReasons, ['wrong_tenant', 'missing_capability', 'offline', 'breaker_open', 'at_capacity', 'over_budget', 'deadline_infeasible'] satisfies FilterReason[]);
  });

  it('belong to the lists of the index only', () => {
    const index = createAgentIndex();
    index.upsert(agent('a', { caps: [['ts', 0.5]], byCapability: { ts: { samples: 2, latencyMs: 70 } }, overall: { samples: 9, latencyMs: 10 } }));
    const all = columnsOf(index.candidates(tenant, []));
    const ts = columnsOf(index.candidates(tenant, ['ts']));
    assert.deepEqual([all?.capability, all?.proficiency[0], all?.latencyMs[0]], [null, 1, 10]);
    assert.deepEqual([ts?.capability, ts?.proficiency[0], ts?.latencyMs[0]], ['ts', 0.5, 70]);
    assert.equal(columnsOf([...index.candidates(tenant, [])]), undefined);
  });

  it('decides exactly as the scan over snapshots, through random mutations', () => {
    const random = createRandom(7);
    const index = createAgentIndex();
    for (let i = 0; i < 300; i++) index.upsert(randomAgent(random, i));
    for (let round = 0; round < 60; round++) {
      // Mutate: replace, update, remove, re-add; columns must follow every move.
      for (let k = 0; k < 10; k++) {
        const i = Math.floor(random() * 320);
        const id = `ag-${String(i).padStart(3, '0')}`;
        const op = random();
        if (op < 0.2) index.remove(tenant, id);
        else if (op < 0.6) index.upsert(randomAgent(random, i));
        else index.update(tenant, id, { inFlight: Math.floor(random() * 3), online: random() > 0.2 });
      }
      const ids = index.candidates(tenant, []).map((a) => a.id);
      assert.ok(ids.length > 200);
      const pick = () => ids[Math.floor(random() * ids.length)] ?? 'nobody';
      const t = task({
        requiredCapabilities: [[], [], ['ts'], ['py'], ['ts', 'py']][Math.floor(random() * 5)]!,
        maxCost: random() < 0.4 ? 1 : null,
        deadline: random() < 0.4 ? now + Math.floor(random() * 4) * 500 : null,
        expectedDurationMs: random() < 0.5 ? 700 : null,
        affinityAgentIds: random() < 0.5 ? [pick(), 'unknown-agent'] : [],
        avoidAgentIds: random() < 0.5 ? [pick(), pick()] : [],
      });
      for (const strategy of strategyNames) {
        const list = index.candidates(tenant, t.requiredCapabilities);
        const viaColumns = decide(t, list, strategy, now);
        const viaSnapshots = decide(t, [...list], strategy, now);
        assert.deepEqual(viaColumns, viaSnapshots, `round ${round}, ${strategy}`);
      }
    }
  });

  it("another tenant's task over the list falls back to the snapshot scan", () => {
    const index = createAgentIndex();
    index.upsert(agent('a'));
    const d = decide(task({ tenantId: 'tenant-b' }), index.candidates(tenant, []), 'auto', now);
    assert.deepEqual(d.filteredCounts, { wrong_tenant: 1 });
  });
});
