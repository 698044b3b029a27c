import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAgentIndex } from '../../src/tasks/assignment/agent-index.js';
import { decide } from '../../src/tasks/assignment/decide.js';
import { agent, now, task, tenant } from './fixtures.js';

function ids(list: Iterable<{ id: string }>): string[] {
  return [...list].map((a) => a.id).sort();
}

describe('agent index', () => {
  function seeded() {
    const index = createAgentIndex();
    index.upsert(agent('a', { caps: ['ts', 'py'] }));
    index.upsert(agent('b', { caps: ['ts'] }));
    index.upsert(agent('c', { caps: ['ts', 'go'] }));
    index.upsert(agent('d', { caps: ['ts', 'py', 'go'] }));
    index.upsert(agent('z', { caps: ['ts'], tenantId: 'tenant-b' }));
    return index;
  }

  it('narrows candidates to the smallest required capability bucket', () => {
    const index = seeded();
    const rows: [string[], string[]][] = [
      [[], ['a', 'b', 'c', 'd']],
      [['ts'], ['a', 'b', 'c', 'd']],
      [['py'], ['a', 'd']],
      [['ts', 'go'], ['c', 'd']],
      [['py', 'go'], ['a', 'd']],
      [['rust'], []],
      [['ts', 'rust'], []],
    ];
    for (const [required, expected] of rows) {
      assert.deepEqual(ids(index.candidates(tenant, required)), expected, required.join('+'));
    }
    assert.deepEqual(ids(index.candidates('tenant-b', ['ts'])), ['z']);
    assert.deepEqual(ids(index.candidates('nobody', [])), []);
  });

  it('the narrowed set is a superset: decide still filters what the bucket lets through', () => {
    const index = seeded();
    const d = decide(task({ requiredCapabilities: ['py', 'go'] }), index.candidates(tenant, ['py', 'go']), 'auto', now);
    assert.equal(d.considered, 2);
    assert.equal(d.chosenAgentId, 'd');
    assert.deepEqual(d.filtered, [{ agentId: 'a', reason: 'missing_capability' }]);
  });

  it('upsert replaces the snapshot and moves capability buckets', () => {
    const index = seeded();
    index.upsert(agent('a', { caps: ['go'], inFlight: 2 }));
    assert.equal(index.size, 5);
    assert.equal(index.get(tenant, 'a')?.inFlight, 2);
    assert.deepEqual(ids(index.candidates(tenant, ['py'])), ['d']);
    assert.deepEqual(ids(index.candidates(tenant, ['ts'])), ['b', 'c', 'd']);
    assert.deepEqual(ids(index.candidates(tenant, ['go'])), ['a', 'c', 'd']);
  });

  it('update patches fields, keeping identity', () => {
    const index = seeded();
    const updated = index.update(tenant, 'b', { online: false, inFlight: 3 });
    assert.equal(updated?.online, false);
    assert.equal(index.get(tenant, 'b')?.inFlight, 3);
    assert.equal(index.update(tenant, 'nope', { online: false }), undefined);
    assert.equal(index.update('tenant-b', 'b', { online: false }), undefined, 'ids are per tenant');
    index.update(tenant, 'b', { capabilities: new Map([['py', 0.5]]) });
    assert.deepEqual(ids(index.candidates(tenant, ['py'])), ['a', 'b', 'd']);
    assert.deepEqual(ids(index.candidates(tenant, ['ts'])), ['a', 'c', 'd']);
  });

  it('remove drops the agent from every bucket', () => {
    const index = seeded();
    assert.equal(index.remove(tenant, 'a'), true);
    assert.equal(index.remove(tenant, 'a'), false);
    assert.equal(index.remove('tenant-b', 'b'), false);
    assert.equal(index.get(tenant, 'a'), undefined);
    assert.deepEqual(ids(index.candidates(tenant, ['py'])), ['d']);
    assert.deepEqual(ids(index.candidates(tenant, [])), ['b', 'c', 'd']);
    assert.deepEqual([index.size, index.sizeOf(tenant), index.sizeOf('tenant-b')], [4, 3, 1]);
    index.remove('tenant-b', 'z');
    assert.deepEqual(ids(index.candidates('tenant-b', ['ts'])), []);
  });

  it('stays consistent under many random mutations', () => {
    const index = createAgentIndex();
    const pool = ['a', 'b', 'c', 'd', 'e'];
    const model = new Map<string, string[]>();
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const id = `ag${rand(60)}`;
      if (rand(4) === 0) {
        index.remove(tenant, id);
        model.delete(id);
      } else {
        const caps = pool.filter(() => rand(2) === 0);
        index.upsert(agent(id, { caps }));
        model.set(id, caps);
      }
    }
    assert.equal(index.size, model.size);
    for (const capability of pool) {
      const expected = [...model].filter(([, caps]) => caps.includes(capability)).map(([id]) => id).sort();
      assert.deepEqual(ids(index.candidates(tenant, [capability])), expected, capability);
    }
  });
});
