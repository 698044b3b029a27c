import { hostname } from 'node:os';
import type { Clock } from '../lib/clock.js';
import { newId } from '../lib/ids.js';
import { runPeriodically, type Periodic } from '../lib/periodic.js';
import type { Logger } from '../observability/logger.js';
import type { ProcessInfo, ProcessStore } from '../storage/stores.js';

export interface ProcessLeaseDeps {
  processes: ProcessStore;
  clock: Clock;
  logger: Logger;
  roles: string[];
  leaseMs: number;
  /** Called once per dead process, in exactly one surviving process. */
  onProcessDied(processId: string): Promise<void>;
  /**
   * This process was declared dead while it was alive (it missed its heartbeats, e.g. its event
   * loop was blocked for longer than the lease) and has rejoined under `processId`.
   */
  onRejoined(processId: string, previousId: string): Promise<void>;
}

export type ProcessLease = ReturnType<typeof createProcessLease>;

/**
 * This process's lease in the `processes` table. It heartbeats every third of the lease; any
 * process that finds another's lease expired claims it (one UPDATE, so exactly one claimer) and
 * cleans up after it: its agents go offline and their tasks are requeued.
 *
 * A process that finds itself declared dead (a late heartbeat, after a survivor claimed its lease)
 * does not argue: it rejoins as a new process with a new id and re-registers the agents still
 * connected to it. Rows tagged with the old id stay the survivor's to clean up, so the two never
 * undo each other's work.
 */
export function createProcessLease(deps: ProcessLeaseDeps) {
  const { processes, clock, logger } = deps;
  let info: ProcessInfo = { id: newId('prc'), roles: deps.roles, host: hostname(), pid: process.pid, startedAt: clock.now() };
  let lastBeat = clock.now().getTime();
  let heartbeats: Periodic | undefined;
  const cleanups = new Set<Promise<void>>();

  async function rejoin(): Promise<void> {
    const previousId = info.id;
    info = { ...info, id: newId('prc'), startedAt: clock.now() };
    await processes.heartbeat(info, clock.now(), deps.leaseMs);
    logger.warn(
      { previousId, processId: info.id, silentMs: clock.now().getTime() - lastBeat, leaseMs: deps.leaseMs },
      'this process was declared dead (its heartbeat came too late): rejoining under a new id and re-registering its connected agents',
    );
    await deps.onRejoined(info.id, previousId).catch((error: unknown) => logger.error({ err: error }, 're-registering agents after rejoining failed'));
  }

  async function beat(): Promise<void> {
    if (!(await processes.heartbeat(info, clock.now(), deps.leaseMs))) await rejoin();
    lastBeat = clock.now().getTime();
    for (const dead of await processes.claimExpired(clock.now())) {
      logger.warn({ processId: dead }, 'a DevMesh process stopped heartbeating: taking its agents offline and requeueing their work');
      // Not awaited: the cleanup can take a while under load, and holding up the next heartbeat
      // for it could let this process's own lease run out.
      const cleanup = deps
        .onProcessDied(dead)
        .catch((error: unknown) => logger.error({ err: error, processId: dead }, 'cleanup after a dead process failed'))
        .finally(() => cleanups.delete(cleanup));
      cleanups.add(cleanup);
    }
  }

  return {
    /** This process's current id (a new one after a rejoin). */
    get id() {
      return info.id;
    },
    async start(): Promise<void> {
      await beat();
      heartbeats = runPeriodically(beat, {
        everyMs: Math.max(50, Math.floor(deps.leaseMs / 3)),
        onError: (error) => logger.error({ err: error }, 'process heartbeat failed'),
      });
    },
    async stop(): Promise<void> {
      await heartbeats?.stop();
      await Promise.all(cleanups);
      await processes.stop(info.id, clock.now()).catch(() => undefined);
    },
  };
}
