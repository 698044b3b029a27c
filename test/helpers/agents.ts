import { openRawWs, type RawWsClient } from './clients.js';

type Json = Record<string, any>;

/** What a test agent does with a task assigned to it. */
export type Behaviour = (task: Json, agent: TestAgent) => Promise<void> | void;

export interface TestAgent {
  id: string;
  client: RawWsClient;
  /** Every task pushed to this agent, in order. */
  received: Json[];
  call(name: string, args: Json): Promise<Json>;
  accept(taskId: string): Promise<Json>;
  complete(taskId: string, result?: unknown): Promise<Json>;
  fail(taskId: string, message: string, retryable?: boolean): Promise<Json>;
  close(): Promise<void>;
  /** Resolves when `count` tasks have been pushed to this agent. */
  waitForTasks(count: number, timeoutMs?: number): Promise<Json[]>;
}

/** Accept and complete every task with `{ done_by: agent id }`. */
export const completeEverything: Behaviour = async (task, agent) => {
  await agent.accept(task.id);
  await agent.complete(task.id, { done_by: agent.id });
};

/**
 * An agent as a real MCP client over WebSocket: it names itself with X-Agent-ID and its
 * capabilities in clientInfo (as the original DevMesh examples do), and runs `behaviour` for each
 * `notifications/devmesh/task_assigned`.
 */
export async function startAgent(
  mcpUrl: string,
  key: string,
  options: { id: string; capabilities?: unknown; maxConcurrency?: number; costPerTask?: number; behaviour?: Behaviour },
): Promise<TestAgent> {
  const client = await openRawWs(mcpUrl, { key, headers: { 'x-agent-id': options.id } });
  const received: Json[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const agent: TestAgent = {
    id: options.id,
    client,
    received,
    async call(name, args) {
      const response = await client.request('tools/call', { name, arguments: args });
      if (response.error) throw new Error(`${name}: ${JSON.stringify(response.error)}`);
      return response.result as Json;
    },
    accept: (taskId) => agent.call('devmesh_task_accept', { task_id: taskId }),
    complete: (taskId, result) => agent.call('devmesh_task_complete', { task_id: taskId, result }),
    fail: (taskId, message, retryable = true) => agent.call('devmesh_task_fail', { task_id: taskId, error: message, retryable }),
    close: () => client.close(),
    waitForTasks(count, timeoutMs = 10_000) {
      if (received.length >= count) return Promise.resolve(received.slice(0, count));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`agent ${options.id} got ${received.length}/${count} tasks`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve(received.slice(0, count))) });
      });
    },
  };
  client.ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as Json;
    if (message.method !== 'notifications/devmesh/task_assigned') return;
    const task = message.params.task as Json;
    received.push(task);
    for (const w of [...waiters]) {
      if (received.length < w.count) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
    if (options.behaviour) void Promise.resolve(options.behaviour(task, agent)).catch(() => undefined);
  });
  const init = await client.request('initialize', {
    protocolVersion: '2025-06-18',
    capabilities: {},
    clientInfo: {
      name: options.id,
      version: '1.0.0',
      capabilities: options.capabilities ?? [],
      max_concurrency: options.maxConcurrency ?? 1,
      cost_per_task: options.costPerTask ?? 0,
    },
  });
  if (init.error) throw new Error(`initialize failed: ${JSON.stringify(init.error)}`);
  client.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return agent;
}

/** Polls until `check` returns a truthy value (for eventually-consistent outcomes). */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
