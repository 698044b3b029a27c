import { performance } from 'node:perf_hooks';
import { startCpuProbe } from '../lib/cpu-probe.js';
import { quantile, sortedCopy } from '../lib/stats.js';
import type { Channel, Measurement, Method, Phases } from './types.js';

/** Give up on outstanding requests this long after the measured window ends. */
const DRAIN_TIMEOUT_MS = 5_000;
/** Stop issuing when this many requests have failed: the run is broken, not slow. */
const MAX_ERRORS = 100;

/**
 * Closed-loop load: every channel keeps `inFlight` requests outstanding, sending the next one as
 * each response arrives. A warm-up, then a measured window (bounded in time and in requests),
 * then a bounded drain. Latency is measured per request from send to response, in milliseconds.
 */
export async function runClosedLoop(channels: Channel[], inFlight: number, method: Method, phases: Phases): Promise<Measurement> {
  let phase: 'warmup' | 'measure' | 'drain' = 'warmup';
  let outstanding = 0;
  let issued = 0;
  let completed = 0;
  let errors = 0;
  let totalErrors = 0;
  const latencies: number[] = [];
  let onIdle: (() => void) | undefined;

  const issue = (channel: Channel): void => {
    if (phase === 'drain' || totalErrors >= MAX_ERRORS) return;
    if (phase === 'measure' && issued >= phases.maxRequests) return;
    const start = performance.now();
    const sent = channel.request(method, (ok) => {
      outstanding--;
      if (!ok) totalErrors++;
      if (phase === 'measure') {
        completed++;
        if (!ok) errors++;
        latencies.push(performance.now() - start);
      }
      if (phase === 'drain' && outstanding === 0) onIdle?.();
      issue(channel);
    });
    if (!sent) return;
    outstanding++;
    if (phase === 'measure') issued++;
  };

  for (const channel of channels) for (let i = 0; i < inFlight; i++) issue(channel);
  await new Promise((resolve) => setTimeout(resolve, phases.warmupMs));
  phase = 'measure';
  const begin = performance.now();
  const stopProbe = startCpuProbe(phases.serverPid);
  await new Promise((resolve) => setTimeout(resolve, phases.measureMs));
  phase = 'drain';
  const seconds = (performance.now() - begin) / 1000;
  const cpu = stopProbe();
  if (outstanding > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
      onIdle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  const stuck = outstanding;
  const sorted = sortedCopy(latencies);
  return {
    requests: completed,
    errors: errors + stuck + (totalErrors >= MAX_ERRORS ? 1 : 0),
    seconds,
    rps: completed / seconds,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    cpu,
  };
}
