import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultBreakerConfig, initialBreaker, onFailure } from '../../src/agents/breaker.js';
import { decide } from '../../src/tasks/assignment/decide.js';
import type { AgentSnapshot, AssignmentTask, StrategyName } from '../../src/tasks/assignment/types.js';
import { agent, now, task } from './fixtures.js';

const rows: { name: string; strategy: StrategyName; task?: Partial<AssignmentTask>; agents: AgentSnapshot[]; chosen: string | null }[] = [
  {
    name: 'round_robin: oldest lastAssignedAt',
    strategy: 'round_robin',
    agents: [agent('a', { lastAssignedAt: 300 }), agent('b', { lastAssignedAt: 100 }), agent('c', { lastAssignedAt: 200 })],
    chosen: 'b',
  },
  {
    name: 'round_robin: tie broken by id',
    strategy: 'round_robin',
    agents: [agent('c', { lastAssignedAt: 100 }), agent('b', { lastAssignedAt: 100 }), agent('a', { lastAssignedAt: 900 })],
    chosen: 'b',
  },
  {
    name: 'round_robin: ignores ineligible oldest',
    strategy: 'round_robin',
    agents: [agent('a', { lastAssignedAt: 0, online: false }), agent('b', { lastAssignedAt: 5 })],
    chosen: 'b',
  },
  {
    name: 'least_loaded: most free capacity (relative)',
    strategy: 'least_loaded',
    agents: [agent('a', { inFlight: 2, maxConcurrency: 4 }), agent('b', { inFlight: 2, maxConcurrency: 8 }), agent('c', { inFlight: 1, maxConcurrency: 2 })],
    chosen: 'b',
  },
  {
    name: 'least_loaded: all idle, tie by id',
    strategy: 'least_loaded',
    agents: [agent('z'), agent('m'), agent('q')],
    chosen: 'm',
  },
  {
    name: 'capability_match: highest mean proficiency',
    strategy: 'capability_match',
    task: { requiredCapabilities: ['ts', 'sec'] },
    agents: [agent('a', { caps: [['ts', 1], ['sec', 0.2]] }), agent('b', { caps: [['ts', 0.7], ['sec', 0.7]] }), agent('c', { caps: [['ts', 1]] })],
    chosen: 'b',
  },
  {
    name: 'performance_based: proven beats lucky',
    strategy: 'performance_based',
    agents: [
      agent('lucky', { overall: { samples: 1, successRate: 1, latencyMs: 100 } }),
      agent('proven', { overall: { samples: 200, successRate: 0.98, latencyMs: 100 } }),
      agent('flaky', { overall: { samples: 200, successRate: 0.5, latencyMs: 50 } }),
    ],
    chosen: 'proven',
  },
  {
    name: 'performance_based: faster at equal success',
    strategy: 'performance_based',
    agents: [agent('slow', { overall: { samples: 50, successRate: 0.9, latencyMs: 900 } }), agent('fast', { overall: { samples: 50, successRate: 0.9, latencyMs: 100 } })],
    chosen: 'fast',
  },
  {
    name: 'cost_optimized: cheapest within max_cost',
    strategy: 'cost_optimized',
    task: { requiredCapabilities: ['ts'], maxCost: 5 },
    agents: [agent('free-no-skill', { costPerTask: 0 }), agent('cheap', { caps: ['ts'], costPerTask: 2 }), agent('mid', { caps: ['ts'], costPerTask: 4 }), agent('dear', { caps: ['ts'], costPerTask: 6 })],
    chosen: 'cheap',
  },
  {
    name: 'cost_optimized: nobody within max_cost',
    strategy: 'cost_optimized',
    task: { maxCost: 1 },
    agents: [agent('a', { costPerTask: 2 }), agent('b', { costPerTask: 3 })],
    chosen: null,
  },
  {
    name: 'deadline: only the fast enough agent',
    strategy: 'least_loaded',
    task: { requiredCapabilities: ['ts'], deadline: now + 500 },
    agents: [agent('idle-slow', { caps: ['ts'], byCapability: { ts: { samples: 9, latencyMs: 800 } } }), agent('busy-fast', { caps: ['ts'], inFlight: 3, byCapability: { ts: { samples: 9, latencyMs: 300 } } })],
    chosen: 'busy-fast',
  },
  {
    name: 'auto: affinity bonus picks the session agent among equals',
    strategy: 'auto',
    task: { affinityAgentIds: ['b'] },
    agents: [agent('a'), agent('b'), agent('c')],
    chosen: 'b',
  },
  {
    name: 'auto: avoid penalty moves away from the agent that failed',
    strategy: 'auto',
    task: { avoidAgentIds: ['a'] },
    agents: [agent('a'), agent('b', { inFlight: 2 })],
    chosen: 'b',
  },
  {
    name: 'auto: avoided agent still chosen when it is the only one',
    strategy: 'auto',
    task: { avoidAgentIds: ['a'] },
    agents: [agent('a'), agent('b', { online: false })],
    chosen: 'a',
  },
  {
    name: 'auto: cold-start prior gives a new agent work over a poor record',
    strategy: 'auto',
    agents: [agent('veteran', { overall: { samples: 100, successRate: 0.6, latencyMs: 200 } }), agent('newcomer')],
    chosen: 'newcomer',
  },
  {
    name: 'auto: a good record beats a newcomer',
    strategy: 'auto',
    agents: [agent('veteran', { overall: { samples: 100, successRate: 0.99, latencyMs: 200 } }), agent('newcomer')],
    chosen: 'veteran',
  },
  {
    name: 'auto: proficiency matters',
    strategy: 'auto',
    task: { requiredCapabilities: ['ts'] },
    agents: [agent('novice', { caps: [['ts', 0.3]] }), agent('expert', { caps: [['ts', 0.95]] })],
    chosen: 'expert',
  },
  { name: 'no candidates at all', strategy: 'auto', agents: [], chosen: null },
];

