import { agents } from './.pop.tmp.js';
import { firstFilterReason, filterTenant, filterCapabilities, filterOnline, filterBreaker, filterCapacity, filterBudget, filterDeadline } from './src/tasks/assignment/filters.js';
import { defaultBreakerConfig } from './src/agents/breaker.js';
import { baseScore, strategyWeights, scoreLoad, scoreCapability, scoreSuccessRate, scoreAffinity } from './src/tasks/assignment/scores.js';
import { smoothSuccessRate } from './src/tasks/assignment/task-stats.js';
const t0 = { tenantId: 'bench-tenant', id: 't', priority: 'normal' as const, requiredCapabilities: [] as string[], maxCost: null, deadline: null, expectedDurationMs: null, affinityAgentIds: [] as string[], avoidAgentIds: [] as string[] };
const now = 1_800_000_000_000;
function t(name: string, f: () => number) {
  let x = 0;
  for (let i = 0; i < 300; i++) x += f();
  const st = process.cpuUsage();
  for (let i = 0; i < 1000; i++) x += f();
  const u = process.cpuUsage(st); console.log(name.padEnd(20), ((u.user + u.system) / 1000).toFixed(1), 'us', x > 0 ? '' : '-');
}
const w = strategyWeights.balanced;
const v: [string, () => number][] = [
  ['raw', () => { let e = 0; for (const a of agents) if (a.tenantId === t0.tenantId && a.online && a.breaker.state === 'closed' && a.inFlight < a.maxConcurrency) e++; return e; }],
  ['filter fn', () => { let e = 0; for (const a of agents) if (firstFilterReason(t0, a, now, defaultBreakerConfig) === null) e++; return e; }],
  ['filter direct', () => { let e = 0; for (const a of agents) if ((filterTenant(t0, a) ?? filterCapabilities(t0, a) ?? filterOnline(t0, a) ?? filterBreaker(t0, a, now, defaultBreakerConfig) ?? filterCapacity(t0, a) ?? filterBudget(t0, a) ?? filterDeadline(t0, a, now)) === null) e++; return e; }],
  ['base raw', () => { let s = 0; for (const a of agents) { const o = a.stats.overall; s += 0.25 + 0.2 * Math.max(0, 1 - a.inFlight / a.maxConcurrency) + 0.2 * ((o.successRate * o.samples + 4.5) / (o.samples + 5)); } return s; }],
  ['base fns', () => { let s = 0; for (const a of agents) s += w.capability * scoreCapability(t0, a) + w.load * scoreLoad(a) + w.successRate * scoreSuccessRate(t0, a) + w.affinity * scoreAffinity(t0, a); return s; }],
  ['base smooth', () => { let s = 0; for (const a of agents) s += smoothSuccessRate(a.stats.overall); return s; }],
  ['baseScore', () => { let s = 0; for (const a of agents) s += baseScore(t0, a, w); return s; }],
];
for (let r = 0; r < 3; r++) for (const [n, f] of v) t(n, f);
