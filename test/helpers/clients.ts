import WebSocket from 'ws';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';

type Json = Record<string, unknown>;

/** A raw WebSocket JSON-RPC client for protocol edge cases: it sends exactly what the test gives it. */
export interface RawWsClient {
  ws: WebSocket;
  sessionId: string | undefined;
  messages: Json[];
  send(message: unknown): void;
  request(method: string, params?: Json, timeoutMs?: number): Promise<Json>;
  /** Resolves with the first received message (past or future) matching the predicate. */
  waitFor(predicate: (message: Json) => boolean, timeoutMs?: number): Promise<Json>;
  initialize(protocolVersion?: string): Promise<Json>;
  close(): Promise<void>;
}

export function wsUrl(mcpUrl: string): string {
  return `${mcpUrl.replace(/^http/, 'ws')}/ws`;
}

export async function openRawWs(
  mcpUrl: string,
  options: { key?: string; protocols?: string[]; headers?: Record<string, string>; query?: string } = {},
): Promise<RawWsClient> {
  const headers = { ...(options.key ? { authorization: `Bearer ${options.key}` } : {}), ...options.headers };
  // No per-message compression: tests and benchmarks send many small frames.
  const ws = new WebSocket(`${wsUrl(mcpUrl)}${options.query ?? ''}`, options.protocols ?? ['mcp'], { headers, perMessageDeflate: false });
  const messages: Json[] = [];
  const waiters: { predicate: (m: Json) => boolean; resolve: (m: Json) => void; reject?: (e: Error) => void }[] = [];
  let sessionId: string | undefined;
  ws.on('upgrade', (response) => {
    sessionId = response.headers['mcp-session-id'] as string | undefined;
  });
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as Json;
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  // A closed socket answers nothing more: fail what is still waiting now, not at its timeout.
  ws.on('close', () => {
    for (const waiter of waiters.splice(0)) waiter.reject?.(new Error('connection closed'));
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { statusCode: res.statusCode })));
  });
  let nextId = 1;
  const waitForNext = (predicate: (m: Json) => boolean, timeoutMs: number) =>
    new Promise<Json>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error('timed out waiting for a message'));
      }, timeoutMs);
      const waiter = {
        predicate,
        resolve: (m: Json) => (clearTimeout(timer), resolve(m)),
        reject: (e: Error) => (clearTimeout(timer), reject(e)),
      };
      waiters.push(waiter);
    });
  const client: RawWsClient = {
    ws,
    get sessionId() {
      return sessionId;
    },
    messages,
    send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
    waitFor(predicate, timeoutMs = 5000) {
      const seen = messages.find(predicate);
      if (seen) return Promise.resolve(seen);
      return waitForNext(predicate, timeoutMs);
    },
    async request(method, params, timeoutMs) {
      const id = `t${nextId++}`;
      client.send({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });
      // The answer cannot have arrived before the request was sent: no need to search the history.
      return waitForNext((m) => m.id === id && !('method' in m), timeoutMs ?? 5000);
    },
    async initialize(protocolVersion = '2025-06-18') {
      const response = await client.request('initialize', {
        protocolVersion,
        capabilities: {},
        clientInfo: { name: 'raw-test-client', version: '1.0.0' },
      });
      client.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      return response;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
  return client;
}

/** The official SDK client over Streamable HTTP, authenticated with `key`. */
export async function connectSdkHttp(mcpUrl: string, key: string): Promise<Client> {
  const client = new Client({ name: 'sdk-http-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${mcpUrl}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  });
  await client.connect(transport);
  return client;
}

/**
 * The official SDK client over WebSocket. The SDK uses `globalThis.WebSocket` and cannot set
 * headers, as in a browser: the key travels as the `devmesh.bearer.<key>` subprotocol.
 */
export async function connectSdkWs(mcpUrl: string, key: string): Promise<Client> {
  const g = globalThis as { WebSocket?: unknown };
  class KeyedWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      const list = Array.isArray(protocols) ? protocols : protocols ? [protocols] : [];
      super(url, [...list, `devmesh.bearer.${key}`]);
    }
  }
  const previous = g.WebSocket;
  g.WebSocket = KeyedWebSocket;
  try {
    const client = new Client({ name: 'sdk-ws-test', version: '1.0.0' });
    await client.connect(new WebSocketClientTransport(new URL(wsUrl(mcpUrl))));
    return client;
  } finally {
    g.WebSocket = previous;
  }
}

/** fetch against the REST API with a key. */
export function restClient(apiUrl: string, key?: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: response.status, headers: response.headers, body: json as Record<string, any> };
  };
}
