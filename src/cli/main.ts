import { ConfigError } from '../config/config.js';
import { isDevMeshError } from '../errors/index.js';
import { UsageError } from './args.js';
import { keysCommand } from './keys-command.js';
import { migrateCommand } from './migrate-command.js';
import { serveCommand } from './serve-command.js';

const commands: Record<string, { summary: string; run(args: string[]): Promise<number> }> = {
  serve: { summary: 'Run the DevMesh server (MCP on :8080, REST on :8081)', run: serveCommand },
  worker: { summary: 'Run only the background worker role (same as serve --role worker)', run: (args) => serveCommand(['--role', 'worker', ...args]) },
  migrate: { summary: 'Apply database migrations and exit', run: migrateCommand },
  keys: { summary: 'Create, list and revoke API keys', run: keysCommand },
};

const usage = `DevMesh — orchestrate AI agents for DevOps work over MCP

Usage: devmesh <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`)
  .join('\n')}

Run "devmesh <command> --help" for a command's options and examples.

Configuration comes from environment variables (DEVMESH_HOST, DEVMESH_MCP_PORT, DEVMESH_API_PORT,
DEVMESH_DATA_DIR, DATABASE_URL, REDIS_URL, DEVMESH_LOG_LEVEL); see the README.

Examples:
  devmesh serve                       # embedded PGlite in ./.devmesh, MCP on ws://127.0.0.1:8080/ws
  DATABASE_URL=postgres://localhost/devmesh devmesh serve
  devmesh keys create --name ci-bot --role agent
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage);
    return name ? 0 : 1;
  }
  if (name === '--version' || name === '-v') {
    const { version } = await import('../version.js');
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`devmesh: unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`devmesh: ${error.message}\n`);
      process.exitCode = 2;
    } else if (isDevMeshError(error)) {
      process.stderr.write(`devmesh: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`devmesh: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
