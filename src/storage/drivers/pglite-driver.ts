import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir } from 'node:fs/promises';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { SqlClient, SqlExecutor, SqlResult } from '../sql-port.js';
import { createInFlight } from './in-flight.js';

export interface PgliteClientOptions {
  /** Directory holding the database files; undefined keeps the database in memory. */
  dataDir?: string;
}

interface Results {
  rows: unknown[];
  rowCount?: number;
  affectedRows?: number;
}

/**
 * Parsers that make PGlite return what `pg` returns: PGlite turns int8 into a JS number (losing
 * precision past 2^53), `pg` keeps it a string. jsonb, timestamptz and arrays already match.
 */
const parsers = { [types.INT8]: (value: string) => value };

function toResult<R>(r: Results): SqlResult<R> {
  return { rows: r.rows as R[], rowCount: r.rowCount ?? r.affectedRows ?? r.rows.length };
}

/**
 * SqlClient over PGlite (PostgreSQL compiled to WASM, one connection). PGlite queues statements
 * itself and a transaction holds the connection until it ends, so concurrent callers simply wait.
 * Calling the client (instead of `tx`) inside one of its own transactions would wait forever;
 * that misuse is detected and reported instead.
 */
export async function openPgliteClient(options: PgliteClientOptions = {}): Promise<SqlClient> {
  if (options.dataDir !== undefined) await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create({
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    extensions: { vector },
    parsers,
  });
  const inTransaction = new AsyncLocalStorage<{ open: boolean }>();
  const inFlight = createInFlight();
  let closing: Promise<void> | undefined;

  function track<T>(work: () => Promise<T>): Promise<T> {
    if (inTransaction.getStore()?.open) {
      return Promise.reject(
        new Error('PGlite: statement issued on the client inside its own transaction; use the tx executor'),
      );
    }
    return inFlight.run(work);
  }

  const txExecutor = (tx: Transaction): SqlExecutor => ({
    async query<R extends object>(text: string, params: readonly unknown[] = []) {
      return toResult<R>(await tx.query(text, [...params]));
    },
  });

  return {
    driver: 'pglite',
    query<R extends object>(text: string, params: readonly unknown[] = []) {
      return track(async () => toResult<R>(await db.query(text, [...params])));
    },
    transaction<T>(fn: (tx: SqlExecutor) => Promise<T>) {
      return track(() =>
        db.transaction(async (tx) => {
          const scope = { open: true };
          try {
            return await inTransaction.run(scope, () => fn(txExecutor(tx)));
          } finally {
            scope.open = false;
            // An enabled AsyncLocalStorage makes Node track every promise of the process (about
            // 4% of the embedded server's CPU under load); transactions are rare and never overlap
            // (PGlite runs one at a time), so tracking is switched on only while one is open.
            inTransaction.disable();
          }
        }),
      );
    },
    async ping() {
      await track(() => db.query('SELECT 1'));
    },
    close() {
      closing ??= inFlight.drain().then(() => db.close());
      return closing;
    },
  };
}
