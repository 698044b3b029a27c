/**
 * The agents of the lifecycle benchmark, all in this one process: BENCH_AGENTS WebSocket
 * connections to BENCH_WS_URL, each an agent named by `X-Agent-ID: bench-agent-<BENCH_AGENT_OFFSET + i>` that registers
 * in `initialize` (clientInfo capabilities ['bench'], max_concurrency BENCH_MAX_CONCURRENCY).
 *
 * On every `notifications/devmesh/task_assigned` the agent calls devmesh_task_complete at once (or
 * devmesh_task_accept, then complete, when the task's payload says `accept: true`). Once the
 * complete response arrives it records `[seq, assignedAt, doneAt, ok]`, where seq is the creator's
 * number from the payload and the times are CLOCK_MONOTONIC milliseconds (process.hrtime), the
 * same clock in every process of the machine. Records go to stdout as `{"d":[...]}` lines, one
 * line per turn of the event loop. Prints `{"ready":true}` once every agent has initialized.
 */
import WebSocket from 'ws';

const url = process.env.BENCH_WS_URL ?? '';
const key = process.env.BENCH_API_KEY ?? '';
const count = Number(process.env.BENCH_AGENTS ?? '100');
const maxConcurrency = Number(process.env.BENCH_MAX_CONCURRENCY ?? '8');
const capability = process.env.BENCH_CAPABILITY ?? 'bench';
/** First agent number, so several agent processes (one per server of a cluster) use distinct ids. */
const offset = Number(process.env.BENCH_AGENT_OFFSET ?? '0');

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

type Message = { id?: unknown; method?: string; params?: { task?: { id?: string; payload?: { seq?: number; accept?: boolean } } }; result?: { isError?: boolean }; error?: unknown };

let batch: (number | string)[][] = [];
let flushScheduled = false;
let errorsLogged = 0;

function record(entry: (number | string)[]): void {
  batch.push(entry);
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(() => {
    flushScheduled = false;
    process.stdout.write(`${JSON.stringify({ d: batch })}\n`);
    batch = [];
  });
}

function problem(text: string): void {
  if (errorsLogged++ < 10) process.stderr.write(`[agents] ${text.slice(0, 500)}\n`);
}

const ok = (m: Message | undefined) => m !== undefined && m.error === undefined && m.result !== undefined && m.result.isError !== true;

function connect(index: number): Promise<void> {
  const agentId = `bench-agent-${offset + index}`;
  const ws = new WebSocket(url, ['mcp'], { headers: { authorization: `Bearer ${key}`, 'x-agent-id': agentId }, perMessageDeflate: false });
  const pending = new Map<number, (message: Message | undefined) => void>();
  let nextId = 1;
  const call = (method: string, params: unknown, onDone: (message: Message | undefined) => void) => {
    const id = nextId++;
    pending.set(id, onDone);
    ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  };
  const tool = (name: string, args: unknown, onDone: (message: Message | undefined) => void) => call('tools/call', { name, arguments: args }, onDone);

  function onAssigned(task: NonNullable<NonNullable<Message['params']>['task']>): void {
    const assignedAt = nowMs();
    const seq = task.payload?.seq ?? -1;
    const taskId = task.id ?? '';
    const complete = () =>
      tool('devmesh_task_complete', { task_id: taskId, result: { ok: true } }, (reply) => {
        if (!ok(reply)) problem(`complete ${taskId}: ${JSON.stringify(reply)}`);
        record([seq, assignedAt, nowMs(), ok(reply) ? 1 : 0]);
      });
    if (!task.payload?.accept) return complete();
    tool('devmesh_task_accept', { task_id: taskId }, (reply) => {
      if (ok(reply)) return complete();
      problem(`accept ${taskId}: ${JSON.stringify(reply)}`);
      record([seq, assignedAt, nowMs(), 0]);
    });
  }

  return new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`${agentId}: HTTP ${res.statusCode}`)));
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as Message;
      if (typeof message.id === 'number') {
        const done = pending.get(message.id);
        pending.delete(message.id);
        done?.(message);
      } else if (message.method === 'notifications/devmesh/task_assigned' && message.params?.task) {
        onAssigned(message.params.task);
      }
    });
    ws.on('close', (code) => {
      for (const done of pending.values()) done(undefined);
      pending.clear();
      if (!stopping) problem(`${agentId}: connection closed (${code})`);
    });
    ws.once('open', () => {
      const clientInfo = { name: agentId, version: '1.0.0', capabilities: [capability], max_concurrency: maxConcurrency };
      call('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo }, (reply) => {
        if (!reply || reply.error !== undefined) return reject(new Error(`${agentId}: initialize failed: ${JSON.stringify(reply)}`));
        ws.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
        resolve();
      });
    });
    sockets.push(ws);
  });
}

const sockets: WebSocket[] = [];
let stopping = false;

process.on('SIGTERM', () => {
  stopping = true;
  for (const ws of sockets) ws.close(1000);
  setTimeout(() => process.exit(0), 500).unref();
});

// Connect in slices, so 100 handshakes do not all queue behind one another.
for (let i = 0; i < count; i += 20) await Promise.all(Array.from({ length: Math.min(20, count - i) }, (_, j) => connect(i + j)));
process.stdout.write(`${JSON.stringify({ ready: true, agents: count })}\n`);
