import { readFileSync } from 'node:fs';

/**
 * CPU use during a measured window, from /proc (Linux; NaN elsewhere), in cores:
 * the server process, this load generator, and everything else on the machine. On a shared
 * 2-core machine a busy "other" column means the row is not trustworthy.
 */
export interface CpuShare {
  serverCores: number;
  clientCores: number;
  otherCores: number;
}

const TICKS_PER_SECOND = 100;

function machineTicks(): { busy: number; irq: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  void idle;
  void iowait;
  return { busy: user + nice + system + irq + softirq + steal, irq: irq + softirq };
}

const machineBusyTicks = () => machineTicks().busy;

export function processTicks(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  return Number(fields[11]) + Number(fields[12]);
}

export function startCpuProbe(serverPid: number | undefined): () => CpuShare {
  try {
    const began = performance.now();
    const machine0 = machineBusyTicks();
    const self0 = processTicks('self');
    const server0 = serverPid ? processTicks(serverPid) : 0;
    return () => {
      const seconds = (performance.now() - began) / 1000;
      const toCores = (ticks: number) => ticks / TICKS_PER_SECOND / seconds;
      const self = processTicks('self') - self0;
      const server = serverPid ? processTicks(serverPid) - server0 : Number.NaN;
      const machine = machineBusyTicks() - machine0;
      return { serverCores: toCores(server), clientCores: toCores(self), otherCores: Math.max(0, toCores(machine - self - (server || 0))) };
    };
  } catch {
    return () => ({ serverCores: Number.NaN, clientCores: Number.NaN, otherCores: Number.NaN });
  }
}

/** Cores used during a measured window, per named group of processes, by this process and by everything else. */
export interface GroupCpu {
  /** Cores per group (NaN when the group had no readable process). */
  groups: Record<string, number>;
  selfCores: number;
  /**
   * Interrupt and softirq time, attributed to no process: mostly the kernel's share of the bench's
   * own loopback TCP and disk writes.
   */
  irqCores: number;
  /** The machine minus this process, every group and irq: unrelated work (noise). */
  otherCores: number;
}

/** A process that exited in the window counts from its first reading to its last one (0 if unreadable). */
function ticksOrUndefined(pid: number): number | undefined {
  try {
    return processTicks(pid);
  } catch {
    return undefined;
  }
}

/**
 * Like startCpuProbe, for several groups of processes (the server, the agents' process, the
 * PostgreSQL backends serving the bench database), so that database work done in other processes
 * is not mistaken for noise.
 */
export function startGroupCpuProbe(groups: Record<string, readonly number[]>): () => GroupCpu {
  try {
    const began = performance.now();
    const machine0 = machineTicks();
    const self0 = processTicks('self');
    const start = Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, pids.map(ticksOrUndefined)] as const));
    return () => {
      const seconds = (performance.now() - began) / 1000;
      const toCores = (ticks: number) => ticks / TICKS_PER_SECOND / seconds;
      const self = processTicks('self') - self0;
      const now = machineTicks();
      const machine = now.busy - machine0.busy;
      const irq = now.irq - machine0.irq;
      let accounted = self + irq;
      const cores: Record<string, number> = {};
      for (const [name, pids] of Object.entries(groups)) {
        let ticks = 0;
        let readable = 0;
        pids.forEach((pid, i) => {
          const before = start[name]?.[i];
          const after = ticksOrUndefined(pid);
          if (before === undefined || after === undefined) return;
          ticks += after - before;
          readable++;
        });
        accounted += ticks;
        cores[name] = readable ? toCores(ticks) : Number.NaN;
      }
      return { groups: cores, selfCores: toCores(self), irqCores: toCores(irq), otherCores: Math.max(0, toCores(machine - accounted)) };
    };
  } catch {
    return () => ({ groups: Object.fromEntries(Object.keys(groups).map((k) => [k, Number.NaN])), selfCores: Number.NaN, irqCores: Number.NaN, otherCores: Number.NaN });
  }
}
