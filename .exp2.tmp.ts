const { agents } = await import('./.pop.tmp.js');
function t(name: string, f: () => number) {
  for (let i = 0; i < 200; i++) f();
  const st = process.cpuUsage(); let x = 0;
  for (let i = 0; i < 500; i++) x += f();
  const u = process.cpuUsage(st); console.log(name, ((u.user + u.system) / 500).toFixed(1), 'us', x > 0 ? '' : ' ');
}
t('iterate only', () => { let c = 0; for (const a of agents) c += a.inFlight; return c; });
t('flat fields', () => { let c = 0; for (const a of agents) if (a.online && a.inFlight < a.maxConcurrency && a.costPerTask < 100) c++; return c; });
t('+breaker', () => { let c = 0; for (const a of agents) if (a.online && a.breaker.state === 'closed') c++; return c; });
t('+overall', () => { let c = 0; for (const a of agents) c += a.stats.overall.samples; return c; });
t('+cap has', () => { let c = 0; for (const a of agents) if (a.capabilities.has('cap-01')) c++; return c; });
t('+bycap get', () => { let c = 0; for (const a of agents) c += a.stats.byCapability.get('cap-01')?.samples ?? 0; return c; });
const { firstFilterReason } = await import('./src/tasks/assignment/filters.js');
const { baseScore, strategyWeights } = await import('./src/tasks/assignment/scores.js');
const { observedLatencyMs } = await import('./src/tasks/assignment/task-stats.js');
const { defaultBreakerConfig } = await import('./src/agents/breaker.js');
const { decide } = await import('./src/tasks/assignment/decide.js');
const t0 = { tenantId: 'bench-tenant', id: 't', priority: 'normal' as const, requiredCapabilities: [] as string[], maxCost: null, deadline: null, expectedDurationMs: null, affinityAgentIds: [], avoidAgentIds: [] };
t('filters', () => { let c = 0; for (const a of agents) if (firstFilterReason(t0, a, 1_800_000_000_000, defaultBreakerConfig) === null) c++; return c; });
t('filters+count', () => { let c = 0; const counts: Record<string, number> = {}; for (const a of agents) { const r = firstFilterReason(t0, a, 1_800_000_000_000, defaultBreakerConfig); if (r === null) c++; else counts[r] = (counts[r] ?? 0) + 1; } return c; });
t('latency', () => { let c = 0; for (const a of agents) c += observedLatencyMs(t0, a); return c; });
t('base auto', () => { let c = 0; for (const a of agents) c += baseScore(t0, a, strategyWeights.balanced); return c; });
t('base rr', () => { let c = 0; for (const a of agents) c += baseScore(t0, a, strategyWeights.round_robin); return c; });
t('decide auto', () => decide(t0, agents, 'auto', 1_800_000_000_000).eligible);
t('decide rr', () => decide(t0, agents, 'round_robin', 1_800_000_000_000).eligible);
