import type { Role } from '../app.js';
import { runServer } from '../main.js';
import { parse, UsageError } from './args.js';

const help = `Usage: devmesh serve [--role all|mcp|api|worker]

Runs DevMesh. With no configuration it uses the embedded default: PGlite (PostgreSQL with pgvector)
in ./.devmesh, an in-process queue, MCP on 127.0.0.1:8080 and REST on 127.0.0.1:8081. On first start
it creates tenant "default" and an admin key in <data dir>/admin-key.

Options:
  --role <role>   which role to run: all (default), mcp (MCP port only), api (REST port only), worker
  -h, --help      show this help

Examples:
  devmesh serve
  DEVMESH_MCP_PORT=9000 DEVMESH_DATA_DIR=/var/lib/devmesh devmesh serve
  DATABASE_URL=postgres://devmesh@db/devmesh devmesh serve --role mcp
`;

const roles: Role[] = ['all', 'mcp', 'api', 'worker'];

export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parse(args, { role: { type: 'string', default: 'all' } });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const role = values.role as Role;
  if (!roles.includes(role)) throw new UsageError(`--role must be one of ${roles.join(', ')}; got "${values.role}".`);
  await runServer(role);
  return 0;
}
