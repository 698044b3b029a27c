import type { Logger } from '../../observability/logger.js';
import type { EventBus } from '../../queue/event-bus-port.js';
import type { Principal } from '../../tenancy/principal.js';
import type { JsonRpcMessage, RequestId } from '../jsonrpc/messages.js';
import type { McpCatalogue } from './definitions.js';

export interface McpServerOptions {
  catalogue: McpCatalogue;
  bus: EventBus;
  logger: Logger;
  serverInfo: { name: string; version: string };
  instructions?: string;
  /** Called after a successful initialize (persist the session) and when a session closes. Errors are logged, never break the session. */
  hooks?: {
    /** Awaited before the initialize response is sent, so the session is stored before the client can use it. */
    onInitialized?(session: McpSession): Promise<void>;
    /** Called once per session, whether or not it was initialized. */
    onClosed?(session: McpSession): Promise<void>;
  };
  /** For metrics: called once per handled request. `method` is 'unknown' for methods MCP does not define. */
  observe?(method: string, outcome: 'ok' | 'error', seconds: number): void;
  /** Timeout for server->client requests (default 60s). */
  clientRequestTimeoutMs?: number;
  /** Page size of the list methods (default 50). */
  pageSize?: number;
}

/** What a session remembers from initialize; enough to rebuild it in another process. */
export interface RestoredSessionState {
  protocolVersion: string;
  clientInfo?: Record<string, unknown>;
  clientCapabilities?: Record<string, unknown>;
}

export interface OpenSessionOptions {
  id: string;
  principal: Principal;
  transport: 'websocket' | 'http';
  /** Where the session's output goes. relatedRequestId is set for responses and for notifications/requests sent while handling that request (HTTP routes them to that POST's SSE stream; WebSocket ignores it). */
  send(message: JsonRpcMessage, relatedRequestId?: RequestId): void;
  /**
   * An already-initialized session persisted by `hooks.onInitialized` (e.g. an HTTP session that
   * another process initialized). The session starts initialized; onInitialized is not called again.
   */
  restore?: RestoredSessionState;
  /** Transport facts the application may use, e.g. `agentId` from an X-Agent-ID header. */
  attributes?: Record<string, string>;
}

export interface McpServer {
  openSession(options: OpenSessionOptions): McpSession;
  readonly sessionCount: number;
  /** Closes every session. */
  close(): void;
}

export interface McpSession {
  readonly id: string;
  readonly principal: Principal;
  readonly transport: 'websocket' | 'http';
  readonly initialized: boolean;
  readonly protocolVersion: string | undefined;
  readonly clientInfo: Record<string, unknown> | undefined;
  readonly clientCapabilities: Record<string, unknown>;
  /** Transport facts given at open (e.g. `agentId`). */
  readonly attributes: Readonly<Record<string, string>>;
  /** Sends a notification to the client outside any request (dropped if the session is closed). */
  notify(method: string, params?: Record<string, unknown>): void;
  /** One raw text frame (WebSocket). Bad JSON -> -32700 with id null. */
  receiveText(text: string): Promise<void>;
  /** One already-parsed JSON-RPC message (HTTP body element). Resolves when its handling finished (for a request: after its response was sent). */
  receive(message: unknown): Promise<void>;
  close(reason?: string): void;
}
