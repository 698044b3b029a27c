/**
 * The full task lifecycle (closed loop, 64 in flight, create -> assign -> deliver -> complete, 100
 * agents) with ONE `devmesh serve` process and with TWO, both on a fresh PostgreSQL database and the
 * local Redis (REDIS_URL, a unique DEVMESH_REDIS_PREFIX per run), so the only difference is the
 * number of processes. With two: A starts first (it creates the admin key in its data dir), then B on
 * its own data dir with the same DATABASE_URL / REDIS_URL / prefix; A's key is used for both. Half
 * of the agents connect to A, half to B (one agents process per server), and the creator
 * connections alternate between A and B. Same driver and agents as lifecycle-bench.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { stopChild, waitForHttp200 } from './lib/children.js';
import { startAgentsPerServer, wsUrlOf } from './lib/cluster-agents.js';
import type { BenchOptions } from './lib/options.js';
import { createBenchDatabase, unreachable, type BenchDatabase } from './lib/postgres-db.js';
import { median } from './lib/stats.js';
import { createLifecycleDriver, type LifecycleMeasurement } from './load/lifecycle-load.js';
import { openWsChannel } from './load/ws-channel.js';
import { spawnDevMesh, type DevMeshProcess } from './targets/devmesh.js';

const AGENTS = 100;
const MAX_CONCURRENCY = 8;
const IN_FLIGHT = 64;
const CREATOR_CONNECTIONS = 4;
const CAPABILITY = 'bench';
export const clusterRedisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface ClusterScenario {
  processes: number;
  redisPrefix: string;
  rounds: LifecycleMeasurement[];
  median: { tasksPerSecond: number; p50Ms: number; p99Ms: number; errors: number; serverCores: number; dbCores: number };
  check: { created: number; completed: number; notCompleted: Record<string, number>; unmatched: number; ok: boolean };
}

export interface ClusterResult {
  scenarios: ClusterScenario[];
  /** Median tasks/s with two processes / with one. */
  ratio: number | undefined;
  skipped: string[];
}

async function getJson(url: string, key: string): Promise<unknown> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
  return response.json();
}

/** Deletes every Redis key under `prefix:` (a bench run's DEVMESH_REDIS_PREFIX). */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(clusterRedisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function runCluster(processes: number, options: BenchOptions, log: (line: string) => void): Promise<ClusterScenario> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  };
  try {
    const db: BenchDatabase = await createBenchDatabase();
    stops.push(db.drop);
    const redisPrefix = `devmesh-bench-${randomBytes(6).toString('hex')}`;
    // Runs after the servers have stopped (stops run in reverse): deletes this run's Redis keys.
    stops.push(() => deleteRedisKeys(redisPrefix));
    log(`cluster ${processes}: database ${db.name}, REDIS_URL ${clusterRedisUrl}, DEVMESH_REDIS_PREFIX ${redisPrefix}`);
    const servers: DevMeshProcess[] = [];
    // Sequentially: A creates the schema and the admin key before B starts.
    for (let i = 0; i < processes; i++) {
      const dataDir = await mkdtemp(path.join(tmpdir(), `devmesh-bench-cluster-${processes}-${i}-`));
      stops.push(() => rm(dataDir, { recursive: true, force: true }));
      const env = { DATABASE_URL: db.url, REDIS_URL: clusterRedisUrl, DEVMESH_REDIS_PREFIX: redisPrefix };
      const server = await spawnDevMesh(dataDir, env, `cluster-${processes}-${i}-${Date.now()}.cpuprofile`);
      stops.push(() => stopChild(server.spawned.child, 15_000));
      await waitForHttp200(`http://127.0.0.1:${server.apiPort}/health`, server.spawned, 60_000, 50);
      log(`cluster ${processes}: server ${'AB'[i] ?? i} pid ${server.spawned.child.pid}`);
      servers.push(server);
    }
    const key = (await readFile(path.join(servers[0]!.dataDir, 'admin-key'), 'utf8')).trim();
    const wsUrl = wsUrlOf;
    const agents = await startAgentsPerServer(servers, { key, agents: AGENTS, maxConcurrency: MAX_CONCURRENCY, capability: CAPABILITY, stops });
    // Agents register asynchronously after notifications/initialized: wait until every one is
    // online, counting distinct ids over all servers (whatever each server lists of the others).
    const deadline = performance.now() + 30_000;
    for (;;) {
      const ids = new Set<string>();
      for (const server of servers) {
        const page = (await getJson(`http://127.0.0.1:${server.apiPort}/api/v1/agents?status=online&capability=${CAPABILITY}&limit=500`, key)) as { agents: { id?: string }[] };
        for (const agent of page.agents) ids.add(agent.id ?? JSON.stringify(agent));
      }
      if (ids.size >= AGENTS) break;
      if (performance.now() > deadline) throw new Error(`only ${ids.size} of ${AGENTS} agents online after 30 s\n${agents.map((a) => a.spawned.stderrTail()).join('\n')}`);
      await sleep(100);
    }
    const headers = { authorization: `Bearer ${key}` };
    const channels = await Promise.all(Array.from({ length: CREATOR_CONNECTIONS }, (_, i) => openWsChannel({ url: wsUrl(servers[i % processes]!), headers, toolName: '', taskId: '' })));
    const driver = createLifecycleDriver(channels, CAPABILITY);
    for (const a of agents) {
      a.lines.on('line', (line) => {
        if (!line.startsWith('{"d":')) return;
        for (const [seq, assignedAt, doneAt, ok] of (JSON.parse(line) as { d: [number, number, number, number][] }).d) driver.completed(seq, assignedAt, doneAt, ok === 1);
      });
    }
    const serverPids = servers.map((s) => s.spawned.child.pid!);
    const agentPids = agents.map((a) => a.spawned.child.pid!);
    const pids = async () => ({ server: serverPids, agents: agentPids, db: await db.backendPids() });
    const rounds: LifecycleMeasurement[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      const m = await driver.run({ kind: 'closed', inFlight: IN_FLIGHT }, false, options, pids);
      rounds.push(m);
      log(
        `round ${round}/${options.rounds} cluster ${processes} process(es) complete closed ${IN_FLIGHT} ${Math.round(m.tasksPerSecond).toString().padStart(6)} tasks/s  p50 ${m.p50Ms.toFixed(2)} ms  p99 ${m.p99Ms.toFixed(2)} ms  errors ${m.errors}  cpu servers ${m.cpu.serverCores.toFixed(2)} db ${m.cpu.dbCores.toFixed(2)} agents ${m.cpu.agentsCores.toFixed(2)} other ${m.cpu.otherCores.toFixed(2)}`,
      );
      if (round === 1 && options.pgAnalyze) await db.analyze();
    }
    await Promise.all(channels.map((c) => c.close()));
    await sleep(200);
    const counts = await db.taskCounts();
    const created = driver.created();
    const completed = counts.completed ?? 0;
    const notCompleted = Object.fromEntries(Object.entries(counts).filter(([status, n]) => status !== 'completed' && n > 0));
    const check = { created, completed, notCompleted, unmatched: driver.unknown(), ok: completed === created && Object.keys(notCompleted).length === 0 };
    log(`cluster ${processes}: ${created} tasks created, ${completed} completed, not completed ${JSON.stringify(notCompleted)} -> ${check.ok ? 'ok' : 'MISMATCH'}`);
    const med = (pick: (m: LifecycleMeasurement) => number) => median(rounds.map(pick));
    return {
      processes,
      redisPrefix,
      rounds,
      median: {
        tasksPerSecond: med((m) => m.tasksPerSecond),
        p50Ms: med((m) => m.p50Ms),
        p99Ms: med((m) => m.p99Ms),
        errors: rounds.reduce((n, m) => n + m.errors, 0),
        serverCores: med((m) => m.cpu.serverCores),
        dbCores: med((m) => m.cpu.dbCores),
      },
      check,
    };
  } finally {
    await stopAll();
  }
}

