/**
 * In-memory MCP sessions for protocol tests: JSON-RPC in through `receive`, everything the server
 * sends collected (with its relatedRequestId) and checked against the official MCP schema.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger.js';
import { createMemoryEventBus } from '../../src/queue/memory-event-bus.js';
import type { EventBus } from '../../src/queue/event-bus-port.js';
import type { Principal } from '../../src/tenancy/principal.js';
import type { JsonRpcMessage, RequestId } from '../../src/protocol/jsonrpc/messages.js';
import type { McpCatalogue } from '../../src/protocol/mcp/definitions.js';
import {
  createMcpServer,
  LATEST_PROTOCOL_VERSION,
  type McpServerOptions,
  type McpSession,
  type OpenSessionOptions,
} from '../../src/protocol/mcp/server.js';
import { mcpMessageProblems } from '../helpers/mcp-schema.js';

export interface Sent {
  message: Record<string, unknown>;
  related: RequestId | undefined;
}

export function emptyCatalogue(): McpCatalogue {
  return { tools: new Map(), resources: new Map(), templates: new Map(), prompts: new Map() };
}

export function testPrincipal(overrides: Partial<Principal> = {}): Principal {
  return { tenantId: 'tenant-a', tenantName: 'Tenant A', apiKeyId: 'key-a', role: 'agent', ...overrides };
}

/** Lets queued microtasks and immediates (bus delivery, handler continuations) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function createTestServer(overrides: Partial<McpServerOptions> & { bus?: EventBus } = {}) {
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const bus = overrides.bus ?? createMemoryEventBus();
  const catalogue = overrides.catalogue ?? emptyCatalogue();
  const server = createMcpServer({
    logger: createLogger('debug', destination),
    serverInfo: { name: 'devmesh-test', version: '0.0.0' },
    instructions: 'Test server',
    ...overrides,
    catalogue,
    bus,
  });
  const clients: TestClient[] = [];
  return {
    server,
    bus,
    catalogue,
    logs,
    connect(principal: Partial<Principal> = {}, extra: Partial<OpenSessionOptions> = {}): TestClient {
      const client = createTestClient((send) =>
        server.openSession({ id: `session-${clients.length + 1}`, principal: testPrincipal(principal), transport: 'websocket', ...extra, send }),
      );
      clients.push(client);
      return client;
    },
    /** Asserts every message sent to every client matched the MCP schema, then closes the server. */
    finish() {
      for (const client of clients) assert.deepEqual(client.problems, [], 'server sent messages that break the MCP schema');
      server.close();
    },
  };
}

export type TestClient = ReturnType<typeof createTestClient>;

function createTestClient(open: (send: OpenSessionOptions['send']) => McpSession) {
  const sent: Sent[] = [];
  const problems: string[] = [];
  const methodsById = new Map<RequestId, string>();
  let nextId = 1;
  const session = open((message: JsonRpcMessage, related?: RequestId) => {
    const record = message as unknown as Record<string, unknown>;
    sent.push({ message: record, related });
    const id = record.id as RequestId | undefined;
    const method = !('method' in record) && id !== undefined ? methodsById.get(id) : undefined;
    problems.push(...mcpMessageProblems(record, method));
  });

  const responseTo = (id: RequestId) =>
    sent.find(({ message }) => message.id === id && !('method' in message))?.message;

  return {
    session,
    sent,
    problems,
    /** Sends a request, waits until the session finished it, returns its response (undefined if none). */
    async request(method: string, params?: Record<string, unknown>, id: RequestId = nextId++) {
      methodsById.set(id, method);
      await session.receive({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) });
      return responseTo(id);
    },
    /** Starts a request without waiting; returns the id and the handling promise. */
    start(method: string, params?: Record<string, unknown>, id: RequestId = nextId++) {
      methodsById.set(id, method);
      return { id, done: session.receive({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }) };
    },
    responseTo,
    notify(method: string, params?: Record<string, unknown>) {
      return session.receive({ jsonrpc: '2.0', method, ...(params ? { params } : {}) });
    },
    async initialize(protocolVersion = LATEST_PROTOCOL_VERSION, capabilities: Record<string, unknown> = {}) {
      const response = await this.request('initialize', {
        protocolVersion,
        capabilities,
        clientInfo: { name: 'protocol-test', version: '1.0.0' },
      });
      await session.receive({ jsonrpc: '2.0', method: 'notifications/initialized' });
      return response;
    },
    notifications(method?: string) {
      return sent
        .filter(({ message }) => 'method' in message && !('id' in message))
        .filter(({ message }) => method === undefined || message.method === method);
    },
    clear() {
      sent.length = 0;
    },
  };
}

/** Result of a success response, asserting it is one. */
export function resultOf(response: Record<string, unknown> | undefined): Record<string, unknown> {
  assert.ok(response, 'expected a response');
  assert.ok('result' in response, `expected a result, got ${JSON.stringify(response)}`);
  return response.result as Record<string, unknown>;
}

/** Error object of an error response, asserting it is one. */
export function errorOf(response: Record<string, unknown> | undefined): { code: number; message: string; data?: unknown } {
  assert.ok(response, 'expected a response');
  assert.ok('error' in response, `expected an error, got ${JSON.stringify(response)}`);
  return response.error as { code: number; message: string; data?: unknown };
}
