import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { createManualClock } from '../../src/lib/clock.js';
import type { Role } from '../../src/tenancy/principal.js';
import { connectSdkHttp, openRawWs, restClient, wsUrl } from '../helpers/clients.js';
import { startTestApp, testBackends, type TestApp } from '../helpers/test-app.js';

type Headers = Record<string, string>;
interface Outcome {
  status: number;
  contentType: string;
  body: Record<string, any>;
}

const bearer = (key: string): Headers => ({ authorization: `Bearer ${key}` });
const unknownKey = () => `dmk_${randomBytes(32).toString('base64url')}`;
const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'auth-test', version: '1.0.0' } },
};

async function outcomeOf(response: Response): Promise<Outcome> {
  const text = await response.text();
  let body: Record<string, any> = {};
  if (text.trimStart().startsWith('{')) body = JSON.parse(text) as Record<string, any>;
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body };
}

/** A WebSocket handshake: 101 with the selected subprotocol, or the refusal's status and problem body. */
function wsHandshake(mcpUrl: string, headers: Headers, protocols: string[] = ['mcp']): Promise<Outcome & { protocol?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(mcpUrl), protocols, { headers });
    ws.once('open', () => {
      const protocol = ws.protocol;
      ws.once('close', () => resolve({ status: 101, contentType: '', body: {}, protocol }));
      ws.close();
    });
    ws.once('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, contentType: String(response.headers['content-type'] ?? ''), body: text ? JSON.parse(text) : {} });
      });
    });
    ws.once('error', reject);
  });
}

