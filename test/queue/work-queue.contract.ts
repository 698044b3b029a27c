import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Job, WorkQueue } from '../../src/queue/work-queue-port.js';
import { defineFailureContract } from './work-queue-failures.contract.js';
import { createGate, delay, eventually, uniqueQueue, type Gate } from './queue-test-kit.js';

/** What the contract's parts share: opening queues (closed after each test) and hanging gates. */
export interface QueueContractContext {
  open(): Promise<WorkQueue>;
  /** A gate opened automatically after the test, before its queues close (close drains). */
  gate(): Gate;
}

/**
 * The work-queue contract: the doc comment of src/queue/work-queue-port.ts made executable, run
 * against every adapter. `open` returns a queue on a backend of its own or shared (tests use
 * queue names of their own). Reclaim times are short (100-200 ms) so failures show up fast.
 *
 * Every test runs on every adapter. Differences the contract allows, by name and reason:
 * - job ids: memory `job_<uuid>`, Redis the stream entry id `<ms>-<seq>` (both opaque strings);
 * - timestamps: memory uses the injected clock, Redis the Redis server's clock (from entry ids), so
 *   all processes sharing a Redis agree on them;
 * - reclaim timing: memory redelivers exactly reclaimAfterMs after the delivery (or the failure);
 *   Redis up to reclaimAfterMs / 4 (at most 5 s) later, when a consumer's periodic XAUTOCLAIM runs;
 * - bounds: memory keeps at most 100 000 idempotency keys and exactly 10 000 dead letters per queue;
 *   Redis expires idempotency keys only by time and trims dead letters approximately (MAXLEN ~).
 */
export function defineWorkQueueContract(name: string, open: () => Promise<WorkQueue>): void {
  describe(`work queue contract: ${name}`, () => {
    const opened: WorkQueue[] = [];
    const gates: Gate[] = [];
    const ctx: QueueContractContext = {
      async open() {
        const queue = await open();
        opened.push(queue);
        return queue;
      },
      gate() {
        const gate = createGate();
        gates.push(gate);
        return gate;
      },
    };

    afterEach(async () => {
      for (const gate of gates.splice(0)) gate.open();
      await Promise.all(opened.splice(0).map((queue) => queue.close()));
    });

    defineDeliveryContract(ctx);
    defineFailureContract(ctx);
  });
}

