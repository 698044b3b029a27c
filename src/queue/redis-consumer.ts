import type { Redis } from 'ioredis';
import { errorMessage, type ResolvedConsumeOptions } from './work-queue-options.js';
import { closeRedisConnection, isRedisError } from './redis-connection.js';
import { toJob } from './redis-entries.js';
import type { QueueKeys } from './redis-keys.js';
import type { QueueScripts } from './redis-scripts.js';
import type { Consumer, JobHandler } from './work-queue-port.js';

export interface RedisConsumerContext {
  queue: string;
  keys: QueueKeys;
  /** The shared connection: scripts and acknowledgements (never blocks). */
  command: Redis;
  scripts: QueueScripts;
  /** This consumer's own connection, for XREADGROUP BLOCK only. */
  blocking: Redis;
  /** Unique within the group. */
  consumer: string;
  options: ResolvedConsumeOptions;
  handler: JobHandler;
  deadLetterMaxLen: number;
  errorTtlMs: number;
  report(error: unknown, context: string): void;
}

export interface RedisConsumer extends Consumer {
  /** Stops at once without draining or acknowledging: what a crashed process looks like to Redis. */
  kill(): void;
}

/**
 * One consume() call: a loop that alternates XAUTOCLAIM of deliveries idle longer than
 * reclaimAfterMs (every reclaimAfterMs / 4, at most every 5 s) with XREADGROUP BLOCK for new
 * entries, asking for no more jobs than it has free handler slots. The block lasts until the next
 * reclaim is due, so an idle consumer makes a few round trips per reclaim period and no more.
 */
export function startRedisConsumer(ctx: RedisConsumerContext): RedisConsumer {
  const { keys, options, scripts, blocking, consumer } = ctx;
  const { group, concurrency } = options;
  const errorPrefix = keys.errorPrefix(group);
  const reclaimEveryMs = Math.min(5000, Math.max(10, Math.floor(options.reclaimAfterMs / 4)));
  const active = new Set<Promise<void>>();
  const state = { running: true, blocked: false, inFlight: 0, clientId: undefined as number | undefined };
  let wake: (() => void) | undefined;
  let stopping: Promise<void> | undefined;

  // CLIENT UNBLOCK needs the blocking connection's id, which changes when it reconnects.
  blocking.on('ready', () => {
    state.clientId = undefined;
  });

  function signal(): void {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  }

  function waitForSignal(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (wake === done) wake = undefined;
        resolve();
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
      wake = done;
    });
  }

  async function handle(id: string, fields: readonly string[], deliveries: number): Promise<void> {
    let failure: { error: unknown } | undefined;
    try {
      await ctx.handler(toJob(ctx.queue, id, fields, deliveries));
    } catch (error) {
      failure = { error };
    }
    // The slot is the handler's (concurrency counts handler calls); the acknowledgement goes on
    // pipelined behind it, and stop() still waits for it.
    state.inFlight -= 1;
    signal();
    try {
      if (!failure) {
        await scripts.devmeshQueueAck(keys.stream, group, id, errorPrefix + id);
      } else {
        await scripts.devmeshQueueFail(keys.stream, keys.dead, group, consumer, id, deliveries, options.maxDeliveries,
          errorMessage(failure.error), ctx.errorTtlMs, ctx.deadLetterMaxLen, errorPrefix + id);
      }
    } catch (error) {
      // The job stays pending and is reclaimed: nothing is lost, it may run again.
      ctx.report(error, failure ? `record failure of job ${id}` : `acknowledge job ${id}`);
    }
  }

  function dispatch(id: string, fields: readonly string[], deliveries: number): void {
    state.inFlight += 1;
    const run: Promise<void> = handle(id, fields, deliveries).finally(() => {
      active.delete(run);
    });
    active.add(run);
  }

  async function ensureGroup(): Promise<void> {
    try {
      await ctx.command.xgroup('CREATE', keys.stream, group, '0', 'MKSTREAM');
    } catch (error) {
      if (!isRedisError(error, 'BUSYGROUP')) throw error;
    }
  }

  async function loop(): Promise<void> {
    let cursor = '0-0';
    let nextReclaimAt = 0;
    let backoffMs = 0;
    let groupReady = false;
    while (state.running) {
      try {
        if (!groupReady) {
          await ensureGroup();
          groupReady = true;
        }
        while (state.running && state.inFlight >= concurrency) await waitForSignal();
        if (!state.running) break;
        if (Date.now() >= nextReclaimAt) {
          const [next, claimed] = await scripts.devmeshQueueReclaim(keys.stream, keys.dead, group, consumer,
            options.reclaimAfterMs, cursor, concurrency - state.inFlight, options.maxDeliveries, ctx.deadLetterMaxLen, errorPrefix);
          cursor = next;
          nextReclaimAt = Date.now() + reclaimEveryMs;
          for (const [id, fields, deliveries] of claimed) dispatch(id, fields, deliveries);
          continue;
        }
        state.clientId ??= Number(await blocking.call('CLIENT', 'ID'));
        state.blocked = true;
        const reply = await blocking.xreadgroup('GROUP', group, consumer, 'COUNT', concurrency - state.inFlight,
          'BLOCK', Math.max(1, nextReclaimAt - Date.now()), 'STREAMS', keys.stream, '>');
        state.blocked = false;
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) if (fields) dispatch(id, fields, 1);
        }
        backoffMs = 0;
      } catch (error) {
        state.blocked = false;
        if (!state.running) break;
        if (isRedisError(error, 'NOGROUP')) {
          // The stream was deleted under us: recreate the group and go on.
          groupReady = false;
          continue;
        }
        ctx.report(error, `consume ${ctx.queue}`);
        backoffMs = Math.min(5000, Math.max(100, backoffMs * 2));
        await waitForSignal(backoffMs);
      }
    }
  }

  const looping = loop().catch((error: unknown) => ctx.report(error, `consume ${ctx.queue}`));

  /** Ends a pending XREADGROUP BLOCK early (it returns as if timed out: no entry is lost). */
  async function interruptRead(): Promise<void> {
    for (let attempt = 0; state.blocked && attempt < 5; attempt += 1) {
      // 0 when the read has not reached Redis yet: try again shortly.
      if (state.clientId !== undefined) {
        await ctx.command.call('CLIENT', 'UNBLOCK', state.clientId).catch((error: unknown) => ctx.report(error, 'unblock'));
      }
      await Promise.race([looping, new Promise((resolve) => setTimeout(resolve, 20))]);
    }
    if (state.blocked) blocking.disconnect();
  }

  return {
    stop() {
      stopping ??= (async () => {
        state.running = false;
        signal();
        await interruptRead();
        await looping;
        while (active.size > 0) await Promise.allSettled([...active]);
        // A consumer holding no job is removed from the group, so names do not pile up (skipped
        // while Redis is unreachable: stopping must not wait for it).
        if (ctx.command.status === 'ready') {
          await scripts.devmeshQueueRelease(keys.stream, group, consumer).catch((error: unknown) => ctx.report(error, 'release consumer'));
        }
        await closeRedisConnection(blocking);
      })();
      return stopping;
    },
    kill() {
      state.running = false;
      stopping ??= looping.then(() => undefined);
      blocking.disconnect();
      signal();
    },
  };
}
