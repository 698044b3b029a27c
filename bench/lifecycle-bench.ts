/**
 * The full task lifecycle with 100 connected agents, on PGlite and on PostgreSQL: a task is created
 * over MCP (devmesh_task_create, from this process over a few WebSocket connections), assigned by
 * the engine, pushed to its agent (notifications/devmesh/task_assigned) and completed by the agent
 * (devmesh_task_complete, or accept then complete). The agents run in one child process
 * (load/lifecycle-agents.ts), the server in another (`node bin/devmesh.js serve`).
 *
 * Latency of a task = create sent (here) -> the agent's complete response received (there), both
 * read from CLOCK_MONOTONIC, which all processes of the machine share. Tasks per second = complete
 * responses received inside the measured window. At the end every created task must be completed,
 * counted in the database (PostgreSQL) or through the server's REST API and /metrics (PGlite).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Interface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { startScriptServer, stopChild, waitForHttp200 } from './lib/children.js';
import type { BenchOptions } from './lib/options.js';
import { createBenchDatabase, unreachable, type BenchDatabase } from './lib/postgres-db.js';
import { createLifecycleDriver, type LifecycleLoad, type LifecycleMeasurement } from './load/lifecycle-load.js';
import { openWsChannel } from './load/ws-channel.js';
import { lifecycleGoal, summarizeLifecycle, type LifecycleCheck, type LifecycleScenario } from './lifecycle-report.js';
import { spawnDevMesh } from './targets/devmesh.js';

type Backend = LifecycleScenario['backend'];
type LifecycleMode = LifecycleScenario['mode'];

const AGENTS = 100;
const MAX_CONCURRENCY = 8;
const CLOSED_IN_FLIGHT = 64;
const CREATOR_CONNECTIONS = 4;
const CAPABILITY = 'bench';
const nonCompleted = ['pending', 'queued', 'assigned', 'in_progress', 'failed', 'cancelled', 'timed_out', 'dead_lettered'];

export interface LifecycleResult {
  scenarios: LifecycleScenario[];
  checks: LifecycleCheck[];
  skipped: string[];
  /** Notes on the PostgreSQL server (settings, whether the bench ran ANALYZE). */
  notes: string[];
}

export interface Running {
  /** The PostgreSQL database, if any. */
  database: BenchDatabase | undefined;
  key: string;
  apiUrl: string;
  wsUrl: string;
  pids(): Promise<Record<string, number[]>>;
  lines: Interface;
  counts(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

async function getJson(url: string, key: string): Promise<unknown> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
  return response.json();
}

/** PGlite: the database is inside the server (which holds its lock), so ask the server. */
async function countsOverRest(apiUrl: string, key: string): Promise<Record<string, number>> {
  const page = (await getJson(`${apiUrl}/api/v1/tasks?status=${nonCompleted.join(',')}&limit=200`, key)) as { tasks: { status: string }[] };
  const counts: Record<string, number> = {};
  for (const task of page.tasks) counts[task.status] = (counts[task.status] ?? 0) + 1;
  const metrics = await (await fetch(`${apiUrl}/metrics`, { headers: { authorization: `Bearer ${key}` } })).text();
  for (const match of metrics.matchAll(/^devmesh_tasks\{[^}]*status="completed"[^}]*\} (\d+)/gm)) counts.completed = (counts.completed ?? 0) + Number(match[1]);
  return counts;
}

