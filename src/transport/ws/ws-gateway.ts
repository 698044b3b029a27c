import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { DevMeshError, toProblem } from '../../errors/index.js';
import { newId } from '../../lib/ids.js';
import type { JsonRpcMessage } from '../../protocol/jsonrpc/messages.js';
import { checkOrigin, presentedApiKey } from '../credentials.js';
import type { McpEndpointDeps } from '../mcp-endpoint-deps.js';

const SUBPROTOCOLS = ['mcp', 'mcp.v1'];
const HEARTBEAT_MS = 30_000;
/** A client that lets this much output pile up is not reading; it is disconnected rather than buffered forever. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

export interface WsGateway {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
}

/**
 * Browsers cannot set headers on a WebSocket handshake, so a key may also travel as an offered
 * subprotocol `devmesh.bearer.<key>` next to `mcp` (the server never selects it).
 */
const BEARER_SUBPROTOCOL = 'devmesh.bearer.';
function keyFromSubprotocol(request: IncomingMessage): string | undefined {
  const offered = request.headers['sec-websocket-protocol'];
  if (!offered) return undefined;
  const entry = offered.split(',').map((p) => p.trim()).find((p) => p.startsWith(BEARER_SUBPROTOCOL));
  return entry?.slice(BEARER_SUBPROTOCOL.length);
}

function refuse(socket: Duplex, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      `Content-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

/**
 * MCP over WebSocket: one JSON-RPC message per text frame (binary frames carrying UTF-8 JSON are
 * accepted too). Authentication happens on the handshake, so an unauthenticated client never gets
 * a socket. Each connection is one MCP session; `Mcp-Session-Id` (header or `session_id` query)
 * resumes an earlier session's id and with it the session's stored context.
 */
export function createWsGateway(deps: McpEndpointDeps): WsGateway {
  const { logger, metrics, maxFrameBytes } = deps;
  const wss = new WebSocketServer({
    noServer: true,
    // ws closes with 1009 above this; frames between maxFrameBytes and this get a JSON-RPC error instead.
    maxPayload: maxFrameBytes * 4,
    // Compress only large frames. ws honours the threshold only without context takeover; with
    // takeover (what clients offer by default) every small frame would be deflated, ~10x slower.
    perMessageDeflate: { threshold: 16 * 1024, serverNoContextTakeover: true, clientNoContextTakeover: true },
    handleProtocols: (offered) => SUBPROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  const alive = new WeakMap<WebSocket, boolean>();
  const heartbeat = setInterval(() => {
    for (const client of wss.clients) {
      if (alive.get(client) === false) {
        client.terminate();
        continue;
      }
      alive.set(client, false);
      client.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  function attach(socket: WebSocket, request: IncomingMessage, sessionId: string, principal: Parameters<McpEndpointDeps['server']['openSession']>[0]['principal']) {
    const log = logger.child({ sessionId, tenantId: principal.tenantId, transport: 'websocket' });
    metrics.connectionOpened('websocket');
    alive.set(socket, true);
    socket.on('pong', () => alive.set(socket, true));
    const send = (message: JsonRpcMessage) => {
      if (socket.readyState !== socket.OPEN) return;
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        log.warn({ buffered: socket.bufferedAmount }, 'closing a WebSocket client that does not read its messages');
        socket.close(1013, 'client too slow: output buffer full');
        return;
      }
      socket.send(JSON.stringify(message));
    };
    const agentId = request.headers['x-agent-id'];
    const attributes = typeof agentId === 'string' && agentId ? { agentId } : undefined;
    const session = deps.server.openSession({ id: sessionId, principal, transport: 'websocket', send, attributes });
    socket.on('message', (data, isBinary) => {
      alive.set(socket, true);
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
      if (size > maxFrameBytes) {
        send({
          jsonrpc: '2.0',
          id: null,
          error: { code: -32600, message: `Frame of ${size} bytes exceeds the limit of ${maxFrameBytes} bytes (DEVMESH_MAX_FRAME_BYTES).` },
        });
        return;
      }
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
      if (isBinary) log.trace('binary frame received; treating it as UTF-8 JSON');
      session.receiveText(text).catch((error: unknown) => log.error({ err: error }, 'unhandled error in MCP session'));
    });
    socket.on('close', (code) => {
      metrics.connectionClosed('websocket');
      session.close(`socket closed (${code})`);
      log.debug({ code }, 'WebSocket closed');
    });
    socket.on('error', (error) => log.debug({ err: error }, 'WebSocket error'));
    log.debug({ remote: request.socket.remoteAddress, protocol: socket.protocol }, 'WebSocket session opened');
  }

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const origin = checkOrigin(request.headers, { listenHost: deps.listenHost, allowedOrigins: deps.allowedOrigins });
    if (!origin.ok) return refuse(socket, 403, toProblem(new DevMeshError('forbidden', origin.reason), '/ws'));
    let principal;
    try {
      principal = await deps.authenticate(presentedApiKey(request.headers) ?? keyFromSubprotocol(request));
    } catch (error) {
      const problem = toProblem(error, '/ws');
      return refuse(socket, problem.status, problem);
    }
    const url = new URL(request.url ?? '/ws', 'http://localhost');
    const header = request.headers['mcp-session-id'];
    const requested = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('session_id') ?? undefined;
    let sessionId = newId('ses');
    if (requested) {
      if (!(await deps.canResume(principal, requested))) {
        const detail = `No session "${requested}" to resume in this tenant; connect without Mcp-Session-Id to start a new one.`;
        return refuse(socket, 404, toProblem(new DevMeshError('not_found', detail), '/ws'));
      }
      sessionId = requested;
    }
    (request as IncomingMessage & { devmeshSessionId?: string }).devmeshSessionId = sessionId;
    wss.handleUpgrade(request, socket, head, (ws) => attach(ws, request, sessionId, principal));
  }

  wss.on('headers', (headers, request) => {
    const id = (request as IncomingMessage & { devmeshSessionId?: string }).devmeshSessionId;
    if (id) headers.push(`Mcp-Session-Id: ${id}`);
  });

  return {
    handleUpgrade(request, socket, head) {
      socket.on('error', () => undefined);
      upgrade(request, socket, head).catch((error: unknown) => {
        logger.error({ err: error }, 'WebSocket upgrade failed');
        refuse(socket, 500, toProblem(error, '/ws'));
      });
    },
    async close() {
      clearInterval(heartbeat);
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
