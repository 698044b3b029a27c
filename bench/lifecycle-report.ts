import type { AssignmentBenchResult } from './assignment-bench.js';
import { median } from './lib/stats.js';
import type { LifecycleLoad, LifecycleMeasurement } from './load/lifecycle-load.js';
import type { Goal } from './report.js';

type Backend = 'pglite' | 'postgres';
type Mode = 'complete' | 'accept+complete';

export const lifecycleGoal = { backend: 'postgres' as Backend, tasksPerSecond: 1000, medianMs: 10 };
export const assignmentGoalUs = 1000;

export interface LifecycleScenario {
  backend: Backend;
  mode: Mode;
  load: LifecycleLoad;
  rounds: LifecycleMeasurement[];
  median: {
    tasksPerSecond: number;
    p50Ms: number;
    p99Ms: number;
    createP50Ms: number;
    deliverP50Ms: number;
    errors: number;
    shed: number;
    serverCores: number;
    dbCores: number;
    agentsCores: number;
    clientCores: number;
    irqCores: number;
    otherCores: number;
  };
}

/** Every task the creator created was completed, checked in the database at the end. */
export interface LifecycleCheck {
  backend: Backend;
  created: number;
  completed: number;
  notCompleted: Record<string, number>;
  /** Completion records from the agents that matched no task of a run. */
  unmatched: number;
  ok: boolean;
}

export function summarizeLifecycle(backend: Backend, mode: Mode, load: LifecycleLoad, rounds: LifecycleMeasurement[]): LifecycleScenario {
  const med = (pick: (m: LifecycleMeasurement) => number) => median(rounds.map(pick));
  return {
    backend,
    mode,
    load,
    rounds,
    median: {
      tasksPerSecond: med((m) => m.tasksPerSecond),
      p50Ms: med((m) => m.p50Ms),
      p99Ms: med((m) => m.p99Ms),
      createP50Ms: med((m) => m.createP50Ms),
      deliverP50Ms: med((m) => m.deliverP50Ms),
      errors: rounds.reduce((n, m) => n + m.errors, 0),
      shed: rounds.reduce((n, m) => n + m.shed, 0),
      serverCores: med((m) => m.cpu.serverCores),
      dbCores: med((m) => m.cpu.dbCores),
      agentsCores: med((m) => m.cpu.agentsCores),
      clientCores: med((m) => m.cpu.clientCores),
      irqCores: med((m) => m.cpu.irqCores),
      otherCores: med((m) => m.cpu.otherCores),
    },
  };
}

const loadLabel = (load: LifecycleLoad) => (load.kind === 'closed' ? `closed ${load.inFlight}` : `open ${load.rate}/s`);

export function lifecycleGoals(scenarios: LifecycleScenario[], checks: LifecycleCheck[]): Goal[] {
  const goals: Goal[] = [];
  const { backend, tasksPerSecond, medianMs } = lifecycleGoal;
  const closed = scenarios.find((s) => s.backend === backend && s.mode === 'complete' && s.load.kind === 'closed');
  if (closed) {
    const value = closed.median.tasksPerSecond;
    goals.push({ name: `lifecycle on PostgreSQL, tasks/s (${loadLabel(closed.load)})`, value, threshold: tasksPerSecond, unit: 'tasks/s', pass: value >= tasksPerSecond });
  }
  const open = scenarios.find((s) => s.backend === backend && s.mode === 'complete' && s.load.kind === 'open');
  if (open && open.load.kind === 'open') {
    // Met only at the goal rate, sustained (achieved within 3% of offered, nothing shed).
    const sustained = open.load.rate >= tasksPerSecond && open.median.tasksPerSecond >= 0.97 * open.load.rate && open.median.shed === 0;
    const value = open.median.p50Ms;
    const name = `lifecycle on PostgreSQL, median ms at ${open.load.rate}/s offered${sustained ? '' : ' (not 1000/s sustained)'}`;
    goals.push({ name, value, threshold: medianMs, unit: 'ms', pass: sustained && value < medianMs });
  }
  for (const check of checks) {
    goals.push({ name: `lifecycle on ${check.backend}: every created task completed`, value: check.completed, threshold: check.created, unit: 'tasks', pass: check.ok });
  }
  return goals;
}

