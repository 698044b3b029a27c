import { startScriptServer, stopChild } from '../lib/children.js';
import { keepAliveAgent, openHttpChannel } from '../load/http-channel.js';
import { openMany, type Target } from './target.js';

/**
 * The reference: the SDK's McpServer over Streamable HTTP (bench/servers/sdk-http-server.ts),
 * serving `task` (the JSON DevMesh returned for the bench's task).
 * HTTP/1.1 has no "64 requests on one connection": shape 1x64 is one MCP session with 64
 * requests in flight over a keep-alive agent of 64 sockets; 50x1 is 50 sessions over 50 sockets.
 */
export async function startSdkHttp(task: Record<string, unknown>): Promise<{ target: Target; stop(): Promise<void> }> {
  const { spawned, info } = await startScriptServer<{ port: number; taskId: string }>('bench/servers/sdk-http-server.ts', { BENCH_TASK_JSON: JSON.stringify(task) });
  const url = `http://127.0.0.1:${info.port}/mcp`;
  return {
    target: {
      name: 'sdk',
      transport: 'http',
      pid: spawned.child.pid,
      openChannels(shape) {
        const agent = keepAliveAgent(shape.connections * shape.inFlight);
        return openMany(shape.connections, () => openHttpChannel({ url, agent, toolName: 'task_status', taskId: info.taskId }), () => agent.destroy());
      },
    },
    stop: () => stopChild(spawned.child),
  };
}
