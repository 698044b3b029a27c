/**
 * Failover: the time from a `devmesh serve` process's death (SIGKILL) to its tasks being requeued
 * and completed elsewhere. Two processes A and B on a fresh PostgreSQL database and the local Redis
 * (a unique DEVMESH_REDIS_PREFIX), both with DEVMESH_PROCESS_LEASE_MS = LEASE_MS; half of the agents
 * connect to A, half to B; the creators connect to A only, so creating goes on after B dies. After a
 * warm-up of the closed-loop lifecycle load (same driver and agents as cluster-bench.ts), B is killed
 * with SIGKILL, the tasks B's agents hold are read from the database, and the database is polled
 * every POLL_MS until (a) B's row in `processes` has stopped_at set (a survivor claimed its lease),
 * (b) none of those tasks is still held by one of B's agents (requeued) and (c) all of them are
 * completed. The agents complete at once, so few tasks are held at the instant of the kill; until
 * the lease is claimed A goes on assigning new tasks to B's agents (they still look online), and
 * those are stuck on the dead process too. So (b) and (c) are also measured for all of B's tasks:
 * those held at the kill plus those assigned to B's agents after it; that is the headline.
 * The load keeps running meanwhile; afterwards every created task must be completed.
 * Each trial runs on its own database and prefix; medians over trials are reported.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { clusterRedisUrl, deleteRedisKeys } from './cluster-bench.js';
import { stopChild, waitForHttp200 } from './lib/children.js';
import { startAgentsPerServer, wsUrlOf } from './lib/cluster-agents.js';
import type { BenchOptions } from './lib/options.js';
import { createBenchDatabase, unreachable, type BenchDatabase } from './lib/postgres-db.js';
import { median } from './lib/stats.js';
import { createLifecycleDriver, monotonicMs, type LifecycleMeasurement } from './load/lifecycle-load.js';
import { openWsChannel } from './load/ws-channel.js';
import { spawnDevMesh, type DevMeshProcess } from './targets/devmesh.js';

/** DEVMESH_PROCESS_LEASE_MS of both processes (the server's default is 15000; heartbeats every third). */
export const LEASE_MS = 5_000;
const AGENTS = 100;
const MAX_CONCURRENCY = 8;
const IN_FLIGHT = 64;
const CREATOR_CONNECTIONS = 4;
const CAPABILITY = 'bench';
const POLL_MS = 20;
/** The load runs this long after the kill (then drains), covering the lease and the requeue. */
const OBSERVE_MS = LEASE_MS + 10_000;
/** Give up polling this long after the kill. */
const POLL_TIMEOUT_MS = 2 * LEASE_MS + 30_000;
const TIMELINE_BUCKET_MS = 500;

const HELD = `'assigned', 'in_progress'`;

export interface FailoverTrial {
  trial: number;
  database: string;
  redisPrefix: string;
  /** Tasks held by B's agents (assigned / in_progress) right after the kill. */
  heldAtDeath: number;
  /** Further tasks assigned to B's (dead) agents after the kill, before the lease was claimed. */
  assignedToDeadAfterDeath: number;
  /** Tasks first seen on one of B's agents after the lease was claimed (the agents are offline by then: should be 0). */
  assignedToDeadAfterClaim: number;
  /** Milliseconds from the kill, polled every POLL_MS (undefined: not seen before the poll timeout). */
  polled: {
    leaseClaimedMs: number | undefined;
    /** None of the tasks held at the kill is held by one of B's agents any more. */
    heldRequeuedMs: number | undefined;
    /** Every task held at the kill is completed. */
    heldCompletedMs: number | undefined;
    /** No task at all is held by one of B's agents (held at the kill or assigned to them after it). */
    requeuedMs: number | undefined;
    /** Every task held by one of B's agents at or after the kill is completed. */
    completedMs: number | undefined;
  };
  /** The same moments from the timestamps the servers wrote (wall clock, same machine), ms from the kill. */
  fromDb: {
    lastHeartbeatMs: number;
    leaseExpiresMs: number;
    leaseClaimedMs: number | undefined;
    firstRequeueMs: number | undefined;
    lastRequeueMs: number | undefined;
    /** The last completion of a task held by one of B's agents at or after the kill. */
    lastCompletedMs: number | undefined;
  };
  /**
   * The longest A's own lease was seen expired while polling (ms past lease_expires_at, 0 if never):
   * A heartbeats from the same loop that cleans up after B, so a long cleanup delays its heartbeats.
   */
  survivorLeaseLapseMs: number;
  /** Tasks requeued with reason "agent process died". */
  requeuedTotal: number;
  /** When each of those requeues happened (task_events.created_at), ms from the kill, ascending. */
  requeueTimesMs: number[];
  /** Completes that B's agents sent but whose reply died with B: committed on B (counted as done) / not (requeued). */
  inDoubt: { committedOnB: number; notCommitted: number };
  /** The load while B dies: the window starts at the kill and lasts OBSERVE_MS. */
  load: LifecycleMeasurement;
  /** Completions per second in TIMELINE_BUCKET_MS buckets, from 2 s before the kill. */
  timeline: { atMs: number; tasksPerSecond: number }[];
  check: { created: number; completed: number; notCompleted: Record<string, number>; unmatched: number; ok: boolean };
}

