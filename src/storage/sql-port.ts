/**
 * The SQL port. One dialect (PostgreSQL) served by two drivers: PGlite (embedded) and `pg`.
 *
 * Semantics the domain relies on:
 * - `query` runs one parameterised statement ($1, $2, …) and returns rows with column names as
 *   written in the SQL (use `AS "camelName"` to shape rows). jsonb comes back parsed, timestamptz
 *   as Date, bigint as string.
 * - `transaction` runs `fn` in one transaction (READ COMMITTED); it commits when `fn` resolves and
 *   rolls back when it throws, re-throwing the error. Statements inside must use the `tx` executor.
 * - `close` waits for running statements and releases the connection(s); later calls fail.
 */
export interface SqlExecutor {
  query<R extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
}

export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}

export interface SqlClient extends SqlExecutor {
  /** Which driver serves this client, for startup logs and health output. */
  readonly driver: 'pglite' | 'postgres';
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Cheap liveness probe used by /health/ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
