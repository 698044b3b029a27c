import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { newId } from '../../src/lib/ids.js';
import { runMigrations } from '../../src/storage/migrate.js';
import { migrations } from '../../src/storage/migrations/index.js';
import { createStores } from '../../src/storage/queries/index.js';
import type { SqlClient } from '../../src/storage/sql-port.js';
import type { Stores } from '../../src/storage/stores.js';
import type { ContractContext } from './contract/context.js';
import { defineAgentContract } from './contract/agent.contract.js';
import { defineAssignContract } from './contract/assign.contract.js';
import { defineInFlightContract } from './contract/in-flight.contract.js';
import { defineProcessContract } from './contract/process.contract.js';
import { defineAgentIsolationContract } from './contract/isolation-agents.contract.js';
import { defineIsolationContract } from './contract/isolation.contract.js';
import { defineSessionContextContract } from './contract/session-context.contract.js';
import { defineSqlClientContract } from './contract/sql-client.contract.js';
import { defineTaskListContract } from './contract/task-list.contract.js';
import { defineTaskSchedulingContract } from './contract/task-scheduling.contract.js';
import { defineTaskContract } from './contract/task.contract.js';
import { defineTenantKeyContract } from './contract/tenant-key.contract.js';
import { defineWorkflowContract } from './contract/workflow.contract.js';
import { defineWebhookDeliveryContract } from './contract/webhook-delivery.contract.js';
import { defineWebhookEndpointRuleContract } from './contract/webhook-endpoint-rule.contract.js';

/** Every migration as runMigrations reports it ("001-foundation"), in version order. */
export const allMigrationLabels = migrations.map((m) => `${String(m.version).padStart(3, '0')}-${m.name}`);

/**
 * The storage contract: the doc comments of sql-port.ts and stores.ts made executable, run against
 * every driver. `open` returns a client on a database of its own (migrated or not); the suite
 * migrates it and closes every client it opened.
 */
export function defineStoreContract(name: string, open: () => Promise<SqlClient>): void {
  describe(`storage contract: ${name}`, () => {
    const opened: SqlClient[] = [];
    let sql: SqlClient | undefined;
    let stores: Stores | undefined;
    let migrationRuns: { applied: string[] }[] = [];

    const ctx: ContractContext = {
      get sql() {
        assert.ok(sql, 'client not open');
        return sql;
      },
      get stores() {
        assert.ok(stores, 'client not open');
        return stores;
      },
      async open() {
        const client = await open();
        opened.push(client);
        return client;
      },
      newTenant: () => ctx.stores.tenants.create({ id: newId('tenant'), name: newId('tenant-name') }),
    };

    before(async () => {
      sql = await ctx.open();
      migrationRuns = [await runMigrations(sql), await runMigrations(sql)];
      stores = createStores(sql);
    });

    after(async () => {
      await Promise.all(opened.map((client) => client.close()));
    });

    describe('migrations', () => {
      it('are idempotent: a second run applies nothing', async () => {
        assert.deepEqual(migrationRuns[1], { applied: [] });
        const { rows } = await ctx.sql.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
        assert.deepEqual(rows.map((r) => r.version), migrations.map((m) => m.version));
      });

      it('concurrent runs on one client apply nothing twice and do not fail', async () => {
        const runs = await Promise.all([runMigrations(ctx.sql), runMigrations(ctx.sql), runMigrations(ctx.sql)]);
        assert.deepEqual(runs, [{ applied: [] }, { applied: [] }, { applied: [] }]);
      });

      it('a failing migration leaves no trace', async () => {
        const table = `broken_${newId('t')}`;
        const broken = { version: 900_000 + Math.floor(Math.random() * 99_999), name: 'broken', statements: [`CREATE TABLE ${table} (a int)`, 'SELECT 1 / 0'] };
        await assert.rejects(runMigrations(ctx.sql, undefined, [...migrations, broken]));
        const { rows } = await ctx.sql.query('SELECT to_regclass($1)::text AS t, (SELECT count(*)::int FROM schema_migrations WHERE version = $2) AS n', [table, broken.version]);
        assert.deepEqual(rows[0], { t: null, n: 0 });
      });

      it('installs pgvector', async () => {
        const { rows } = await ctx.sql.query(`SELECT '[3,4]'::vector <-> '[0,0]'::vector AS d`);
        assert.equal(rows[0]?.d, 5);
      });
    });

    defineSqlClientContract(ctx);
    defineTenantKeyContract(ctx);
    defineTaskContract(ctx);
    defineTaskListContract(ctx);
    defineSessionContextContract(ctx);
    defineAgentContract(ctx);
    defineAssignContract(ctx);
    defineInFlightContract(ctx);
    defineTaskSchedulingContract(ctx);
    defineWorkflowContract(ctx);
    defineWebhookEndpointRuleContract(ctx);
    defineWebhookDeliveryContract(ctx);
    defineProcessContract(ctx);
    defineIsolationContract(ctx);
    defineAgentIsolationContract(ctx);
  });
}
