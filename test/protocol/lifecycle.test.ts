import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import {
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  type McpSession,
} from '../../src/protocol/mcp/server.js';
import type { ToolDefinition } from '../../src/protocol/mcp/definitions.js';
import { createTestServer, errorOf, resultOf, settle } from './harness.js';

const structuredTool: ToolDefinition = {
  name: 'sum',
  title: 'Sum',
  description: 'Adds two numbers',
  role: 'reader',
  annotations: { readOnlyHint: true },
  input: z.object({ a: z.number(), b: z.number() }),
  output: z.object({ sum: z.number() }),
  handler: (args: { a: number; b: number }) => Promise.resolve({ sum: args.a + args.b }),
};

describe('lifecycle', () => {
  it('rejects every request but ping before initialize', async () => {
    const t = createTestServer();
    const client = t.connect();
    assert.deepEqual(resultOf(await client.request('ping')), {});
    for (const method of ['tools/list', 'tools/call', 'resources/list', 'prompts/get', 'logging/setLevel', 'no/such']) {
      const error = errorOf(await client.request(method, {}));
      assert.equal(error.code, -32002, method);
      assert.equal(error.message, 'Session not initialized: send initialize first');
    }
    assert.equal(client.session.initialized, false);
    t.finish();
  });

  it('answers initialize with the golden result, then rejects a second initialize', async () => {
    const t = createTestServer();
    const client = t.connect();
    const response = await client.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: { sampling: {} },
      clientInfo: { name: 'golden', version: '2.0' },
    });
    assert.deepEqual(response, {
      jsonrpc: '2.0',
      id: 1,
      result: {
        protocolVersion: '2025-06-18',
        capabilities: {
          tools: { listChanged: true },
          resources: { subscribe: true, listChanged: true },
          prompts: { listChanged: true },
          logging: {},
          completions: {},
        },
        serverInfo: { name: 'devmesh-test', version: '0.0.0' },
        instructions: 'Test server',
      },
    });
    assert.equal(client.session.initialized, true);
    assert.equal(client.session.protocolVersion, '2025-06-18');
    assert.deepEqual(client.session.clientInfo, { name: 'golden', version: '2.0' });
    assert.deepEqual(client.session.clientCapabilities, { sampling: {} });
    const again = errorOf(await client.initialize());
    assert.equal(again.code, -32600);
    assert.match(again.message, /already initialized/);
    assert.equal(client.session.protocolVersion, '2025-06-18');
    t.finish();
  });

  it('echoes every supported version and answers an unknown one with 2025-06-18', async () => {
    assert.equal(LATEST_PROTOCOL_VERSION, '2025-06-18');
    assert.deepEqual([...SUPPORTED_PROTOCOL_VERSIONS].sort(), ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25']);
    const t = createTestServer();
    for (const version of SUPPORTED_PROTOCOL_VERSIONS) {
      assert.equal(resultOf(await t.connect().initialize(version)).protocolVersion, version);
    }
    for (const version of ['1999-01-01', '2026-12-31', 'banana']) {
      const client = t.connect();
      assert.equal(resultOf(await client.initialize(version)).protocolVersion, '2025-06-18');
      assert.equal(client.session.protocolVersion, '2025-06-18');
    }
    t.finish();
  });

  it('strips fields 2024-11-05 does not know, keeping the text content', async () => {
    const t = createTestServer();
    t.catalogue.tools.set(structuredTool.name, structuredTool);
    t.catalogue.resources.set('test://r', {
      uri: 'test://r', name: 'r', title: 'R', role: 'reader', read: () => Promise.resolve([]),
    });
    const client = t.connect();
    await client.initialize('2024-11-05');
    const [tool] = resultOf(await client.request('tools/list')).tools as Record<string, unknown>[];
    assert.deepEqual(Object.keys(tool ?? {}).sort(), ['description', 'inputSchema', 'name']);
    const call = resultOf(await client.request('tools/call', { name: 'sum', arguments: { a: 1, b: 2 } }));
    assert.deepEqual(call, { content: [{ type: 'text', text: '{"sum":3}' }] });
    const [resource] = resultOf(await client.request('resources/list')).resources as Record<string, unknown>[];
    assert.equal(resource?.title, undefined);

    const newer = t.connect();
    await newer.initialize('2025-03-26');
    const [tool2] = resultOf(await newer.request('tools/list')).tools as Record<string, unknown>[];
    assert.deepEqual(Object.keys(tool2 ?? {}).sort(), ['annotations', 'description', 'inputSchema', 'name']);

    const latest = t.connect();
    await latest.initialize('2025-06-18');
    const [tool3] = resultOf(await latest.request('tools/list')).tools as Record<string, unknown>[];
    assert.deepEqual(Object.keys(tool3 ?? {}).sort(), ['annotations', 'description', 'inputSchema', 'name', 'outputSchema', 'title']);
    t.finish();
  });

  it('calls onInitialized before answering and onClosed once; hook failures are only logged', async () => {
    const events: string[] = [];
    let initializedSeen: McpSession | undefined;
    const t = createTestServer({
      hooks: {
        onInitialized: async (session) => {
          initializedSeen = session;
          events.push(`initialized:${session.protocolVersion}`);
          await settle();
          throw new Error('store down');
        },
        onClosed: (session) => {
          events.push(`closed:${session.id}`);
          return Promise.resolve();
        },
      },
    });
    const client = t.connect();
    const response = await client.initialize();
    assert.equal(resultOf(response).protocolVersion, '2025-06-18');
    assert.equal(initializedSeen, client.session);
    assert.ok(t.logs.some((l) => l.msg === 'session hook failed'));
    assert.equal(t.server.sessionCount, 1);
    client.session.close('bye');
    client.session.close('again');
    await settle();
    assert.deepEqual(events, ['initialized:2025-06-18', 'closed:session-1']);
    assert.equal(t.server.sessionCount, 0);
    t.finish();
  });

  it('reports every handled request to observe, with unknown methods folded', async () => {
    const seen: [string, string][] = [];
    const t = createTestServer({ observe: (method, outcome, seconds) => {
      assert.ok(seconds >= 0);
      seen.push([method, outcome]);
    } });
    const client = t.connect();
    await client.request('tools/list');
    await client.initialize();
    await client.request('ping');
    await client.request('x/random-1');
    await client.notify('notifications/whatever');
    assert.deepEqual(seen, [['tools/list', 'error'], ['initialize', 'ok'], ['ping', 'ok'], ['unknown', 'error']]);
    t.finish();
  });

  it('restores a session that was initialized elsewhere', async () => {
    let hookCalls = 0;
    const t = createTestServer({ hooks: { onInitialized: () => Promise.resolve(void hookCalls++) } });
    const client = t.connect({}, { transport: 'http', restore: { protocolVersion: '2025-03-26', clientCapabilities: { elicitation: {} } } });
    assert.equal(client.session.initialized, true);
    assert.equal(client.session.transport, 'http');
    assert.deepEqual(resultOf(await client.request('tools/list')), { tools: [] });
    assert.equal(errorOf(await client.initialize()).code, -32600);
    assert.equal(hookCalls, 0);
    t.finish();
  });

  it('stops answering after close and refuses new sessions after server close', async () => {
    const t = createTestServer();
    const client = t.connect();
    await client.initialize();
    client.clear();
    t.server.close();
    assert.equal(client.session.initialized, true);
    await client.request('ping');
    assert.deepEqual(client.sent, []);
    assert.throws(() => t.connect(), /shutting down/);
    t.finish();
  });
});
