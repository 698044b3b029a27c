import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Job } from '../../src/queue/work-queue-port.js';
import { delay, eventually, settlesWithin, uniqueQueue } from './queue-test-kit.js';
import type { QueueContractContext } from './work-queue.contract.js';

/** Timer and Redis idle-time resolution: a redelivery may come this much before the nominal time. */
const slackMs = 15;

/** Failures, dead consumers, dead letters and shutdown: part of defineWorkQueueContract. */
export function defineFailureContract(ctx: QueueContractContext): void {
  it('delivers a failed job again after reclaimAfterMs, to another consumer, with a fresh payload', async () => {
    const wq = await ctx.open();
    const queue = uniqueQueue();
    let failedAt = 0;
    const first: Job[] = [];
    const failing = wq.consume(queue, async (job) => {
      first.push(job);
      job.payload.mutated = true;
      failedAt = Date.now();
      throw new Error('first try failed');
    }, { reclaimAfterMs: 200 });
    const { id } = await wq.enqueue(queue, { payload: { task: 'build' } });
    await eventually(() => first.length === 1, 'the first delivery');
    await failing.stop();

    const second: { job: Job; at: number }[] = [];
    wq.consume(queue, async (job) => {
      second.push({ job, at: Date.now() });
    }, { reclaimAfterMs: 200 });
    await eventually(() => second.length === 1, 'the redelivery');
    const [redelivered] = second;
    assert.equal(redelivered!.job.id, id);
    assert.equal(redelivered!.job.deliveries, 2);
    assert.deepEqual(redelivered!.job.payload, { task: 'build' });
    assert.ok(redelivered!.at - failedAt >= 200 - slackMs, `redelivered ${redelivered!.at - failedAt} ms after the failure`);
    await eventually(async () => (await wq.stats(queue)).pending === 0, 'acknowledged');
    assert.deepEqual(await wq.stats(queue), { pending: 0, deadLettered: 0 });
  });

  it('reclaims the jobs of a consumer that died (stopped with handlers hanging) for a live one', async () => {
    const wq = await ctx.open();
    const queue = uniqueQueue();
    const hang = ctx.gate();
    const held: Job[] = [];
    const dying = wq.consume(queue, async (job) => {
      held.push(job);
      await hang.promise;
    }, { concurrency: 2, reclaimAfterMs: 200 });
    await wq.enqueue(queue, { payload: { n: 1 } });
    await wq.enqueue(queue, { payload: { n: 2 } });
    await eventually(() => held.length === 2, 'the dying consumer holds both jobs');
    const stopping = dying.stop();

    const rescued: Job[] = [];
    wq.consume(queue, async (job) => {
      rescued.push(job);
    }, { reclaimAfterMs: 200 });
    await eventually(() => rescued.length === 2, 'both jobs reclaimed');
    assert.deepEqual(rescued.map((job) => job.id).sort(), held.map((job) => job.id).sort());
    assert.deepEqual(rescued.map((job) => job.deliveries), [2, 2]);
    await eventually(async () => (await wq.stats(queue)).pending === 0, 'acknowledged by the live consumer');
    // Graceful stop still waits for the hanging handlers.
    assert.equal(await settlesWithin(stopping, 50), false);
    hang.open();
    await stopping;
    assert.deepEqual(await wq.stats(queue), { pending: 0, deadLettered: 0 });
  });

  it('dead-letters a job after maxDeliveries failures with the last error, and delivers it no more', async () => {
    const wq = await ctx.open();
    const queue = uniqueQueue();
    const deliveries: number[] = [];
    const before = Date.now();
    wq.consume(queue, async (job) => {
      deliveries.push(job.deliveries);
      throw new Error(`failure ${job.deliveries}`);
    }, { reclaimAfterMs: 100, maxDeliveries: 3 });
    const { id } = await wq.enqueue(queue, { payload: { x: 1 } });
    await eventually(async () => (await wq.stats(queue)).deadLettered === 1, 'a dead letter');
    const [letter] = await wq.deadLetters(queue, 10);
    assert.equal(letter!.reason, 'failure 3');
    assert.deepEqual(letter!.job, { id, queue, payload: { x: 1 }, deliveries: 3, enqueuedAt: letter!.job.enqueuedAt });
    assert.ok(letter!.deadLetteredAt >= before - 1000 && letter!.deadLetteredAt <= Date.now() + 1000);
    assert.ok(letter!.deadLetteredAt >= letter!.job.enqueuedAt);
    await delay(300);
    assert.deepEqual(deliveries, [1, 2, 3]);
    assert.deepEqual(await wq.stats(queue), { pending: 0, deadLettered: 1 });

    // Newest first, and limited.
    const second = await wq.enqueue(queue, { payload: { x: 2 } });
    await eventually(async () => (await wq.stats(queue)).deadLettered === 2, 'a second dead letter');
    assert.deepEqual((await wq.deadLetters(queue, 10)).map((d) => d.job.id), [second.id, id]);
    assert.deepEqual((await wq.deadLetters(queue, 1)).map((d) => d.job.id), [second.id]);
    assert.deepEqual(await wq.deadLetters(uniqueQueue('none'), 10), []);
  });

  it('dead-letters a job whose last delivery was never acknowledged, naming the timeout and the last error', async () => {
    const wq = await ctx.open();
    const queue = uniqueQueue();
    const hang = ctx.gate();
    const deliveries: number[] = [];
    wq.consume(queue, async (job) => {
      deliveries.push(job.deliveries);
      if (job.deliveries === 1) throw new Error('first failure');
      await hang.promise;
    }, { concurrency: 2, reclaimAfterMs: 200, maxDeliveries: 2 });
    const { id } = await wq.enqueue(queue, { payload: {} });
    await eventually(async () => (await wq.stats(queue)).deadLettered === 1, 'a dead letter');
    const [letter] = await wq.deadLetters(queue, 1);
    assert.equal(letter!.job.id, id);
    assert.equal(letter!.job.deliveries, 2);
    assert.equal(letter!.reason, 'not acknowledged within 200 ms (last error: first failure)');
    // The hanging delivery finishing late changes nothing.
    hang.open();
    await delay(50);
    assert.deepEqual(deliveries, [1, 2]);
    assert.deepEqual(await wq.stats(queue), { pending: 0, deadLettered: 1 });
  });

  it('stop waits for running handlers, acknowledges their jobs, and takes no new ones', async () => {
    const wq = await ctx.open();
    const queue = uniqueQueue();
    const hold = ctx.gate();
    const started: Job[] = [];
    let finished = 0;
    const consumer = wq.consume(queue, async (job) => {
      started.push(job);
      await hold.promise;
      finished += 1;
    }, { concurrency: 1, reclaimAfterMs: 200 });
    await wq.enqueue(queue, { payload: { n: 1 } });
    await eventually(() => started.length === 1, 'the job started');
    assert.deepEqual(await wq.stats(queue), { pending: 1, deadLettered: 0 });
    const stopping = consumer.stop();
    assert.equal(await settlesWithin(stopping, 100), false);
    hold.open();
    await stopping;
    assert.equal(finished, 1);
    assert.deepEqual(await wq.stats(queue), { pending: 0, deadLettered: 0 });
    await wq.enqueue(queue, { payload: { n: 2 } });
    await delay(300);
    assert.equal(started.length, 1);
    assert.deepEqual(await wq.stats(queue), { pending: 1, deadLettered: 0 });
  });

  it('close drains running handlers, then refuses new work', async () => {
    const wq = await ctx.open();
    const queue = uniqueQueue();
    const hold = ctx.gate();
    let started = 0;
    let finished = 0;
    wq.consume(queue, async () => {
      started += 1;
      await hold.promise;
      finished += 1;
    }, { concurrency: 2 });
    await wq.enqueue(queue, { payload: {} });
    await wq.enqueue(queue, { payload: {} });
    await eventually(() => started === 2, 'both jobs started');
    const closing = wq.close();
    assert.equal(await settlesWithin(closing, 100), false);
    hold.open();
    await closing;
    assert.equal(finished, 2);
    await assert.rejects(wq.enqueue(queue, { payload: {} }), /closed/);
    assert.throws(() => wq.consume(queue, async () => undefined), /closed/);
  });
}
