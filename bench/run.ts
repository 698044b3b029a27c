/**
 * `npm run bench`: DevMesh against the machine's ceiling (a raw `ws` echo) and the official SDK
 * (McpServer over Streamable HTTP), side by side in one run, plus the cold start of `devmesh serve`,
 * the full task lifecycle with 100 agents on PGlite and PostgreSQL (lifecycle-bench.ts) and the
 * assignment decision with 10,000 agents (assignment-bench.ts), and the time from one of two
 * processes' death to its tasks being requeued (failover-bench.ts). Servers and agents run in child
 * processes; the load generator runs here. Prints a table, writes bench/results/latest.json.
 * See `npm run bench -- --help`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runAssignmentBench, type AssignmentBenchResult } from './assignment-bench.js';
import { runClusterBench, type ClusterResult } from './cluster-bench.js';
import { failoverFailed, formatFailover, runFailoverBench, type FailoverResult } from './failover-bench.js';
import { formatQueueBench, runQueueBench, type QueueBenchResult } from './queue-bench.js';
import { loadavg } from 'node:os';
import { measureColdStart, type ColdStartResult } from './cold-start.js';
import { devmeshNodeFlags } from './lib/children.js';
import { parseOptions, usage, type BenchOptions } from './lib/options.js';
import { dropLiveDatabases } from './lib/postgres-db.js';
import { summarizeProfile } from './lib/profile-summary.js';
import { runLifecycleBench, type LifecycleResult } from './lifecycle-bench.js';
import { assignmentGoals, lifecycleGoals } from './lifecycle-report.js';
import { runClosedLoop } from './load/closed-loop.js';
import { shapes, type Measurement, type Method } from './load/types.js';
import { evaluateGoals, formatReport, meta, summarize, type Report, type ScenarioResult } from './report.js';
import { startDevMesh } from './targets/devmesh.js';
import { startRawEcho } from './targets/raw-echo.js';
import { startSdkHttp } from './targets/sdk-http.js';
import type { Target } from './targets/target.js';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const methods: Method[] = ['ping', 'task_status'];

const root = new URL('..', import.meta.url).pathname;
const dist = new URL('../dist/', import.meta.url);

/**
 * `npm run build` (tsc -p tsconfig.build.json), so bin/devmesh.js runs the compiled server.
 * Returns a cleanup that removes dist/ again if this run created it: a dist/ left behind would make
 * bin/devmesh.js run stale code after the sources change.
 */
