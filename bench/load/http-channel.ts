import { Agent, request as httpRequest } from 'node:http';
import { isOkResponse, requestBody, type Channel, type Method } from './types.js';

export interface HttpChannelOptions {
  /** The Streamable HTTP endpoint, e.g. http://127.0.0.1:1234/mcp */
  url: string;
  /** Shared by all channels of a shape: keep-alive, maxSockets = the shape's total concurrency. */
  agent: Agent;
  headers?: Record<string, string>;
  toolName: string;
  taskId: string;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

function post(options: HttpChannelOptions, body: string, headers: Record<string, string>, callback: (reply: Reply | undefined) => void): void {
  let done = false;
  const onReply = (reply: Reply | undefined) => {
    if (done) return;
    done = true;
    callback(reply);
  };
  const req = httpRequest(
    options.url,
    {
      agent: options.agent,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'content-length': Buffer.byteLength(body),
        ...options.headers,
        ...headers,
      },
    },
    (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => onReply({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => onReply(undefined));
    },
  );
  req.on('error', () => onReply(undefined));
  req.end(body);
}

const postAsync = (options: HttpChannelOptions, body: string, headers: Record<string, string>) =>
  new Promise<Reply>((resolve, reject) => post(options, body, headers, (reply) => (reply ? resolve(reply) : reject(new Error(`POST ${options.url} failed`)))));

/**
 * One MCP client over Streamable HTTP: its own session (initialize, then the session id on every
 * POST), JSON responses, sharing a keep-alive agent with the other channels of its shape.
 */
export async function openHttpChannel(options: HttpChannelOptions): Promise<Channel> {
  const init = await postAsync(
    options,
    JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'devmesh-bench', version: '1.0.0' } } }),
    {},
  );
  const sessionId = init.headers['mcp-session-id'];
  if (init.status !== 200 || typeof sessionId !== 'string') throw new Error(`initialize over HTTP: status ${init.status}, body ${init.body.slice(0, 300)}`);
  const session = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' };
  const ack = await postAsync(options, '{"jsonrpc":"2.0","method":"notifications/initialized"}', session);
  if (ack.status !== 202 && ack.status !== 200) throw new Error(`notifications/initialized over HTTP: status ${ack.status}`);
  let nextId = 1;
  return {
    request(method: Method, onDone: (ok: boolean) => void): boolean {
      post(options, requestBody(method, nextId++, options.toolName, options.taskId), session, (reply) => {
        if (!reply || reply.status !== 200) return onDone(false);
        try {
          onDone(isOkResponse(JSON.parse(reply.body) as { result?: unknown; error?: unknown }));
        } catch {
          onDone(false);
        }
      });
      return true;
    },
    async close() {
      await new Promise<void>((resolve) => {
        const req = httpRequest(
          options.url,
          { agent: options.agent, method: 'DELETE', headers: { ...options.headers, ...session } },
          (res) => (res.resume(), res.on('end', resolve)),
        );
        req.on('error', () => resolve());
        req.end();
      });
    },
  };
}
