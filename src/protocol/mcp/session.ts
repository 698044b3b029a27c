import { DevMeshError } from '../../errors/index.js';
import type { Logger } from '../../observability/logger.js';
import type { Principal } from '../../tenancy/principal.js';
import { jsonRpcCodes, toWireError } from '../jsonrpc/errors.js';
import {
  classifyMessage,
  errorResponse,
  notification,
  successResponse,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type RequestId,
} from '../jsonrpc/messages.js';
import { createOutgoingRequests } from '../jsonrpc/outgoing-requests.js';
import { adaptResultForVersion } from './compat.js';
import type { LogLevel } from './definitions.js';
import { createInFlightTable, type InFlight } from './in-flight.js';
import { initializeSession, type InitializeState } from './initialize.js';
import { isSessionMethod, runMethod } from './methods/index.js';
import { isMcpMethod, notificationParams } from './params.js';
import { createMethodEnv, type RequestHost } from './request-env.js';
import type { McpServerOptions, McpSession, OpenSessionOptions } from './session-types.js';

/** Server-wide things a session uses: options plus the subscription index kept by the server. */
export interface SessionDeps {
  options: McpServerOptions;
  subscriptions: { add(session: McpSessionImpl, uri: string): void; delete(session: McpSessionImpl, uri: string): void };
  onClose(session: McpSessionImpl): void;
}

export const NOT_INITIALIZED_MESSAGE = 'Session not initialized: send initialize first';

/**
 * One MCP session: a stateful peer with a lifecycle, hence a class. Transport-independent.
 * Requests run concurrently; notifications and responses are handled synchronously on arrival.
 * Client log level defaults to `info` until logging/setLevel.
 */
export class McpSessionImpl implements McpSession, RequestHost {
  readonly id: string;
  readonly principal: Principal;
  readonly transport: 'websocket' | 'http';
  readonly options: McpServerOptions;
  readonly logger: Logger;
  readonly outgoing = createOutgoingRequests('srv', (id, reason) =>
    this.emit(notification('notifications/cancelled', { requestId: id, reason })),
  );
  logLevel: LogLevel = 'info';
  private readonly state: InitializeState = { phase: 'new', protocolVersion: undefined, clientInfo: undefined, clientCapabilities: {} };
  private readonly subscribed = new Set<string>();
  private readonly inflight = createInFlightTable();
  private closed = false;

  constructor(
    private readonly deps: SessionDeps,
    private readonly open: OpenSessionOptions,
  ) {
    this.id = open.id;
    this.principal = open.principal;
    this.transport = open.transport;
    this.options = deps.options;
    this.logger = deps.options.logger.child({ sessionId: open.id, tenantId: open.principal.tenantId });
    if (open.restore) {
      const { protocolVersion, clientInfo, clientCapabilities } = open.restore;
      Object.assign(this.state, { phase: 'ready', protocolVersion, clientInfo, clientCapabilities: clientCapabilities ?? {} });
    }
  }

