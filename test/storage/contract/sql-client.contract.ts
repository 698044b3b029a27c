import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newId } from '../../../src/lib/ids.js';
import type { ContractContext } from './context.js';

export function defineSqlClientContract(ctx: ContractContext): void {
  describe('SqlClient', () => {
    it('returns the same JS values on every driver', async () => {
      const when = new Date('2024-05-06T07:08:09.123Z');
      const { rows } = await ctx.sql.query(
        `SELECT 9007199254740993::bigint AS big, count(*) AS n, count(*)::int AS ni, 2::int AS i, 3::smallint AS s,
           1.50::numeric AS num, 0.25::double precision AS f8, '{"a":[1]}'::jsonb AS j, 'null'::jsonb AS jnull, NULL::jsonb AS sqlnull,
           $1::timestamptz AS t, ARRAY['a','b']::text[] AS arr, true AS b
         FROM (VALUES (1)) v`,
        [when],
      );
      assert.deepEqual(rows[0], {
        big: '9007199254740993', n: '1', ni: 1, i: 2, s: 3, num: '1.50', f8: 0.25, j: { a: [1] }, jnull: null, sqlnull: null,
        t: when, arr: ['a', 'b'], b: true,
      });
    });

    it('reports rowCount for updates and selects', async () => {
      const tenant = await ctx.newTenant();
      const update = await ctx.sql.query('UPDATE tenants SET name = name WHERE id = $1', [tenant.id]);
      assert.equal(update.rowCount, 1);
      const none = await ctx.sql.query('UPDATE tenants SET name = name WHERE id = $1', ['missing']);
      assert.equal(none.rowCount, 0);
      const select = await ctx.sql.query('SELECT id FROM tenants WHERE id = $1', [tenant.id]);
      assert.equal(select.rowCount, 1);
    });

    it('runs one statement per call on every driver', async () => {
      await assert.rejects(ctx.sql.query('SELECT 1; SELECT 2'), /multiple commands/);
      await assert.rejects(ctx.sql.transaction((tx) => tx.query('SELECT 1; SELECT 2')), /multiple commands/);
    });

    it('commits a transaction when the function resolves', async () => {
      const id = newId('tenant');
      const value = await ctx.sql.transaction(async (tx) => {
        await tx.query('INSERT INTO tenants (id, name) VALUES ($1, $1)', [id]);
        return 'done';
      });
      assert.equal(value, 'done');
      assert.equal((await ctx.stores.tenants.findById(id))?.id, id);
    });

    it('rolls back and re-throws the same error when the function throws', async () => {
      const id = newId('tenant');
      const boom = new Error('boom');
      await assert.rejects(
        ctx.sql.transaction(async (tx) => {
          await tx.query('INSERT INTO tenants (id, name) VALUES ($1, $1)', [id]);
          throw boom;
        }),
        (error) => error === boom,
      );
      assert.equal(await ctx.stores.tenants.findById(id), undefined);
    });

    it('rolls back when a statement fails, and the client stays usable', async () => {
      const id = newId('tenant');
      await assert.rejects(
        ctx.sql.transaction(async (tx) => {
          await tx.query('INSERT INTO tenants (id, name) VALUES ($1, $1)', [id]);
          await tx.query('SELECT 1 / 0');
        }),
        (error: unknown) => (error as { code?: string }).code === '22012',
      );
      assert.equal(await ctx.stores.tenants.findById(id), undefined);
      await ctx.sql.ping();
      assert.equal((await ctx.sql.query('SELECT 1 AS one')).rows[0]?.one, 1);
    });

    it('runs concurrent transactions without losing writes', async () => {
      const ids = Array.from({ length: 8 }, () => newId('tenant'));
      await Promise.all(
        ids.map((id) =>
          ctx.sql.transaction(async (tx) => {
            await tx.query('INSERT INTO tenants (id, name) VALUES ($1, $1)', [id]);
          }),
        ),
      );
      const { rows } = await ctx.sql.query('SELECT count(*)::int AS n FROM tenants WHERE id = ANY($1::text[])', [ids]);
      assert.equal(rows[0]?.n, ids.length);
    });

    it('close waits, is idempotent, and later calls fail', async () => {
      const other = await ctx.open();
      const pending = other.query('SELECT 1 AS one');
      await other.close();
      assert.equal((await pending).rows[0]?.one, 1);
      await other.close();
      await assert.rejects(other.query('SELECT 1'));
      await assert.rejects(other.transaction(async () => undefined));
    });
  });
}