export interface FailoverResult {
  leaseMs: number;
  trials: FailoverTrial[];
  median: {
    leaseClaimedMs: number;
    heldRequeuedMs: number;
    heldCompletedMs: number;
    /** The headline: death -> all of B's tasks requeued. */
    requeuedMs: number;
    /** requeued - lease: what the takeover costs beyond waiting out the lease. */
    overheadMs: number;
    completedMs: number;
    heldAtDeath: number;
    assignedToDeadAfterDeath: number;
  };
  skipped: string[];
}

async function runTrial(trial: number, options: BenchOptions, log: (line: string) => void): Promise<FailoverTrial> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  };
  try {
    const db: BenchDatabase = await createBenchDatabase();
    stops.push(db.drop);
    const redisPrefix = `devmesh-bench-${randomBytes(6).toString('hex')}`;
    stops.push(() => deleteRedisKeys(redisPrefix));
    const sql = new pg.Pool({ connectionString: db.url, max: 2 });
    sql.on('error', () => undefined);
    stops.push(() => sql.end());
    log(`failover ${trial}: database ${db.name}, REDIS_URL ${clusterRedisUrl}, DEVMESH_REDIS_PREFIX ${redisPrefix}, DEVMESH_PROCESS_LEASE_MS ${LEASE_MS}`);

    const servers: DevMeshProcess[] = [];
    for (const name of ['a', 'b']) {
      const dataDir = await mkdtemp(path.join(tmpdir(), `devmesh-bench-failover-${name}-`));
      stops.push(() => rm(dataDir, { recursive: true, force: true }));
      const env = { DATABASE_URL: db.url, REDIS_URL: clusterRedisUrl, DEVMESH_REDIS_PREFIX: redisPrefix, DEVMESH_PROCESS_LEASE_MS: String(LEASE_MS) };
      const server = await spawnDevMesh(dataDir, env, `failover-${trial}-${name}-${Date.now()}.cpuprofile`);
      stops.push(() => stopChild(server.spawned.child, 15_000));
      await waitForHttp200(`http://127.0.0.1:${server.apiPort}/health`, server.spawned, 60_000, 50);
      servers.push(server);
    }
    const [a, b] = servers as [DevMeshProcess, DevMeshProcess];
    const processIdOf = async (server: DevMeshProcess) => {
      const { rows } = await sql.query<{ id: string }>('SELECT id FROM processes WHERE pid = $1 AND stopped_at IS NULL', [server.spawned.child.pid]);
      if (rows.length !== 1) throw new Error(`expected one live processes row for pid ${server.spawned.child.pid}, found ${rows.length}`);
      return rows[0]!.id;
    };
    const [aId, bId] = [await processIdOf(a), await processIdOf(b)];
    log(`failover ${trial}: A pid ${a.spawned.child.pid} (${aId}), B pid ${b.spawned.child.pid} (${bId})`);

    const key = (await readFile(path.join(a.dataDir, 'admin-key'), 'utf8')).trim();
    const wsUrl = wsUrlOf;
    const perServer = AGENTS / 2;
    const agents = await startAgentsPerServer(servers, { key, agents: AGENTS, maxConcurrency: MAX_CONCURRENCY, capability: CAPABILITY, stops });
    // Agents register asynchronously after notifications/initialized: wait until the database has
    // every one online, on the process it is connected to.
    const deadline = performance.now() + 30_000;
    let bAgents: Set<string>;
    for (;;) {
      const { rows } = await sql.query<{ id: string; process_id: string | null }>(`SELECT id, process_id FROM agents WHERE status = 'online'`);
      const onA = rows.filter((r) => r.process_id === aId).length;
      bAgents = new Set(rows.filter((r) => r.process_id === bId).map((r) => r.id));
      if (onA >= perServer && bAgents.size >= perServer) break;
      if (performance.now() > deadline) throw new Error(`only ${onA} + ${bAgents.size} of ${AGENTS} agents online on A + B after 30 s\n${agents.map((x) => x.spawned.stderrTail()).join('\n')}`);
      await sleep(100);
    }

    const headers = { authorization: `Bearer ${key}` };
    const channels = await Promise.all(Array.from({ length: CREATOR_CONNECTIONS }, () => openWsChannel({ url: wsUrl(a), headers, toolName: '', taskId: '' })));
    const driver = createLifecycleDriver(channels, CAPABILITY);
    const doneAt: number[] = [];
    let killed = false;
    const inDoubt = { committedOnB: 0, notCommitted: 0 };
    const inDoubtChecks: Promise<void>[] = [];
    // A complete whose reply died with B: done if B committed it; otherwise the task is requeued and
    // an agent on A reports it later.
    const settleInDoubt = async (seq: number, assignedAt: number, at: number) => {
      const { rows } = await sql.query<{ status: string; assigned_agent_id: string | null }>(`SELECT status, assigned_agent_id FROM tasks WHERE payload->>'seq' = $1`, [String(seq)]);
      const row = rows[0];
      if (row?.status === 'completed' && row.assigned_agent_id !== null && bAgents.has(row.assigned_agent_id)) {
        inDoubt.committedOnB++;
        doneAt.push(at);
        driver.completed(seq, assignedAt, at, true);
      } else {
        inDoubt.notCommitted++;
      }
    };
    agents.forEach((x, i) => {
      const onB = i === 1;
      x.lines.on('line', (line) => {
        if (!line.startsWith('{"d":')) return;
        for (const [seq, assignedAt, at, ok] of (JSON.parse(line) as { d: [number, number, number, number][] }).d) {
          if (onB && killed && ok !== 1) {
            inDoubtChecks.push(settleInDoubt(seq, assignedAt, at).catch((error: unknown) => log(`failover ${trial}: in-doubt task ${seq}: ${String(error)}`)));
            continue;
          }
          if (ok === 1) doneAt.push(at);
          driver.completed(seq, assignedAt, at, ok === 1);
        }
      });
    });
    // B's agents process loses every connection when B dies; it then has nothing left to do and exits.
    agents[1]!.spawned.child.once('exit', (code, signal) => log(`failover ${trial}: B's agents process exited (${signal ?? code}) ${killed ? 'after' : 'BEFORE'} the kill`));

    const serverPids = servers.map((s) => s.spawned.child.pid!);
    const agentPids = agents.map((x) => x.spawned.child.pid!);
    const pids = async () => ({ server: serverPids, agents: agentPids, db: await db.backendPids() });
    const warmupMs = options.quick ? 2_000 : 3_000;
    const running = driver.run({ kind: 'closed', inFlight: IN_FLIGHT }, false, { warmupMs, measureMs: OBSERVE_MS }, pids);
    await sleep(warmupMs);

    // The kill.
    const bExited = new Promise<void>((resolve) => b.spawned.child.once('exit', () => resolve()));
    const t0 = monotonicMs();
    const killWall = Date.now();
    killed = true;
    b.spawned.child.kill('SIGKILL');
    await Promise.race([bExited, sleep(5_000)]);
    const exitMs = monotonicMs() - t0;
    // B can no longer change anything: what its agents hold now is what must be requeued.
    const { rows: heldRows } = await sql.query<{ tenant_id: string; id: string }>(
      `SELECT tenant_id, id FROM tasks WHERE status IN (${HELD}) AND assigned_agent_id = ANY($1::text[])`,
      [[...bAgents]],
    );
    const held = heldRows.map((r) => r.id);
    let tenantId = heldRows[0]?.tenant_id ?? '';
    log(`failover ${trial}: killed B (exit seen after ${exitMs.toFixed(1)} ms); B's agents held ${held.length} tasks`);

    const polled: FailoverTrial['polled'] = { leaseClaimedMs: undefined, heldRequeuedMs: undefined, heldCompletedMs: undefined, requeuedMs: undefined, completedMs: undefined };
    const everHeld = new Set(held);
    let assignedToDeadAfterClaim = 0;
    let survivorLeaseLapseMs = 0;
    for (;;) {
      const at = monotonicMs() - t0;
      if (at > POLL_TIMEOUT_MS) {
        log(`failover ${trial}: gave up polling ${POLL_TIMEOUT_MS} ms after the kill: ${JSON.stringify(polled)}`);
        break;
      }
      const { rows } = await sql.query<{ stopped: boolean; lapse: number; held: { id: string; tenant: string }[]; completed: string[] }>(
        `SELECT (SELECT stopped_at IS NOT NULL FROM processes WHERE id = $1) AS stopped,
                (SELECT extract(epoch FROM clock_timestamp() - lease_expires_at)::float8 * 1000 FROM processes WHERE id = $4) AS lapse,
                (SELECT coalesce(json_agg(json_build_object('id', id, 'tenant', tenant_id)), '[]') FROM tasks
                  WHERE status IN (${HELD}) AND assigned_agent_id = ANY($2::text[])) AS held,
                (SELECT coalesce(array_agg(id), '{}') FROM tasks WHERE tenant_id = $3 AND id = ANY($5::text[]) AND status = 'completed') AS completed`,
        [bId, [...bAgents], tenantId, aId, [...everHeld]],
      );
      const row = rows[0]!;
      survivorLeaseLapseMs = Math.max(survivorLeaseLapseMs, row.lapse);
      const heldNow = new Set(row.held.map((t) => t.id));
      for (const t of row.held) {
        if (everHeld.has(t.id)) continue;
        everHeld.add(t.id);
        tenantId ||= t.tenant;
        if (polled.leaseClaimedMs !== undefined) assignedToDeadAfterClaim++;
      }
      const completedNow = new Set(row.completed);
      // Nothing but the claim can move a task off a dead agent within the lease (accept timeout: 30 s).
      if (row.stopped) {
        polled.leaseClaimedMs ??= at;
        if (polled.heldRequeuedMs === undefined && !held.some((id) => heldNow.has(id))) polled.heldRequeuedMs = at;
        if (polled.heldCompletedMs === undefined && held.every((id) => completedNow.has(id))) polled.heldCompletedMs = at;
        if (polled.requeuedMs === undefined && heldNow.size === 0) polled.requeuedMs = at;
        if (polled.completedMs === undefined && heldNow.size === 0 && [...everHeld].every((id) => completedNow.has(id))) polled.completedMs = at;
      }
      if (Object.values(polled).every((v) => v !== undefined)) break;
      await sleep(POLL_MS);
    }
    const load = await running;
    await Promise.all(inDoubtChecks);
    await Promise.all(channels.map((c) => c.close()));
    await sleep(200);

    // The same moments from the servers' own timestamps.
    const since = (d: Date | null | undefined) => (d ? d.getTime() - killWall : undefined);
    const { rows: proc } = await sql.query<{ heartbeat_at: Date; lease_expires_at: Date; stopped_at: Date | null }>(
      'SELECT heartbeat_at, lease_expires_at, stopped_at FROM processes WHERE id = $1',
      [bId],
    );
    const { rows: requeueRows } = await sql.query<{ task_id: string; created_at: Date }>(
      `SELECT task_id, created_at FROM task_events WHERE reason = 'agent process died' ORDER BY created_at`,
    );
    const requeueTimesMs = requeueRows.map((r) => r.created_at.getTime() - killWall);
    const { rows: completions } = await sql.query<{ last: Date | null }>(
      `SELECT max(created_at) AS last FROM task_events WHERE tenant_id = $1 AND task_id = ANY($2::text[]) AND to_status = 'completed'`,
      [tenantId, [...everHeld]],
    );
    const fromDb: FailoverTrial['fromDb'] = {
      lastHeartbeatMs: since(proc[0]?.heartbeat_at) ?? Number.NaN,
      leaseExpiresMs: since(proc[0]?.lease_expires_at) ?? Number.NaN,
      leaseClaimedMs: since(proc[0]?.stopped_at),
      firstRequeueMs: requeueTimesMs[0],
      lastRequeueMs: requeueTimesMs.at(-1),
      lastCompletedMs: since(completions[0]?.last),
    };

    const counts = await db.taskCounts();
    const created = driver.created();
    const completed = counts.completed ?? 0;
    const notCompleted = Object.fromEntries(Object.entries(counts).filter(([status, n]) => status !== 'completed' && n > 0));
    const check = { created, completed, notCompleted, unmatched: driver.unknown(), ok: completed === created && Object.keys(notCompleted).length === 0 };
    const timeline: FailoverTrial['timeline'] = [];
    for (let from = -2_000; from < OBSERVE_MS; from += TIMELINE_BUCKET_MS) {
      const n = doneAt.filter((at) => at - t0 >= from && at - t0 < from + TIMELINE_BUCKET_MS).length;
      timeline.push({ atMs: from, tasksPerSecond: (n * 1000) / TIMELINE_BUCKET_MS });
    }
    const result: FailoverTrial = {
      trial,
      database: db.name,
      redisPrefix,
      heldAtDeath: held.length,
      assignedToDeadAfterDeath: everHeld.size - held.length,
      assignedToDeadAfterClaim,
      polled,
      fromDb,
      survivorLeaseLapseMs,
      requeuedTotal: new Set(requeueRows.map((r) => r.task_id)).size,
      requeueTimesMs,
      inDoubt,
      load,
      timeline,
      check,
    };
    const ms = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '-' : `${Math.round(n)}`);
    log(
      `failover ${trial}: held ${held.length} at the kill, +${result.assignedToDeadAfterDeath} assigned to the dead agents after it (${assignedToDeadAfterClaim} after the claim); polled ms from the kill: lease claimed ${ms(polled.leaseClaimedMs)}; held at the kill: requeued ${ms(polled.heldRequeuedMs)}, completed ${ms(polled.heldCompletedMs)}; all of B's: requeued ${ms(polled.requeuedMs)}, completed ${ms(polled.completedMs)}`,
    );
    log(
      `failover ${trial}: from DB timestamps, ms from the kill: last heartbeat ${ms(fromDb.lastHeartbeatMs)}, lease expires ${ms(fromDb.leaseExpiresMs)}, claimed ${ms(fromDb.leaseClaimedMs)}, requeues ${ms(fromDb.firstRequeueMs)}..${ms(fromDb.lastRequeueMs)} (${result.requeuedTotal} tasks), last completion ${ms(fromDb.lastCompletedMs)}; in-doubt completes ${inDoubt.committedOnB} committed on B, ${inDoubt.notCommitted} not; A's own lease seen expired by up to ${ms(survivorLeaseLapseMs)} ms`,
    );
    log(`failover ${trial}: requeues at ms from the kill: ${requeueTimesMs.join(' ')}`);
    log(`failover ${trial}: tasks/s per ${TIMELINE_BUCKET_MS} ms from -2 s: ${timeline.map((p) => Math.round(p.tasksPerSecond)).join(' ')}`);
    log(
      `failover ${trial}: load over ${(OBSERVE_MS / 1000).toFixed(0)} s from the kill ${Math.round(load.tasksPerSecond)} tasks/s, p99 ${load.p99Ms.toFixed(0)} ms, errors ${load.errors}; ${created} tasks created, ${completed} completed, not completed ${JSON.stringify(notCompleted)}, unmatched ${check.unmatched} -> ${check.ok ? 'ok' : 'MISMATCH'}`,
    );
    return result;
  } finally {
    await stopAll();
  }
}