describe('decide: strategy choices', () => {
  for (const row of rows) {
    it(row.name, () => {
      const d = decide(task(row.task), row.agents, row.strategy, now);
      assert.equal(d.chosenAgentId, row.chosen, JSON.stringify(d.scores.map((s) => [s.agentId, s.score.total])));
      assert.equal(d.chosenAgentId === null, d.reason !== undefined, 'a reason exactly when nobody fits');
    });
  }

  it('is independent of candidate order', () => {
    const agents = Array.from({ length: 30 }, (_, i) => agent(`a${String(i).padStart(2, '0')}`, { inFlight: i % 3 }));
    for (const strategy of ['round_robin', 'least_loaded', 'auto'] as const) {
      const forward = decide(task(), agents, strategy, now);
      const backward = decide(task(), [...agents].reverse(), strategy, now);
      assert.deepEqual(backward, forward, strategy);
    }
  });
});

describe('decide: explanation', () => {
  const open = [1, 2, 3, 4, 5].reduce((b, t) => onFailure(b, defaultBreakerConfig, now - t), initialBreaker());
  const agents = [
    agent('ok-1', { caps: ['ts'], inFlight: 1 }),
    agent('ok-2', { caps: ['ts'] }),
    agent('other-tenant', { caps: ['ts'], tenantId: 'tenant-b' }),
    agent('no-ts', { caps: ['py'] }),
    agent('offline', { caps: ['ts'], online: false }),
    agent('tripped', { caps: ['ts'], breaker: open }),
    agent('full', { caps: ['ts'], inFlight: 4 }),
    agent('pricey', { caps: ['ts'], costPerTask: 100 }),
    agent('slow', { caps: ['ts'], byCapability: { ts: { samples: 3, latencyMs: 1e6 } } }),
  ];
  const d = decide(task({ requiredCapabilities: ['ts'], maxCost: 10, deadline: now + 1000 }), agents, 'auto', now);

  it('names the strategy requested and applied', () => {
    assert.deepEqual([d.requestedStrategy, d.strategy], ['auto', 'balanced']);
    assert.equal(decide(task(), [], 'least_loaded', now).strategy, 'least_loaded');
  });

  it('counts and lists every filter reason', () => {
    assert.equal(d.considered, 9);
    assert.equal(d.eligible, 2);
    assert.deepEqual(d.filteredCounts, {
      wrong_tenant: 1,
      missing_capability: 1,
      offline: 1,
      breaker_open: 1,
      at_capacity: 1,
      over_budget: 1,
      deadline_infeasible: 1,
    });
    assert.deepEqual(
      d.filtered.map((f) => `${f.agentId}:${f.reason}`),
      ['other-tenant:wrong_tenant', 'no-ts:missing_capability', 'offline:offline', 'tripped:breaker_open', 'full:at_capacity', 'pricey:over_budget', 'slow:deadline_infeasible'],
    );
  });

  it('scores the eligible best first with full breakdowns', () => {
    assert.equal(d.chosenAgentId, 'ok-2');
    assert.deepEqual(d.scores.map((s) => s.agentId), ['ok-2', 'ok-1']);
    const [best, second] = d.scores;
    assert.ok(best!.score.total > second!.score.total);
    assert.deepEqual(Object.keys(best!.score).sort(), ['affinity', 'avoidFactor', 'capability', 'cost', 'idle', 'latency', 'load', 'successRate', 'total']);
    assert.equal(second!.score.load, 0.75);
  });

  it('keeps only the top 10 scores and the first 20 filtered', () => {
    const many = Array.from({ length: 50 }, (_, i) => agent(`a${String(i).padStart(2, '0')}`, { online: i % 2 === 0, inFlight: i % 4 }));
    const big = decide(task(), many, 'least_loaded', now);
    assert.equal(big.scores.length, 10);
    assert.equal(big.filtered.length, 20);
    assert.equal(big.filteredCounts.offline, 25);
    const totals = big.scores.map((s) => s.score.total);
    assert.deepEqual(totals, [...totals].sort((a, b) => b - a));
    assert.deepEqual(big.scores.slice(0, 3).map((s) => s.agentId), ['a00', 'a04', 'a08']);
  });

  it('explains why nobody fits', () => {
    const reasons: [AgentSnapshot[], string][] = [
      [[], 'no agent with capability security-review is registered'],
      [[agent('a', { caps: ['ts'] })], 'no agent with capability security-review is registered (1 considered: 1 missing_capability)'],
      [[agent('a', { caps: ['security-review'], online: false })], 'no online agent with capability security-review (1 considered: 1 offline)'],
      [
        [agent('a', { caps: ['security-review'], online: false }), agent('b', { caps: ['security-review'], inFlight: 9 })],
        'no eligible agent with capability security-review among 2 considered: 1 offline, 1 at_capacity',
      ],
    ];
    for (const [agents, text] of reasons) {
      assert.equal(decide(task({ requiredCapabilities: ['security-review'] }), agents, 'auto', now).reason, text);
    }
  });
});
