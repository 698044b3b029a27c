import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { newId } from '../../../src/lib/ids.js';
import type { ApiKeyRecord, SessionRecord, TaskRecord, TenantRecord } from '../../../src/storage/records.js';
import { at, newTask, t0, type ContractContext } from './context.js';
import { newKey } from './tenant-key.contract.js';

/** Every read and write path, tried by tenant B on tenant A's rows: B sees nothing, changes nothing. */
export function defineIsolationContract(ctx: ContractContext): void {
  describe('tenant isolation', () => {
    let a: TenantRecord;
    let b: TenantRecord;
    let keyA: ApiKeyRecord;
    let taskA: TaskRecord;
    let sessionA: SessionRecord;

    before(async () => {
      a = await ctx.newTenant();
      b = await ctx.newTenant();
      keyA = await ctx.stores.apiKeys.insert(newKey(a.id));
      taskA = await ctx.stores.tasks.insert(newTask(a.id, { sessionId: 'shared' }), 'a', t0);
      sessionA = await ctx.stores.sessions.upsert(
        { tenantId: a.id, id: newId('sess'), apiKeyId: keyA.id, transport: 'websocket', protocolVersion: null, clientInfo: null },
        t0,
      );
      await ctx.stores.contexts.update(a.id, sessionA.id, { set: { secret: 'a' }, remove: [] }, t0);
    });

    it('API keys: get, list and revoke', async () => {
      assert.equal(await ctx.stores.apiKeys.get(b.id, keyA.id), undefined);
      assert.deepEqual(await ctx.stores.apiKeys.list(b.id), []);
      assert.equal(await ctx.stores.apiKeys.revoke(b.id, keyA.id, at(1)), undefined);
      assert.deepEqual(await ctx.stores.apiKeys.get(a.id, keyA.id), keyA);
    });

    it('tasks: get, list, transition, events', async () => {
      assert.equal(await ctx.stores.tasks.get(b.id, taskA.id), undefined);
      assert.deepEqual(await ctx.stores.tasks.list(b.id, {}, { limit: 100 }), { items: [], next: undefined });
      assert.deepEqual((await ctx.stores.tasks.list(b.id, { sessionId: 'shared' }, { limit: 100 })).items, []);
      const outcome = await ctx.stores.tasks.transition(b.id, taskA.id, {
        from: ['queued'], to: 'cancelled', actor: 'b', reason: null, patch: { result: 'stolen' }, at: at(1),
      });
      assert.deepEqual(outcome, { applied: false, current: undefined });
      assert.deepEqual(await ctx.stores.tasks.events(b.id, taskA.id), []);
      assert.deepEqual(await ctx.stores.tasks.get(a.id, taskA.id), taskA);
      assert.equal((await ctx.stores.tasks.events(a.id, taskA.id)).length, 1);
      assert.deepEqual((await ctx.stores.tasks.countByStatus()).filter((c) => c.tenantId === b.id), []);
    });

    it('tasks: the same id in two tenants is two tasks', async () => {
      const twin = await ctx.stores.tasks.insert(newTask(b.id, { id: taskA.id, title: 'B task' }), 'b', at(5));
      assert.equal(twin.title, 'B task');
      assert.ok((await ctx.stores.tasks.transition(b.id, taskA.id, { from: ['queued'], to: 'cancelled', actor: 'b', reason: null, at: at(6) })).applied);
      assert.deepEqual(await ctx.stores.tasks.get(a.id, taskA.id), taskA);
      assert.equal((await ctx.stores.tasks.events(a.id, taskA.id)).length, 1);
      assert.equal((await ctx.stores.tasks.events(b.id, taskA.id)).length, 2);
    });

    it('sessions: get, touch, close, upsert', async () => {
      assert.equal(await ctx.stores.sessions.get(b.id, sessionA.id), undefined);
      await ctx.stores.sessions.touch(b.id, sessionA.id, at(10_000));
      await ctx.stores.sessions.close(b.id, sessionA.id, at(10_000));
      assert.deepEqual(await ctx.stores.sessions.get(a.id, sessionA.id), sessionA);
      const own = await ctx.stores.sessions.upsert({ ...sessionA, tenantId: b.id, transport: 'http' }, at(20_000));
      assert.equal(own.tenantId, b.id);
      assert.deepEqual(await ctx.stores.sessions.get(a.id, sessionA.id), sessionA);
    });

    it('context: get, update, clear', async () => {
      assert.deepEqual(await ctx.stores.contexts.get(b.id, sessionA.id), []);
      const own = await ctx.stores.contexts.update(b.id, sessionA.id, { set: { secret: 'b', mine: 1 }, remove: [] }, at(1));
      assert.deepEqual(own.map((i) => [i.tenantId, i.key, i.value]), [[b.id, 'mine', 1], [b.id, 'secret', 'b']]);
      await ctx.stores.contexts.update(b.id, sessionA.id, { set: {}, remove: ['secret'] }, at(2));
      assert.equal(await ctx.stores.contexts.clear(b.id, sessionA.id), 1);
      const left = await ctx.stores.contexts.get(a.id, sessionA.id);
      assert.deepEqual(left.map((i) => [i.tenantId, i.key, i.value, i.updatedAt]), [[a.id, 'secret', 'a', t0]]);
    });
  });
}