for (const backend of testBackends()) {
  describe(`authentication and roles (${backend})`, () => {
    let app: TestApp;
    const clock = createManualClock(new Date());

    /** A tenant of the test's own with a key of each requested role. */
    async function tenantWith(...roles: Role[]) {
      const { tenant } = await app.services.tenancy.ensureTenant(`t-${randomBytes(6).toString('hex')}`);
      const keys = {} as Record<Role, string>;
      for (const role of roles) keys[role] = (await app.services.tenancy.issueKey(tenant.id, { name: `${role} key`, role })).key;
      return { tenant, keys };
    }

    // The same authentication question asked of each endpoint that needs a key.
    const probes: Record<string, (headers: Headers) => Promise<Outcome>> = {
      REST: async (headers) => outcomeOf(await fetch(`${app.apiUrl}/api/v1/tasks`, { headers })),
      'Streamable HTTP': async (headers) =>
        outcomeOf(
          await fetch(`${app.mcpUrl}/mcp`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
            body: JSON.stringify(initialize),
          }),
        ),
      WebSocket: (headers) => wsHandshake(app.mcpUrl, headers),
    };
    const successStatus: Record<string, number> = { REST: 200, 'Streamable HTTP': 200, WebSocket: 101 };

    function assertRefused(outcome: Outcome, detail: RegExp, where: string) {
      assert.equal(outcome.status, 401, `${where}: status`);
      assert.match(outcome.contentType, /^application\/problem\+json/, `${where}: problem JSON`);
      assert.equal(outcome.body.status, 401, where);
      assert.equal(outcome.body.title, 'Unauthenticated', where);
      assert.match(String(outcome.body.type), /unauthenticated/, where);
      assert.match(String(outcome.body.detail), detail, where);
    }

    before(async () => {
      app = await startTestApp(backend, { clock });
    });
    after(async () => {
      await app?.cleanup();
    });

    for (const [name, probe] of Object.entries(probes)) {
      it(`${name}: a missing, malformed or unknown key is refused with 401 and a reason`, async () => {
        assertRefused(await probe({}), /Missing API key.*Authorization: Bearer/, `${name} without a key`);
        assertRefused(await probe(bearer('not-a-devmesh-key')), /Malformed API key.*dmk_/, `${name} with a malformed key`);
        assertRefused(await probe({ 'x-api-key': 'dmk_short' }), /Malformed API key/, `${name} with a malformed X-API-Key`);
        assertRefused(await probe(bearer(unknownKey())), /Unknown API key/, `${name} with an unknown key`);
      });

      it(`${name}: accepts the key as "Authorization: Bearer" and as "X-API-Key"`, async () => {
        const { keys } = await tenantWith('reader');
        assert.equal((await probe(bearer(keys.reader))).status, successStatus[name]);
        assert.equal((await probe({ authorization: `bearer ${keys.reader}` })).status, successStatus[name], 'scheme is case-insensitive');
        assert.equal((await probe({ 'x-api-key': keys.reader })).status, successStatus[name]);
      });
    }

    it('a key revoked through DELETE /api/v1/api-keys/:id is refused everywhere at once', async () => {
      const { keys } = await tenantWith('admin', 'agent');
      const admin = restClient(app.apiUrl, keys.admin);
      const list = await admin('GET', '/api/v1/api-keys');
      const agentKey = (list.body.api_keys as { id: string; role: string }[]).find((k) => k.role === 'agent');
      assert.ok(agentKey);
      for (const [name, probe] of Object.entries(probes)) assert.equal((await probe(bearer(keys.agent))).status, successStatus[name], name);
      const revoked = await admin('DELETE', `/api/v1/api-keys/${agentKey.id}`);
      assert.equal(revoked.status, 200);
      assert.ok(revoked.body.revoked_at);
      for (const [name, probe] of Object.entries(probes)) assertRefused(await probe(bearer(keys.agent)), /was revoked/, name);
      assert.equal((await admin('GET', '/api/v1/tasks')).status, 200, 'the other keys of the tenant still work');
    });

    it('an expired key is refused everywhere once its time passes', async () => {
      const { tenant } = await tenantWith();
      const { key } = await app.services.tenancy.issueKey(tenant.id, {
        name: 'short-lived',
        role: 'agent',
        expiresAt: new Date(clock.now().getTime() + 60_000),
      });
      for (const [name, probe] of Object.entries(probes)) assert.equal((await probe(bearer(key))).status, successStatus[name], name);
      clock.advance(61_000);
      for (const [name, probe] of Object.entries(probes)) assertRefused(await probe(bearer(key)), /expired at/, name);
    });

    it('REST refuses an expires_at in the past when creating a key', async () => {
      const { keys } = await tenantWith('admin');
      const response = await restClient(app.apiUrl, keys.admin)('POST', '/api/v1/api-keys', {
        name: 'stale',
        expires_at: new Date(clock.now().getTime() - 1000).toISOString(),
      });
      assert.equal(response.status, 400);
      assert.match(response.body.detail, /expires_at must be in the future/);
    });

    it('a reader can read but not create tasks (REST 403, MCP tool result with isError)', async () => {
      const { keys } = await tenantWith('reader');
      const rest = restClient(app.apiUrl, keys.reader);
      assert.equal((await rest('GET', '/api/v1/tasks')).status, 200);
      const denied = await rest('POST', '/api/v1/tasks', { title: 'not allowed' });
      assert.equal(denied.status, 403);
      assert.match(denied.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal(denied.body.title, 'Forbidden');
      assert.match(denied.body.detail, /needs the "agent" role; your API key has "reader"/);
      assert.equal((await rest('PATCH', '/api/v1/contexts/ses-reader', { set: { a: 1 } })).status, 403);

      const client = await connectSdkHttp(app.mcpUrl, keys.reader);
      try {
        const created = await client.callTool({ name: 'devmesh_task_create', arguments: { title: 'not allowed' } });
        assert.equal(created.isError, true);
        assert.match(JSON.stringify(created.content), /forbidden: Tool devmesh_task_create requires role 'agent'; this API key has role 'reader'/);
        const update = await client.callTool({ name: 'devmesh_context_update', arguments: { set: { a: 1 } } });
        assert.equal(update.isError, true);
        assert.match(JSON.stringify(update.content), /forbidden/);
        const list = await client.callTool({ name: 'devmesh_task_list', arguments: {} });
        assert.equal(list.isError, undefined, 'reading is allowed');
      } finally {
        await client.close();
      }
      assert.equal((await rest('GET', '/api/v1/tasks')).body.tasks.length, 0, 'nothing was created');
    });

    it('an agent can create tasks but cannot manage API keys (403)', async () => {
      const { keys } = await tenantWith('agent', 'admin');
      const agent = restClient(app.apiUrl, keys.agent);
      assert.equal((await agent('POST', '/api/v1/tasks', { title: 'agent work' })).status, 201);
      const keyId = (await restClient(app.apiUrl, keys.admin)('GET', '/api/v1/api-keys')).body.api_keys[0].id as string;
      for (const [method, path, body] of [
        ['GET', '/api/v1/api-keys', undefined],
        ['POST', '/api/v1/api-keys', { name: 'escalate', role: 'admin' }],
        ['DELETE', `/api/v1/api-keys/${keyId}`, undefined],
      ] as const) {
        const response = await agent(method, path, body);
        assert.equal(response.status, 403, `${method} ${path}`);
        assert.match(response.body.detail, /needs the "admin" role; your API key has "agent"/);
      }
      const keysNow = (await restClient(app.apiUrl, keys.admin)('GET', '/api/v1/api-keys')).body.api_keys as { revoked_at: unknown }[];
      assert.equal(keysNow.length, 2, 'no key was created');
      assert.ok(keysNow.every((k) => k.revoked_at === null), 'no key was revoked');
    });

    it('an admin creates a key whose secret is shown once and never listed', async () => {
      const { keys } = await tenantWith('admin');
      const admin = restClient(app.apiUrl, keys.admin);
      const created = await admin('POST', '/api/v1/api-keys', { name: 'ci-bot', role: 'reader' });
      assert.equal(created.status, 201);
      const secret = created.body.key as string;
      assert.match(secret, /^dmk_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.body.role, 'reader');
      assert.equal(created.body.name, 'ci-bot');
      assert.ok(secret.startsWith(created.body.prefix), 'the prefix identifies the key');
      assert.equal((await restClient(app.apiUrl, secret)('GET', '/api/v1/tasks')).status, 200, 'the new key works');

      const list = await admin('GET', '/api/v1/api-keys');
      assert.equal(list.status, 200);
      const text = JSON.stringify(list.body);
      assert.ok(!text.includes(secret), 'the list never contains a secret');
      for (const entry of list.body.api_keys as Record<string, unknown>[]) {
        assert.deepEqual(Object.keys(entry).sort(), ['created_at', 'expires_at', 'id', 'last_used_at', 'name', 'prefix', 'revoked_at', 'role']);
      }
      assert.ok((list.body.api_keys as { id: string }[]).some((k) => k.id === created.body.id));
    });

    it('WebSocket: the key may travel as the devmesh.bearer.<key> subprotocol and the server selects mcp', async () => {
      const { keys } = await tenantWith('agent');
      const refused = await wsHandshake(app.mcpUrl, {}, ['mcp', `devmesh.bearer.${unknownKey()}`]);
      assertRefused(refused, /Unknown API key/, 'unknown key in the subprotocol');
      const client = await openRawWs(app.mcpUrl, { protocols: ['mcp', `devmesh.bearer.${keys.agent}`] });
      try {
        assert.equal(client.ws.protocol, 'mcp', 'the server echoes mcp, never the bearer entry');
        const init = await client.initialize();
        assert.equal((init.result as { serverInfo: { name: string } }).serverInfo.name, 'devmesh');
        const created = await client.request('tools/call', { name: 'devmesh_task_create', arguments: { title: 'over ws' } });
        assert.equal((created.result as { structuredContent: { status: string } }).structuredContent.status, 'queued');
      } finally {
        await client.close();
      }
    });
  });
}
