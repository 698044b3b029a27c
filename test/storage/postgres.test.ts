import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openPostgresClient } from '../../src/storage/drivers/postgres-driver.js';
import { runMigrations } from '../../src/storage/migrate.js';
import { createTestPostgresDatabase, postgresNotConfiguredMessage, testPostgresServerUrl } from '../helpers/databases.js';
import { allMigrationLabels, defineStoreContract } from './stores.contract.js';

/**
 * Binds the storage contract to PostgreSQL (DATABASE_URL, else TEST_DATABASE_URL). Every open()
 * gets a database of its own, dropped afterwards. Without a server: skipped locally, failed in CI.
 */
const drops: (() => Promise<void>)[] = [];
after(async () => {
  await Promise.all(drops.map((drop) => drop()));
});

async function freshDatabaseUrl(): Promise<string> {
  const db = await createTestPostgresDatabase();
  assert.ok(db, postgresNotConfiguredMessage);
  drops.push(db.drop);
  return db.url;
}

if (!testPostgresServerUrl() && process.env.CI) {
  it('PostgreSQL is configured (required in CI)', () => {
    assert.fail(`CI requires PostgreSQL. ${postgresNotConfiguredMessage}`);
  });
} else if (!testPostgresServerUrl()) {
  it('PostgreSQL storage contract', { skip: `skipped: ${postgresNotConfiguredMessage}` }, () => undefined);
} else {
  defineStoreContract('postgres', async () => openPostgresClient({ url: await freshDatabaseUrl(), poolSize: 12 }));

  describe('postgres driver', () => {
    it('concurrent migrators on separate connections apply each migration exactly once', async () => {
      const url = await freshDatabaseUrl();
      const clients = await Promise.all([1, 2, 3].map(() => openPostgresClient({ url, poolSize: 2 })));
      try {
        const runs = await Promise.all(clients.map((sql) => runMigrations(sql)));
        assert.deepEqual(runs.flatMap((r) => r.applied).sort(), allMigrationLabels);
      } finally {
        await Promise.all(clients.map((sql) => sql.close()));
      }
    });

    it('fails fast when the server is unreachable', async () => {
      await assert.rejects(openPostgresClient({ url: 'postgres://postgres@127.0.0.1:1/none' }));
    });
  });
}
