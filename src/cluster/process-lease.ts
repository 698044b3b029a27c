import { hostname } from 'node:os';
import type { Clock } from '../lib/clock.js';
import { newId } from '../lib/ids.js';
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
}

export type ProcessLease = ReturnType<typeof createProcessLease>;

/**
 * This process's lease in the `processes` table. It heartbeats every third of the lease; any
 * process that finds another's lease expired claims it (one UPDATE, so exactly one claimer) and
 * cleans up after it: its agents go offline and their tasks are requeued.
 */
export function createProcessLease(deps: ProcessLeaseDeps) {
  const { processes, clock, logger } = deps;
  const info: ProcessInfo = { id: newId('prc'), roles: deps.roles, host: hostname(), pid: process.pid, startedAt: clock.now() };
  let timer: NodeJS.Timeout | undefined;
  let beating: Promise<void> | undefined;

  async function beat(): Promise<void> {
    await processes.heartbeat(info, clock.now(), deps.leaseMs);
    for (const dead of await processes.claimExpired(clock.now())) {
      logger.warn({ processId: dead }, 'a DevMesh process stopped heartbeating: taking its agents offline and requeueing their work');
      await deps.onProcessDied(dead).catch((error: unknown) => logger.error({ err: error, processId: dead }, 'cleanup after a dead process failed'));
    }
  }

  return {
    id: info.id,
    async start(): Promise<void> {
      await beat();
      timer = setInterval(() => {
        if (beating) return;
        beating = beat()
          .catch((error: unknown) => logger.error({ err: error }, 'process heartbeat failed'))
          .finally(() => {
            beating = undefined;
          });
      }, Math.max(50, Math.floor(deps.leaseMs / 3)));
      timer.unref();
    },
    /** Checks for dead processes now (tests, and the sweep). */
    check: () => beat(),
    async stop(): Promise<void> {
      clearInterval(timer);
      await beating;
      await processes.stop(info.id, clock.now()).catch(() => undefined);
    },
  };
}
