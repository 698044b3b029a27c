import { DevMeshError } from '../../errors/index.js';
import type { Principal } from '../../tenancy/principal.js';
import type { OutgoingRequests } from '../jsonrpc/outgoing-requests.js';
import { notification, type JsonRpcMessage, type RequestId } from '../jsonrpc/messages.js';
import type { HandlerContext, LogLevel } from './definitions.js';
import { logLevels } from './params.js';

const severity = new Map<string, number>(logLevels.map((level, index) => [level, index]));

export function isLevelEnabled(level: LogLevel, threshold: LogLevel): boolean {
  return (severity.get(level) ?? 0) >= (severity.get(threshold) ?? 0);
}

/** Which client capability a server->client method needs. */
const requiredCapability: Record<string, string> = {
  'sampling/createMessage': 'sampling',
  'elicitation/create': 'elicitation',
  'roots/list': 'roots',
};

export interface ContextDeps {
  principal: Principal;
  sessionId: string;
  requestId: RequestId;
  /** The request's abort signal; made on first use (most requests never look at it). */
  signal(): AbortSignal;
  progressToken: string | number | undefined;
  clientCapabilities: Record<string, unknown>;
  logLevel(): LogLevel;
  /** False once the request's response went out (progress stops then, logs lose their stream). */
  isActive(): boolean;
  send(message: JsonRpcMessage, relatedRequestId?: RequestId): void;
  outgoing: OutgoingRequests;
  clientRequestTimeoutMs: number;
}

/** The HandlerContext of one request: talk back to the client on that request's behalf. */
export function createHandlerContext(deps: ContextDeps): HandlerContext {
  let lastProgress = -Infinity;
  const related = () => (deps.isActive() ? deps.requestId : undefined);
  return {
    principal: deps.principal,
    sessionId: deps.sessionId,
    get signal() {
      return deps.signal();
    },
    clientCapabilities: deps.clientCapabilities,

    progress(progress, total, message) {
      // Progress must increase, and none may follow the response.
      if (deps.progressToken === undefined || !deps.isActive() || deps.signal().aborted) return Promise.resolve();
      if (!Number.isFinite(progress) || progress <= lastProgress) return Promise.resolve();
      lastProgress = progress;
      const params: Record<string, unknown> = { progressToken: deps.progressToken, progress };
      if (total !== undefined) params.total = total;
      if (message !== undefined) params.message = message;
      deps.send(notification('notifications/progress', params), deps.requestId);
      return Promise.resolve();
    },

    log(level, data, logger) {
      if (!isLevelEnabled(level, deps.logLevel())) return Promise.resolve();
      const params: Record<string, unknown> = { level, data: data ?? null };
      if (logger !== undefined) params.logger = logger;
      deps.send(notification('notifications/message', params), related());
      return Promise.resolve();
    },

    async requestClient(method, params, options) {
      const capability = requiredCapability[method];
      if (capability !== undefined && deps.clientCapabilities[capability] === undefined) {
        throw new DevMeshError(
          'invalid_request',
          `The client did not declare the '${capability}' capability at initialize, so the server cannot send ${method}`,
          { method, capability },
        );
      }
      if (deps.signal().aborted) throw new DevMeshError('cancelled', `${method} was not sent: the request was cancelled`);
      return deps.outgoing.send(method, params, {
        timeoutMs: options?.timeoutMs ?? deps.clientRequestTimeoutMs,
        signal: deps.signal(),
        transmit: (message) => deps.send(message, related()),
      });
    },
  };
}
