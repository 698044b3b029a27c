import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFairPriorityQueue, type QueuedTask } from '../../src/tasks/queue/fair-priority-queue.js';
import type { TaskPriority } from '../../src/storage/records.js';

const agingMs = 1000;
const yes = () => true;

function item(taskId: string, priority: TaskPriority = 'normal', enqueuedAt = 0, tenantId = 'A', requiredCapabilities: string[] = []): QueuedTask {
  return { tenantId, taskId, priority, enqueuedAt, requiredCapabilities };
}

function drain(queue: ReturnType<typeof createFairPriorityQueue>, now: number): string[] {
  return queue.takeNext(now, yes, Number.MAX_SAFE_INTEGER).map((t) => t.taskId);
}

describe('fair priority queue: order within a tenant', () => {
  it('critical > high > normal > low', () => {
    const q = createFairPriorityQueue({ agingMs });
    for (const p of ['low', 'normal', 'critical', 'high'] as const) q.push(item(p, p, 0));
    assert.deepEqual(drain(q, 0), ['critical', 'high', 'normal', 'low']);
  });

  it('FIFO within a level: by enqueuedAt, then push order', () => {
    const q = createFairPriorityQueue({ agingMs });
    q.push(item('t2', 'high', 20));
    q.push(item('t1', 'high', 10));
    q.push(item('t3a', 'high', 30));
    q.push(item('t3b', 'high', 30));
    q.push(item('t0', 'normal', 0));
    assert.deepEqual(drain(q, 30), ['t1', 't2', 't3a', 't3b', 't0']);
  });

  it('aging lifts an old low task above newer ones at the right times', () => {
    // The low task is enqueued at 0; the other one at `now`.
    const table: [number, TaskPriority, string][] = [
      [999, 'normal', 'other'],
      [1000, 'normal', 'old-low'],
      [1999, 'high', 'other'],
      [2000, 'high', 'old-low'],
      [2999, 'critical', 'other'],
      [3000, 'critical', 'old-low'],
      [1_000_000, 'critical', 'old-low'],
    ];
    for (const [now, priority, first] of table) {
      const q = createFairPriorityQueue({ agingMs });
      q.push(item('old-low', 'low', 0));
      q.push(item('other', priority, now));
      assert.equal(q.takeNext(now, yes, 1)[0]?.taskId, first, `${priority} at ${now}`);
    }
  });

  it('aging is capped at critical: an older critical still goes before an aged low', () => {
    const q = createFairPriorityQueue({ agingMs });
    q.push(item('low', 'low', 100));
    q.push(item('crit', 'critical', 50));
    assert.deepEqual(drain(q, 1_000_000), ['crit', 'low']);
  });
});

describe('fair priority queue: tenants', () => {
  it('a flooding tenant does not starve another', () => {
    const q = createFairPriorityQueue({ agingMs });
    for (let i = 0; i < 1000; i++) q.push(item(`a${i}`, 'critical', i, 'A'));
    q.push(item('b0', 'low', 5000, 'B'));
    const firstTwo = [...q.takeNext(5000, yes, 1), ...q.takeNext(5000, yes, 1)].map((t) => t.tenantId);
    assert.ok(firstTwo.includes('B'), `B served within 2 takes: ${firstTwo.join()}`);
    const q2 = createFairPriorityQueue({ agingMs });
    for (let i = 0; i < 1000; i++) q2.push(item(`a${i}`, 'critical', i, 'A'));
    q2.push(item('b0', 'low', 5000, 'B'));
    assert.deepEqual(q2.takeNext(5000, yes, 2).map((t) => t.taskId), ['a0', 'b0']);
  });

  it('round-robin, one per tenant per turn, continuing after the last served', () => {
    const q = createFairPriorityQueue({ agingMs });
    for (const t of ['A', 'B', 'C']) for (let i = 0; i < 3; i++) q.push(item(`${t}${i}`, 'normal', i, t));
    assert.deepEqual(q.takeNext(10, yes, 4).map((t) => t.taskId), ['A0', 'B0', 'C0', 'A1']);
    assert.deepEqual(q.takeNext(10, yes, 2).map((t) => t.taskId), ['B1', 'C1']);
    assert.deepEqual(q.takeNext(10, yes, 10).map((t) => t.taskId), ['A2', 'B2', 'C2']);
    assert.equal(q.size, 0);
  });

  it('counts per tenant', () => {
    const q = createFairPriorityQueue({ agingMs });
    assert.equal(q.push(item('x', 'low', 0, 'A')), true);
    assert.equal(q.push(item('x', 'high', 0, 'A')), false, 'duplicate ignored');
    assert.equal(q.push(item('x', 'low', 0, 'B')), true, 'task ids are per tenant');
    q.push(item('y', 'low', 0, 'A'));
    assert.deepEqual([q.size, q.sizeOf('A'), q.sizeOf('B'), q.sizeOf('C')], [3, 2, 1, 0]);
    assert.equal(q.has('A', 'x'), true);
    assert.equal(q.remove('A', 'x'), true);
    assert.equal(q.remove('A', 'x'), false);
    assert.equal(q.has('A', 'x'), false);
    assert.deepEqual([q.size, q.sizeOf('A')], [2, 1]);
    assert.deepEqual(drain(q, 0).sort(), ['x', 'y']);
  });
});

