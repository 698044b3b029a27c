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

function machineBusyTicks(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  void idle;
  void iowait;
  return user + nice + system + irq + softirq + steal;
}

function processTicks(pid: number | 'self'): number {
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