function build(): () => Promise<void> {
  const existed = existsSync(dist);
  const cleanup = async () => {
    if (!existed) await rm(dist, { recursive: true, force: true });
  };
  log('npm run build');
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout}${result.stderr}`.split('\n').slice(-30).join('\n'));
    void cleanup();
    throw new Error(`npm run build failed (status ${result.status}); fix the sources or pass --no-build`);
  }
  return cleanup;
}

async function startTargets(options: BenchOptions): Promise<{ targets: Target[]; stop(): Promise<void> }> {
  const stops: (() => Promise<void>)[] = [];
  const targets: Target[] = [];
  try {
    if (options.parts.has('raw')) {
      const raw = await startRawEcho();
      stops.push(raw.stop);
      targets.push(raw.target);
    }
    const loadDevMesh = options.parts.has('devmesh') || options.parts.has('devmesh-http');
    // The SDK server serves the very task DevMesh returns, so DevMesh starts for it in any case.
    if (loadDevMesh || options.parts.has('sdk')) {
      const devmesh = await startDevMesh();
      stops.push(devmesh.stop);
      if (options.parts.has('devmesh')) targets.push(devmesh.ws);
      if (options.parts.has('devmesh-http')) targets.push(devmesh.http);
      if (options.parts.has('sdk')) {
        const sdk = await startSdkHttp(devmesh.task);
        stops.push(sdk.stop);
        targets.push(sdk.target);
      }
      if (!loadDevMesh) {
        stops.splice(stops.indexOf(devmesh.stop), 1);
        await devmesh.stop();
      }
    }
  } catch (error) {
    await Promise.allSettled(stops.map((stop) => stop()));
    throw error;
  }
  return { targets, stop: async () => void (await Promise.allSettled(stops.map((stop) => stop()))) };
}

/** Rounds are the outer loop, so a slow phase of the machine touches every target alike. */
async function runScenarios(targets: Target[], options: BenchOptions): Promise<ScenarioResult[]> {
  const rounds = new Map<string, Measurement[]>();
  for (let round = 1; round <= options.rounds; round++) {
    for (const target of targets) {
      for (const method of methods) {
        for (const shape of shapes) {
          const { channels, close } = await target.openChannels(shape);
          const m = await runClosedLoop(channels, shape.inFlight, method, { ...options, serverPid: target.pid });
          await close();
          const key = `${target.name} ${method} ${shape.name}`;
          rounds.set(key, [...(rounds.get(key) ?? []), m]);
          log(`round ${round}/${options.rounds} ${key.padEnd(32)} ${Math.round(m.rps).toString().padStart(7)} req/s  p50 ${m.p50Ms.toFixed(2)} ms  p99 ${m.p99Ms.toFixed(2)} ms  errors ${m.errors}  cpu server ${m.cpu.serverCores.toFixed(2)} client ${m.cpu.clientCores.toFixed(2)} other ${m.cpu.otherCores.toFixed(2)}`);
        }
      }
    }
  }
  return targets.flatMap((target) => methods.flatMap((method) => shapes.map((shape) => summarize(target, method, shape, rounds.get(`${target.name} ${method} ${shape.name}`) ?? []))));
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(usage);
    return 0;
  }
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  const needsServer = options.parts.has('cold') || options.parts.has('devmesh') || options.parts.has('devmesh-http') || options.parts.has('lifecycle') || options.parts.has('cluster') || options.parts.has('failover');
  const cleanup = options.build && needsServer ? build() : async () => undefined;
  try {
    return await measure(options, loadAtStart);
  } finally {
    await cleanup();
  }
}

/** Prints the top functions of every profile written since `since` (ms since the epoch). */
async function summarizeProfiles(dir: string, since: number): Promise<void> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f));
  for (const file of files) {
    if ((await stat(file)).mtimeMs < since) continue;
    const lines = await summarizeProfile(file);
    await writeFile(`${file}.top.txt`, `${lines.join('\n')}\n`);
    log(`profile ${file} (summary in ${path.basename(file)}.top.txt)\n${lines.join('\n')}`);
  }
}

async function measure(options: BenchOptions, loadAtStart: number): Promise<number> {
  const began = Date.now();
  let assignment: AssignmentBenchResult | undefined;
  if (options.parts.has('assignment')) {
    log('assignment decision benchmark (10,000 agents, in this process)');
    assignment = await runAssignmentBench({ quick: options.quick });
    log(`assignment: median ${assignment.medianUs} us, p99 ${assignment.p99Us} us wall; CPU median ${assignment.cpuMedianUs} us, p99 ${assignment.cpuP99Us} us`);
  }
  let queue: QueueBenchResult | undefined;
  if (options.parts.has('queue')) {
    log('work queue benchmark (in-process, and Redis Streams when TEST_REDIS_URL or REDIS_URL is set)');
    queue = await runQueueBench({ quick: options.quick, redisUrl: process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', log });
  }
  let cold: ColdStartResult | undefined;
  if (options.parts.has('cold')) cold = await measureColdStart(options.coldRuns, log);
  if (options.profileDir) {
    devmeshNodeFlags.push('--cpu-prof', `--cpu-prof-dir=${options.profileDir}`);
    log(`profiling the DevMesh server into ${options.profileDir}`);
  }
  let scenarios: ScenarioResult[] = [];
  const { targets, stop } = await startTargets(options);
  try {
    scenarios = await runScenarios(targets, options);
  } finally {
    await stop();
  }
  let lifecycle: LifecycleResult | undefined;
  if (options.parts.has('lifecycle')) lifecycle = await runLifecycleBench(options, log);
  let cluster: ClusterResult | undefined;
  if (options.parts.has('cluster')) cluster = await runClusterBench(options, log);
  let failover: FailoverResult | undefined;
  if (options.parts.has('failover')) failover = await runFailoverBench(options, log);
  if (options.profileDir && existsSync(options.profileDir)) await summarizeProfiles(options.profileDir, began);
  const report: Report & { failover?: FailoverResult | undefined } = {
    meta: { ...meta(options.rounds, options.warmupMs, options.measureMs, loadAtStart), devmeshRuntime: existsSync(new URL('cli/main.js', dist)) ? 'compiled dist/' : 'tsx (no dist/)' },
    scenarios,
    goals: [
      ...evaluateGoals(scenarios, cold),
      ...(lifecycle ? lifecycleGoals(lifecycle.scenarios, lifecycle.checks) : []),
      ...(assignment ? assignmentGoals(assignment) : []),
    ],
    coldStart: cold && { ...cold, goalMs: 3000 },
    lifecycle,
    assignment,
    queue,
    cluster,
    failover,
  };
  process.stdout.write(formatReport(report));
  if (queue) process.stdout.write(`\n${formatQueueBench(queue)}\n`);
  if (failover) process.stdout.write(`${formatFailover(failover).join('\n')}\n`);
  const results = new URL('./results/', import.meta.url);
  await mkdir(results, { recursive: true });
  await writeFile(new URL('latest.json', results), `${JSON.stringify(report, null, 2)}\n`);
  log('wrote bench/results/latest.json');
  const failedLifecycle = lifecycle !== undefined && (lifecycle.checks.some((c) => !c.ok) || lifecycle.scenarios.some((s) => s.median.errors > 0));
  const failedCluster = cluster !== undefined && cluster.scenarios.some((s) => !s.check.ok || s.median.errors > 0);
  const failedFailover = failover !== undefined && failoverFailed(failover);
  return scenarios.some((s) => s.median.errors > 0) || failedLifecycle || failedCluster || failedFailover ? 1 : 0;
}

// Ctrl-C: drop the lifecycle's PostgreSQL database, then exit through process.exit so the children
// are killed (see lib/children.ts).
process.once('SIGINT', () => {
  log('interrupted');
  void dropLiveDatabases().finally(() => process.exit(130));
});

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
