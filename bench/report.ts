import type { QueueBenchResult } from './queue-bench.js';
import { cpus, loadavg } from 'node:os';
import type { AssignmentBenchResult } from './assignment-bench.js';
import type { ColdStartResult } from './cold-start.js';
import { formatCluster, type ClusterResult } from './cluster-bench.js';
import type { LifecycleResult } from './lifecycle-bench.js';
import { formatAssignment, formatLifecycle } from './lifecycle-report.js';
import { median } from './lib/stats.js';
import type { Measurement, Method, Shape } from './load/types.js';
import type { Target } from './targets/target.js';

export interface ScenarioResult {
  target: Target['name'];
  transport: Target['transport'];
  method: Method;
  shape: Shape['name'];
  rounds: Measurement[];
  median: { rps: number; p50Ms: number; p99Ms: number; errors: number; serverCores: number; otherCores: number };
}

export interface Goal {
  name: string;
  value: number;
  threshold: number;
  unit: 'ratio' | 's' | 'ms' | 'us' | 'tasks/s' | 'tasks';
  pass: boolean;
}

export interface Report {
  meta: { date: string; node: string; cpus: string; rounds: number; warmupS: number; measureS: number; loadAverage: { start: number; end: number }; devmeshRuntime?: string };
  scenarios: ScenarioResult[];
  goals: Goal[];
  coldStart: (ColdStartResult & { goalMs: number }) | undefined;
  lifecycle?: LifecycleResult | undefined;
  assignment?: AssignmentBenchResult | undefined;
  queue?: QueueBenchResult | undefined;
  cluster?: ClusterResult | undefined;
}

export function summarize(target: Target, method: Method, shape: Shape, rounds: Measurement[]): ScenarioResult {
  return {
    target: target.name,
    transport: target.transport,
    method,
    shape: shape.name,
    rounds,
    median: {
      rps: median(rounds.map((r) => r.rps)),
      p50Ms: median(rounds.map((r) => r.p50Ms)),
      p99Ms: median(rounds.map((r) => r.p99Ms)),
      errors: rounds.reduce((n, r) => n + r.errors, 0),
      serverCores: median(rounds.map((r) => r.cpu.serverCores)),
      otherCores: median(rounds.map((r) => r.cpu.otherCores)),
    },
  };
}

/** The goals from the issue, for every pair of scenarios present in this run. */
export function evaluateGoals(scenarios: ScenarioResult[], cold: ColdStartResult | undefined): Goal[] {
  const find = (target: string, method: Method, shape: string) => scenarios.find((s) => s.target === target && s.method === method && s.shape === shape);
  const goals: Goal[] = [];
  for (const shape of ['1x64', '50x1']) {
    const ratio = (a: ScenarioResult | undefined, b: ScenarioResult | undefined) => (a && b ? a.median.rps / b.median.rps : undefined);
    const ping = ratio(find('devmesh', 'ping', shape), find('raw-echo', 'ping', shape));
    if (ping !== undefined) goals.push({ name: `devmesh ping / raw-echo ping (${shape})`, value: ping, threshold: 0.6, unit: 'ratio', pass: ping >= 0.6 });
    const status = ratio(find('devmesh', 'task_status', shape), find('sdk', 'task_status', shape));
    if (status !== undefined) goals.push({ name: `devmesh task_status / sdk task_status (${shape})`, value: status, threshold: 5, unit: 'ratio', pass: status >= 5 });
  }
  if (cold) goals.push({ name: 'devmesh serve cold start, existing data dir (median)', value: cold.medianMs / 1000, threshold: 3, unit: 's', pass: cold.medianMs < 3000 });
  return goals;
}

export function meta(rounds: number, warmupMs: number, measureMs: number, loadAtStart: number): Report['meta'] {
  const cpu = cpus();
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpus: `${cpu.length} x ${cpu[0]?.model ?? '?'}`,
    rounds,
    warmupS: warmupMs / 1000,
    measureS: measureMs / 1000,
    loadAverage: { start: loadAtStart, end: loadavg()[0] ?? Number.NaN },
  };
}

const num = (n: number, digits: number) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-');

function formatValue(g: Goal): string {
  switch (g.unit) {
    case 'ratio':
      return `${num(g.value, 2)}x`;
    case 'tasks/s':
    case 'tasks':
      return `${num(g.value, 0)}`;
    case 'us':
      return `${num(g.value, 1)} us`;
    default:
      return `${num(g.value, 2)} ${g.unit}`;
  }
}

function formatWanted(g: Goal): string {
  switch (g.unit) {
    case 'ratio':
      return `>= ${g.threshold}x`;
    case 'tasks/s':
      return `>= ${num(g.threshold, 0)}/s`;
    case 'tasks':
      return `= ${g.threshold} created`;
    default:
      return `< ${g.threshold} ${g.unit}`;
  }
}

/** The stable plain-text form of a report. */
export function formatReport(report: Report): string {
  const m = report.meta;
  const lines = [
    `DevMesh benchmark  ${m.date}  node ${m.node}  ${m.cpus}  load average ${num(m.loadAverage.start, 2)} at start, ${num(m.loadAverage.end, 2)} at end`,
    `devmesh runs ${m.devmeshRuntime ?? '?'}; over 127.0.0.1; each scenario: ${m.warmupS} s warm-up + ${m.measureS} s measured, ${m.rounds} round(s); medians of rounds`,
  ];
  if (report.scenarios.length) lines.push(
    `closed loop; shape 1x64 = 1 connection, 64 in flight (HTTP: 1 session, 64 in flight over a 64-socket keep-alive agent); 50x1 = 50 connections/sessions, 1 in flight each`,
    `srv cpu = cores the server used; other cpu = cores used by unrelated processes (noise: rows with other > 0.2 are suspect)`,
    '',
    `${'target'.padEnd(14)}${'transport'.padEnd(11)}${'method'.padEnd(13)}${'shape'.padEnd(7)}${'req/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'errors'.padStart(8)}${'srv cpu'.padStart(9)}${'other cpu'.padStart(11)}`,
  );
  for (const s of report.scenarios) {
    lines.push(
      `${s.target.padEnd(14)}${s.transport.padEnd(11)}${s.method.padEnd(13)}${s.shape.padEnd(7)}${num(s.median.rps, 0).padStart(10)}${num(s.median.p50Ms, 2).padStart(9)}${num(s.median.p99Ms, 2).padStart(9)}${String(s.median.errors).padStart(8)}${num(s.median.serverCores, 2).padStart(9)}${num(s.median.otherCores, 2).padStart(11)}`,
    );
  }
  if (report.coldStart) {
    const c = report.coldStart;
    lines.push('', `cold start (${c.compiled ? 'compiled dist/' : 'tsx, no dist/'}): runs ${c.runsMs.map((ms) => (ms / 1000).toFixed(2)).join(', ')} s; first start on an empty data dir ${(c.firstStartMs / 1000).toFixed(2)} s`);
  }
  if (report.lifecycle) lines.push(...formatLifecycle(report.lifecycle.scenarios, report.lifecycle.checks, report.lifecycle.skipped, report.lifecycle.notes));
  if (report.cluster) lines.push(...formatCluster(report.cluster));
  if (report.assignment) lines.push(...formatAssignment(report.assignment));
  if (report.goals.length) {
    lines.push('', 'goals');
    for (const g of report.goals) lines.push(`${g.name.padEnd(66)}${formatValue(g).padStart(12)}  ${formatWanted(g).padEnd(13)} ${g.pass ? 'PASS' : 'FAIL'}`);
  }
  return `${lines.join('\n')}\n`;
}
