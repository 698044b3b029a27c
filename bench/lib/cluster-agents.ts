import { startScriptServer, stopChild } from './children.js';
import type { DevMeshProcess } from '../targets/devmesh.js';

export const wsUrlOf = (server: DevMeshProcess) => `ws://127.0.0.1:${server.mcpPort}/ws`;

/**
 * One lifecycle-agents child process per server, `agents / servers.length` agents each, numbered
 * on from each other so ids are unique across servers. Each child's stop is pushed onto `stops`.
 */
export function startAgentsPerServer(
  servers: DevMeshProcess[],
  options: { key: string; agents: number; maxConcurrency: number; capability: string; stops: (() => Promise<void>)[] },
) {
  const perServer = options.agents / servers.length;
  return Promise.all(
    servers.map(async (server, i) => {
      const started = await startScriptServer<{ ready: boolean }>(
        'bench/load/lifecycle-agents.ts',
        {
          BENCH_WS_URL: wsUrlOf(server),
          BENCH_API_KEY: options.key,
          BENCH_AGENTS: String(perServer),
          BENCH_AGENT_OFFSET: String(i * perServer),
          BENCH_MAX_CONCURRENCY: String(options.maxConcurrency),
          BENCH_CAPABILITY: options.capability,
        },
        60_000,
      );
      options.stops.push(() => stopChild(started.spawned.child));
      return started;
    }),
  );
}
