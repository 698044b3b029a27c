/**
 * Work-queue throughput: messages per second from the first enqueue to the last acknowledgement,
 * in-process and on Redis Streams. One producer keeps 256 enqueues in flight; 1 or 4 consumers with
 * concurrency 16 run a no-op handler. On Redis every consumer is a queue instance of its own (its
 * own connections, as separate processes would have), all in this process. Each round uses a fresh
 * queue after a short warm-up; the median of 3 rounds is reported (1 with --quick).
 *
 *   node --import tsx bench/queue-bench.ts [--quick] [--redis-url redis://127.0.0.1:6379]
 *
 * Without --redis-url, REDIS_URL or TEST_REDIS_URL, the Redis rows are skipped.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { createMemoryWorkQueue } from '../src/queue/memory-work-queue.js';
import { createRedisWorkQueue } from '../src/queue/redis-work-queue.js';
import type { WorkQueue } from '../src/queue/work-queue-port.js';
import { median } from './lib/stats.js';

export interface QueueBenchRow {
  backend: 'memory' | 'redis';
  consumers: number;
  messages: number;
  /** Messages per second, enqueue to acknowledgement, per round. */
  rounds: number[];
  medianPerSecond: number;
}

export interface QueueBenchResult {
  rows: QueueBenchRow[];
  /** Why the Redis rows are missing, if they are. */
  redisSkipped?: string;
}

const producerInFlight = 256;
const concurrency = 16;

interface Backend {
  name: QueueBenchRow['backend'];
  messages: number;
  /** The producer's queue and one queue per consumer (the same one in-process). */
  open(consumers: number): { producer: WorkQueue; consumers: WorkQueue[]; close(): Promise<void> };
}

function memoryBackend(quick: boolean): Backend {
  return {
    name: 'memory',
    messages: quick ? 20_000 : 100_000,
    open(consumers) {
      const wq = createMemoryWorkQueue();
      return { producer: wq, consumers: Array.from({ length: consumers }, () => wq), close: () => wq.close() };
    },
  };
}

function redisBackend(quick: boolean, url: string, prefix: string): Backend {
  const onError = (error: Error, context: string) => process.stderr.write(`[queue-bench] ${context}: ${error.message}\n`);
  return {
    name: 'redis',
    messages: quick ? 5_000 : 30_000,
    open(consumers) {
      const all = Array.from({ length: consumers + 1 }, () => createRedisWorkQueue({ url, prefix, onError }));
      return { producer: all[0]!, consumers: all.slice(1), close: async () => void (await Promise.all(all.map((q) => q.close()))) };
    },
  };
}

async function produce(wq: WorkQueue, queue: string, messages: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < messages) {
      next += 1;
      await wq.enqueue(queue, { payload: { n: next, at: Date.now() } });
    }
  };
  await Promise.all(Array.from({ length: Math.min(producerInFlight, messages) }, lane));
}

async function drained(wq: WorkQueue, queue: string): Promise<void> {
  while ((await wq.stats(queue)).pending > 0) await new Promise((resolve) => setTimeout(resolve, 1));
}

/** One round: messages per second from the first enqueue until every job is acknowledged. */
async function round(backend: Backend, consumers: number): Promise<number> {
  const { producer, consumers: queues, close } = backend.open(consumers);
  const queue = `bench-${randomUUID().slice(0, 8)}`;
  try {
    for (const wq of queues) wq.consume(queue, async () => undefined, { concurrency });
    // Warm-up: connections open, groups exist, code is compiled.
    await produce(producer, queue, 500);
    await drained(producer, queue);
    const start = performance.now();
    await produce(producer, queue, backend.messages);
    await drained(producer, queue);
    return backend.messages / ((performance.now() - start) / 1000);
  } finally {
    await close();
  }
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function runQueueBench(options: { quick?: boolean; redisUrl?: string; log?: (line: string) => void } = {}): Promise<QueueBenchResult> {
  const quick = options.quick ?? false;
  const rounds = quick ? 1 : 3;
  const log = options.log ?? ((line: string) => process.stderr.write(`[queue-bench] ${line}\n`));
  const prefix = `devmesh-bench-${randomUUID().slice(0, 8)}`;
  const backends = [memoryBackend(quick)];
  if (options.redisUrl) backends.push(redisBackend(quick, options.redisUrl, prefix));
  const rows: QueueBenchRow[] = [];
  try {
    for (const backend of backends) {
      for (const consumers of [1, 4]) {
        const perRound: number[] = [];
        for (let r = 0; r < rounds; r += 1) perRound.push(await round(backend, consumers));
        const row = { backend: backend.name, consumers, messages: backend.messages, rounds: perRound, medianPerSecond: median(perRound) };
        log(`${backend.name} x${consumers}: ${perRound.map((v) => Math.round(v)).join(', ')} msg/s`);
        rows.push(row);
      }
    }
  } finally {
    if (options.redisUrl) await deleteKeys(options.redisUrl, prefix);
  }
  return options.redisUrl ? { rows } : { rows, redisSkipped: 'no Redis URL (--redis-url, REDIS_URL or TEST_REDIS_URL)' };
}

export function formatQueueBench(result: QueueBenchResult): string {
  const header = `work queue: enqueue -> ack, 1 producer x ${producerInFlight} in flight, consumers x concurrency ${concurrency}`;
  const lines = [header, 'backend  consumers  messages    msg/s (median)  rounds'];
  for (const row of result.rows) {
    lines.push([
      row.backend.padEnd(8),
      String(row.consumers).padStart(9),
      String(row.messages).padStart(9),
      String(Math.round(row.medianPerSecond)).padStart(16),
      ` ${row.rounds.map((v) => Math.round(v)).join(' / ')}`,
    ].join(' '));
  }
  if (result.redisSkipped) lines.push(`redis: skipped (${result.redisSkipped})`);
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, 'redis-url': { type: 'string' } } });
  const redisUrl = values['redis-url'] ?? process.env.REDIS_URL ?? process.env.TEST_REDIS_URL;
  const result = await runQueueBench({ quick: values.quick, redisUrl });
  process.stdout.write(`${formatQueueBench(result)}\n`);
}
