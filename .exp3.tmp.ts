import { agents } from './.pop.tmp.js';
import { decide } from './src/tasks/assignment/decide.js';
const t0 = { tenantId: 'bench-tenant', id: 't', priority: 'normal' as const, requiredCapabilities: [] as string[], maxCost: null, deadline: null, expectedDurationMs: null, affinityAgentIds: [], avoidAgentIds: [] };
let x = 0;
for (let i = 0; i < 200; i++) x += decide(t0, agents, 'auto', 1_800_000_000_000).eligible;
const st = process.cpuUsage();
for (let i = 0; i < 1000; i++) x += decide(t0, agents, 'auto', 1_800_000_000_000).eligible;
const u = process.cpuUsage(st); console.log('decide auto', ((u.user + u.system) / 1000).toFixed(1), 'us', x);
