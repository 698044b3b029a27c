import { runAssignmentBench } from './bench/assignment-bench.js';
import { createAgentIndex } from './src/tasks/assignment/agent-index.js';
import { decide } from './src/tasks/assignment/decide.js';
// crude: reuse bench's internals by re-running population via bench function is not exported; replicate quickly
const mod = await import('./bench/assignment-bench.js');
void mod; void runAssignmentBench; void createAgentIndex;
const { agents } = await import('./.pop.tmp.js');
const t0 = { tenantId: 'bench-tenant', id: 't', priority: 'normal' as const, requiredCapabilities: [] as string[], maxCost: null, deadline: null, expectedDurationMs: null, affinityAgentIds: [], avoidAgentIds: [] };
const t1 = { ...t0, requiredCapabilities: ['cap-01'] };
for (const [name, t] of [['0cap', t0], ['1cap', t1]] as const) {
  for (const s of ['round_robin', 'auto'] as const) {
    for (let i = 0; i < 300; i++) decide(t, agents, s, 1_800_000_000_000);
    const st = process.cpuUsage();
    const n = 300;
    for (let i = 0; i < n; i++) decide(t, agents, s, 1_800_000_000_000);
    console.log(name, s, (() => { const u = process.cpuUsage(st); return (u.user + u.system) / n; })(), 'us/decision over', agents.length);
  }
}
