import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { restClient } from '../helpers/clients.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const accept = 'application/json, text/event-stream';

describe('MCP Streamable HTTP transport', () => {
  let app: TestApp;
  let post: (body: unknown, headers?: Record<string, string>) => Promise<Response>;
  before(async () => {
    app = await startTestApp('embedded');
    post = (body, headers = {}) =>
      fetch(`${app.mcpUrl}/mcp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${app.key}`, accept, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
  });
  after(async () => {
    await app?.cleanup();
  });

  async function initialize(): Promise<string> {
    const response = await post({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fetch', version: '1' } },
    });
    assert.equal(response.status, 200);
    const sessionId = response.headers.get('mcp-session-id');
    assert.ok(sessionId, 'initialize returns Mcp-Session-Id');
    await response.json();
    const initialized = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': sessionId });
    assert.equal(initialized.status, 202);
    return sessionId;
  }

  it('checks Accept, Content-Type, JSON and batches before anything else', async () => {
    assert.equal((await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, { accept: 'application/json' })).status, 406);
    assert.equal((await post('{"x":1}', { 'content-type': 'text/plain' })).status, 415);
    const bad = await post('{not json');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: number } }).error.code, -32700);
    const batch = await post([{ jsonrpc: '2.0', id: 1, method: 'ping' }]);
    assert.equal(batch.status, 400);
    assert.equal(((await batch.json()) as { error: { code: number } }).error.code, -32600);
  });

  it('requires a known session, of the caller’s tenant, and a supported protocol version', async () => {
    const sessionId = await initialize();
    assert.equal((await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' })).status, 400, 'missing session id');
    assert.equal((await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': 'ses_unknown' })).status, 404);
    const wrongVersion = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': sessionId, 'mcp-protocol-version': '1999-01-01' });
    assert.equal(wrongVersion.status, 400);
    const ok = await post({ jsonrpc: '2.0', id: 3, method: 'tools/list' }, { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' });
    assert.equal(ok.status, 200);
    assert.ok(((await ok.json()) as { result: { tools: unknown[] } }).result.tools.length >= 6);

    const other = await app.services.tenancy.ensureTenant(`other-${Date.now()}`);
    const { key } = await app.services.tenancy.issueKey(other.tenant.id, { name: 'other', role: 'admin' });
    const foreign = await post({ jsonrpc: '2.0', id: 4, method: 'tools/list' }, { 'mcp-session-id': sessionId, authorization: `Bearer ${key}` });
    assert.equal(foreign.status, 404, 'another tenant cannot use the session');
  });

  it('rejects foreign Origins and Hosts (DNS rebinding) and unauthenticated callers', async () => {
    assert.equal((await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, { origin: 'https://evil.example' })).status, 403);
    const noKey = await fetch(`${app.mcpUrl}/mcp`, { method: 'POST', headers: { accept, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(noKey.status, 401);
    assert.match(((await noKey.json()) as { detail: string }).detail, /API key/);
  });

  it('delivers resource updates on the GET stream, and ends the session on DELETE', async () => {
    const sessionId = await initialize();
    const headers = { 'mcp-session-id': sessionId };
    const tenantId = (await restClient(app.apiUrl, app.key)('POST', '/api/v1/tasks', { title: 'seed' })).body.tenant_id as string;
    const uri = `devmesh://tasks/${tenantId}`;
    const subscribed = await post({ jsonrpc: '2.0', id: 5, method: 'resources/subscribe', params: { uri } }, headers);
    assert.deepEqual(((await subscribed.json()) as { result: unknown }).result, {});

    const controller = new AbortController();
    const stream = await fetch(`${app.mcpUrl}/mcp`, {
      headers: { authorization: `Bearer ${app.key}`, accept: 'text/event-stream', ...headers },
      signal: controller.signal,
    });
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /text\/event-stream/);
    const second = await fetch(`${app.mcpUrl}/mcp`, { headers: { authorization: `Bearer ${app.key}`, accept: 'text/event-stream', ...headers } });
    assert.equal(second.status, 409, 'one GET stream per session');

    await restClient(app.apiUrl, app.key)('POST', '/api/v1/tasks', { title: 'trigger' });
    const reader = stream.body!.getReader();
    let text = '';
    const deadline = Date.now() + 5000;
    while (!text.includes('notifications/resources/updated') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    assert.match(text, /notifications\/resources\/updated/);
    assert.ok(text.includes(uri));
    controller.abort();

    const deleted = await fetch(`${app.mcpUrl}/mcp`, { method: 'DELETE', headers: { authorization: `Bearer ${app.key}`, ...headers } });
    assert.equal(deleted.status, 204);
    assert.equal((await post({ jsonrpc: '2.0', id: 6, method: 'ping' }, headers)).status, 404);
  });
});

describe('persistence across restarts (embedded)', () => {
  it('keeps tasks, contexts, keys and sessions when the app restarts on the same data dir', async () => {
    let app = await startTestApp('embedded');
    try {
      const rest = restClient(app.apiUrl, app.key);
      const task = (await rest('POST', '/api/v1/tasks', { title: 'survive a restart', payload: { n: 1 } })).body;
      await rest('PATCH', '/api/v1/contexts/ses_persist', { set: { k: 'v' } });
      const keyBefore = app.key;
      app = await app.restart();
      assert.equal(app.key, keyBefore, 'no new admin key on a later start');
      const after = restClient(app.apiUrl, app.key);
      const fetched = await after('GET', `/api/v1/tasks/${task.id as string}`);
      assert.equal(fetched.status, 200);
      assert.deepEqual(fetched.body.payload, { n: 1 });
      assert.deepEqual((await after('GET', '/api/v1/contexts/ses_persist')).body.items, { k: 'v' });
    } finally {
      await app.cleanup();
    }
  });
});
