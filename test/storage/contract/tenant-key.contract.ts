import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newId } from '../../../src/lib/ids.js';
import type { NewApiKey } from '../../../src/storage/stores.js';
import { at, devMeshError, type ContractContext } from './context.js';

export function newKey(tenantId: string, over: Partial<NewApiKey> = {}): NewApiKey {
  return {
    id: newId('key'),
    tenantId,
    name: 'ci bot',
    role: 'agent',
    keyHash: newId('hash'),
    prefix: 'dm_abc',
    expiresAt: null,
    ...over,
  };
}

export function defineTenantKeyContract(ctx: ContractContext): void {
  describe('TenantStore', () => {
    it('creates and finds tenants by id and by name', async () => {
      const id = newId('tenant');
      const name = newId('name');
      const created = await ctx.stores.tenants.create({ id, name });
      assert.equal(created.id, id);
      assert.equal(created.name, name);
      assert.ok(created.createdAt instanceof Date);
      assert.deepEqual(await ctx.stores.tenants.findById(id), created);
      assert.deepEqual(await ctx.stores.tenants.findByName(name), created);
      assert.equal(await ctx.stores.tenants.findById(newId('tenant')), undefined);
      assert.equal(await ctx.stores.tenants.findByName(newId('name')), undefined);
    });

    it('rejects a taken name (or id) with conflict', async () => {
      const tenant = await ctx.newTenant();
      await assert.rejects(ctx.stores.tenants.create({ id: newId('tenant'), name: tenant.name }), devMeshError('conflict'));
      await assert.rejects(ctx.stores.tenants.create({ id: tenant.id, name: newId('name') }), devMeshError('conflict'));
    });
  });

  describe('ApiKeyStore', () => {
    it('inserts a key and finds it by hash and by id', async () => {
      const tenant = await ctx.newTenant();
      const input = newKey(tenant.id, { role: 'admin', expiresAt: at(86_400_000) });
      const key = await ctx.stores.apiKeys.insert(input);
      assert.deepEqual(
        { ...key, createdAt: undefined },
        {
          id: input.id, tenantId: tenant.id, name: 'ci bot', role: 'admin', prefix: 'dm_abc', createdAt: undefined,
          expiresAt: at(86_400_000), revokedAt: null, lastUsedAt: null,
        },
      );
      assert.ok(key.createdAt instanceof Date);
      assert.equal('keyHash' in key, false, 'records never carry the hash');
      assert.deepEqual(await ctx.stores.apiKeys.findByHash(input.keyHash), key);
      assert.deepEqual(await ctx.stores.apiKeys.get(tenant.id, key.id), key);
      assert.equal(await ctx.stores.apiKeys.findByHash('no-such-hash'), undefined);
    });

    it('rejects a duplicate hash with conflict', async () => {
      const tenant = await ctx.newTenant();
      const first = await ctx.stores.apiKeys.insert(newKey(tenant.id));
      const again = newKey(tenant.id);
      const hash = (await ctx.sql.query<{ h: string }>('SELECT key_hash AS h FROM api_keys WHERE id = $1', [first.id]))
        .rows[0]!.h;
      await assert.rejects(ctx.stores.apiKeys.insert({ ...again, keyHash: hash }), devMeshError('conflict'));
    });

    it('lists the tenant keys in creation order', async () => {
      const tenant = await ctx.newTenant();
      const a = await ctx.stores.apiKeys.insert(newKey(tenant.id, { name: 'a' }));
      const b = await ctx.stores.apiKeys.insert(newKey(tenant.id, { name: 'b' }));
      const listed = await ctx.stores.apiKeys.list(tenant.id);
      assert.deepEqual(listed.map((k) => k.id).sort(), [a.id, b.id].sort());
      assert.deepEqual(await ctx.stores.apiKeys.list((await ctx.newTenant()).id), []);
    });

    it('revokes idempotently, keeping the first revocation time', async () => {
      const tenant = await ctx.newTenant();
      const key = await ctx.stores.apiKeys.insert(newKey(tenant.id));
      const revoked = await ctx.stores.apiKeys.revoke(tenant.id, key.id, at(1000));
      assert.deepEqual(revoked?.revokedAt, at(1000));
      const again = await ctx.stores.apiKeys.revoke(tenant.id, key.id, at(5000));
      assert.deepEqual(again?.revokedAt, at(1000));
      assert.deepEqual((await ctx.stores.apiKeys.get(tenant.id, key.id))?.revokedAt, at(1000));
      assert.equal(await ctx.stores.apiKeys.revoke(tenant.id, newId('key'), at(1000)), undefined);
    });

    it('touch records use at most once a minute', async () => {
      const tenant = await ctx.newTenant();
      const key = await ctx.stores.apiKeys.insert(newKey(tenant.id));
      const lastUsed = async () => (await ctx.stores.apiKeys.get(tenant.id, key.id))?.lastUsedAt;
      await ctx.stores.apiKeys.touch(key.id, at(0));
      assert.deepEqual(await lastUsed(), at(0));
      await ctx.stores.apiKeys.touch(key.id, at(30_000));
      assert.deepEqual(await lastUsed(), at(0));
      await ctx.stores.apiKeys.touch(key.id, at(60_000));
      assert.deepEqual(await lastUsed(), at(0), 'exactly a minute later is not "older than a minute"');
      await ctx.stores.apiKeys.touch(key.id, at(61_000));
      assert.deepEqual(await lastUsed(), at(61_000));
      await ctx.stores.apiKeys.touch(newId('key'), at(0));
    });
  });
}
