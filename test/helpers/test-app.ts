import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { createTestPostgresDatabase, pgliteTemplateDir, testPostgresServerUrl } from './databases.js';

export type Backend = 'embedded' | 'postgres';

/** The backends integration tests run on: always the embedded one, and PostgreSQL when configured (required in CI). */
export function testBackends(): Backend[] {
  return testPostgresServerUrl() || process.env.CI ? ['embedded', 'postgres'] : ['embedded'];
}

export interface TestApp extends App {
  readonly backend: Backend;
  readonly dataDir: string;
  /** The bootstrap admin key (always present in a fresh test app). */
  readonly key: string;
  /** Stops the app and starts a new one on the same data (same data dir, same database). */
  restart(): Promise<TestApp>;
  /** Stops the app and deletes its data. */
  cleanup(): Promise<void>;
}

interface Storage {
  dataDir: string;
  databaseUrl: string | undefined;
  drop(): Promise<void>;
}

async function prepareStorage(backend: Backend): Promise<Storage> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'devmesh-app-'));
  if (backend === 'embedded') {
    await cp(await pgliteTemplateDir(), path.join(dataDir, 'pgdata'), { recursive: true });
    return { dataDir, databaseUrl: undefined, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const database = await createTestPostgresDatabase();
  if (!database) throw new Error('PostgreSQL backend requested but TEST_DATABASE_URL is not set');
  return {
    dataDir,
    databaseUrl: database.url,
    drop: async () => {
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestAppOptions = AppOptions & { beforeStart?: (app: App) => void; env?: Record<string, string> };

async function boot(backend: Backend, storage: Storage, options: TestAppOptions): Promise<TestApp> {
  const config = loadConfig({
    ...options.env,
    DEVMESH_DATA_DIR: storage.dataDir,
    DEVMESH_MCP_PORT: '0',
    DEVMESH_API_PORT: '0',
    DEVMESH_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(storage.databaseUrl ? { DATABASE_URL: storage.databaseUrl } : {}),
  });
  const app = await createApp(config, options);
  options.beforeStart?.(app);
  await app.start();
  if (!app.adminKey) throw new Error('test app has no admin key');
  const key = app.adminKey;
  return Object.assign(Object.create(app) as App, {
    backend,
    dataDir: storage.dataDir,
    key,
    async restart() {
      await app.stop();
      return boot(backend, storage, options);
    },
    async cleanup() {
      await app.stop();
      await storage.drop();
    },
  });
}

/** Starts the whole app on port 0 with its own fresh data. */
export async function startTestApp(
  backend: Backend = 'embedded',
  options: TestAppOptions = {},
): Promise<TestApp> {
  return boot(backend, await prepareStorage(backend), options);
}
