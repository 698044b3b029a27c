import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  avoidFactor,
  baseScore,
  combineScore,
  costScoreOf,
  emptyScoreContext,
  idleScoreOf,
  latencyScoreOf,
  includeInContext,
  scoreAffinity,
  scoreAgent,
  scoreCapability,
  scoreCost,
  scoreIdle,
  scoreLatency,
  scoreLoad,
  scoreSuccessRate,
  strategyWeights,
  unknownLatencyScore,
  type ScoreContext,
} from '../../src/tasks/assignment/scores.js';
import { coldStartPrior, observedLatencyMs } from '../../src/tasks/assignment/task-stats.js';
import type { AgentSnapshot, AssignmentTask } from '../../src/tasks/assignment/types.js';
import { agent, task } from './fixtures.js';

const close = (actual: number, expected: number, name: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${name}: ${actual} != ${expected}`);

function contextOf(t: AssignmentTask, agents: AgentSnapshot[]): ScoreContext {
  const ctx = emptyScoreContext();
  for (const a of agents) includeInContext(ctx, observedLatencyMs(t, a), a.costPerTask, a.lastAssignedAt);
  return ctx;
}

describe('score components', () => {
  it('capability fit = mean proficiency over required capabilities', () => {
    const rows: [string[], (string | [string, number])[], number][] = [
      [[], [['a', 0.2]], 1],
      [['a'], [['a', 0.6]], 0.6],
      [['a', 'b'], [['a', 0.6], ['b', 0.2]], 0.4],
      [['a'], [['a', 1.5]], 1],
      [['a'], [['a', -1]], 0],
      [['a', 'z'], [['a', 1]], 0.5],
    ];
    for (const [required, caps, expected] of rows) {
      close(scoreCapability(task({ requiredCapabilities: required }), agent('x', { caps })), expected, `${required.join()}`);
    }
  });

  it('load = 1 - inFlight / maxConcurrency', () => {
    const rows: [number, number, number][] = [
      [0, 4, 1],
      [1, 4, 0.75],
      [4, 4, 0],
      [5, 4, 0],
      [0, 0, 0],
    ];
    for (const [inFlight, maxConcurrency, expected] of rows) close(scoreLoad(agent('x', { inFlight, maxConcurrency })), expected, `${inFlight}/${maxConcurrency}`);
  });

  it('latency is relative to the fastest candidate (+1 ms); unknown is neutral', () => {
    const t = task();
    const fast = agent('fast', { overall: { samples: 3, latencyMs: 100 } });
    const mid = agent('mid', { overall: { samples: 3, latencyMs: 200 } });
    const slow = agent('slow', { overall: { samples: 3, latencyMs: 500 } });
    const unknown = agent('new');
    const ctx = contextOf(t, [fast, mid, slow, unknown]);
    close(scoreLatency(t, fast, ctx), 1, 'fastest');
    close(scoreLatency(t, mid, ctx), 101 / 201, 'mid');
    close(scoreLatency(t, slow, ctx), 101 / 501, 'slowest');
    const zero = agent('zero', { overall: { samples: 1, latencyMs: 0 } });
    close(scoreLatency(t, mid, contextOf(t, [zero, mid])), 1 / 201, 'best at 0 ms');
    close(scoreLatency(t, unknown, ctx), unknownLatencyScore, 'unknown');
    close(scoreLatency(t, mid, contextOf(t, [mid])), 1, 'alone');
  });

  it('success rate is blended with the cold-start prior', () => {
    const { successRate: p, weight: k } = coldStartPrior;
    const rows: [string, ReturnType<typeof agent>, AssignmentTask, number][] = [
      ['no samples = prior', agent('x'), task(), p],
      ['one success', agent('x', { overall: { samples: 1, successRate: 1 } }), task(), (1 + p * k) / (1 + k)],
      ['long record', agent('x', { overall: { samples: 995, successRate: 0.5 } }), task(), (0.5 * 995 + p * k) / 1000],
      [
        'per capability, falling back to overall',
        agent('x', { caps: ['a', 'b'], overall: { samples: 5, successRate: 0 }, byCapability: { a: { samples: 5, successRate: 1 } } }),
        task({ requiredCapabilities: ['a', 'b'] }),
        ((5 + p * k) / 10 + (p * k) / 10) / 2,
      ],
    ];
    for (const [name, a, t, expected] of rows) close(scoreSuccessRate(t, a), expected, name);
  });

  it('cost is relative to the cheapest candidate, linear when one is free', () => {
    const t = task();
    const agents = [agent('a', { costPerTask: 2 }), agent('b', { costPerTask: 4 }), agent('c', { costPerTask: 8 })];
    assert.deepEqual(agents.map((a) => scoreCost(a, contextOf(t, agents))), [1, 0.5, 0.25]);
    close(scoreCost(agents[1]!, contextOf(t, [agents[1]!])), 1, 'alone');
    const withFree = [agent('free', { costPerTask: 0 }), ...agents];
    assert.deepEqual(withFree.map((a) => scoreCost(a, contextOf(t, withFree))), [1, 0.75, 0.5, 0], 'linear from free');
  });

  it('affinity, idle and the avoid factor', () => {
    const t = task({ affinityAgentIds: ['a'], avoidAgentIds: ['b'] });
    assert.deepEqual([scoreAffinity(t, agent('a')), scoreAffinity(t, agent('b'))], [1, 0]);
    assert.deepEqual([avoidFactor(t, agent('a')), avoidFactor(t, agent('b'))], [1, 0.5]);
    const agents = [agent('never', { lastAssignedAt: 0 }), agent('old', { lastAssignedAt: 500 }), agent('recent', { lastAssignedAt: 1000 })];
    const ctx = contextOf(t, agents);
    assert.deepEqual(agents.map((a) => scoreIdle(a, ctx)), [1, 0.5, 0]);
  });

  it('every weight row sums to 1', () => {
    for (const [name, w] of Object.entries(strategyWeights)) {
      close(Object.values(w).reduce((s, x) => s + x, 0), 1, name);
    }
  });

  it('the ranking total (weight-0 terms skipped) equals the breakdown total', () => {
    const t = task({ requiredCapabilities: ['a'], avoidAgentIds: ['x'], affinityAgentIds: ['x'] });
    const a = agent('x', { caps: [['a', 0.7]], inFlight: 1, costPerTask: 3, lastAssignedAt: 5, overall: { samples: 4, successRate: 0.6, latencyMs: 90 } });
    const ctx = contextOf(t, [a, agent('y', { caps: ['a'], costPerTask: 1, overall: { samples: 2, latencyMs: 40 } })]);
    for (const [name, w] of Object.entries(strategyWeights)) {
      const breakdown = scoreAgent(t, a, ctx, w);
      const ranking = combineScore(
        baseScore(t, a, w),
        w.latency !== 0 ? latencyScoreOf(observedLatencyMs(t, a), ctx) : 0,
        w.cost !== 0 ? costScoreOf(a.costPerTask, ctx) : 0,
        w.idle !== 0 ? idleScoreOf(a.lastAssignedAt, ctx) : 0,
        avoidFactor(t, a),
        w,
      );
      assert.equal(ranking, breakdown.total, name);
      assert.equal(breakdown.avoidFactor, 0.5);
      for (const v of Object.values(breakdown)) assert.ok(v >= 0 && v <= 1, `${name}: component in 0..1`);
    }
  });
});
