import { agents } from './.pop.tmp.js';
import { decide } from './src/tasks/assignment/decide.js';
import { firstFilterReason } from './src/tasks/assignment/filters.js';
import { baseScore, strategyWeights, avoidFactor, includeInContext, emptyScoreContext, latencyScoreOf, costScoreOf, combineScore } from './src/tasks/assignment/scores.js';
import { observedLatencyMs } from './src/tasks/assignment/task-stats.js';
import { defaultBreakerConfig } from './src/agents/breaker.js';
const t0 = { tenantId: 'bench-tenant', id: 't', priority: 'normal' as const, requiredCapabilities: [] as string[], maxCost: null, deadline: null, expectedDurationMs: null, affinityAgentIds: [] as string[], avoidAgentIds: [] as string[] };
const now = 1_800_000_000_000;
function t(name: string, f: () => number) {
  let x = 0;
  for (let i = 0; i < 200; i++) x += f();
  const st = process.cpuUsage();
  for (let i = 0; i < 600; i++) x += f();
  const u = process.cpuUsage(st); console.log(name.padEnd(20), ((u.user + u.system) / 600).toFixed(1), 'us', x > 0 ? '' : '-');
}
const N = 16384;
const base = new Float64Array(N), lat = new Float64Array(N), cost = new Float64Array(N), last = new Float64Array(N), factor = new Float64Array(N);
const ags: unknown[] = new Array(N).fill(undefined);
const w = strategyWeights.balanced;
const variants: [string, () => number][] = [
  ['filter only', () => { let e = 0; for (const a of agents) if (firstFilterReason(t0, a, now, defaultBreakerConfig) === null) e++; return e; }],
  ['filter+base', () => { let e = 0; for (const a of agents) if (firstFilterReason(t0, a, now, defaultBreakerConfig) === null) { base[e] = baseScore(t0, a, w); e++; } return e; }],
  ['filter+base+lat', () => { let e = 0; for (const a of agents) if (firstFilterReason(t0, a, now, defaultBreakerConfig) === null) { base[e] = baseScore(t0, a, w); lat[e] = observedLatencyMs(t0, a); e++; } return e; }],
  ['pass1 full', () => { let e = 0; const ctx = emptyScoreContext(); for (const a of agents) if (firstFilterReason(t0, a, now, defaultBreakerConfig) === null) { const l = observedLatencyMs(t0, a); ags[e] = a; base[e] = baseScore(t0, a, w); lat[e] = l; cost[e] = a.costPerTask; last[e] = a.lastAssignedAt; factor[e] = avoidFactor(t0, a); e++; includeInContext(ctx, l, a.costPerTask, a.lastAssignedAt); } return e + ctx.minCost; }],
  ['pass2 only', () => { const ctx = emptyScoreContext(); ctx.minLatency = 200; ctx.minCost = 0.1; let b = 0; for (let i = 0; i < 6700; i++) { const t = combineScore(base[i]!, latencyScoreOf(lat[i]!, ctx), costScoreOf(cost[i]!, ctx), 0, factor[i]!, w); if (t > b) b = t; } return b; }],
  ['decide', () => decide(t0, agents, 'auto', now).eligible],
];
for (let r = 0; r < 2; r++) for (const [n, f] of variants) t(n, f);
