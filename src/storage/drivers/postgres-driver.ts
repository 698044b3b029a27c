import { createHash } from 'node:crypto';
import pg from 'pg';
import type { SqlClient, SqlExecutor, SqlResult } from '../sql-port.js';
import { createInFlight } from './in-flight.js';

export interface PostgresClientOptions {
  url: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /**
   * Called when an idle pooled connection fails (server restart, network). The pool drops that
   * connection and opens a new one on demand; without a listener the error would crash the process.
   */
  onError?: (error: Error) => void;
}

function toResult<R>(r: pg.QueryResult): SqlResult<R> {
  // rowCount is null for statements without a row count (DDL).
  return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length };
}

/**
 * Always the extended protocol, as PGlite uses: one statement per call on both drivers. (With no
 * parameters `pg` would use the simple protocol, accept "A; B" and return an array of results.)
 */
function executor(target: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async query<R extends object>(text: string, params: readonly unknown[] = []) {
      // queryMode is a pg 8 option missing from @types/pg.
      const config: pg.QueryConfig & { queryMode: 'extended' } = { text, values: [...params], queryMode: 'extended' };
      const name = statementName(text);
      if (name) config.name = name;
      return toResult<R>(await target.query(config));
    },
  };
}

const statementNames = new Map<string, string>();
const preparable = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;

/**
 * Data statements are prepared once per connection under a name derived from their text, so the
 * server parses and plans them once instead of on every call (measured: about half of the
 * database's time per task). The set of statement texts is bounded: they are written in the code,
 * never built from data. DDL and one-off statements stay unnamed.
 */
function statementName(text: string): string | undefined {
  if (!preparable.test(text)) return undefined;
  let name = statementNames.get(text);
  if (!name) {
    name = `dm_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (statementNames.size < 5000) statementNames.set(text, name);
  }
  return name;
}

async function inTransaction<T>(pool: pg.Pool, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const value = await fn(executor(client));
    await client.query('COMMIT');
    return value;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      // The connection is in an unknown state: destroy it rather than return it to the pool.
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * SqlClient over a `pg.Pool`. `pg`'s default type parsing already matches the port: jsonb parsed,
 * timestamptz as Date, int8 and numeric as strings. A transaction holds one pooled connection.
 */
export async function openPostgresClient(options: PostgresClientOptions): Promise<SqlClient> {
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
  pool.on('error', (error) => options.onError?.(error));

  // Fail at startup, not on the first request, when the server is unreachable.
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }

  const inFlight = createInFlight();
  const direct = executor(pool);
  let closing: Promise<void> | undefined;

  return {
    driver: 'postgres',
    query<R extends object>(text: string, params?: readonly unknown[]) {
      return inFlight.run(() => direct.query<R>(text, params));
    },
    transaction<T>(fn: (tx: SqlExecutor) => Promise<T>) {
      return inFlight.run(() => inTransaction(pool, fn));
    },
    async ping() {
      await inFlight.run(() => pool.query('SELECT 1'));
    },
    close() {
      closing ??= inFlight.drain().then(() => pool.end());
      return closing;
    },
  };
}
