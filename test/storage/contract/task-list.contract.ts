import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskRecord } from '../../../src/storage/records.js';
import type { TaskFilter, TaskPosition } from '../../../src/storage/stores.js';
import { at, newTask, type ContractContext } from './context.js';

export function defineTaskListContract(ctx: ContractContext): void {
  async function readAll(tenantId: string, filter: TaskFilter, limit: number): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let after: TaskPosition | undefined;
    let pages = 0;
    do {
      const page = await ctx.stores.tasks.list(tenantId, filter, { limit, ...(after ? { after } : {}) });
      pages += 1;
      assert.ok(page.items.length <= limit);
      ids.push(...page.items.map((t) => t.id));
      after = page.next;
      assert.ok(pages < 100, 'pagination does not terminate');
    } while (after);
    return { ids, pages };
  }

  const newestFirst = (a: TaskRecord, b: TaskRecord) =>
    b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

  describe('TaskStore.list', () => {
    it('pages newest first with no duplicates or gaps, across equal created_at', async () => {
      const tenant = await ctx.newTenant();
      const tasks: TaskRecord[] = [];
      // 23 tasks in 5 groups sharing a created_at: page boundaries fall inside groups.
      for (let i = 0; i < 23; i++) {
        tasks.push(await ctx.stores.tasks.insert(newTask(tenant.id), 'a', at(Math.floor(i / 5) * 1000)));
      }
      const expected = [...tasks].sort(newestFirst).map((t) => t.id);
      for (const limit of [1, 4, 5, 22, 23, 50]) {
        const { ids, pages } = await readAll(tenant.id, {}, limit);
        assert.deepEqual(ids, expected, `limit ${limit}`);
        assert.equal(pages, Math.max(1, Math.ceil(23 / limit)), `limit ${limit}: no empty trailing page`);
      }
      const first = await ctx.stores.tasks.list(tenant.id, {}, { limit: 3 });
      assert.deepEqual(first.next, { createdAt: first.items[2]!.createdAt, id: first.items[2]!.id });
    });

    it('filters by status, priority, type and session, and pages within the filter', async () => {
      const tenant = await ctx.newTenant();
      const make = (i: number, over: Parameters<typeof newTask>[1]) =>
        ctx.stores.tasks.insert(newTask(tenant.id, over), 'a', at(i));
      const a = await make(1, { status: 'pending', priority: 'high', type: 'build', sessionId: 's1' });
      const b = await make(2, { status: 'queued', priority: 'high', type: 'deploy', sessionId: 's1' });
      const c = await make(3, { status: 'queued', priority: 'low', type: 'build', sessionId: 's2' });
      const d = await make(4, { status: 'failed', priority: 'critical', type: 'build', sessionId: null });
      const ids = async (filter: TaskFilter) => (await readAll(tenant.id, filter, 1)).ids;
      assert.deepEqual(await ids({}), [d.id, c.id, b.id, a.id]);
      assert.deepEqual(await ids({ status: ['queued'] }), [c.id, b.id]);
      assert.deepEqual(await ids({ status: ['queued', 'pending'] }), [c.id, b.id, a.id]);
      assert.deepEqual(await ids({ priority: ['high', 'critical'] }), [d.id, b.id, a.id]);
      assert.deepEqual(await ids({ type: 'build' }), [d.id, c.id, a.id]);
      assert.deepEqual(await ids({ sessionId: 's1' }), [b.id, a.id]);
      assert.deepEqual(await ids({ type: 'build', status: ['queued'], priority: ['low'], sessionId: 's2' }), [c.id]);
      assert.deepEqual(await ids({ status: [] }), [], 'an empty list matches nothing');
      assert.deepEqual(await ids({ type: 'nothing' }), []);
    });

    it('returns an empty page and no cursor for a tenant without tasks', async () => {
      const tenant = await ctx.newTenant();
      assert.deepEqual(await ctx.stores.tasks.list(tenant.id, {}, { limit: 10 }), { items: [], next: undefined });
    });
  });
}
