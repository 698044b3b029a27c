import { startScriptServer, stopChild } from '../lib/children.js';
import { openWsChannel } from '../load/ws-channel.js';
import { openMany, type Target } from './target.js';

/** The ceiling: bench/servers/raw-echo-server.ts in its own process. */
export async function startRawEcho(): Promise<{ target: Target; stop(): Promise<void> }> {
  const { spawned, info } = await startScriptServer<{ port: number }>('bench/servers/raw-echo-server.ts');
  const url = `ws://127.0.0.1:${info.port}/`;
  return {
    target: {
      name: 'raw-echo',
      transport: 'ws',
      pid: spawned.child.pid,
      openChannels: (shape) => openMany(shape.connections, () => openWsChannel({ url, toolName: 'devmesh_task_status', taskId: 'task_bench' })),
    },
    stop: () => stopChild(spawned.child),
  };
}
