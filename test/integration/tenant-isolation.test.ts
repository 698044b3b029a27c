import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { connectSdkHttp, openRawWs, restClient } from '../helpers/clients.js';
import { startTestApp, testBackends, type TestApp } from '../helpers/test-app.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const text = (result: Record<string, unknown>) => JSON.stringify(result.content);

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

for (const backend of testBackends()) {
  describe(`tenant isolation (${backend})`, () => {
    let app: TestApp;
    const tenants = {} as Record<'a' | 'b', { id: string; key: string; rest: ReturnType<typeof restClient>; mcp: Client }>;
    // A's data, created in before() and compared with what A sees at the end.
    const sessionA = `ses-a-${randomBytes(4).toString('hex')}`;
    let taskA: Record<string, any>;
    let finishedA: Record<string, any>;
    let agentKeyA: Record<string, any>;
    let snapshot: Record<string, unknown>;

    async function snapshotOfA() {
      const { rest } = tenants.a;
      const keys = (await rest('GET', '/api/v1/api-keys')).body.api_keys as Record<string, unknown>[];
      return {
        task: (await rest('GET', `/api/v1/tasks/${taskA.id}`)).body,
        finished: (await rest('GET', `/api/v1/tasks/${finishedA.id}`)).body,
        events: (await rest('GET', `/api/v1/tasks/${taskA.id}/events`)).body,
        context: (await rest('GET', `/api/v1/contexts/${sessionA}`)).body,
        // last_used_at moves whenever A uses a key; everything else must stay put.
        keys: keys.map(({ last_used_at: _ignored, ...rest }) => rest).sort((x, y) => String(x.id).localeCompare(String(y.id))),
      };
    }

    before(async () => {
      app = await startTestApp(backend);
      for (const name of ['a', 'b'] as const) {
        const { tenant } = await app.services.tenancy.ensureTenant(`t-${name}-${randomBytes(6).toString('hex')}`);
        const { key } = await app.services.tenancy.issueKey(tenant.id, { name: `${name} admin`, role: 'admin' });
        tenants[name] = { id: tenant.id, key, rest: restClient(app.apiUrl, key), mcp: await connectSdkHttp(app.mcpUrl, key) };
      }
      const { rest } = tenants.a;
      taskA = (await rest('POST', '/api/v1/tasks', { title: 'A secret task', type: 'deploy', payload: { secret: 'a-only' } })).body;
      finishedA = (await rest('POST', '/api/v1/tasks', { title: 'A finished task' })).body;
      assert.equal((await rest('POST', `/api/v1/tasks/${finishedA.id}/cancel`, { reason: 'done' })).status, 200);
      assert.equal((await rest('PATCH', `/api/v1/contexts/${sessionA}`, { set: { repo: 'acme/a', token: 'a-only' } })).status, 200);
      agentKeyA = (await rest('POST', '/api/v1/api-keys', { name: 'a agent', role: 'agent' })).body;
      snapshot = await snapshotOfA();
    });
    after(async () => {
      await tenants.a?.mcp.close();
      await tenants.b?.mcp.close();
      await app?.cleanup();
    });

    it('REST: B cannot get, list, read events of or cancel A’s tasks (404 as for an unknown id)', async () => {
      const { rest } = tenants.b;
      for (const id of [taskA.id, finishedA.id]) {
        const got = await rest('GET', `/api/v1/tasks/${id}`);
        assert.equal(got.status, 404);
        const unknown = await rest('GET', '/api/v1/tasks/task_unknown');
        assert.equal(got.body.detail.replace(id, 'ID'), unknown.body.detail.replace('task_unknown', 'ID'), 'same answer as an unknown id');
        assert.equal((await rest('GET', `/api/v1/tasks/${id}/events`)).status, 404);
        assert.equal((await rest('POST', `/api/v1/tasks/${id}/cancel`, {})).status, 404);
      }
      for (const query of ['', '?status=queued,cancelled', '?type=deploy', '?priority=normal&limit=200']) {
        const list = await rest('GET', `/api/v1/tasks${query}`);
        assert.equal(list.status, 200);
        assert.deepEqual(list.body.tasks, [], `B's list${query} is empty`);
      }
    });

    it('REST: B sees an empty context under A’s session id, and its changes stay in B', async () => {
      const { rest } = tenants.b;
      const got = await rest('GET', `/api/v1/contexts/${sessionA}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, { session_id: sessionA, items: {}, updated_at: null });
      assert.deepEqual((await rest('DELETE', `/api/v1/contexts/${sessionA}`)).body, { removed: 0 });
      const patched = await rest('PATCH', `/api/v1/contexts/${sessionA}`, { set: { repo: 'b/b' }, remove: ['token'] });
      assert.equal(patched.status, 200);
      assert.deepEqual(patched.body.items, { repo: 'b/b' });
      assert.deepEqual((await rest('DELETE', `/api/v1/contexts/${sessionA}`)).body, { removed: 1 });
      assert.deepEqual((await tenants.a.rest('GET', `/api/v1/contexts/${sessionA}`)).body.items, { repo: 'acme/a', token: 'a-only' });
    });

    it('REST: B cannot list or revoke A’s API keys', async () => {
      const { rest } = tenants.b;
      const ids = ((await rest('GET', '/api/v1/api-keys')).body.api_keys as { id: string }[]).map((k) => k.id);
      assert.equal(ids.length, 1, 'B lists only its own key');
      assert.ok(!ids.includes(agentKeyA.id));
      const revoke = await rest('DELETE', `/api/v1/api-keys/${agentKeyA.id}`);
      assert.equal(revoke.status, 404);
      assert.match(revoke.body.detail, /No API key/);
      assert.equal((await restClient(app.apiUrl, agentKeyA.key)('GET', '/api/v1/tasks')).status, 200, 'A’s key still works');
    });

    it('MCP tools: B finds none of A’s tasks or context', async () => {
      const { mcp } = tenants.b;
      for (const id of [taskA.id, finishedA.id]) {
        const status = await mcp.callTool({ name: 'devmesh_task_status', arguments: { task_id: id, include_events: true } });
        assert.equal(status.isError, true);
        assert.match(text(status), /not_found: No task with id/);
        const cancel = await mcp.callTool({ name: 'devmesh_task_cancel', arguments: { task_id: id } });
        assert.equal(cancel.isError, true);
        assert.match(text(cancel), /not_found: No task with id/);
      }
      for (const args of [{}, { status: ['queued', 'cancelled'] }, { type: 'deploy' }]) {
        const list = await mcp.callTool({ name: 'devmesh_task_list', arguments: args });
        assert.deepEqual((list.structuredContent as { tasks: unknown[] }).tasks, [], JSON.stringify(args));
      }
      const got = await mcp.callTool({ name: 'devmesh_context_get', arguments: { session_id: sessionA } });
      assert.deepEqual(got.structuredContent, { session_id: sessionA, items: {}, updated_at: null });
      const updated = await mcp.callTool({ name: 'devmesh_context_update', arguments: { session_id: sessionA, set: { b: true }, remove: ['repo'] } });
      assert.deepEqual((updated.structuredContent as { items: unknown }).items, { b: true });
      const read = await mcp.readResource({ uri: `devmesh://context/${sessionA}` });
      assert.deepEqual(JSON.parse((read.contents[0] as { text: string }).text).items, { b: true });
      assert.deepEqual((await tenants.a.rest('GET', `/api/v1/contexts/${sessionA}`)).body.items, { repo: 'acme/a', token: 'a-only' });
      await mcp.callTool({ name: 'devmesh_context_update', arguments: { session_id: sessionA, remove: ['b'] } });
    });

    it('MCP resources: A’s task list reads as not found for B, like an unknown tenant', async () => {
      const errorOf = async (uri: string) => {
        try {
          await tenants.b.mcp.readResource({ uri });
        } catch (error) {
          assert.ok(error instanceof McpError);
          return { code: error.code, message: error.message.replace(uri, 'URI') };
        }
        assert.fail(`reading ${uri} succeeded`);
      };
      const foreign = await errorOf(`devmesh://tasks/${tenants.a.id}`);
      assert.equal(foreign.code, -32002);
      assert.deepEqual(foreign, await errorOf('devmesh://tasks/tnt_does_not_exist'));
      const own = await tenants.b.mcp.readResource({ uri: `devmesh://tasks/${tenants.b.id}` });
      assert.deepEqual(JSON.parse((own.contents[0] as { text: string }).text).tasks, []);
      const listed = (await tenants.b.mcp.listResources()).resources.map((r) => r.uri);
      assert.ok(!listed.some((uri) => uri.includes(tenants.a.id)), 'B is not offered A’s resources');
    });

    it('MCP subscriptions: B gets none of A’s updates, A does', async () => {
      const received = { a: [] as string[], b: [] as string[] };
      for (const name of ['a', 'b'] as const) {
        tenants[name].mcp.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
          received[name].push(n.params.uri);
        });
      }
      const tasksOfA = `devmesh://tasks/${tenants.a.id}`;
      const contextOfA = `devmesh://context/${sessionA}`;
      // Subscribing to a foreign URI answers as for an unknown one (no hint), but must deliver nothing.
      for (const uri of [tasksOfA, contextOfA, `devmesh://tasks/${tenants.b.id}`]) await tenants.b.mcp.subscribeResource({ uri });
      await tenants.b.mcp.subscribeResource({ uri: 'devmesh://tasks/tnt_does_not_exist' });
      for (const uri of [tasksOfA, contextOfA]) await tenants.a.mcp.subscribeResource({ uri });

      assert.equal((await tenants.a.rest('POST', '/api/v1/tasks', { title: 'A again' })).status, 201);
      await tenants.a.mcp.callTool({ name: 'devmesh_task_create', arguments: { title: 'A over MCP' } });
      await tenants.a.rest('PATCH', `/api/v1/contexts/${sessionA}`, { set: { step: 1 } });
      await tenants.a.rest('PATCH', `/api/v1/contexts/${sessionA}`, { remove: ['step'] });
      await waitUntil(() => received.a.includes(tasksOfA) && received.a.includes(contextOfA), 'A is notified');
      await sleep(300);
      assert.deepEqual(received.b, [], 'B received nothing');

      // B's own changes reach B: the subscription itself works.
      await tenants.b.rest('POST', '/api/v1/tasks', { title: 'B task' });
      await waitUntil(() => received.b.includes(`devmesh://tasks/${tenants.b.id}`), 'B is notified of its own task');
      assert.ok(!received.a.includes(`devmesh://tasks/${tenants.b.id}`));
      assert.deepEqual(received.b.filter((uri) => uri !== `devmesh://tasks/${tenants.b.id}`), []);
      await tenants.b.rest('POST', `/api/v1/tasks/${(await tenants.b.rest('GET', '/api/v1/tasks')).body.tasks[0].id}/cancel`, {});
    });

    it('MCP sessions: B cannot resume or use A’s session id', async () => {
      const sessionId = (tenants.a.mcp.transport as StreamableHTTPClientTransport | undefined)?.sessionId;
      assert.ok(sessionId, 'A has a Streamable HTTP session');
      await assert.rejects(openRawWs(app.mcpUrl, { key: tenants.b.key, headers: { 'mcp-session-id': sessionId } }), { statusCode: 404 });
      await assert.rejects(openRawWs(app.mcpUrl, { key: tenants.b.key, query: `?session_id=${sessionId}` }), { statusCode: 404 });
      const own = await openRawWs(app.mcpUrl, { key: tenants.a.key, headers: { 'mcp-session-id': sessionId } });
      assert.equal(own.sessionId, sessionId, 'A itself may resume it');
      await own.close();

      const posted = await fetch(`${app.mcpUrl}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${tenants.b.key}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': sessionId,
          'mcp-protocol-version': '2025-06-18',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'devmesh_context_get', arguments: {} } }),
      });
      assert.equal(posted.status, 404);
      assert.match(((await posted.json()) as { detail: string }).detail, /not found or expired/);
      const deleted = await fetch(`${app.mcpUrl}/mcp`, { method: 'DELETE', headers: { authorization: `Bearer ${tenants.b.key}`, 'mcp-session-id': sessionId } });
      assert.equal(deleted.status, 404);
      const stillAlive = await tenants.a.mcp.callTool({ name: 'devmesh_task_status', arguments: { task_id: taskA.id } });
      assert.equal(stillAlive.isError, undefined, 'A’s session survived B’s DELETE');
    });

    it('A’s data is unchanged after all of it', async () => {
      assert.deepEqual(await snapshotOfA(), snapshot);
      assert.equal(snapshot.task && (snapshot.task as { status: string }).status, 'queued');
      assert.deepEqual((snapshot.context as { items: unknown }).items, { repo: 'acme/a', token: 'a-only' });
    });
  });
}
