import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newId } from '../../../src/lib/ids.js';
import { at, devMeshError, jsonSamples, t0, type ContractContext } from './context.js';

export function defineSessionContextContract(ctx: ContractContext): void {
  describe('SessionStore', () => {
    it('creates, touches, closes and resumes a session', async () => {
      const tenant = await ctx.newTenant();
      const id = newId('sess');
      const created = await ctx.stores.sessions.upsert(
        { tenantId: tenant.id, id, apiKeyId: 'key_1', transport: 'websocket', protocolVersion: '2025-06-18', clientInfo: { name: 'cli' } },
        t0,
      );
      assert.deepEqual(created, {
        tenantId: tenant.id, id, apiKeyId: 'key_1', transport: 'websocket', protocolVersion: '2025-06-18',
        clientInfo: { name: 'cli' }, createdAt: t0, lastSeenAt: t0, closedAt: null,
      });
      assert.deepEqual(await ctx.stores.sessions.get(tenant.id, id), created);

      await ctx.stores.sessions.touch(tenant.id, id, at(5000));
      assert.deepEqual((await ctx.stores.sessions.get(tenant.id, id))?.lastSeenAt, at(5000));
      await ctx.stores.sessions.close(tenant.id, id, at(6000));
      await ctx.stores.sessions.close(tenant.id, id, at(7000));
      assert.deepEqual((await ctx.stores.sessions.get(tenant.id, id))?.closedAt, at(6000));

      const resumed = await ctx.stores.sessions.upsert(
        { tenantId: tenant.id, id, apiKeyId: 'key_1', transport: 'http', protocolVersion: null, clientInfo: ['v2'] },
        at(8000),
      );
      assert.deepEqual(resumed, {
        ...created, transport: 'http', protocolVersion: null, clientInfo: ['v2'], lastSeenAt: at(8000), closedAt: null,
      });
      assert.equal(await ctx.stores.sessions.get(tenant.id, newId('sess')), undefined);
    });

    it('round-trips any JSON value as clientInfo', async () => {
      const tenant = await ctx.newTenant();
      for (const { label, value } of jsonSamples) {
        const s = await ctx.stores.sessions.upsert(
          { tenantId: tenant.id, id: newId('sess'), apiKeyId: null, transport: 'http', protocolVersion: null, clientInfo: value },
          t0,
        );
        assert.deepEqual((await ctx.stores.sessions.get(tenant.id, s.id))?.clientInfo, value, label);
      }
    });
  });

  describe('ContextStore', () => {
    it('sets, replaces and removes keys, returning items ordered by key', async () => {
      const tenant = await ctx.newTenant();
      const sid = newId('sess');
      const first = await ctx.stores.contexts.update(tenant.id, sid, { set: { b: 1, a: { x: 1 }, B: 'upper', _u: null }, remove: [] }, t0);
      assert.deepEqual(first.map((i) => i.key), ['B', '_u', 'a', 'b'], 'byte order of keys');
      assert.deepEqual(first.find((i) => i.key === '_u'), { tenantId: tenant.id, sessionId: sid, key: '_u', value: null, updatedAt: t0 });

      const second = await ctx.stores.contexts.update(tenant.id, sid, { set: { b: [2] }, remove: ['a', 'missing'] }, at(1000));
      assert.deepEqual(second.map((i) => [i.key, i.value]), [['B', 'upper'], ['_u', null], ['b', [2]]]);
      assert.deepEqual(second.find((i) => i.key === 'b')?.updatedAt, at(1000));
      assert.deepEqual(second.find((i) => i.key === 'B')?.updatedAt, t0);
      assert.deepEqual(await ctx.stores.contexts.get(tenant.id, sid), second);
      assert.deepEqual(await ctx.stores.contexts.update(tenant.id, sid, { set: {}, remove: [] }, at(2)), second);
    });

    it('rejects a key both set and removed, changing nothing', async () => {
      const tenant = await ctx.newTenant();
      const sid = newId('sess');
      await ctx.stores.contexts.update(tenant.id, sid, { set: { k: 1 }, remove: [] }, t0);
      await assert.rejects(
        ctx.stores.contexts.update(tenant.id, sid, { set: { k: 2, other: 1 }, remove: ['k'] }, t0),
        devMeshError('invalid_argument'),
      );
      assert.deepEqual((await ctx.stores.contexts.get(tenant.id, sid)).map((i) => [i.key, i.value]), [['k', 1]]);
    });

    it('round-trips any JSON value, many keys in one update', async () => {
      const tenant = await ctx.newTenant();
      const sid = newId('sess');
      const set = Object.fromEntries(jsonSamples.map((s, i) => [`k${String(i).padStart(2, '0')}`, s.value]));
      const items = await ctx.stores.contexts.update(tenant.id, sid, { set, remove: [] }, t0);
      assert.deepEqual(Object.fromEntries(items.map((i) => [i.key, i.value])), set);
    });

    it('clears a session context and returns how many items were removed', async () => {
      const tenant = await ctx.newTenant();
      const sid = newId('sess');
      await ctx.stores.contexts.update(tenant.id, sid, { set: { a: 1, b: 2, c: 3 }, remove: [] }, t0);
      assert.equal(await ctx.stores.contexts.clear(tenant.id, sid), 3);
      assert.deepEqual(await ctx.stores.contexts.get(tenant.id, sid), []);
      assert.equal(await ctx.stores.contexts.clear(tenant.id, sid), 0);
    });
  });
}
