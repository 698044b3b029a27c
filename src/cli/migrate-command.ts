import { openDatabase } from '../app.js';
import { loadConfig } from '../config/config.js';
import { runMigrations } from '../storage/migrate.js';
import { parse } from './args.js';

const help = `Usage: devmesh migrate

Applies pending database migrations to the configured database (DATABASE_URL, or the embedded
PGlite database in DEVMESH_DATA_DIR) and exits. "devmesh serve" also does this at startup;
run it separately to migrate before rolling out new server processes.

Examples:
  devmesh migrate
  DATABASE_URL=postgres://devmesh@db/devmesh devmesh migrate
`;

export async function migrateCommand(args: string[]): Promise<number> {
  const { values } = parse(args, {});
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const sql = await openDatabase(loadConfig());
  try {
    const { applied } = await runMigrations(sql, (message) => process.stdout.write(`${message}\n`));
    process.stdout.write(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'Database is up to date.\n');
  } finally {
    await sql.close();
  }
  return 0;
}
