import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createRedisWorkQueue, type RedisWorkQueue, type RedisWorkQueueOptions } from '../../src/queue/redis-work-queue.js';
import type { Job } from '../../src/queue/work-queue-port.js';
import { createGate, delay, eventually, uniqueQueue } from './queue-test-kit.js';
import { defineWorkQueueContract } from './work-queue.contract.js';

/**
 * Binds the work-queue contract to Redis Streams (TEST_REDIS_URL). Every run uses a key prefix of
 * its own and deletes its keys at the end. Without a server: skipped locally, failed in CI.
 */
const url = process.env.TEST_REDIS_URL;
const notConfigured = 'TEST_REDIS_URL is not set (e.g. TEST_REDIS_URL=redis://127.0.0.1:6379)';

if (!url && process.env.CI) {
  it('Redis is configured (required in CI)', () => {
    assert.fail(`CI requires Redis. ${notConfigured}`);
  });
} else if (!url) {
  it('Redis work queue contract', { skip: `skipped: ${notConfigured}` }, () => undefined);
} else {
  const prefix = `devmesh-test-${randomUUID().slice(0, 8)}`;
  /** Errors the queues reported; the contract runs must not produce any. */
  const reported: string[] = [];
  const open = (extra: Partial<RedisWorkQueueOptions> = {}): RedisWorkQueue =>
    createRedisWorkQueue({ url, prefix, onError: (error, context) => reported.push(`${context}: ${error.message}`), ...extra });

  after(async () => {
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
  });

  describe('redis work queue', () => {
    after(() => {
      assert.deepEqual(reported, [], 'errors reported by the queues');
    });

    defineWorkQueueContract('redis', async () => open());

    it('a second instance whose connections drop with jobs pending: a live consumer reclaims them', async () => {
      const live = open();
      const crashing = createRedisWorkQueue({ url, prefix, onError: () => undefined });
      const queue = uniqueQueue();
      const hang = createGate();
      const held: Job[] = [];
      try {
        crashing.consume(queue, async (job) => {
          held.push(job);
          await hang.promise;
        }, { concurrency: 3, reclaimAfterMs: 200 });
        for (let n = 0; n < 3; n += 1) await live.enqueue(queue, { payload: { n } });
        await eventually(() => held.length === 3, 'the crashing instance holds 3 jobs');
        crashing.disconnect();

        const rescued: Job[] = [];
        live.consume(queue, async (job) => {
          rescued.push(job);
        }, { reclaimAfterMs: 200 });
        await eventually(() => rescued.length === 3, '3 jobs reclaimed');
        assert.deepEqual(rescued.map((job) => job.payload.n).sort(), [0, 1, 2]);
        assert.deepEqual(rescued.map((job) => job.deliveries), [2, 2, 2]);
        await eventually(async () => (await live.stats(queue)).pending === 0, 'acknowledged');
      } finally {
        hang.open();
        await live.close();
      }
    });

    it('shares queues and idempotency keys between instances', async () => {
      const [a, b] = [open(), open()];
      const queue = uniqueQueue();
      try {
        const first = await a.enqueue(queue, { payload: { n: 1 }, idempotencyKey: 'shared' });
        assert.deepEqual(await b.enqueue(queue, { payload: { n: 2 }, idempotencyKey: 'shared' }), { id: first.id, duplicate: true });
        const seen: Job[] = [];
        b.consume(queue, async (job) => {
          seen.push(job);
        });
        await eventually(() => seen.length === 1, 'delivered on the other instance');
        assert.equal(seen[0]!.id, first.id);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('lays out keys as documented: the stream empties as jobs finish, idempotency keys expire', async () => {
      const wq = open({ idempotencyRetentionMs: 300 });
      const redis = new Redis(url);
      const queue = uniqueQueue();
      try {
        const { id } = await wq.enqueue(queue, { payload: { a: 1 }, idempotencyKey: 'k1' });
        const entries = await redis.xrange(`${prefix}:q:${queue}`, '-', '+');
        assert.deepEqual(entries, [[id, ['payload', '{"a":1}']]]);
        assert.equal(await redis.get(`${prefix}:idem:${queue}:k1`), id);
        const ttl = await redis.pttl(`${prefix}:idem:${queue}:k1`);
        assert.ok(ttl > 0 && ttl <= 300, `ttl ${ttl}`);
        const consumer = wq.consume(queue, async () => undefined);
        await eventually(async () => (await redis.xlen(`${prefix}:q:${queue}`)) === 0, 'entry deleted after the ack');
        await consumer.stop();
        // A stopped consumer holding nothing leaves the group.
        assert.deepEqual(await redis.xinfo('CONSUMERS', `${prefix}:q:${queue}`, 'workers'), []);
        await eventually(async () => (await redis.exists(`${prefix}:idem:${queue}:k1`)) === 0, 'idempotency key expired', 1000);
        assert.equal((await wq.enqueue(queue, { payload: { a: 2 }, idempotencyKey: 'k1' })).duplicate, false);
      } finally {
        redis.disconnect();
        await wq.close();
      }
    });

    it('stops promptly while blocked in XREADGROUP (CLIENT UNBLOCK), losing nothing', async () => {
      const wq = open();
      const queue = uniqueQueue();
      try {
        // Default reclaimAfterMs (30 s): the read blocks for up to 5 s.
        const consumer = wq.consume(queue, async () => undefined);
        await delay(100);
        const startedAt = Date.now();
        await consumer.stop();
        assert.ok(Date.now() - startedAt < 1000, `stop took ${Date.now() - startedAt} ms`);
        await wq.enqueue(queue, { payload: {} });
        assert.deepEqual(await wq.stats(queue), { pending: 1, deadLettered: 0 });
      } finally {
        await wq.close();
      }
    });

    it('reconnects when Redis drops its connections, and keeps consuming', async () => {
      const consumerName = `victim-${randomUUID().slice(0, 6)}`;
      // The dropped connections may be reported; that is not what this test checks.
      const wq = createRedisWorkQueue({ url, prefix, consumerName, onError: () => undefined });
      const admin = new Redis(url);
      const queue = uniqueQueue();
      try {
        const seen: Job[] = [];
        wq.consume(queue, async (job) => {
          seen.push(job);
        }, { reclaimAfterMs: 200 });
        await wq.enqueue(queue, { payload: { n: 1 } });
        await eventually(() => seen.length === 1, 'the first job');
        const clients = String(await admin.call('CLIENT', 'LIST')).split('\n');
        const ids = clients.filter((line) => line.includes(` name=${prefix}:${consumerName}`)).map((line) => /\bid=(\d+)/.exec(line)?.[1]);
        assert.equal(ids.length, 2, 'a command and a blocking connection');
        for (const id of ids) await admin.call('CLIENT', 'KILL', 'ID', id!);
        await wq.enqueue(queue, { payload: { n: 2 } });
        await eventually(() => seen.length === 2, 'a job after the reconnect');
        await eventually(async () => (await wq.stats(queue)).pending === 0, 'acknowledged');
        assert.deepEqual(seen.map((job) => [job.payload.n, job.deliveries]), [[1, 1], [2, 1]]);
      } finally {
        admin.disconnect();
        await wq.close();
      }
    });

    it('reports an unreachable server through onError and fails enqueue within a bounded time', async () => {
      const errors: string[] = [];
      const wq = createRedisWorkQueue({ url: 'redis://127.0.0.1:1', prefix, onError: (error, context) => errors.push(`${context}: ${error.message}`) });
      const queue = uniqueQueue();
      wq.consume(queue, async () => undefined);
      const startedAt = Date.now();
      await assert.rejects(wq.enqueue(queue, { payload: {} }));
      assert.ok(Date.now() - startedAt < 10_000);
      assert.ok(errors.some((line) => line.startsWith('redis connection')), errors.join('\n'));
      const closingAt = Date.now();
      await wq.close();
      assert.ok(Date.now() - closingAt < 5000, `close took ${Date.now() - closingAt} ms`);
    });
  });
}
