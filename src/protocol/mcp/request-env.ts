import type { Logger } from '../../observability/logger.js';
import type { Principal } from '../../tenancy/principal.js';
import type { JsonRpcMessage, JsonRpcRequest, RequestId } from '../jsonrpc/messages.js';
import type { OutgoingRequests } from '../jsonrpc/outgoing-requests.js';
import { createHandlerContext } from './context.js';
import type { LogLevel } from './definitions.js';
import type { InFlight } from './in-flight.js';
import type { MethodEnv } from './methods/index.js';
import type { McpServerOptions } from './session-types.js';

/** The session side a request's environment needs. */
export interface RequestHost {
  id: string;
  principal: Principal;
  clientCapabilities: Record<string, unknown>;
  logLevel: LogLevel;
  logger: Logger;
  options: McpServerOptions;
  outgoing: OutgoingRequests;
  emit(message: JsonRpcMessage, relatedRequestId?: RequestId): void;
  subscribe(uri: string): void;
  unsubscribe(uri: string): void;
}

export function createMethodEnv(host: RequestHost, request: JsonRpcRequest, entry: InFlight): MethodEnv {
  const meta = request.params?._meta as Record<string, unknown> | undefined;
  const token = meta?.progressToken;
  const ctx = createHandlerContext({
    principal: host.principal,
    sessionId: host.id,
    requestId: request.id,
    signal: () => entry.signal,
    progressToken: typeof token === 'string' || typeof token === 'number' ? token : undefined,
    clientCapabilities: host.clientCapabilities,
    logLevel: () => host.logLevel,
    isActive: () => !entry.done,
    send: (message, related) => host.emit(message, related),
    outgoing: host.outgoing,
    clientRequestTimeoutMs: host.options.clientRequestTimeoutMs ?? 60_000,
  });
  let logger: Logger | undefined;
  return {
    catalogue: host.options.catalogue,
    ctx,
    pageSize: host.options.pageSize ?? 50,
    // Built on first use: most requests never log, and a child logger per request is not free.
    get logger() {
      return (logger ??= host.logger.child({ requestId: request.id, method: request.method }));
    },
    session: {
      setLogLevel: (level) => (host.logLevel = level),
      subscribe: (uri) => host.subscribe(uri),
      unsubscribe: (uri) => host.unsubscribe(uri),
    },
  };
}