export async function runFailoverBench(options: BenchOptions, log: (line: string) => void): Promise<FailoverResult> {
  const why = await unreachable();
  if (why) {
    log(`failover: PostgreSQL not reachable (set BENCH_PG_ADMIN_URL), skipped: ${why}`);
    const n = Number.NaN;
    const median = { leaseClaimedMs: n, heldRequeuedMs: n, heldCompletedMs: n, requeuedMs: n, overheadMs: n, completedMs: n, heldAtDeath: n, assignedToDeadAfterDeath: n };
    return { leaseMs: LEASE_MS, trials: [], median, skipped: [`failover: ${why}`] };
  }
  const trials: FailoverTrial[] = [];
  for (let trial = 1; trial <= options.rounds; trial++) trials.push(await runTrial(trial, options, log));
  const med = (pick: (t: FailoverTrial) => number | undefined) => median(trials.map((t) => pick(t) ?? Number.NaN));
  return {
    leaseMs: LEASE_MS,
    trials,
    median: {
      leaseClaimedMs: med((t) => t.polled.leaseClaimedMs),
      heldRequeuedMs: med((t) => t.polled.heldRequeuedMs),
      heldCompletedMs: med((t) => t.polled.heldCompletedMs),
      requeuedMs: med((t) => t.polled.requeuedMs),
      overheadMs: med((t) => (t.polled.requeuedMs === undefined ? undefined : t.polled.requeuedMs - LEASE_MS)),
      completedMs: med((t) => t.polled.completedMs),
      heldAtDeath: med((t) => t.heldAtDeath),
      assignedToDeadAfterDeath: med((t) => t.assignedToDeadAfterDeath),
    },
    skipped: [],
  };
}

