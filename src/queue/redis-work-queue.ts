import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { assertQueueName, encodePayload, resolveConsumeOptions } from './work-queue-options.js';
import { closeRedisConnection, openRedisConnection } from './redis-connection.js';
import { startRedisConsumer, type RedisConsumer } from './redis-consumer.js';
import { toDeadLetter } from './redis-entries.js';
import { queueKeys } from './redis-keys.js';
import { defineQueueScripts } from './redis-scripts.js';
import type { WorkQueue } from './work-queue-port.js';

export interface RedisWorkQueueOptions {
  url: string;
  /** First part of every key; default 'devmesh'. */
  prefix?: string;
  /** Names this process in consumer groups and CLIENT LIST; default `<hostname>-<pid>-<random>`. */
  consumerName?: string;
  /** How long an idempotency key is remembered; default 24 h. */
  idempotencyRetentionMs?: number;
  /** Dead letters kept per queue (MAXLEN ~, so approximately); default 10 000. */
  deadLetterMaxLen?: number;
  /** How long close() waits for running handlers before dropping the connections; default 15 000. */
  closeTimeoutMs?: number;
  /** Connection errors, failed acknowledgements and the like; the queue keeps going. */
  onError?: (error: Error, context: string) => void;
}

export interface RedisWorkQueue extends WorkQueue {
  /** Drops every connection at once, without draining: what a crash looks like to other consumers. */
  disconnect(): void;
}

const day = 24 * 60 * 60 * 1000;

/**
 * The work queue on Redis Streams: one stream per queue (`<prefix>:q:<queue>`, field `payload`
 * holding the JSON), one consumer group per ConsumeOptions.group, the entry id as the job id.
 *
 * Finished jobs are acknowledged and deleted (XACK + XDEL in one script) rather than trimmed with
 * MAXLEN ~: trimming by length drops the oldest entries whether or not they were handled, so a
 * backlog longer than the limit would lose jobs. With XDEL the stream holds exactly the jobs not
 * finished yet (its length is `stats().pending`); the delete waits until every group of the stream
 * is done with the entry. Dead letters go to `<prefix>:q:<queue>:dead`, trimmed with MAXLEN ~.
 */
export function createRedisWorkQueue(options: RedisWorkQueueOptions): RedisWorkQueue {
  const prefix = options.prefix ?? 'devmesh';
  const closeTimeoutMs = options.closeTimeoutMs ?? 15_000;
  const name = options.consumerName ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const retentionMs = options.idempotencyRetentionMs ?? day;
  const deadLetterMaxLen = options.deadLetterMaxLen ?? 10_000;
  const report = (error: unknown, context: string): void => {
    try {
      options.onError?.(error instanceof Error ? error : new Error(String(error)), context);
    } catch {
      // A throwing error callback must not take the queue down with it.
    }
  };
  // Many acknowledgements and enqueues per tick: auto-pipelining sends them in one write.
  const command = openRedisConnection(options.url, `${prefix}:${name}:commands`, (e) => report(e, 'redis connection'), {
    enableAutoPipelining: true,
  });
  const scripts = defineQueueScripts(command);
  const consumers = new Set<RedisConsumer>();
  let consumerCount = 0;
  let closing: Promise<void> | undefined;

  return {
    async enqueue(queue, input) {
      if (closing) throw new Error('work queue is closed');
      assertQueueName('queue', queue);
      const payload = encodePayload(input.payload);
      const keys = queueKeys(prefix, queue);
      if (input.idempotencyKey === undefined) {
        const id = await command.xadd(keys.stream, '*', 'payload', payload);
        if (id === null) throw new Error(`XADD to ${keys.stream} returned no id`);
        return { id, duplicate: false };
      }
      // Lookup, XADD and remembering the key happen in one script: no crash can split them.
      const [id, duplicate] = await scripts.devmeshQueueEnqueue(keys.stream, keys.idempotency(input.idempotencyKey), payload, retentionMs);
      return { id, duplicate: duplicate === 1 };
    },

    consume(queue, handler, consumeOptions) {
      if (closing) throw new Error('work queue is closed');
      assertQueueName('queue', queue);
      const resolved = resolveConsumeOptions(consumeOptions);
      consumerCount += 1;
      const consumer = `${name}#${consumerCount}`;
      // Keeps ioredis' default of resending a read cut by a reconnect: with autoResendUnfulfilledCommands
      // off, ioredis 6 drops such a command without ever settling its promise, and the loop would hang.
      const blocking = openRedisConnection(options.url, `${prefix}:${consumer}:blocking`, (e) => report(e, 'redis connection'));
      const started = startRedisConsumer({
        queue,
        keys: queueKeys(prefix, queue),
        command,
        scripts,
        blocking,
        consumer,
        options: resolved,
        handler,
        deadLetterMaxLen,
        errorTtlMs: 7 * day,
        report,
      });
      consumers.add(started);
      return {
        stop: async () => {
          await started.stop();
          consumers.delete(started);
        },
      };
    },

    async deadLetters(queue, limit) {
      assertQueueName('queue', queue);
      if (limit <= 0) return [];
      const entries = await command.xrevrange(queueKeys(prefix, queue).dead, '+', '-', 'COUNT', limit);
      return entries.map(([id, fields]) => toDeadLetter(queue, id, fields));
    },

    async stats(queue) {
      assertQueueName('queue', queue);
      const keys = queueKeys(prefix, queue);
      const [pending, deadLettered] = await Promise.all([command.xlen(keys.stream), command.xlen(keys.dead)]);
      return { pending, deadLettered };
    },

    close() {
      closing ??= (async () => {
        // Drain, but never hang a shutdown on a connection that stopped answering: after the
        // bound, drop the connections; unfinished jobs are redelivered to other consumers.
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), closeTimeoutMs)));
        const drained = Promise.all([...consumers].map((consumer) => consumer.stop())).then(() => 'drained' as const);
        const outcome = await Promise.race([drained, bound]);
        clearTimeout(timer);
        if (outcome === 'timeout') {
          report(new Error(`draining took longer than ${closeTimeoutMs} ms; dropping the connections`), 'close');
          for (const consumer of consumers) consumer.kill();
          command.disconnect();
          return;
        }
        await closeRedisConnection(command);
      })();
      return closing;
    },

    disconnect() {
      closing ??= Promise.resolve();
      for (const consumer of consumers) consumer.kill();
      command.disconnect();
    },
  };
}
