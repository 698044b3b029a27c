import { DevMeshError } from '../../errors/index.js';
import type { Logger } from '../../observability/logger.js';
import type { Principal } from '../../tenancy/principal.js';
import { jsonRpcCodes, toWireError } from '../jsonrpc/errors.js';
import {
  classifyMessage,
  errorResponse,
  notification,
  requestKey,
  successResponse,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type RequestId,
} from '../jsonrpc/messages.js';
import { createOutgoingRequests } from '../jsonrpc/outgoing-requests.js';
import { adaptResultForVersion as compat } from './compat.js';
import { createHandlerContext } from './context.js';
import type { LogLevel } from './definitions.js';
import { initializeSession, type InitializeState } from './initialize.js';
import { isSessionMethod, runMethod, type MethodEnv } from './methods/index.js';
import { isMcpMethod, notificationParams } from './params.js';
import type { McpServerOptions, McpSession, OpenSessionOptions } from './session-types.js';

/** Server-wide things a session uses: options plus the subscription index kept by the server. */
export interface SessionDeps {
  options: McpServerOptions;
  subscriptions: { add(session: McpSessionImpl, uri: string): void; delete(session: McpSessionImpl, uri: string): void };
  onClose(session: McpSessionImpl): void;
}

interface InFlight {
  controller: AbortController;
  /** True once the response went out or the request was cancelled: nothing more goes out for it. */
  done: boolean;
  /** Resolves `receive()` early when the request is cancelled or the session closes. */
  release(): void;
}

export const NOT_INITIALIZED_MESSAGE = 'Session not initialized: send initialize first';

/** One MCP session: a stateful peer with a lifecycle, hence a class. Transport-independent. */
export class McpSessionImpl implements McpSession {
  readonly id: string;
  readonly principal: Principal;
  readonly transport: 'websocket' | 'http';
  readonly state: InitializeState = { phase: 'new', protocolVersion: undefined, clientInfo: undefined, clientCapabilities: {} };
  logLevel: LogLevel = 'info';
  readonly subscribed = new Set<string>();
  private readonly inflight = new Map<string, InFlight>();
  private readonly outgoing;
  private readonly logger: Logger;
  private closed = false;

  constructor(
    private readonly deps: SessionDeps,
    private readonly open: OpenSessionOptions,
  ) {
    this.id = open.id;
    this.principal = open.principal;
    this.transport = open.transport;
    this.logger = deps.options.logger.child({ sessionId: open.id, tenantId: open.principal.tenantId });
    this.outgoing = createOutgoingRequests('srv', (id, reason) =>
      this.emit(notification('notifications/cancelled', { requestId: id, reason })),
    );
    if (open.restore) {
      Object.assign(this.state, {
        phase: 'ready',
        protocolVersion: open.restore.protocolVersion,
        clientInfo: open.restore.clientInfo,
        clientCapabilities: open.restore.clientCapabilities ?? {},
      });
    }
  }

  get initialized() {
    return this.state.phase === 'ready';
  }
  get protocolVersion() {
    return this.state.protocolVersion;
  }
  get clientInfo() {
    return this.state.clientInfo;
  }
  get clientCapabilities() {
    return this.state.clientCapabilities;
  }
  get isClosed() {
    return this.closed;
  }

