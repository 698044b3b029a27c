import { emptyStats, type PerformanceStats } from './src/agents/agent-stats.js';
import { defaultBreakerConfig, initialBreaker, onFailure, type BreakerSnapshot } from './src/agents/breaker.js';
import type { AgentSnapshot } from './src/tasks/assignment/types.js';
const tenantId = 'bench-tenant'; const agentCount = 10_000; const now = 1_800_000_000_000;
const capabilityPool = Array.from({ length: 50 }, (_, i) => `cap-${String(i).padStart(2, '0')}`);
function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomStats(random: () => number): PerformanceStats {
  if (random() < 0.1) return emptyStats();
  return { successRate: 0.5 + random() * 0.5, latencyMs: 200 + random() * 20_000, samples: 1 + Math.floor(random() * 500) };
}

function makeAgents(random: () => number): AgentSnapshot[] {
  const open: BreakerSnapshot = Array.from({ length: defaultBreakerConfig.failureThreshold }).reduce<BreakerSnapshot>(
    (b) => onFailure(b, defaultBreakerConfig, now - 1000),
    initialBreaker(),
  );
  return Array.from({ length: agentCount }, (_, i) => {
    const capabilities = new Map<string, number>();
    const count = 1 + Math.floor(random() * 5);
    while (capabilities.size < count) capabilities.set(capabilityPool[Math.floor(random() * capabilityPool.length)]!, random());
    const byCapability = new Map([...capabilities.keys()].map((c) => [c, randomStats(random)] as const));
    const maxConcurrency = 1 + Math.floor(random() * 8);
    return {
      tenantId,
      id: `agent-${String(i).padStart(5, '0')}`,
      capabilities,
      maxConcurrency,
      inFlight: Math.floor(random() * (maxConcurrency + 1)),
      online: random() > 0.1,
      breaker: random() < 0.03 ? open : initialBreaker(),
      costPerTask: Math.round(random() * 100) / 10,
      stats: { overall: randomStats(random), byCapability },
      lastAssignedAt: random() < 0.2 ? 0 : now - Math.floor(random() * 3_600_000),
    };
  });
}

export const agents = makeAgents(createRandom(1));
