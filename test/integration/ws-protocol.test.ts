import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { openRawWs, wsUrl } from '../helpers/clients.js';
import { assertValidMcpMessage } from '../helpers/mcp-schema.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

describe('MCP over a raw WebSocket: protocol edge cases', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp('embedded', {});
  });
  after(async () => {
    await app?.cleanup();
  });

  for (const [offered, expected] of [
    [['mcp'], 'mcp'],
    [['mcp.v1'], 'mcp.v1'],
    [['other', 'mcp.v1', 'mcp'], 'mcp'],
    [[], ''],
  ] as const) {
    it(`accepts subprotocols [${offered.join(', ')}] and echoes "${expected}"`, async () => {
      const client = await openRawWs(app.mcpUrl, { key: app.key, protocols: [...offered] });
      assert.equal(client.ws.protocol, expected);
      const init = await client.initialize();
      assert.equal((init.result as { protocolVersion: string }).protocolVersion, '2025-06-18');
      await client.close();
    });
  }

  it('refuses a handshake without a key (401) and with a foreign Origin (403)', async () => {
    await assert.rejects(openRawWs(app.mcpUrl, {}), (e: { statusCode?: number }) => e.statusCode === 401);
    await assert.rejects(
      openRawWs(app.mcpUrl, { key: app.key, headers: { origin: 'https://evil.example' } }),
      (e: { statusCode?: number }) => e.statusCode === 403,
    );
    const local = await openRawWs(app.mcpUrl, { key: app.key, headers: { origin: 'http://localhost:3000' } });
    await local.close();
  });

  it('answers every JSON-RPC error case with the right code, and never answers notifications', async () => {
    const client = await openRawWs(app.mcpUrl, { key: app.key });
    client.send('{"jsonrpc": "2.0", "id": 1, "method": "ping"');
    const parse = await client.waitFor((m) => (m.error as { code?: number } | undefined)?.code === -32700);
    assert.equal(parse.id, null);

    const early = await client.request('tools/list');
    assert.ok(early.error, 'tools/list before initialize is rejected');
    assert.match((early.error as { message: string }).message, /initialize/);
    const pingEarly = await client.request('ping');
    assert.deepEqual(pingEarly.result, {}, 'ping is allowed before initialize');

    await client.initialize();
    client.send([{ jsonrpc: '2.0', id: 'b1', method: 'ping' }]);
    const batch = await client.waitFor((m) => (m.error as { code?: number } | undefined)?.code === -32600 && /batch/i.test(JSON.stringify(m)));
    assert.equal(batch.id, null);

    const seen = client.messages.length;
    client.send({ jsonrpc: '1.0', id: 'v', method: 'ping' });
    const wrongVersion = await client.waitFor((m) => client.messages.indexOf(m) >= seen);
    assert.equal((wrongVersion.error as { code: number }).code, -32600);

    const unknown = await client.request('tasks/explode');
    assert.equal((unknown.error as { code: number }).code, -32601);
    assert.match((unknown.error as { message: string }).message, /tasks\/explode/);

    const badParams = await client.request('resources/read', { uri: 42 });
    assert.equal((badParams.error as { code: number }).code, -32602);
    assert.match((badParams.error as { message: string }).message, /uri/);

    const unknownTool = await client.request('tools/call', { name: 'devmesh_nope', arguments: {} });
    assert.equal((unknownTool.error as { code: number }).code, -32602);

    const before = client.messages.length;
    client.send({ jsonrpc: '2.0', method: 'notifications/whatever', params: {} });
    client.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'never-sent' } });
    const pong = await client.request('ping');
    assert.deepEqual(pong.result, {});
    assert.equal(client.messages.length, before + 1, 'only the ping was answered');

    for (const message of client.messages) assertValidMcpMessage(message);
    await client.close();
  });

  it('negotiates protocol versions as the spec says', async () => {
    for (const [asked, answered] of [
      ['2025-06-18', '2025-06-18'],
      ['2025-03-26', '2025-03-26'],
      ['2024-11-05', '2024-11-05'],
      ['2025-11-25', '2025-11-25'],
      ['2023-01-01', '2025-06-18'],
    ]) {
      const client = await openRawWs(app.mcpUrl, { key: app.key });
      const init = await client.initialize(asked);
      assert.equal((init.result as { protocolVersion: string }).protocolVersion, answered, `asked ${asked}`);
      await client.close();
    }
  });

  it('refuses an oversized frame with a clear error and keeps the session usable', async () => {
    const client = await openRawWs(app.mcpUrl, { key: app.key });
    await client.initialize();
    const huge = JSON.stringify({ jsonrpc: '2.0', id: 'big', method: 'ping', params: { pad: 'x'.repeat(app.config.maxFrameBytes + 10) } });
    client.send(huge);
    const refused = await client.waitFor((m) => /exceeds the limit/.test(JSON.stringify(m)));
    assert.equal((refused.error as { code: number }).code, -32600);
    const pong = await client.request('ping');
    assert.deepEqual(pong.result, {});
    await client.close();
  });

  it('accepts binary frames carrying UTF-8 JSON', async () => {
    const client = await openRawWs(app.mcpUrl, { key: app.key });
    client.ws.send(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 'bin', method: 'ping' })), { binary: true });
    const pong = await client.waitFor((m) => m.id === 'bin');
    assert.deepEqual(pong.result, {});
    await client.close();
  });

  it('resumes a session id and its context after a reconnect; refuses unknown session ids', async () => {
    const first = await openRawWs(app.mcpUrl, { key: app.key });
    await first.initialize();
    const sessionId = first.sessionId;
    assert.ok(sessionId?.startsWith('ses_'));
    const update = await first.request('tools/call', { name: 'devmesh_context_update', arguments: { set: { branch: 'main' } } });
    assert.equal((update.result as { isError?: boolean }).isError, undefined);
    await first.close();

    const second = await openRawWs(app.mcpUrl, { key: app.key, headers: { 'mcp-session-id': sessionId ?? '' } });
    assert.equal(second.sessionId, sessionId);
    await second.initialize();
    const read = await second.request('tools/call', { name: 'devmesh_context_get', arguments: {} });
    assert.deepEqual((read.result as { structuredContent: { items: unknown } }).structuredContent.items, { branch: 'main' });
    await second.close();

    await assert.rejects(
      openRawWs(app.mcpUrl, { key: app.key, query: '?session_id=ses_doesnotexist' }),
      (e: { statusCode?: number }) => e.statusCode === 404,
    );
  });

  it('keeps serving other requests while one connection misbehaves', async () => {
    const rude = new WebSocket(wsUrl(app.mcpUrl), ['mcp'], { headers: { authorization: `Bearer ${app.key}` } });
    await new Promise((resolve) => rude.once('open', resolve));
    rude.send('\u0000\u0001 not json at all');
    rude.terminate();
    const client = await openRawWs(app.mcpUrl, { key: app.key });
    await client.initialize();
    assert.deepEqual((await client.request('ping')).result, {});
    await client.close();
  });
});