  receiveText(text: string): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.emit(errorResponse(null, { code: jsonRpcCodes.parseError, message: 'Parse error: the message is not valid JSON' }));
      return Promise.resolve();
    }
    return this.receive(parsed);
  }

  async receive(value: unknown): Promise<void> {
    if (this.closed) return;
    const classified = classifyMessage(value);
    switch (classified.kind) {
      case 'invalid':
        this.emit(errorResponse(classified.id, { code: jsonRpcCodes.invalidRequest, message: `Invalid Request: ${classified.reason}` }));
        return;
      case 'response':
        if (!this.outgoing.settle(classified.message)) {
          this.logger.debug({ id: classified.message.id }, 'ignored response nobody is waiting for');
        }
        return;
      case 'notification':
        this.handleNotification(classified.message);
        return;
      case 'request':
        await this.handleRequest(classified.message);
    }
  }

  /** Sends a notification unrelated to any request (bus events). Only to initialized sessions. */
  notify(method: string, params?: Record<string, unknown>): void {
    if (this.initialized) this.emit(notification(method, params));
  }

  close(reason = 'Session closed'): void {
    if (this.closed) return;
    this.closed = true;
    const error = new DevMeshError('cancelled', `Session closed: ${reason}`);
    for (const entry of this.inflight.values()) {
      entry.done = true;
      entry.controller.abort(error);
      entry.release();
    }
    this.inflight.clear();
    this.outgoing.rejectAll(new DevMeshError('unavailable', `The session closed before the client answered: ${reason}`));
    for (const uri of this.subscribed) this.deps.subscriptions.delete(this, uri);
    this.subscribed.clear();
    this.deps.onClose(this);
    this.runHook('onClosed');
  }

  private handleNotification(message: JsonRpcNotification): void {
    switch (message.method) {
      case 'notifications/initialized':
      case 'notifications/roots/list_changed':
        return;
      case 'notifications/cancelled': {
        const parsed = notificationParams.cancelled.safeParse(message.params ?? {});
        if (!parsed.success) return;
        const key = requestKey(parsed.data.requestId);
        const entry = this.inflight.get(key);
        if (!entry || entry.done) return;
        entry.done = true;
        this.inflight.delete(key);
        entry.controller.abort(new DevMeshError('cancelled', parsed.data.reason ?? 'Cancelled by the client'));
        entry.release();
        return;
      }
      default:
        this.logger.debug({ method: message.method }, 'ignored notification');
    }
  }

  private async handleRequest(request: JsonRpcRequest): Promise<void> {
    const key = requestKey(request.id);
    if (this.inflight.has(key)) {
      const message = `Invalid Request: id ${JSON.stringify(request.id)} is already used by a request in progress`;
      this.emit(errorResponse(request.id, { code: jsonRpcCodes.invalidRequest, message }));
      return;
    }
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const entry: InFlight = { controller: new AbortController(), done: false, release };
    this.inflight.set(key, entry);
    await Promise.race([this.execute(request, entry, key), released]);
  }

  private async execute(request: JsonRpcRequest, entry: InFlight, key: string): Promise<void> {
    const started = performance.now();
    let outcome: 'ok' | 'error' = 'ok';
    try {
      const result = await this.dispatch(request, entry);
      if (!entry.done) {
        entry.done = true;
        this.emit(successResponse(request.id, compat(request.method, result, this.protocolVersion)), request.id);
      }
    } catch (error) {
      outcome = 'error';
      const { error: wire, internal } = toWireError(error);
      if (internal && !entry.done) {
        this.logger.error({ err: error, method: request.method, requestId: request.id }, 'request failed');
      }
      if (!entry.done) {
        entry.done = true;
        this.emit(errorResponse(request.id, wire), request.id);
      }
    } finally {
      entry.done = true;
      if (this.inflight.get(key) === entry) this.inflight.delete(key);
      entry.release();
      const label = isMcpMethod(request.method) ? request.method : 'unknown';
      this.observe(label, outcome, (performance.now() - started) / 1000);
    }
  }

  private async dispatch(request: JsonRpcRequest, entry: InFlight): Promise<Record<string, unknown>> {
    const { method } = request;
    if (method === 'initialize') {
      return initializeSession(this.state, request.params, this.deps.options, () => this.runHook('onInitialized'));
    }
    if (method !== 'ping' && !this.initialized) throw new DevMeshError('not_initialized', NOT_INITIALIZED_MESSAGE);
    if (!isSessionMethod(method)) throw new DevMeshError('method_not_found', `Method not found: ${method}`, { method });
    return runMethod(method, request.params, this.methodEnv(request, entry));
  }

  private methodEnv(request: JsonRpcRequest, entry: InFlight): MethodEnv {
    const meta = request.params?._meta as Record<string, unknown> | undefined;
    const token = meta?.progressToken;
    const ctx = createHandlerContext({
      principal: this.principal,
      sessionId: this.id,
      requestId: request.id,
      signal: entry.controller.signal,
      progressToken: typeof token === 'string' || typeof token === 'number' ? token : undefined,
      clientCapabilities: this.clientCapabilities,
      logLevel: () => this.logLevel,
      isActive: () => !entry.done,
      send: (message, related) => this.emit(message, related),
      outgoing: this.outgoing,
      clientRequestTimeoutMs: this.deps.options.clientRequestTimeoutMs ?? 60_000,
    });
    return {
      catalogue: this.deps.options.catalogue,
      ctx,
      pageSize: this.deps.options.pageSize ?? 50,
      logger: this.logger.child({ requestId: request.id, method: request.method }),
      session: {
        setLogLevel: (level) => (this.logLevel = level),
        subscribe: (uri) => {
          this.subscribed.add(uri);
          this.deps.subscriptions.add(this, uri);
        },
        unsubscribe: (uri) => {
          this.subscribed.delete(uri);
          this.deps.subscriptions.delete(this, uri);
        },
      },
    };
  }

  private emit(message: JsonRpcMessage, relatedRequestId?: RequestId): void {
    if (this.closed) return;
    try {
      this.open.send(message, relatedRequestId);
    } catch (error) {
      this.logger.warn({ err: error }, 'transport failed to send a message');
    }
  }

  private observe(method: string, outcome: 'ok' | 'error', seconds: number): void {
    try {
      this.deps.options.observe?.(method, outcome, seconds);
    } catch (error) {
      this.logger.warn({ err: error }, 'observe callback failed');
    }
  }

  private runHook(name: 'onInitialized' | 'onClosed'): Promise<void> {
    const hook = this.deps.options.hooks?.[name];
    if (!hook) return Promise.resolve();
    return Promise.resolve()
      .then(() => hook(this))
      .catch((error: unknown) => this.logger.error({ err: error, hook: name }, 'session hook failed'));
  }
}
