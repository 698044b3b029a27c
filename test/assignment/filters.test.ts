import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultBreakerConfig, initialBreaker, onAssigned, onFailure, type BreakerSnapshot } from '../../src/agents/breaker.js';
import { expectedLatencyMs, firstFilterReason } from '../../src/tasks/assignment/filters.js';
import type { AssignmentTask, FilterReason } from '../../src/tasks/assignment/types.js';
import { agent, now, task, type AgentSpec } from './fixtures.js';

function openBreaker(at: number): BreakerSnapshot {
  let b = initialBreaker();
  for (let i = 0; i < defaultBreakerConfig.failureThreshold; i++) b = onFailure(b, defaultBreakerConfig, at);
  return b;
}

const cooledAt = now - defaultBreakerConfig.cooldownMs;

const table: { name: string; agent: AgentSpec; task?: Partial<AssignmentTask>; reason: FilterReason | null }[] = [
  { name: 'eligible', agent: {}, reason: null },
  { name: 'other tenant', agent: { tenantId: 'tenant-b' }, reason: 'wrong_tenant' },
  { name: 'other tenant wins over offline', agent: { tenantId: 'tenant-b', online: false }, reason: 'wrong_tenant' },
  { name: 'missing one of two capabilities', agent: { caps: ['a'] }, task: { requiredCapabilities: ['a', 'b'] }, reason: 'missing_capability' },
  { name: 'has both capabilities', agent: { caps: ['a', 'b', 'c'] }, task: { requiredCapabilities: ['a', 'b'] }, reason: null },
  { name: 'proficiency 0 still has it', agent: { caps: [['a', 0]] }, task: { requiredCapabilities: ['a'] }, reason: null },
  { name: 'offline', agent: { online: false }, reason: 'offline' },
  { name: 'breaker open', agent: { breaker: openBreaker(now - 1) }, reason: 'breaker_open' },
  { name: 'breaker past cooldown lets a probe', agent: { breaker: openBreaker(cooledAt) }, reason: null },
  {
    name: 'half-open with its probe in flight',
    agent: { breaker: onAssigned(openBreaker(cooledAt), defaultBreakerConfig, now) },
    reason: 'breaker_open',
  },
  { name: 'at capacity', agent: { inFlight: 4, maxConcurrency: 4 }, reason: 'at_capacity' },
  { name: 'zero concurrency', agent: { inFlight: 0, maxConcurrency: 0 }, reason: 'at_capacity' },
  { name: 'one slot left', agent: { inFlight: 3, maxConcurrency: 4 }, reason: null },
  { name: 'over budget', agent: { costPerTask: 5 }, task: { maxCost: 4.99 }, reason: 'over_budget' },
  { name: 'exactly at budget', agent: { costPerTask: 5 }, task: { maxCost: 5 }, reason: null },
  { name: 'no budget', agent: { costPerTask: 1e9 }, reason: null },
  {
    name: 'deadline missed by capability latency',
    agent: { caps: ['a'], byCapability: { a: { samples: 3, latencyMs: 1001 } } },
    task: { requiredCapabilities: ['a'], deadline: now + 1000 },
    reason: 'deadline_infeasible',
  },
  {
    name: 'deadline met exactly by capability latency',
    agent: { caps: ['a'], byCapability: { a: { samples: 3, latencyMs: 1000 } } },
    task: { requiredCapabilities: ['a'], deadline: now + 1000 },
    reason: null,
  },
  {
    name: 'deadline: overall latency when the capability has no samples',
    agent: { caps: ['a'], overall: { samples: 2, latencyMs: 5000 } },
    task: { requiredCapabilities: ['a'], deadline: now + 1000, expectedDurationMs: 10 },
    reason: 'deadline_infeasible',
  },
  {
    name: 'deadline: expectedDurationMs without stats',
    agent: {},
    task: { deadline: now + 1000, expectedDurationMs: 2000 },
    reason: 'deadline_infeasible',
  },
  { name: 'deadline: nothing known means feasible', agent: {}, task: { deadline: now }, reason: null },
  { name: 'deadline already passed', agent: {}, task: { deadline: now - 1 }, reason: 'deadline_infeasible' },
];

describe('hard filters', () => {
  for (const row of table) {
    it(row.name, () => {
      assert.equal(firstFilterReason(task(row.task), agent('x', row.agent), now, defaultBreakerConfig), row.reason);
    });
  }

  it('expected latency takes the slowest required capability', () => {
    const a = agent('x', {
      caps: ['a', 'b'],
      overall: { samples: 5, latencyMs: 50 },
      byCapability: { a: { samples: 1, latencyMs: 300 }, b: { samples: 1, latencyMs: 100 } },
    });
    assert.equal(expectedLatencyMs(task({ requiredCapabilities: ['a', 'b'] }), a), 300);
    assert.equal(expectedLatencyMs(task(), a), 50);
  });
});
