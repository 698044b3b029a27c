import { agents } from './.pop.tmp.js';
import { decide } from './src/tasks/assignment/decide.js';
import { createAgentIndex } from './src/tasks/assignment/agent-index.js';
const index = createAgentIndex(); for (const a of agents) index.upsert(a);
const base = { tenantId: 'bench-tenant', id: 't', priority: 'normal' as const, requiredCapabilities: [] as string[], maxCost: null, deadline: null, expectedDurationMs: null, affinityAgentIds: [], avoidAgentIds: [] };
function t(name: string, task: typeof base, strategy: 'auto' | 'round_robin') {
  const c = index.candidates('bench-tenant', task.requiredCapabilities);
  let x = 0;
  for (let i = 0; i < 300; i++) x += decide(task, c, strategy, 1_800_000_000_000).eligible;
  const st = process.cpuUsage();
  for (let i = 0; i < 1000; i++) x += decide(task, c, strategy, 1_800_000_000_000).eligible;
  const u = process.cpuUsage(st); console.log(name, strategy, c.length, ((u.user + u.system) / 1000).toFixed(1), 'us', x/1300);
}
for (const s of ['auto', 'round_robin'] as const) {
t('0cap', base, s);
t('1cap', { ...base, requiredCapabilities: ['cap-01'] }, s);
t('1cap b', { ...base, requiredCapabilities: ['cap-17'] }, s);
t('2cap', { ...base, requiredCapabilities: ['cap-01', 'cap-02'] }, s);
}
