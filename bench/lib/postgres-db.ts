import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The local PostgreSQL as its superuser; BENCH_PG_ADMIN_URL overrides it. */
export const defaultAdminUrl = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  name: string;
  url: string;
  /**
   * Process ids of the backends connected to this database and of PostgreSQL's WAL writer,
   * checkpointer and background writer (shared, but during the bench working for it), for CPU accounting.
   */
  backendPids(): Promise<number[]>;
  /** Tasks per status, read straight from the database. */
  taskCounts(): Promise<Record<string, number>>;
  /** ANALYZE the whole database: table statistics, as autovacuum's auto-analyze would gather them. */
  analyze(): Promise<void>;
  /** Settings of the server that change what the bench measures. */
  settings(): Promise<Record<string, string>>;
  /** DROP DATABASE … WITH (FORCE). */
  drop(): Promise<void>;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Databases created and not dropped yet, for `dropLiveDatabases` on Ctrl-C. */
const live = new Map<string, () => Promise<void>>();

/** Drops every bench database still present (on interrupt); gives up after `timeoutMs`. */
export async function dropLiveDatabases(timeoutMs = 5_000): Promise<void> {
  const all = Promise.allSettled([...live.values()].map((drop) => drop()));
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
}

/** Undefined if PostgreSQL answers at `adminUrl`, else why not. */
export async function unreachable(adminUrl = defaultAdminUrl): Promise<string | undefined> {
  try {
    await withClient(adminUrl, (c) => c.query('SELECT 1'));
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A fresh database `devmesh_bench_<random>` on the PostgreSQL at `adminUrl`. */
export async function createBenchDatabase(adminUrl = defaultAdminUrl): Promise<BenchDatabase> {
  const name = `devmesh_bench_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const drop = async () => {
    await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    live.delete(name);
  };
  live.set(name, drop);
  return {
    name,
    url: url.toString(),
    backendPids: () =>
      withClient(adminUrl, async (c) => {
        const { rows } = await c.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid()
           AND (datname = $1 OR backend_type IN ('walwriter', 'checkpointer', 'background writer'))`, [name]);
        return rows.map((r) => r.pid);
      }),
    taskCounts: () =>
      withClient(url.toString(), async (c) => {
        const { rows } = await c.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM tasks GROUP BY status');
        return Object.fromEntries(rows.map((r) => [r.status, r.n]));
      }),
    analyze: () => withClient(url.toString(), async (c) => void (await c.query('ANALYZE'))),
    settings: () =>
      withClient(url.toString(), async (c) => {
        const names = ['server_version', 'autovacuum', 'synchronous_commit', 'fsync', 'shared_buffers', 'max_connections'];
        const { rows } = await c.query<{ name: string; setting: string }>('SELECT name, setting FROM pg_settings WHERE name = ANY($1)', [names]);
        return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
      }),
    drop,
  };
}