export async function runClusterBench(options: BenchOptions, log: (line: string) => void): Promise<ClusterResult> {
  const why = await unreachable();
  if (why) {
    log(`cluster: PostgreSQL not reachable (set BENCH_PG_ADMIN_URL), skipped: ${why}`);
    return { scenarios: [], ratio: undefined, skipped: [`cluster: ${why}`] };
  }
  const scenarios: ClusterScenario[] = [];
  for (const processes of [1, 2]) scenarios.push(await runCluster(processes, options, log));
  const [one, two] = scenarios;
  const ratio = one && two && one.median.tasksPerSecond > 0 ? two.median.tasksPerSecond / one.median.tasksPerSecond : undefined;
  return { scenarios, ratio, skipped: [] };
}

const num = (n: number, digits: number) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-');

export function formatCluster(result: ClusterResult): string[] {
  const lines = [
    '',
    `cluster: task lifecycle (complete, closed ${IN_FLIGHT}) with ${AGENTS} agents, 1 vs 2 \`devmesh serve\` processes on one fresh PostgreSQL database + Redis (${clusterRedisUrl})`,
    `  2 processes: agents split 50/50 over A and B, ${CREATOR_CONNECTIONS} creator connections alternating A, B; tasks/s = median of rounds`,
    '',
    `${'processes'.padEnd(11)}${'tasks/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'errors'.padStart(8)}${'srv cpu'.padStart(9)}${'db cpu'.padStart(8)}  check`,
  ];
  for (const s of result.scenarios) {
    const m = s.median;
    lines.push(
      `${String(s.processes).padEnd(11)}${num(m.tasksPerSecond, 0).padStart(9)}${num(m.p50Ms, 2).padStart(9)}${num(m.p99Ms, 2).padStart(9)}${String(m.errors).padStart(8)}${num(m.serverCores, 2).padStart(9)}${num(m.dbCores, 2).padStart(8)}  ${s.check.created} created, ${s.check.completed} completed ${s.check.ok ? 'ok' : 'MISMATCH'}`,
    );
  }
  if (result.ratio !== undefined) lines.push(`ratio two/one (tasks/s): ${num(result.ratio, 2)}`);
  for (const s of result.skipped) lines.push(`skipped ${s}`);
  return lines;
}
