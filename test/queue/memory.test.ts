import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryWorkQueue } from '../../src/queue/memory-work-queue.js';
import type { Job } from '../../src/queue/work-queue-port.js';
import { eventually, uniqueQueue } from './queue-test-kit.js';
import { defineWorkQueueContract } from './work-queue.contract.js';

defineWorkQueueContract('memory', async () => createMemoryWorkQueue());

describe('memory work queue', () => {
  function manualClock(start = 1_700_000_000_000) {
    let now = start;
    return { now: () => now, advance: (ms: number) => void (now += ms) };
  }

  it('forgets an idempotency key after the retention window (injected clock)', async () => {
    const clock = manualClock();
    const wq = createMemoryWorkQueue({ clock: clock.now, idempotencyRetentionMs: 1000 });
    const queue = uniqueQueue();
    const first = await wq.enqueue(queue, { payload: {}, idempotencyKey: 'k' });
    clock.advance(999);
    assert.deepEqual(await wq.enqueue(queue, { payload: {}, idempotencyKey: 'k' }), { id: first.id, duplicate: true });
    clock.advance(1);
    const later = await wq.enqueue(queue, { payload: {}, idempotencyKey: 'k' });
    assert.equal(later.duplicate, false);
    assert.notEqual(later.id, first.id);
    await wq.close();
  });

  it('remembers at most maxIdempotencyKeys keys, forgetting the oldest first', async () => {
    const wq = createMemoryWorkQueue({ maxIdempotencyKeys: 2 });
    const queue = uniqueQueue();
    for (const key of ['a', 'b', 'c']) await wq.enqueue(queue, { payload: {}, idempotencyKey: key });
    assert.equal((await wq.enqueue(queue, { payload: {}, idempotencyKey: 'c' })).duplicate, true);
    assert.equal((await wq.enqueue(queue, { payload: {}, idempotencyKey: 'a' })).duplicate, false);
    await wq.close();
  });

  it('stamps jobs and dead letters with the injected clock', async () => {
    const clock = manualClock();
    const wq = createMemoryWorkQueue({ clock: clock.now });
    const queue = uniqueQueue();
    const seen: Job[] = [];
    wq.consume(queue, async (job) => {
      seen.push(job);
      clock.advance(5000);
      throw new Error('no');
    }, { maxDeliveries: 1 });
    await wq.enqueue(queue, { payload: {} });
    await eventually(async () => (await wq.stats(queue)).deadLettered === 1, 'a dead letter');
    const [letter] = await wq.deadLetters(queue, 1);
    assert.equal(seen[0]!.enqueuedAt, 1_700_000_000_000);
    assert.equal(letter!.deadLetteredAt, 1_700_000_005_000);
    await wq.close();
  });

  it('keeps at most maxDeadLetters dead letters per queue, dropping the oldest', async () => {
    const wq = createMemoryWorkQueue({ maxDeadLetters: 2 });
    const queue = uniqueQueue();
    wq.consume(queue, async () => {
      throw new Error('no');
    }, { maxDeliveries: 1 });
    const ids: string[] = [];
    for (let n = 0; n < 3; n += 1) ids.push((await wq.enqueue(queue, { payload: { n } })).id);
    await eventually(async () => (await wq.stats(queue)).pending === 0, 'all dead-lettered');
    assert.deepEqual((await wq.deadLetters(queue, 10)).map((d) => d.job.id), [ids[2], ids[1]]);
    await wq.close();
  });
});
