import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { devmeshNodeFlags, freePort, spawnChild, stopChild, waitForHttp200, type Spawned } from '../lib/children.js';
import { keepAliveAgent, openHttpChannel } from '../load/http-channel.js';
import { openWsChannel } from '../load/ws-channel.js';
import { openMany, type Target } from './target.js';

export interface DevMeshProcess {
  spawned: Spawned;
  dataDir: string;
  mcpPort: number;
  apiPort: number;
}

/**
 * `node bin/devmesh.js serve` on `dataDir` and two free ports, as an operator would run it;
 * `env` adds settings (e.g. DATABASE_URL). Under `--profile`, `profileName` names the CPU profile.
 */
export async function spawnDevMesh(dataDir: string, env: NodeJS.ProcessEnv = {}, profileName?: string): Promise<DevMeshProcess> {
  const [mcpPort, apiPort] = [await freePort(), await freePort()];
  const flags = devmeshNodeFlags.includes('--cpu-prof') && profileName ? [...devmeshNodeFlags, `--cpu-prof-name=${profileName}`] : devmeshNodeFlags;
  const spawned = spawnChild([...flags, 'bin/devmesh.js', 'serve'], {
    DEVMESH_DATA_DIR: dataDir,
    DEVMESH_HOST: '127.0.0.1',
    DEVMESH_MCP_PORT: String(mcpPort),
    DEVMESH_API_PORT: String(apiPort),
    DEVMESH_LOG_LEVEL: 'warn',
    ...env,
  });
  return { spawned, dataDir, mcpPort, apiPort };
}

/**
 * DevMesh in its own process on a fresh data dir, with one task created through
 * devmesh_task_create. Gives two targets on the same process: MCP over WebSocket (/ws) and,
 * for information, MCP over Streamable HTTP (/mcp).
 */
export async function startDevMesh(): Promise<{ ws: Target; http: Target; task: Record<string, unknown>; stop(): Promise<void> }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'devmesh-bench-'));
  const server = await spawnDevMesh(dataDir);
  const stop = async () => {
    await stopChild(server.spawned.child);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHttp200(`http://127.0.0.1:${server.mcpPort}/health`, server.spawned, 30_000, 50);
    const key = (await readFile(path.join(dataDir, 'admin-key'), 'utf8')).trim();
    const headers = { authorization: `Bearer ${key}` };
    const wsUrl = `ws://127.0.0.1:${server.mcpPort}/ws`;
    const setup = await openWsChannel({ url: wsUrl, headers, toolName: '', taskId: '' });
    const created = await setup.call('tools/call', { name: 'devmesh_task_create', arguments: { title: 'Benchmark task', description: 'Created by the benchmark' } });
    await setup.close();
    const task = (created.result as { structuredContent?: Record<string, unknown> } | undefined)?.structuredContent;
    const taskId = task?.id;
    if (!task || typeof taskId !== 'string') throw new Error(`devmesh_task_create did not return a task: ${JSON.stringify(created).slice(0, 500)}`);
    const toolName = 'devmesh_task_status';
    return {
      task,
      ws: {
        name: 'devmesh',
        transport: 'ws',
        pid: server.spawned.child.pid,
        openChannels: (shape) => openMany(shape.connections, () => openWsChannel({ url: wsUrl, headers, toolName, taskId })),
      },
      http: {
        name: 'devmesh-http',
        transport: 'http',
        pid: server.spawned.child.pid,
        openChannels(shape) {
          const agent = keepAliveAgent(shape.connections * shape.inFlight);
          const url = `http://127.0.0.1:${server.mcpPort}/mcp`;
          return openMany(shape.connections, () => openHttpChannel({ url, agent, headers, toolName, taskId }), () => agent.destroy());
        },
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