describe('fair priority queue: accept', () => {
  it('declined items stay queued, in place, and the next acceptable one is taken', () => {
    const q = createFairPriorityQueue({ agingMs });
    q.push(item('gpu1', 'critical', 0, 'A', ['gpu']));
    q.push(item('cpu1', 'normal', 1, 'A'));
    q.push(item('gpu2', 'high', 2, 'A', ['gpu']));
    q.push(item('cpu2', 'low', 3, 'A'));
    const noGpu = (t: QueuedTask) => !t.requiredCapabilities.includes('gpu');
    assert.deepEqual(q.takeNext(10, noGpu, 1).map((t) => t.taskId), ['cpu1']);
    assert.deepEqual([q.size, q.has('A', 'gpu1'), q.has('A', 'gpu2')], [3, true, true]);
    assert.deepEqual(drain(q, 10), ['gpu1', 'gpu2', 'cpu2']);
  });

  it('accept is asked once per item per call, and a tenant with nothing acceptable is skipped', () => {
    const q = createFairPriorityQueue({ agingMs });
    for (let i = 0; i < 5; i++) q.push(item(`a${i}`, 'normal', i, 'A', ['gpu']));
    q.push(item('b0', 'normal', 0, 'B'));
    q.push(item('b1', 'normal', 1, 'B'));
    const asked: string[] = [];
    const taken = q.takeNext(10, (t) => (asked.push(t.taskId), t.tenantId === 'B'), 10);
    assert.deepEqual(taken.map((t) => t.taskId), ['b0', 'b1']);
    assert.deepEqual(asked.sort(), ['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1']);
    assert.equal(q.sizeOf('A'), 5);
  });

  it('bounds the declines examined per tenant per call', () => {
    const q = createFairPriorityQueue({ agingMs, maxDeclinesPerTenant: 3 });
    for (let i = 0; i < 10; i++) q.push(item(`a${i}`, 'normal', i));
    let asked = 0;
    assert.deepEqual(q.takeNext(10, (t) => (asked++, t.taskId === 'a9'), 1), []);
    assert.equal(asked, 3);
    assert.equal(q.size, 10);
  });

  it('puts everything back when accept throws', () => {
    const q = createFairPriorityQueue({ agingMs });
    for (let i = 0; i < 4; i++) q.push(item(`a${i}`, 'normal', i));
    q.push(item('b0', 'normal', 0, 'B'));
    let calls = 0;
    assert.throws(() =>
      q.takeNext(10, () => {
        if (++calls === 3) throw new Error('boom');
        return calls !== 2;
      }, 10),
    );
    assert.equal(q.size, 5);
    const after = drain(q, 10);
    assert.deepEqual(after.filter((id) => id.startsWith('a')), ['a0', 'a1', 'a2', 'a3'], 'order within the tenant kept');
    assert.ok(after.includes('b0'));
  });

  it('tolerates accept removing the task it is asked about', () => {
    const q = createFairPriorityQueue({ agingMs });
    q.push(item('a0', 'normal', 0));
    q.push(item('a1', 'normal', 1));
    const taken = q.takeNext(10, (t) => (t.taskId === 'a0' ? (q.remove('A', 'a0'), true) : true), 10);
    assert.deepEqual(taken.map((t) => t.taskId), ['a1']);
    assert.equal(q.size, 0);
  });
});

describe('fair priority queue: volume', () => {
  it('100k queued tasks over 50 tenants come out fair, ordered, and complete', () => {
    const q = createFairPriorityQueue({ agingMs: 60_000 });
    const priorities: TaskPriority[] = ['low', 'normal', 'high', 'critical'];
    for (let i = 0; i < 100_000; i++) q.push(item(`t${i}`, priorities[i % 4], i, `tenant-${i % 50}`));
    for (let i = 0; i < 100_000; i += 7) q.remove(`tenant-${i % 50}`, `t${i}`);
    const expected = q.size;
    const seen = new Set<string>();
    let batches = 0;
    while (q.size > 0) {
      const batch = q.takeNext(100_000, yes, 50);
      if (batches === 0) assert.equal(new Set(batch.map((t) => t.tenantId)).size, 50, 'first batch: one per tenant');
      for (const t of batch) seen.add(`${t.tenantId}/${t.taskId}`);
      batches++;
    }
    assert.equal(seen.size, expected);
  });
});
