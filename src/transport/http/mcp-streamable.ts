import type { IncomingMessage, ServerResponse } from 'node:http';
import { DevMeshError } from '../../errors/index.js';
import { newId } from '../../lib/ids.js';
import type { JsonRpcMessage, RequestId } from '../../protocol/jsonrpc/messages.js';
import type { McpSession } from '../../protocol/mcp/server.js';
import { SUPPORTED_PROTOCOL_VERSIONS } from '../../protocol/mcp/versions.js';
import type { Principal } from '../../tenancy/principal.js';
import { checkOrigin, presentedApiKey } from '../credentials.js';
import type { McpEndpointDeps } from '../mcp-endpoint-deps.js';
import { headerValue, readBody, sendJson, sendProblem } from './http-io.js';
import { createRequestStream, openEventStream, writeEvent, type RequestStream } from './sse.js';

const IDLE_SESSION_MS = 30 * 60_000;

interface HttpSession {
  session: McpSession;
  principal: Principal;
  lastActive: number;
  standalone: ServerResponse | undefined;
  streams: Map<RequestId, RequestStream>;
}

export interface StreamableHttpEndpoint {
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
  close(): void;
}

function jsonRpcError(code: number, message: string) {
  return { jsonrpc: '2.0', id: null, error: { code, message } };
}

