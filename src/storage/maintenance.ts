import { runPeriodically, type Periodic } from '../lib/periodic.js';
import type { SqlClient } from './sql-port.js';

/** Tables whose size and shape change fastest; their planner statistics go stale first. */
const hotTables = ['tasks', 'task_events', 'agents'];

/**
 * Keeps planner statistics current. PGlite has no autovacuum, and a PostgreSQL with autovacuum off
 * (seen on CI machines) never re-analyzes either; with stale statistics the planner picks a
 * tenant-wide index scan for single-task updates and the cost per task grows with the table
 * (measured: 368 → 195 tasks/s over six bench rounds).
 */
export function startTableMaintenance(sql: SqlClient, options: { firstAfterMs: number; everyMs: number; onError(error: unknown): void }): Periodic {
  return runPeriodically(async () => {
    for (const table of hotTables) await sql.query(`ANALYZE ${table}`);
  }, options);
}
