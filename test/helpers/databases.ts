import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openPgliteClient } from '../../src/storage/drivers/pglite-driver.js';
import { runMigrations } from '../../src/storage/migrate.js';
import { migrations } from '../../src/storage/migrations/index.js';
import type { SqlClient } from '../../src/storage/sql-port.js';

export interface TestPglite {
  sql: SqlClient;
  dataDir: string;
  /** Closes the client and deletes the data directory. */
  cleanup(): Promise<void>;
}

/**
 * The template's name carries a hash of the migrations, so a changed migration gets a new template
 * instead of a stale one. Shared across processes (test files run in parallel) via os.tmpdir().
 */
function templateDir(): string {
  const hash = createHash('sha256').update(JSON.stringify(migrations)).digest('hex').slice(0, 16);
  return path.join(os.tmpdir(), `devmesh-pglite-template-${hash}`);
}

const exists = (p: string) => stat(p).then(() => true, () => false);

/**
 * Builds the migrated template once. Concurrent builders (other test processes) each build in a
 * private directory and publish it with rename(), which is atomic: the first wins, later ones find
 * the target present and discard theirs. A directory only ever appears complete.
 */
async function buildTemplate(): Promise<string> {
  const target = templateDir();
  if (await exists(target)) return target;
  const scratch = await mkdtemp(`${target}.build-`);
  const sql = await openPgliteClient({ dataDir: scratch });
  try {
    await runMigrations(sql);
  } finally {
    await sql.close();
  }
  try {
    await rename(scratch, target);
  } catch (error) {
    if (!(await exists(target))) throw error;
    await rm(scratch, { recursive: true, force: true });
  }
  return target;
}

let template: Promise<string> | undefined;

/**
 * The path of a migrated PGlite data directory to copy (never to open: it is shared), built on
 * first use. Copy it with fs.cp(dir, target, { recursive: true }) and open the copy.
 */
export function pgliteTemplateDir(): Promise<string> {
  if (!template) {
    template = buildTemplate();
    template.catch(() => {
      template = undefined;
    });
  }
  return template;
}

/** A migrated PGlite database of its own, copied from a per-machine template (well under a second). */
export async function openTestPglite(): Promise<TestPglite> {
  const source = await pgliteTemplateDir();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'devmesh-pglite-'));
  await cp(source, dataDir, { recursive: true });
  const sql = await openPgliteClient({ dataDir });
  return {
    sql,
    dataDir,
    async cleanup() {
      await sql.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The PostgreSQL server URL tests use, if configured. */
export function testPostgresServerUrl(): string | undefined {
  const url = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL;
  return url ? url : undefined;
}

export const postgresNotConfiguredMessage =
  'PostgreSQL tests need DATABASE_URL (or TEST_DATABASE_URL), e.g. ' +
  'DATABASE_URL=postgres://postgres@127.0.0.1:5432/test (PostgreSQL 14+ with the pgvector extension installed, ' +
  'a user allowed to create databases). Each run creates and drops its own database.';

/**
 * Creates a fresh, empty database `devmesh_test_<random>` on the configured server (the URL's user
 * needs CREATEDB) and returns its URL. Returns undefined when no server is configured, except in CI
 * (process.env.CI set), where a missing server is an error, not a skip.
 */
export async function createTestPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  const serverUrl = testPostgresServerUrl();
  if (!serverUrl) {
    if (process.env.CI) throw new Error(`CI requires PostgreSQL. ${postgresNotConfiguredMessage}`);
    return undefined;
  }
  const name = `devmesh_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      // FORCE (PostgreSQL 13+) ends connections a test leaked instead of failing the drop.
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

async function adminQuery(serverUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