/** Server, database and agents for one backend, all ready; `stop` undoes everything. */
export async function startLifecycleBackend(backend: Backend, log: (line: string) => void): Promise<Running> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `devmesh-bench-lifecycle-${backend}-`));
  const stops: (() => Promise<void>)[] = [() => rm(dataDir, { recursive: true, force: true })];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  };
  try {
    let db: BenchDatabase | undefined;
    if (backend === 'postgres') {
      db = await createBenchDatabase();
      stops.push(db.drop);
      log(`lifecycle: created database ${db.name}`);
    }
    const server = await spawnDevMesh(dataDir, { DATABASE_URL: db?.url ?? '', REDIS_URL: '' }, `lifecycle-${backend}-${Date.now()}.cpuprofile`);
    stops.push(() => stopChild(server.spawned.child, 15_000));
    log(`lifecycle: ${backend} server pid ${server.spawned.child.pid}`);
    const apiUrl = `http://127.0.0.1:${server.apiPort}`;
    await waitForHttp200(`${apiUrl}/health`, server.spawned, 60_000, 50);
    const key = (await readFile(path.join(dataDir, 'admin-key'), 'utf8')).trim();
    const wsUrl = `ws://127.0.0.1:${server.mcpPort}/ws`;
    const agents = await startScriptServer<{ ready: boolean }>(
      'bench/load/lifecycle-agents.ts',
      { BENCH_WS_URL: wsUrl, BENCH_API_KEY: key, BENCH_AGENTS: String(AGENTS), BENCH_MAX_CONCURRENCY: String(MAX_CONCURRENCY), BENCH_CAPABILITY: CAPABILITY },
      60_000,
    );
    stops.push(() => stopChild(agents.spawned.child));
    // Agents register on notifications/initialized, asynchronously: wait until all are online.
    const deadline = performance.now() + 30_000;
    for (;;) {
      const page = (await getJson(`${apiUrl}/api/v1/agents?status=online&capability=${CAPABILITY}&limit=500`, key)) as { agents: unknown[] };
      if (page.agents.length >= AGENTS) break;
      if (performance.now() > deadline) throw new Error(`only ${page.agents.length} of ${AGENTS} agents online after 30 s\n${agents.spawned.stderrTail()}`);
      await sleep(100);
    }
    const serverPid = server.spawned.child.pid!;
    const agentsPid = agents.spawned.child.pid!;
    return {
      database: db,
      key,
      apiUrl,
      wsUrl,
      lines: agents.lines,
      pids: async () => ({ server: [serverPid], agents: [agentsPid], db: db ? await db.backendPids() : [] }),
      counts: () => (db ? db.taskCounts() : countsOverRest(apiUrl, key)),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function runBackend(backend: Backend, options: BenchOptions, log: (line: string) => void): Promise<{ scenarios: LifecycleScenario[]; check: LifecycleCheck; notes: string[] }> {
  const running = await startLifecycleBackend(backend, log);
  const notes: string[] = [];
  try {
    if (running.database) {
      const settings = await running.database.settings();
      notes.push(
        `postgres: ${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(' ')}; ${options.pgAnalyze ? 'ANALYZE once after the first scenario (as auto-analyze would)' : 'never analyzed (--pg-no-analyze)'}; pool of 10 connections (DevMesh default)`,
      );
      log(`lifecycle: ${notes.at(-1)}`);
    }
    const headers = { authorization: `Bearer ${running.key}` };
    const channels = await Promise.all(Array.from({ length: CREATOR_CONNECTIONS }, () => openWsChannel({ url: running.wsUrl, headers, toolName: '', taskId: '' })));
    const driver = createLifecycleDriver(channels, CAPABILITY);
    running.lines.on('line', (line) => {
      if (!line.startsWith('{"d":')) return;
      for (const [seq, assignedAt, doneAt, ok] of (JSON.parse(line) as { d: [number, number, number, number][] }).d) driver.completed(seq, assignedAt, doneAt, ok === 1);
    });
    const rounds = new Map<string, { mode: LifecycleMode; load: LifecycleLoad; measurements: LifecycleMeasurement[] }>();
    let openRate: number | undefined;
    for (let round = 1; round <= options.rounds; round++) {
      const plan: { mode: LifecycleMode; load: LifecycleLoad }[] = [
        { mode: 'complete', load: { kind: 'closed', inFlight: CLOSED_IN_FLIGHT } },
        { mode: 'accept+complete', load: { kind: 'closed', inFlight: CLOSED_IN_FLIGHT } },
      ];
      if (openRate !== undefined) plan.push({ mode: 'complete', load: { kind: 'open', rate: openRate, maxOutstanding: 2 * openRate } });
      for (let i = 0; i < plan.length; i++) {
        const { mode, load } = plan[i]!;
        const m = await driver.run(load, mode === 'accept+complete', options, running.pids);
        const label = load.kind === 'closed' ? `closed ${load.inFlight}` : `open ${load.rate}/s`;
        const key = `${mode} ${label}`;
        const entry = rounds.get(key) ?? { mode, load, measurements: [] };
        entry.measurements.push(m);
        rounds.set(key, entry);
        log(
          `round ${round}/${options.rounds} lifecycle ${backend} ${key.padEnd(26)} ${Math.round(m.tasksPerSecond).toString().padStart(6)} tasks/s  p50 ${m.p50Ms.toFixed(2)} ms  p99 ${m.p99Ms.toFixed(2)} ms  (create ${m.createP50Ms.toFixed(2)}, delivered ${m.deliverP50Ms.toFixed(2)})  errors ${m.errors}  shed ${m.shed}  cpu server ${m.cpu.serverCores.toFixed(2)} db ${m.cpu.dbCores.toFixed(2)} agents ${m.cpu.agentsCores.toFixed(2)} creator ${m.cpu.clientCores.toFixed(2)} irq ${m.cpu.irqCores.toFixed(2)} other ${m.cpu.otherCores.toFixed(2)}`,
        );
        if (round === 1 && i === 0 && running.database && options.pgAnalyze) {
          await running.database.analyze();
          log(`lifecycle ${backend}: ANALYZE after the first scenario (${driver.created()} tasks), as autovacuum's auto-analyze would`);
        }
        // The open loop runs at the goal rate if the closed loop reached it, else at 70% of what it reached.
        if (openRate === undefined && i === 0) {
          openRate = m.tasksPerSecond >= lifecycleGoal.tasksPerSecond ? lifecycleGoal.tasksPerSecond : Math.max(10, Math.round((m.tasksPerSecond * 0.7) / 10) * 10);
          plan.push({ mode: 'complete', load: { kind: 'open', rate: openRate, maxOutstanding: 2 * openRate } });
        }
      }
    }
    await Promise.all(channels.map((c) => c.close()));
    await sleep(200);
    const counts = await running.counts();
    const created = driver.created();
    const completed = counts.completed ?? 0;
    const others = Object.fromEntries(Object.entries(counts).filter(([status, n]) => status !== 'completed' && n > 0));
    const check: LifecycleCheck = { backend, created, completed, notCompleted: others, unmatched: driver.unknown(), ok: completed === created && Object.keys(others).length === 0 };
    log(`lifecycle ${backend}: ${created} tasks created, ${completed} completed, not completed ${JSON.stringify(others)} -> ${check.ok ? 'ok' : 'MISMATCH'}`);
    const scenarios = [...rounds.values()].map((r) => summarizeLifecycle(backend, r.mode, r.load, r.measurements));
    return { scenarios, check, notes };
  } finally {
    await running.stop();
  }
}

export async function runLifecycleBench(options: BenchOptions, log: (line: string) => void): Promise<LifecycleResult> {
  const result: LifecycleResult = { scenarios: [], checks: [], skipped: [], notes: [] };
  for (const backend of options.backends) {
    const why = backend === 'postgres' ? await unreachable() : undefined;
    if (why) {
      log(`lifecycle: PostgreSQL not reachable (set BENCH_PG_ADMIN_URL), skipped: ${why}`);
      result.skipped.push(`postgres: ${why}`);
      continue;
    }
    const { scenarios, check, notes } = await runBackend(backend, options, log);
    result.scenarios.push(...scenarios);
    result.checks.push(check);
    result.notes.push(...notes);
  }
  return result;
}