/** MCP Streamable HTTP (2025-06-18): POST messages, GET the server's stream, DELETE to end a session. */
export function createStreamableHttpEndpoint(deps: McpEndpointDeps): StreamableHttpEndpoint {
  const sessions = new Map<string, HttpSession>();

  const sweeper = setInterval(() => {
    const cutoff = Date.now() - IDLE_SESSION_MS;
    for (const [id, entry] of sessions) {
      if (entry.lastActive < cutoff && !entry.standalone && entry.streams.size === 0) endSession(id, 'idle timeout');
    }
  }, 60_000);
  sweeper.unref();

  function endSession(id: string, reason: string): void {
    const entry = sessions.get(id);
    if (!entry) return;
    sessions.delete(id);
    entry.standalone?.end();
    for (const stream of entry.streams.values()) stream.abandon();
    entry.session.close(reason);
    deps.metrics.connectionClosed('http');
  }

  function route(entry: HttpSession, message: JsonRpcMessage, related: RequestId | undefined): void {
    const stream = related === undefined ? undefined : entry.streams.get(related);
    if (stream?.deliver(message)) return;
    if (entry.standalone) writeEvent(entry.standalone, message);
    else deps.logger.debug({ sessionId: entry.session.id }, 'dropped a server message: no open stream to carry it');
  }

  function openSession(principal: Principal, agentId: string | undefined): HttpSession {
    const id = newId('ses');
    const entry = { principal, lastActive: Date.now(), standalone: undefined, streams: new Map() } as unknown as HttpSession;
    entry.session = deps.server.openSession({
      id,
      principal,
      transport: 'http',
      send: (message, related) => route(entry, message, related),
      attributes: agentId ? { agentId } : undefined,
    });
    sessions.set(id, entry);
    deps.metrics.connectionOpened('http');
    return entry;
  }

  async function authenticate(request: IncomingMessage): Promise<Principal> {
    const origin = checkOrigin(request.headers, { listenHost: deps.listenHost, allowedOrigins: deps.allowedOrigins });
    if (!origin.ok) throw new DevMeshError('forbidden', origin.reason);
    return deps.authenticate(presentedApiKey(request.headers));
  }

  function existingSession(request: IncomingMessage, principal: Principal): HttpSession {
    const id = headerValue(request, 'mcp-session-id');
    if (!id) throw new DevMeshError('invalid_request', 'Missing Mcp-Session-Id header: send initialize first and echo the session id it returns.');
    const entry = sessions.get(id);
    // A session of another tenant answers exactly like an unknown one.
    if (!entry || entry.principal.tenantId !== principal.tenantId) {
      throw new DevMeshError('not_found', `Session "${id}" not found or expired: start a new one with initialize.`);
    }
    const version = headerValue(request, 'mcp-protocol-version');
    if (version && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      throw new DevMeshError('invalid_request', `Unsupported MCP-Protocol-Version "${version}"; supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}.`);
    }
    entry.lastActive = Date.now();
    return entry;
  }

  async function post(request: IncomingMessage, response: ServerResponse, principal: Principal): Promise<void> {
    const accept = headerValue(request, 'accept') ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
      return sendJson(response, 406, jsonRpcError(-32600, 'Not Acceptable: Accept must list application/json and text/event-stream.'));
    }
    if (!(headerValue(request, 'content-type') ?? '').includes('application/json')) {
      return sendJson(response, 415, jsonRpcError(-32600, 'Unsupported Media Type: send Content-Type: application/json.'));
    }
    let message: unknown;
    try {
      message = JSON.parse(await readBody(request, deps.maxFrameBytes));
    } catch (error) {
      if (error instanceof DevMeshError) throw error;
      return sendJson(response, 400, jsonRpcError(-32700, 'Parse error: the body is not valid JSON.'));
    }
    if (Array.isArray(message)) {
      return sendJson(response, 400, jsonRpcError(-32600, 'Invalid request: JSON-RPC batches are not supported (removed in MCP 2025-06-18).'));
    }
    const body = (message ?? {}) as { method?: unknown; id?: unknown };
    const isRequest = typeof body.method === 'string' && (typeof body.id === 'string' || typeof body.id === 'number');
    const entry = body.method === 'initialize' ? openSession(principal, headerValue(request, 'x-agent-id')) : existingSession(request, principal);
    if (!isRequest) {
      response.writeHead(202).end();
      await entry.session.receive(message);
      return;
    }
    const id = body.id as RequestId;
    const stream = createRequestStream(response, { 'mcp-session-id': entry.session.id });
    entry.streams.set(id, stream);
    response.on('close', () => {
      if (entry.streams.get(id) === stream) entry.streams.delete(id);
    });
    try {
      await entry.session.receive(message);
    } finally {
      stream.finishIfPending();
      if (entry.streams.get(id) === stream) entry.streams.delete(id);
      if (body.method === 'initialize' && !entry.session.initialized) endSession(entry.session.id, 'initialize failed');
    }
  }

  function get(request: IncomingMessage, response: ServerResponse, principal: Principal): void {
    if (!(headerValue(request, 'accept') ?? '').includes('text/event-stream')) {
      return sendJson(response, 406, jsonRpcError(-32600, 'Not Acceptable: GET /mcp opens an event stream; send Accept: text/event-stream.'));
    }
    const entry = existingSession(request, principal);
    if (entry.standalone) {
      return sendJson(response, 409, jsonRpcError(-32600, 'Conflict: this session already has an open GET stream.'));
    }
    entry.standalone = response;
    openEventStream(response, { 'mcp-session-id': entry.session.id });
    response.on('close', () => {
      if (entry.standalone === response) entry.standalone = undefined;
      entry.lastActive = Date.now();
    });
  }

  return {
    async handle(request, response) {
      try {
        const principal = await authenticate(request);
        switch (request.method) {
          case 'POST':
            return await post(request, response, principal);
          case 'GET':
            return get(request, response, principal);
          case 'DELETE': {
            const entry = existingSession(request, principal);
            endSession(entry.session.id, 'deleted by client');
            response.writeHead(204).end();
            return;
          }
          default:
            response.writeHead(405, { allow: 'GET, POST, DELETE' }).end();
        }
      } catch (error) {
        if (response.headersSent) {
          deps.logger.error({ err: error }, 'error after the MCP HTTP response started');
          response.end();
          return;
        }
        sendProblem(response, error, '/mcp');
      }
    },
    close() {
      clearInterval(sweeper);
      for (const id of [...sessions.keys()]) endSession(id, 'server shutting down');
    },
  };
}
