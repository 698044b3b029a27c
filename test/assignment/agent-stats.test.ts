import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyAgentStats, emptyStats, updateAgentStats, updateStats } from '../../src/agents/agent-stats.js';

describe('agent stats (EWMA)', () => {
  it('takes the first sample as is, then decays with alpha', () => {
    const table = [
      { name: 'first success', outcomes: [{ success: true, latencyMs: 100 }], rate: 1, latency: 100 },
      { name: 'first failure', outcomes: [{ success: false, latencyMs: 50 }], rate: 0, latency: 50 },
      {
        name: 'success then failure',
        outcomes: [
          { success: true, latencyMs: 100 },
          { success: false, latencyMs: 200 },
        ],
        rate: 0.8,
        latency: 120,
      },
      {
        name: 'three',
        outcomes: [
          { success: true, latencyMs: 100 },
          { success: false, latencyMs: 200 },
          { success: true, latencyMs: 20 },
        ],
        rate: 0.84,
        latency: 100,
      },
      { name: 'negative latency counts as 0', outcomes: [{ success: true, latencyMs: -5 }], rate: 1, latency: 0 },
    ];
    for (const row of table) {
      const s = row.outcomes.reduce((acc, o) => updateStats(acc, o), emptyStats());
      assert.ok(Math.abs(s.successRate - row.rate) < 1e-9, `${row.name}: rate ${s.successRate}`);
      assert.ok(Math.abs(s.latencyMs - row.latency) < 1e-9, `${row.name}: latency ${s.latencyMs}`);
      assert.equal(s.samples, row.outcomes.length);
    }
  });

  it('honours a custom alpha', () => {
    const s = updateStats(updateStats(emptyStats(), { success: true, latencyMs: 0 }), { success: false, latencyMs: 100 }, 0.5);
    assert.deepEqual(s, { successRate: 0.5, latencyMs: 50, samples: 2 });
  });

  it('updates overall and each required capability', () => {
    const before = emptyAgentStats();
    const after = updateAgentStats(before, ['a', 'b', 'a'], { success: true, latencyMs: 10 });
    assert.equal(after.overall.samples, 1);
    assert.equal(after.byCapability.get('a')?.samples, 1, 'duplicates count once');
    assert.equal(after.byCapability.get('b')?.latencyMs, 10);
    assert.equal(before.byCapability.size, 0, 'input untouched');
  });
});