export function assignmentGoals(result: AssignmentBenchResult): Goal[] {
  return [{ name: `assignment decision p99, ${result.agents.toLocaleString('en-US')} agents`, value: result.p99Us, threshold: assignmentGoalUs, unit: 'us', pass: result.p99Us < assignmentGoalUs }];
}

const num = (n: number, digits: number) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-');

export function formatLifecycle(scenarios: LifecycleScenario[], checks: LifecycleCheck[], skipped: string[], notes: string[] = []): string[] {
  const lines = [
    '',
    'task lifecycle: create over MCP (4 WS connections) -> assign -> task_assigned pushed to one of 100 agents (1 process, max_concurrency 8 each) -> complete',
    'latency = create sent -> the agent\'s complete response (CLOCK_MONOTONIC in both processes); tasks/s = completes returned in the window',
    'closed N = N tasks in the system at all times (capacity; latency ~ N / rate); open R/s = creates at a fixed rate (latency at that rate)',
    'cpu in cores: srv = server; db = PostgreSQL backends of the bench database + WAL writer, checkpointer, background writer;',
    '  agents = agents process; creator = this process; irq = interrupts/softirq (loopback TCP, disk); other = everything else (noise)',
    '',
    `${'backend'.padEnd(10)}${'path'.padEnd(17)}${'load'.padEnd(13)}${'tasks/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'create'.padStart(8)}${'deliv.'.padStart(8)}${'errors'.padStart(8)}${'srv/t'.padStart(7)}${'db/t'.padStart(6)}${'srv'.padStart(6)}${'db'.padStart(6)}${'agents'.padStart(8)}${'creator'.padStart(8)}${'irq'.padStart(6)}${'other'.padStart(7)}`,
  ];
  for (const s of scenarios) {
    const m = s.median;
    lines.push(
      `${s.backend.padEnd(10)}${s.mode.padEnd(17)}${loadLabel(s.load).padEnd(13)}${num(m.tasksPerSecond, 0).padStart(9)}${num(m.p50Ms, 2).padStart(9)}${num(m.p99Ms, 2).padStart(9)}${num(m.createP50Ms, 2).padStart(8)}${num(m.deliverP50Ms, 2).padStart(8)}${`${m.errors}${m.shed ? `+${m.shed}s` : ''}`.padStart(8)}${num((1000 * m.serverCores) / m.tasksPerSecond, 2).padStart(7)}${num((1000 * m.dbCores) / m.tasksPerSecond, 2).padStart(6)}${num(m.serverCores, 2).padStart(6)}${num(m.dbCores, 2).padStart(6)}${num(m.agentsCores, 2).padStart(8)}${num(m.clientCores, 2).padStart(8)}${num(m.irqCores, 2).padStart(6)}${num(m.otherCores, 2).padStart(7)}`,
    );
  }
  lines.push(
    'create / deliv. = p50 ms from create sent to the create response / to task_assigned at the agent; errors +Ns = creates shed by the open loop',
    'srv/t, db/t = CPU ms per completed task in the server / the database (less sensitive to noise than tasks/s on a shared machine)',
  );
  for (const c of checks) lines.push(`check ${c.backend}: ${c.created} created, ${c.completed} completed${Object.keys(c.notCompleted).length ? `, not completed ${JSON.stringify(c.notCompleted)}` : ''} -> ${c.ok ? 'ok' : 'MISMATCH'}`);
  for (const s of skipped) lines.push(`skipped ${s}`);
  for (const n of notes) lines.push(n);
  return lines;
}

export function formatAssignment(result: AssignmentBenchResult): string[] {
  const us = (n: number) => `${num(n, 1)} us`;
  return [
    '',
    `assignment decision, ${result.agents.toLocaleString('en-US')} agents in one tenant, ${result.decisions.toLocaleString('en-US')} decisions (all strategies)`,
    `  wall clock  median ${us(result.medianUs).padStart(10)}  p99 ${us(result.p99Us).padStart(10)}`,
    `  CPU time    median ${us(result.cpuMedianUs).padStart(10)}  p99 ${us(result.cpuP99Us).padStart(10)}   (process.cpuUsage, 1 us resolution; leaves out descheduled time)`,
    ...result.byStrategy.map((s) => `  ${s.strategy.padEnd(18)} median ${us(s.medianUs).padStart(10)}  p99 ${us(s.p99Us).padStart(10)}  ${(s.assignedRatio * 100).toFixed(1)}% assigned`),
  ];
}
