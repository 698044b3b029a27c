import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { newId } from '../../src/lib/ids.js';
import { openPgliteClient } from '../../src/storage/drivers/pglite-driver.js';
import { runMigrations } from '../../src/storage/migrate.js';
import { createStores } from '../../src/storage/queries/index.js';
import { openTestPglite } from '../helpers/databases.js';
import { allMigrationLabels, defineStoreContract } from './stores.contract.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
});

defineStoreContract('pglite', async () => {
  const db = await openTestPglite();
  cleanups.push(db.cleanup);
  return db.sql;
});

describe('pglite driver', () => {
  it('migrates a fresh data directory, and the data survives closing and reopening it', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'devmesh-pglite-fresh-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await openPgliteClient({ dataDir });
    const runs = await Promise.all([runMigrations(first), runMigrations(first)]);
    assert.deepEqual(runs.flatMap((r) => r.applied).sort(), allMigrationLabels, 'each migration applied exactly once');
    const tenant = await createStores(first).tenants.create({ id: newId('tenant'), name: newId('name') });
    await first.close();

    const second = await openPgliteClient({ dataDir });
    try {
      assert.deepEqual(await runMigrations(second), { applied: [] });
      assert.deepEqual(await createStores(second).tenants.findById(tenant.id), tenant);
    } finally {
      await second.close();
    }
  });

  it('runs in memory without a data directory', async () => {
    const sql = await openPgliteClient();
    try {
      assert.equal(sql.driver, 'pglite');
      assert.deepEqual((await sql.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
    } finally {
      await sql.close();
    }
  });

  it('reports use of the client inside its own transaction instead of waiting forever', async () => {
    const db = await openTestPglite();
    cleanups.push(db.cleanup);
    await assert.rejects(
      db.sql.transaction(async () => {
        await db.sql.query('SELECT 1');
      }),
      /use the tx executor/,
    );
    await assert.rejects(db.sql.transaction(() => db.sql.transaction(async () => 1)), /use the tx executor/);
    assert.deepEqual((await db.sql.query('SELECT 1 AS one')).rows, [{ one: 1 }]);
  });
});
