import WebSocket from 'ws';
import { isOkResponse, requestBody, type Channel, type Method } from './types.js';

export interface WsChannelOptions {
  url: string;
  headers?: Record<string, string>;
  /** Tool name and task id for `task_status` requests. */
  toolName: string;
  taskId: string;
  timeoutMs?: number;
}

type Message = { id?: unknown; result?: unknown; error?: unknown };

/**
 * One WebSocket connection speaking JSON-RPC, with an initialized MCP session.
 * Requests are matched to responses by numeric id.
 */
export async function openWsChannel(options: WsChannelOptions): Promise<Channel & { call(method: string, params?: unknown): Promise<Message> }> {
  const ws = new WebSocket(options.url, ['mcp'], { headers: options.headers ?? {} });
  const pending = new Map<number, (message: Message | undefined) => void>();
  let nextId = 1;
  let closed = false;

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`WebSocket ${options.url}: no handshake within ${options.timeoutMs ?? 10_000} ms`)), options.timeoutMs ?? 10_000);
    ws.once('open', () => (clearTimeout(timer), resolve()));
    ws.once('error', (error) => (clearTimeout(timer), reject(error)));
    ws.once('unexpected-response', (_request, response) => (clearTimeout(timer), reject(new Error(`WebSocket ${options.url}: HTTP ${response.statusCode}`))));
  });
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as Message;
    if (typeof message.id !== 'number') return;
    const resolve = pending.get(message.id);
    if (!resolve) return;
    pending.delete(message.id);
    resolve(message);
  });
  ws.on('error', () => undefined);
  ws.on('close', () => {
    closed = true;
    for (const resolve of pending.values()) resolve(undefined);
    pending.clear();
  });

  const call = (method: string, params?: unknown): Promise<Message> =>
    new Promise((resolve, reject) => {
      if (closed) return reject(new Error('WebSocket closed'));
      const id = nextId++;
      const timer = setTimeout(() => (pending.delete(id), reject(new Error(`${method}: no response within 10 s`))), 10_000);
      pending.set(id, (message) => {
        clearTimeout(timer);
        if (message) resolve(message);
        else reject(new Error(`${method}: WebSocket closed`));
      });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) }));
    });

  const init = await call('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'devmesh-bench', version: '1.0.0' } });
  if (init.error !== undefined) throw new Error(`initialize failed: ${JSON.stringify(init.error)}`);
  ws.send('{"jsonrpc":"2.0","method":"notifications/initialized"}');

  return {
    call,
    request(method: Method, onDone: (ok: boolean) => void): boolean {
      if (closed) return false;
      const id = nextId++;
      pending.set(id, (message) => onDone(message !== undefined && isOkResponse(message)));
      ws.send(requestBody(method, id, options.toolName, options.taskId));
      return true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        const timer = setTimeout(() => (ws.terminate(), resolve()), 2_000);
        ws.once('close', () => (clearTimeout(timer), resolve()));
        ws.close(1000);
      }),
  };
}