function defineDeliveryContract(ctx: QueueContractContext): void {
  it('delivers jobs once, in enqueue order, to a single consumer, and acknowledges them', async () => {
    const wq = await ctx.open();
    const queue = uniqueQueue();
    const before = Date.now();
    const ids: string[] = [];
    for (let n = 0; n < 20; n += 1) {
      const result = await wq.enqueue(queue, { payload: { n, nested: { tag: 'x' } } });
      assert.equal(result.duplicate, false);
      ids.push(result.id);
    }
    assert.equal(new Set(ids).size, 20);
    assert.deepEqual(await wq.stats(queue), { pending: 20, deadLettered: 0 });

    const seen: Job[] = [];
    wq.consume(queue, async (job) => {
      seen.push(job);
    }, { concurrency: 1 });
    await eventually(() => seen.length === 20, '20 deliveries');
    // Jobs enqueued while the consumer runs come after, in order too.
    for (let n = 20; n < 30; n += 1) ids.push((await wq.enqueue(queue, { payload: { n, nested: { tag: 'x' } } })).id);
    await eventually(() => seen.length === 30, '30 deliveries');

    assert.deepEqual(seen.map((job) => job.payload.n), Array.from({ length: 30 }, (_, n) => n));
    assert.deepEqual(seen.map((job) => job.id), ids);
    for (const job of seen) {
      assert.equal(job.queue, queue);
      assert.equal(job.deliveries, 1);
      assert.deepEqual(job.payload.nested, { tag: 'x' });
      assert.ok(job.enqueuedAt >= before - 1000 && job.enqueuedAt <= Date.now() + 1000, `enqueuedAt ${job.enqueuedAt}`);
    }
    await eventually(async () => (await wq.stats(queue)).pending === 0, 'all acknowledged');
  });

  it('keeps queues apart', async () => {
    const wq = await ctx.open();
    const [a, b] = [uniqueQueue('a'), uniqueQueue('b')];
    await wq.enqueue(a, { payload: { from: 'a' } });
    await wq.enqueue(b, { payload: { from: 'b' } });
    const seen: Job[] = [];
    wq.consume(a, async (job) => {
      seen.push(job);
    });
    await eventually(() => seen.length === 1, 'the job of queue a');
    await delay(100);
    assert.deepEqual(seen.map((job) => [job.queue, job.payload.from]), [[a, 'a']]);
    assert.deepEqual(await wq.stats(b), { pending: 1, deadLettered: 0 });
    assert.deepEqual(await wq.stats(uniqueQueue('never-used')), { pending: 0, deadLettered: 0 });
  });

  it('enqueues a job with an idempotency key once per queue', async () => {
    const wq = await ctx.open();
    const [queue, other] = [uniqueQueue(), uniqueQueue('other')];
    const first = await wq.enqueue(queue, { payload: { v: 1 }, idempotencyKey: 'delivery-1' });
    const again = await wq.enqueue(queue, { payload: { v: 2 }, idempotencyKey: 'delivery-1' });
    assert.deepEqual(first, { id: first.id, duplicate: false });
    assert.deepEqual(again, { id: first.id, duplicate: true });
    // Racing producers: exactly one of them enqueues.
    const racing = await Promise.all(Array.from({ length: 10 }, () => wq.enqueue(queue, { payload: { v: 3 }, idempotencyKey: 'delivery-2' })));
    assert.equal(racing.filter((r) => !r.duplicate).length, 1);
    assert.equal(new Set(racing.map((r) => r.id)).size, 1);
    assert.equal((await wq.enqueue(queue, { payload: { v: 4 }, idempotencyKey: 'delivery-3' })).duplicate, false);
    assert.equal((await wq.enqueue(other, { payload: { v: 5 }, idempotencyKey: 'delivery-1' })).duplicate, false);
    assert.deepEqual(await wq.stats(queue), { pending: 3, deadLettered: 0 });

    const seen: Job[] = [];
    wq.consume(queue, async (job) => {
      seen.push(job);
    }, { reclaimAfterMs: 100 });
    await eventually(() => seen.length === 3, '3 deliveries');
    await delay(250);
    assert.deepEqual(seen.map((job) => job.payload.v).sort(), [1, 3, 4]);
    // Still remembered after the job was handled.
    assert.deepEqual(await wq.enqueue(queue, { payload: { v: 6 }, idempotencyKey: 'delivery-1' }), { id: first.id, duplicate: true });
  });

  it('competing consumers: 3 consumers, 300 jobs, each delivered exactly once', async () => {
    const wq = await ctx.open();
    const queue = uniqueQueue();
    const deliveries = new Map<number, number>();
    const perConsumer = [0, 0, 0];
    for (const index of [0, 1, 2]) {
      wq.consume(queue, async (job) => {
        perConsumer[index]! += 1;
        deliveries.set(job.payload.n as number, (deliveries.get(job.payload.n as number) ?? 0) + 1);
        await delay(1);
      }, { concurrency: 4, reclaimAfterMs: 200 });
    }
    await Promise.all(Array.from({ length: 300 }, (_, n) => wq.enqueue(queue, { payload: { n } })));
    await eventually(() => deliveries.size === 300, '300 distinct jobs delivered');
    await eventually(async () => (await wq.stats(queue)).pending === 0, 'all acknowledged');
    await delay(400); // past reclaimAfterMs: acknowledged jobs must not come back
    assert.deepEqual([...deliveries.values()].filter((count) => count !== 1), []);
    assert.equal(perConsumer.reduce((a, b) => a + b, 0), 300);
    assert.ok(perConsumer.every((count) => count > 0), `every consumer took a share: ${perConsumer.join(', ')}`);
  });

  it('runs at most `concurrency` handlers at once per consumer', async () => {
    const wq = await ctx.open();
    const queue = uniqueQueue();
    let running = 0;
    let most = 0;
    let done = 0;
    wq.consume(queue, async () => {
      running += 1;
      most = Math.max(most, running);
      await delay(15);
      running -= 1;
      done += 1;
    }, { concurrency: 3 });
    await Promise.all(Array.from({ length: 15 }, (_, n) => wq.enqueue(queue, { payload: { n } })));
    await eventually(() => done === 15, '15 jobs done');
    assert.equal(most, 3);
  });

  it('gives every consumer group every job; consumers within a group compete', async () => {
    const wq = await ctx.open();
    const queue = uniqueQueue();
    const audit: Job[] = [];
    const hold = ctx.gate();
    const workers: Job[] = [];
    wq.consume(queue, async (job) => {
      await hold.promise;
      audit.push(job);
    }, { group: 'audit', concurrency: 8 });
    for (let i = 0; i < 2; i += 1) {
      wq.consume(queue, async (job) => {
        workers.push(job);
      });
    }
    const ids = (await Promise.all(Array.from({ length: 5 }, (_, n) => wq.enqueue(queue, { payload: { n } })))).map((r) => r.id);
    await eventually(() => workers.length === 5, 'the workers group handled all 5');
    await delay(50);
    // Still needed by the audit group, whose handlers hang.
    assert.equal((await wq.stats(queue)).pending, 5);
    hold.open();
    await eventually(() => audit.length === 5, 'the audit group handled all 5');
    assert.deepEqual(workers.map((job) => job.id).sort(), [...ids].sort());
    assert.deepEqual(audit.map((job) => job.id).sort(), [...ids].sort());
    await eventually(async () => (await wq.stats(queue)).pending === 0, 'done for both groups');
  });

  it('rejects invalid queue names, payloads and options', async () => {
    const wq = await ctx.open();
    await assert.rejects(wq.enqueue('bad:name', { payload: {} }), TypeError);
    await assert.rejects(wq.enqueue('', { payload: {} }), TypeError);
    await assert.rejects(wq.enqueue(uniqueQueue(), { payload: [1, 2] as unknown as Record<string, unknown> }), TypeError);
    assert.throws(() => wq.consume(uniqueQueue(), async () => undefined, { concurrency: 0 }), RangeError);
    assert.throws(() => wq.consume(uniqueQueue(), async () => undefined, { maxDeliveries: 1.5 }), RangeError);
    assert.throws(() => wq.consume(uniqueQueue(), async () => undefined, { group: 'a:b' }), TypeError);
  });
}
