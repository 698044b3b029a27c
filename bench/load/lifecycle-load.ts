import { startGroupCpuProbe } from '../lib/cpu-probe.js';
import { quantile, sortedCopy } from '../lib/stats.js';
import { isOkResponse } from './types.js';

/** Give up on tasks still in the system this long after the measured window ends. */
const DRAIN_TIMEOUT_MS = 15_000;
/** Stop creating when this many tasks have failed: the run is broken, not slow. */
const MAX_ERRORS = 100;

/** CLOCK_MONOTONIC in milliseconds: the clock the agents' process stamps completions with. */
export const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * closed: `inFlight` tasks in the system at all times (a new create as each task completes), which
 * measures capacity; latency is then mostly the wait behind the other tasks (Little's law).
 * open: creates at a fixed `rate` whatever happens, which measures latency at that rate; at most
 * `maxOutstanding` tasks in the system (creates beyond it are skipped and counted as `shed`).
 */
export type LifecycleLoad = { kind: 'closed'; inFlight: number } | { kind: 'open'; rate: number; maxOutstanding: number };

export interface LifecycleMeasurement {
  /** Tasks whose complete returned within the measured window. */
  tasks: number;
  seconds: number;
  tasksPerSecond: number;
  /** Create sent -> the agent's complete response received, for tasks created in the window. */
  p50Ms: number;
  p99Ms: number;
  /** Create sent -> create response received by the creator. */
  createP50Ms: number;
  /** Create sent -> task_assigned notification received by the agent. */
  deliverP50Ms: number;
  /** Failed creates, failed accepts/completes, and tasks not completed by the end of the drain. */
  errors: number;
  /** Open loop: creates skipped because maxOutstanding tasks were already in the system. */
  shed: number;
  cpu: { serverCores: number; dbCores: number; agentsCores: number; clientCores: number; irqCores: number; otherCores: number };
}

export interface CreatorChannel {
  call(method: string, params?: unknown): Promise<{ result?: unknown; error?: unknown }>;
}

interface Entry {
  sentAt: number;
  measured: boolean;
  createdAt?: number;
}

/**
 * The creator side of the lifecycle benchmark: devmesh_task_create over a few WebSocket
 * connections, each task numbered (`payload.seq`) so the agents' completion records can be matched
 * to the moment its create was sent. Feed those records to `completed`.
 */
export function createLifecycleDriver(channels: CreatorChannel[], capability: string) {
  let seq = 0;
  let next = 0;
  const entries = new Map<number, Entry>();
  let onFinished: ((entry: Entry, assignedAt: number, doneAt: number, ok: boolean) => void) | undefined;
  let unknown = 0;
  let created = 0;

  function completed(taskSeq: number, assignedAt: number, doneAt: number, ok: boolean): void {
    const entry = entries.get(taskSeq);
    if (!entry) return void unknown++;
    entries.delete(taskSeq);
    onFinished?.(entry, assignedAt, doneAt, ok);
  }

  async function run(load: LifecycleLoad, accept: boolean, phases: { warmupMs: number; measureMs: number }, pids: () => Promise<Record<string, number[]>>): Promise<LifecycleMeasurement> {
    let phase: 'warmup' | 'measure' | 'drain' = 'warmup';
    let outstanding = 0;
    let errors = 0;
    let totalErrors = 0;
    let shed = 0;
    let begin = Number.POSITIVE_INFINITY;
    let end = Number.POSITIVE_INFINITY;
    let inWindow = 0;
    const latencies: number[] = [];
    const createLatencies: number[] = [];
    const deliverLatencies: number[] = [];
    let onIdle: (() => void) | undefined;

    const finish = (entry: Entry | undefined, ok: boolean) => {
      outstanding--;
      if (!ok) {
        totalErrors++;
        if (!entry || entry.measured) errors++;
      }
      if (phase === 'drain' && outstanding === 0) onIdle?.();
      if (load.kind === 'closed') issue();
    };
    onFinished = (entry, assignedAt, doneAt, ok) => {
      if (doneAt >= begin && doneAt <= end) inWindow++;
      if (entry.measured && ok) {
        latencies.push(doneAt - entry.sentAt);
        deliverLatencies.push(assignedAt - entry.sentAt);
      }
      finish(entry, ok);
    };

    function issue(): void {
      if (phase === 'drain' || totalErrors >= MAX_ERRORS) return;
      const taskSeq = seq++;
      const entry: Entry = { sentAt: monotonicMs(), measured: phase === 'measure' };
      entries.set(taskSeq, entry);
      outstanding++;
      const channel = channels[next++ % channels.length]!;
      const args = { title: `bench task ${taskSeq}`, required_capabilities: [capability], payload: { seq: taskSeq, accept } };
      channel.call('tools/call', { name: 'devmesh_task_create', arguments: args }).then(
        (reply) => {
          if (entry.measured) createLatencies.push(monotonicMs() - entry.sentAt);
          if (isOkResponse(reply)) return void created++;
          if (totalErrors < 5) process.stderr.write(`[bench] devmesh_task_create failed: ${JSON.stringify(reply).slice(0, 300)}\n`);
          if (entries.delete(taskSeq)) finish(entry, false);
        },
        () => {
          if (entries.delete(taskSeq)) finish(entry, false);
        },
      );
    }

    let ticker: NodeJS.Timeout | undefined;
    if (load.kind === 'closed') {
      for (let i = 0; i < load.inFlight; i++) issue();
    } else {
      const t0 = monotonicMs();
      let offered = 0;
      ticker = setInterval(() => {
        const due = Math.floor(((monotonicMs() - t0) * load.rate) / 1000) - offered;
        for (let i = 0; i < due; i++, offered++) {
          if (outstanding >= load.maxOutstanding) {
            if (phase === 'measure') shed++;
            continue;
          }
          issue();
        }
      }, 1);
    }

    await new Promise((resolve) => setTimeout(resolve, phases.warmupMs));
    const stopProbe = startGroupCpuProbe(await pids());
    phase = 'measure';
    begin = monotonicMs();
    await new Promise((resolve) => setTimeout(resolve, phases.measureMs));
    end = monotonicMs();
    const cpu = stopProbe();
    phase = 'drain';
    clearInterval(ticker);
    if (outstanding > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
        onIdle = () => (clearTimeout(timer), resolve());
      });
    }
    const stuck = outstanding;
    entries.clear();
    onFinished = undefined;
    const seconds = (end - begin) / 1000;
    const sorted = sortedCopy(latencies);
    return {
      tasks: inWindow,
      seconds,
      tasksPerSecond: inWindow / seconds,
      p50Ms: quantile(sorted, 0.5),
      p99Ms: quantile(sorted, 0.99),
      createP50Ms: quantile(sortedCopy(createLatencies), 0.5),
      deliverP50Ms: quantile(sortedCopy(deliverLatencies), 0.5),
      errors: errors + stuck + (totalErrors >= MAX_ERRORS ? 1 : 0),
      shed,
      cpu: {
        serverCores: cpu.groups.server ?? Number.NaN,
        dbCores: cpu.groups.db ?? Number.NaN,
        agentsCores: cpu.groups.agents ?? Number.NaN,
        clientCores: cpu.selfCores,
        irqCores: cpu.irqCores,
        otherCores: cpu.otherCores,
      },
    };
  }

  return {
    run,
    completed,
    /** Tasks created so far (creates that succeeded). */
    created: () => created,
    /** Completion records that matched no task of a run (should stay 0). */
    unknown: () => unknown,
  };
}
