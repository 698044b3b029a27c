import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  name: string;
  child: ChildProcess;
  dataDir: string;
  mcpUrl: string;
  apiUrl: string;
  /** Everything the process printed, for failure messages. */
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL: the process dies without cleaning up, like a crashed machine. */
  kill9(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts `devmesh serve` from the TypeScript sources as a child process and waits until it is ready. */
export async function startServer(name: string, env: Record<string, string>, role = 'all'): Promise<ServerProcess> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `devmesh-${name}-`));
  const [mcpPort, apiPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'serve', '--role', role], {
    cwd: root,
    env: { ...process.env, DEVMESH_DATA_DIR: dataDir, DEVMESH_MCP_PORT: String(mcpPort), DEVMESH_API_PORT: String(apiPort), DEVMESH_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const server: ServerProcess = {
    name,
    child,
    dataDir,
    mcpUrl: `http://127.0.0.1:${mcpPort}`,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      return exited;
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
  const deadline = Date.now() + 30_000;
  const probe = role === 'worker' ? () => Promise.resolve(output.includes('started')) : async () => {
    const port = role === 'mcp' ? server.mcpUrl : server.apiUrl;
    return (await fetch(`${port}/health`).catch(() => undefined))?.ok === true;
  };
  while (!(await probe())) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${name} did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return server;
}

export async function adminKeyOf(server: ServerProcess): Promise<string> {
  return (await readFile(path.join(server.dataDir, 'admin-key'), 'utf8')).trim();
}