/** A trial failed: a moment never came, or a created task did not end completed. */
export function failoverFailed(result: FailoverResult): boolean {
  return result.trials.some((t) => !t.check.ok || Object.values(t.polled).some((v) => v === undefined));
}

const num = (n: number | undefined, digits = 0) => (n !== undefined && Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-');

export function formatFailover(result: FailoverResult): string[] {
  const lines = [
    '',
    `failover: SIGKILL of one of two \`devmesh serve\` processes (B) under load, on one fresh PostgreSQL database + Redis (${clusterRedisUrl})`,
    `  DEVMESH_PROCESS_LEASE_MS ${result.leaseMs} (heartbeat every ${Math.floor(result.leaseMs / 3)} ms); ${AGENTS} agents 50/50 on A and B; ${CREATOR_CONNECTIONS} creator connections on A; closed ${IN_FLIGHT}`,
    `  ms from the kill, database polled every ${POLL_MS} ms. held = tasks B's agents held at the kill; +after = tasks A assigned to them after the kill;`,
    `  claimed = B's lease claimed (processes.stopped_at set); requeued = none of them held by B's agents any more, for those held at the kill`,
    `  and for all (held + after: the headline, death -> requeued); over lease = requeued (all) - lease; completed = all of them completed on A`,
    '',
    `${'trial'.padEnd(8)}${'held'.padStart(6)}${'+after'.padStart(8)}${'claimed'.padStart(9)}${'requeued held'.padStart(15)}${'requeued all'.padStart(14)}${'over lease'.padStart(12)}${'completed all'.padStart(15)}${'tasks/s'.padStart(9)}  check`,
  ];
  const row = (label: string, held: number, after: number, claimed: number | undefined, reqHeld: number | undefined, reqAll: number | undefined, over: number | undefined, done: number | undefined) =>
    `${label.padEnd(8)}${num(held).padStart(6)}${num(after).padStart(8)}${num(claimed).padStart(9)}${num(reqHeld).padStart(15)}${num(reqAll).padStart(14)}${num(over).padStart(12)}${num(done).padStart(15)}`;
  for (const t of result.trials) {
    const p = t.polled;
    const over = p.requeuedMs === undefined ? undefined : p.requeuedMs - result.leaseMs;
    lines.push(
      `${row(String(t.trial), t.heldAtDeath, t.assignedToDeadAfterDeath, p.leaseClaimedMs, p.heldRequeuedMs, p.requeuedMs, over, p.completedMs)}${num(t.load.tasksPerSecond).padStart(9)}  ${t.check.created} created, ${t.check.completed} completed ${t.check.ok ? 'ok' : 'MISMATCH'}`,
    );
  }
  if (result.trials.length) {
    const m = result.median;
    lines.push(row('median', m.heldAtDeath, m.assignedToDeadAfterDeath, m.leaseClaimedMs, m.heldRequeuedMs, m.requeuedMs, m.overheadMs, m.completedMs));
    lines.push(
      `death -> requeued (median of ${result.trials.length}): ${num(m.requeuedMs)} ms with a ${result.leaseMs} ms lease (${num(m.overheadMs)} ms beyond it; lease claimed after ${num(m.leaseClaimedMs)} ms); death -> completed elsewhere ${num(m.completedMs)} ms`,
    );
    const lapse = Math.max(...result.trials.map((t) => t.survivorLeaseLapseMs));
    if (lapse > 0) lines.push(`note: the survivor's own lease was seen expired by up to ${num(lapse)} ms while it cleaned up after B (it heartbeats from the same loop)`);
  }
  for (const s of result.skipped) lines.push(`skipped ${s}`);
  return lines;
}
