import type { SqlClient, SqlExecutor } from './sql-port.js';
import { migrations as allMigrations, type Migration } from './migrations/index.js';

/** Advisory lock key shared by every process migrating the same database. */
const MIGRATION_LOCK = 7_201_604_511;

const createTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

async function lockAndEnsureTable(tx: SqlExecutor): Promise<void> {
  // Held until the transaction ends; concurrent migrators queue here instead of racing on DDL.
  await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK]);
  await tx.query(createTable);
}

async function isApplied(tx: SqlExecutor, version: number): Promise<boolean> {
  const { rows } = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [version]);
  return rows.length > 0;
}

/**
 * Applies pending migrations in version order, each in its own transaction under an advisory
 * lock, so several processes starting at once apply each migration exactly once. Returns the
 * names ("001-foundation") of the migrations this call applied.
 */
export async function runMigrations(
  sql: SqlClient,
  log: (msg: string) => void = () => undefined,
  migrations: readonly Migration[] = allMigrations,
): Promise<{ applied: string[] }> {
  const applied: string[] = [];
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  for (const migration of ordered) {
    const label = `${String(migration.version).padStart(3, '0')}-${migration.name}`;
    const didApply = await sql.transaction(async (tx) => {
      await lockAndEnsureTable(tx);
      if (await isApplied(tx, migration.version)) return false;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (didApply) {
      applied.push(label);
      log(`migration ${label} applied`);
    }
  }
  if (applied.length === 0) log('database schema is up to date');
  return { applied };
}