  get attributes(): Readonly<Record<string, string>> { return this.open.attributes ?? {}; }
  get initialized() { return this.state.phase === 'ready'; }
  get protocolVersion() { return this.state.protocolVersion; }
  get clientInfo() { return this.state.clientInfo; }
  get clientCapabilities() { return this.state.clientCapabilities; }

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
      case 'invalid': {
        const message = `Invalid Request: ${classified.reason}`;
        this.emit(errorResponse(classified.id, { code: jsonRpcCodes.invalidRequest, message }));
        return;
      }
      case 'response':
        if (!this.outgoing.settle(classified.message)) {
          this.logger.debug({ id: classified.message.id }, 'ignored a response nobody is waiting for');
        }
        return;
      case 'notification':
        this.handleNotification(classified.message);
        return;
      case 'request':
        await this.handleRequest(classified.message);
    }
  }

  /** Sends a notification unrelated to any request (bus events); initialized sessions only. */
  notify(method: string, params?: Record<string, unknown>): void {
    if (this.initialized) this.emit(notification(method, params));
  }

  subscribe(uri: string): void {
    this.subscribed.add(uri);
    this.deps.subscriptions.add(this, uri);
  }

  unsubscribe(uri: string): void {
    this.subscribed.delete(uri);
    this.deps.subscriptions.delete(this, uri);
  }

  close(reason = 'Session closed'): void {
    if (this.closed) return;
    this.closed = true;
    this.inflight.abortAll(new DevMeshError('cancelled', `Session closed: ${reason}`));
    this.outgoing.rejectAll(new DevMeshError('unavailable', `The session closed before the client answered: ${reason}`));
    for (const uri of this.subscribed) this.deps.subscriptions.delete(this, uri);
    this.subscribed.clear();
    this.deps.onClose(this);
    void this.runHook('onClosed');
  }

  emit(message: JsonRpcMessage, relatedRequestId?: RequestId): void {
    if (this.closed) return;
    try {
      this.open.send(message, relatedRequestId);
    } catch (error) {
      this.logger.warn({ err: error }, 'transport failed to send a message');
    }
  }

  private handleNotification(message: JsonRpcNotification): void {
    if (message.method === 'notifications/cancelled') {
      const parsed = notificationParams.cancelled.safeParse(message.params ?? {});
      if (parsed.success) this.inflight.cancel(parsed.data.requestId, parsed.data.reason ?? 'Cancelled by the client');
    } else if (message.method !== 'notifications/initialized' && message.method !== 'notifications/roots/list_changed') {
      this.logger.debug({ method: message.method }, 'ignored notification');
    }
  }

  private async handleRequest(request: JsonRpcRequest): Promise<void> {
    // ping is answered at once: it has nothing to cancel and is the liveness probe clients hammer.
    if (request.method === 'ping' && !this.inflight.has(request.id)) {
      const started = performance.now();
      this.emit(successResponse(request.id, {}), request.id);
      this.observe('ping', 'ok', (performance.now() - started) / 1000);
      return;
    }
    // initialize must not be cancelled (spec), so its entry ignores notifications/cancelled.
    const entry = this.inflight.start(request.id, request.method !== 'initialize');
    if (!entry) {
      const message = `Invalid Request: id ${JSON.stringify(request.id)} is already used by a request in progress`;
      this.emit(errorResponse(request.id, { code: jsonRpcCodes.invalidRequest, message }));
      return;
    }
    await Promise.race([this.execute(request, entry), entry.released]);
  }

  private async execute(request: JsonRpcRequest, entry: InFlight): Promise<void> {
    const started = performance.now();
    let outcome: 'ok' | 'error' = 'ok';
    try {
      const result = await this.dispatch(request, entry);
      if (!entry.done) {
        entry.done = true;
        this.emit(successResponse(request.id, adaptResultForVersion(request.method, result, this.protocolVersion)), request.id);
      }
    } catch (error) {
      outcome = 'error';
      const { error: wire, internal } = toWireError(error);
      if (!entry.done) {
        if (internal) this.logger.error({ err: error, method: request.method, requestId: request.id }, 'request failed');
        entry.done = true;
        this.emit(errorResponse(request.id, wire), request.id);
      }
    } finally {
      this.inflight.finish(request.id, entry);
      this.observe(isMcpMethod(request.method) ? request.method : 'unknown', outcome, (performance.now() - started) / 1000);
    }
  }

  private dispatch(request: JsonRpcRequest, entry: InFlight): Promise<Record<string, unknown>> {
    const { method } = request;
    if (method === 'initialize') {
      return initializeSession(this.state, request.params, this.options, () => this.runHook('onInitialized'));
    }
    if (method === 'ping') return Promise.resolve({});
    if (!this.initialized) throw new DevMeshError('not_initialized', NOT_INITIALIZED_MESSAGE);
    if (!isSessionMethod(method)) throw new DevMeshError('method_not_found', `Method not found: ${method}`, { method });
    return runMethod(method, request.params, createMethodEnv(this, request, entry));
  }

  private observe(method: string, outcome: 'ok' | 'error', seconds: number): void {
    try {
      this.options.observe?.(method, outcome, seconds);
    } catch (error) {
      this.logger.warn({ err: error }, 'observe callback failed');
    }
  }

  private runHook(name: 'onInitialized' | 'onClosed'): Promise<void> {
    const hooks = this.options.hooks;
    if (!hooks?.[name]) return Promise.resolve();
    return Promise.resolve()
      .then(() => hooks[name]?.(this))
      .catch((error: unknown) => this.logger.error({ err: error, hook: name }, 'session hook failed'));
  }
}
