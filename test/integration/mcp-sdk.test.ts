import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { connectSdkHttp, connectSdkWs, restClient } from '../helpers/clients.js';
import { startTestApp, testBackends, type TestApp } from '../helpers/test-app.js';

const transports = { 'Streamable HTTP': connectSdkHttp, WebSocket: connectSdkWs };

for (const backend of testBackends()) {
  for (const [transportName, connect] of Object.entries(transports)) {
    describe(`official MCP SDK client over ${transportName} (${backend})`, () => {
      let app: TestApp;
      let client: Client;
      before(async () => {
        app = await startTestApp(backend);
        client = await connect(app.mcpUrl, app.key);
      });
      after(async () => {
        await client?.close();
        await app?.cleanup();
      });

      it('negotiates 2025-06-18 and lists every DevMesh tool with input and output schemas', async () => {
        assert.equal(client.getServerVersion()?.name, 'devmesh');
        const { tools } = await client.listTools();
        const names = tools.map((t) => t.name).sort();
        for (const name of ['devmesh_context_get', 'devmesh_context_update', 'devmesh_task_cancel', 'devmesh_task_create', 'devmesh_task_list', 'devmesh_task_status']) {
          assert.ok(names.includes(name), `missing ${name}`);
        }
        for (const tool of tools) {
          assert.match(tool.name, /^[a-zA-Z0-9_-]{1,64}$/);
          assert.equal(tool.inputSchema.type, 'object');
          assert.equal(tool.outputSchema?.type, 'object', `${tool.name} has an outputSchema`);
          assert.ok(tool.description);
        }
      });

      it('creates, reads, lists and cancels a task with structured results', async () => {
        const created = await client.callTool({
          name: 'devmesh_task_create',
          arguments: { title: 'Review PR #42', priority: 'high', required_capabilities: ['code-review'], payload: { pr: 42 } },
        });
        assert.equal(created.isError, undefined);
        const task = created.structuredContent as { id: string; status: string; priority: string; payload: unknown };
        assert.equal(task.status, 'queued');
        assert.equal(task.priority, 'high');
        assert.deepEqual(task.payload, { pr: 42 });
        const text = (created.content as { type: string; text: string }[])[0];
        assert.deepEqual(JSON.parse(text?.text ?? ''), task, 'text content carries the same JSON');

        const status = await client.callTool({ name: 'devmesh_task_status', arguments: { task_id: task.id, include_events: true } });
        const withEvents = status.structuredContent as { id: string; events: { to_status: string }[] };
        assert.equal(withEvents.id, task.id);
        assert.deepEqual(withEvents.events.map((e) => e.to_status), ['queued']);

        const list = await client.callTool({ name: 'devmesh_task_list', arguments: { status: ['queued'], limit: 10 } });
        const ids = (list.structuredContent as { tasks: { id: string }[] }).tasks.map((t) => t.id);
        assert.ok(ids.includes(task.id));

        const cancelled = await client.callTool({ name: 'devmesh.task.cancel', arguments: { task_id: task.id, reason: 'duplicate' } });
        assert.equal((cancelled.structuredContent as { status: string }).status, 'cancelled');
        const again = await client.callTool({ name: 'devmesh_task_cancel', arguments: { task_id: task.id } });
        assert.equal(again.isError, true);
        assert.match(JSON.stringify(again.content), /already cancelled/);
      });

      it('makes devmesh_task_create safe to retry with an idempotency_key', async () => {
        const args = { title: 'Rotate the TLS certificate', required_capabilities: ['pki'], idempotency_key: `rotate-${backend}-1` };
        const first = (await client.callTool({ name: 'devmesh_task_create', arguments: args })).structuredContent as { id: string; idempotency_key: string };
        const retried = (await client.callTool({ name: 'devmesh_task_create', arguments: args })).structuredContent as { id: string };
        assert.equal(retried.id, first.id);
        assert.equal(first.idempotency_key, args.idempotency_key);
        const reused = await client.callTool({ name: 'devmesh_task_create', arguments: { ...args, title: 'Something else' } });
        assert.equal(reused.isError, true);
        assert.match(JSON.stringify(reused.content), new RegExp(`already used to create task ${first.id}`));
      });

      it('reports tool validation and not-found errors as tool results an agent can act on', async () => {
        const invalid = await client.callTool({ name: 'devmesh_task_create', arguments: { title: 'x', priority: 'urgent' } });
        assert.equal(invalid.isError, true);
        assert.match(JSON.stringify(invalid.content), /priority/);
        const missing = await client.callTool({ name: 'devmesh_task_status', arguments: { task_id: 'task_nope' } });
        assert.equal(missing.isError, true);
        assert.match(JSON.stringify(missing.content), /No task with id/);
      });

      it('keeps session context and reads it back as a resource', async () => {
        const updated = await client.callTool({
          name: 'devmesh_context_update',
          arguments: { set: { repo: 'acme/api', step: 2 }, remove: [] },
        });
        const view = updated.structuredContent as { session_id: string; items: Record<string, unknown> };
        assert.deepEqual(view.items, { repo: 'acme/api', step: 2 });
        const read = await client.readResource({ uri: `devmesh://context/${view.session_id}` });
        const contents = read.contents[0] as { text: string };
        assert.deepEqual(JSON.parse(contents.text).items, { repo: 'acme/api', step: 2 });
      });

      it('lists resources and templates and reads system health', async () => {
        const { resources } = await client.listResources();
        assert.ok(resources.some((r) => r.uri === 'devmesh://system/health'));
        const { resourceTemplates } = await client.listResourceTemplates();
        const templates = resourceTemplates.map((t) => t.uriTemplate);
        assert.ok(templates.includes('devmesh://tasks/{tenant_id}'));
        assert.ok(templates.includes('devmesh://context/{session_id}'));
        const health = await client.readResource({ uri: 'devmesh://system/health' });
        const body = JSON.parse((health.contents[0] as { text: string }).text) as { status: string };
        assert.equal(body.status, 'ready');
      });

      it('notifies a subscriber when a task changes through REST', async () => {
        const tenantId = (await restClient(app.apiUrl, app.key)('GET', '/api/v1/tasks?limit=1')).body.tasks[0]?.tenant_id as string;
        const uri = `devmesh://tasks/${tenantId}`;
        const updates: string[] = [];
        client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
          updates.push(n.params.uri);
        });
        await client.subscribeResource({ uri });
        const created = await restClient(app.apiUrl, app.key)('POST', '/api/v1/tasks', { title: 'from REST' });
        assert.equal(created.status, 201);
        const deadline = Date.now() + 5000;
        while (!updates.includes(uri) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.ok(updates.includes(uri), 'resources/updated arrived');
        await client.unsubscribeResource({ uri });
      });
    });
  }
}
