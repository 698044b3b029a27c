import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { connectSdkHttp, restClient } from '../helpers/clients.js';
import { startTestApp, testBackends, type TestApp } from '../helpers/test-app.js';

type Rest = ReturnType<typeof restClient>;

function assertProblem(response: Awaited<ReturnType<Rest>>, status: number, detail: RegExp) {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(response.body.status, status);
  assert.equal(typeof response.body.type, 'string');
  assert.equal(typeof response.body.title, 'string');
  assert.match(response.body.detail, detail);
}

/** The value of the first sample of `name` whose labels include all of `labels`, or undefined. */
function sample(metrics: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return undefined;
}

const expectedOperations = [
  ['post', '/api/v1/tasks', 'createTask'],
  ['get', '/api/v1/tasks', 'listTasks'],
  ['get', '/api/v1/tasks/{task_id}', 'getTask'],
  ['get', '/api/v1/tasks/{task_id}/events', 'listTaskEvents'],
  ['post', '/api/v1/tasks/{task_id}/cancel', 'cancelTask'],
  ['get', '/api/v1/contexts/{session_id}', 'getContext'],
  ['patch', '/api/v1/contexts/{session_id}', 'updateContext'],
  ['delete', '/api/v1/contexts/{session_id}', 'clearContext'],
  ['get', '/api/v1/api-keys', 'listApiKeys'],
  ['post', '/api/v1/api-keys', 'createApiKey'],
  ['delete', '/api/v1/api-keys/{key_id}', 'revokeApiKey'],
  ['get', '/api/v1/agents', 'listAgents'],
  ['get', '/api/v1/agents/{agent_id}', 'getAgent'],
  ['patch', '/api/v1/agents/{agent_id}', 'updateAgent'],
  ['delete', '/api/v1/agents/{agent_id}', 'deleteAgent'],
  ['get', '/api/v1/settings', 'getSettings'],
  ['patch', '/api/v1/settings', 'updateSettings'],
  ['get', '/api/v1/workflows', 'listWorkflows'],
  ['post', '/api/v1/workflows', 'createWorkflow'],
  ['get', '/api/v1/workflows/{workflow_id}', 'getWorkflow'],
  ['get', '/api/v1/workflows/{workflow_id}/runs', 'listWorkflowRuns'],
  ['post', '/api/v1/workflows/{workflow_id}/runs', 'executeWorkflow'],
  ['get', '/api/v1/workflow-runs/{run_id}', 'getWorkflowRun'],
  ['post', '/api/v1/workflow-runs/{run_id}/cancel', 'cancelWorkflowRun'],
  ['post', '/api/v1/webhooks', 'createWebhook'],
  ['get', '/api/v1/webhooks', 'listWebhooks'],
  ['get', '/api/v1/webhooks/{webhook_id}', 'getWebhook'],
  ['delete', '/api/v1/webhooks/{webhook_id}', 'deleteWebhook'],
  ['get', '/api/v1/webhooks/{webhook_id}/deliveries', 'listWebhookDeliveries'],
  ['post', '/api/v1/event-rules', 'createEventRule'],
  ['get', '/api/v1/event-rules', 'listEventRules'],
  ['get', '/api/v1/event-rules/{rule_id}', 'getEventRule'],
  ['delete', '/api/v1/event-rules/{rule_id}', 'deleteEventRule'],
] as const;

for (const backend of testBackends()) {
  describe(`REST API (${backend})`, () => {
    let app: TestApp;

    /** A REST client for a fresh tenant of the test's own, so lists hold only the test's tasks. */
    async function freshTenant(): Promise<Rest> {
      const { tenant } = await app.services.tenancy.ensureTenant(`t-${randomBytes(6).toString('hex')}`);
      return restClient(app.apiUrl, (await app.services.tenancy.issueKey(tenant.id, { name: 'admin', role: 'admin' })).key);
    }

    before(async () => {
      app = await startTestApp(backend);
    });
    after(async () => {
      await app?.cleanup();
    });

    it('creates a task (201 with defaults) and gets it', async () => {
      const rest = await freshTenant();
      const created = await rest('POST', '/api/v1/tasks', { title: '  Rotate certificates  ' });
      assert.equal(created.status, 201);
      const { id, tenant_id, created_at, updated_at, ...rest1 } = created.body;
      assert.match(id, /^task_/);
      assert.match(tenant_id, /^tnt_/);
      assert.ok(!Number.isNaN(Date.parse(created_at)) && created_at === updated_at);
      assert.deepEqual(rest1, {
        title: 'Rotate certificates',
        description: '',
        type: 'general',
        priority: 'normal',
        status: 'queued',
        required_capabilities: [],
        payload: null,
        result: null,
        error: null,
        session_id: null,
        assigned_agent_id: null,
        attempts: 0,
        max_attempts: 3,
        strategy: null,
        max_cost: null,
        deadline: null,
        accept_timeout_ms: 30000,
        execution_timeout_ms: null,
        progress: null,
        assignment: null,
        previous_agent_ids: [],
        workflow_run_id: null,
        workflow_step: null,
        idempotency_key: null,
        assigned_at: null,
        version: 1,
      });
      const got = await rest('GET', `/api/v1/tasks/${id}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, created.body);
      assertProblem(await rest('GET', '/api/v1/tasks/task_missing'), 404, /No task with id "task_missing"/);
    });

    it('creates once per Idempotency-Key (header or body); a different request with the key is 409', async () => {
      const rest = await freshTenant();
      const body = { title: 'Restart ingress', priority: 'high', payload: { b: 1, a: [1, 2] } };
      const first = await rest('POST', '/api/v1/tasks', body, { 'idempotency-key': 'restart-ingress-1' });
      assert.equal(first.status, 201);
      assert.equal(first.body.idempotency_key, 'restart-ingress-1');
      // The same request again (keys in another order, the key in the body): the same task.
      const again = await rest('POST', '/api/v1/tasks', { payload: { a: [1, 2], b: 1 }, priority: 'high', title: 'Restart ingress', idempotency_key: 'restart-ingress-1' });
      assert.equal(again.status, 201);
      assert.deepEqual(again.body, first.body);
      assert.equal((await rest('GET', '/api/v1/tasks?limit=10')).body.tasks.length, 1);
      assertProblem(
        await rest('POST', '/api/v1/tasks', { ...body, priority: 'low' }, { 'idempotency-key': 'restart-ingress-1' }),
        409,
        new RegExp(`already used to create task ${first.body.id}`),
      );
      assertProblem(
        await rest('POST', '/api/v1/tasks', { ...body, idempotency_key: 'a' }, { 'idempotency-key': 'b' }),
        400,
        /Idempotency-Key header and the body field idempotency_key differ/,
      );
      assertProblem(await rest('POST', '/api/v1/tasks', body, { 'idempotency-key': 'has space' }), 400, /idempotency-key/);
      // Another tenant's key space is its own.
      const other = await freshTenant();
      const elsewhere = await other('POST', '/api/v1/tasks', body, { 'idempotency-key': 'restart-ingress-1' });
      assert.equal(elsewhere.status, 201);
      assert.notEqual(elsewhere.body.id, first.body.id);
    });

    it('lists with status and priority comma lists', async () => {
      const rest = await freshTenant();
      const ids: Record<string, string> = {};
      for (const priority of ['low', 'normal', 'high', 'critical']) {
        ids[priority] = (await rest('POST', '/api/v1/tasks', { title: priority, priority })).body.id;
      }
      await rest('POST', `/api/v1/tasks/${ids.high}/cancel`, {});
      await rest('POST', `/api/v1/tasks/${ids.low}/cancel`, {});
      const titles = async (query: string) => {
        const response = await rest('GET', `/api/v1/tasks${query}`);
        assert.equal(response.status, 200, JSON.stringify(response.body));
        return (response.body.tasks as { title: string }[]).map((t) => t.title).sort();
      };
      assert.deepEqual(await titles(''), ['critical', 'high', 'low', 'normal']);
      assert.deepEqual(await titles('?status=queued'), ['critical', 'normal']);
      assert.deepEqual(await titles('?status=queued,cancelled'), ['critical', 'high', 'low', 'normal']);
      assert.deepEqual(await titles('?priority=high,critical'), ['critical', 'high']);
      assert.deepEqual(await titles('?status=cancelled&priority=high,critical'), ['high']);
      assert.deepEqual(await titles('?status=completed'), []);
      assertProblem(await rest('GET', '/api/v1/tasks?status=queued,sleeping'), 400, /status/);
      assertProblem(await rest('GET', '/api/v1/tasks?priority=urgent'), 400, /priority/);
      assertProblem(await rest('GET', '/api/v1/tasks?colour=red'), 400, /colour/);
    });

    it('pages with a cursor: no duplicates, no gaps, null cursor at the end', async () => {
      const rest = await freshTenant();
      const all: string[] = [];
      for (let i = 0; i < 7; i++) all.push((await rest('POST', '/api/v1/tasks', { title: `task ${i}` })).body.id);
      const seen: string[] = [];
      const pages: number[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<Rest>> = await rest('GET', `/api/v1/tasks?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(page.status, 200);
        pages.push(page.body.tasks.length);
        seen.push(...(page.body.tasks as { id: string }[]).map((t) => t.id));
        cursor = page.body.next_cursor as string | null;
      } while (cursor && pages.length < 10);
      assert.deepEqual(pages, [3, 3, 1]);
      assert.equal(new Set(seen).size, 7, 'no duplicates');
      assert.deepEqual([...seen].sort(), [...all].sort(), 'no gaps');
      assert.deepEqual(seen, [...all].reverse(), 'newest first');
      const exact = await rest('GET', '/api/v1/tasks?limit=7');
      assert.equal(exact.body.next_cursor, null, 'a page that ends exactly at the last task has no cursor');

      const garbage = await rest('GET', '/api/v1/tasks?limit=3&cursor=garbage');
      assertProblem(garbage, 400, /cursor/);
      assert.equal(garbage.body.field, 'cursor');
      const wellFormedButWrong = Buffer.from(JSON.stringify({ x: 1 })).toString('base64url');
      assertProblem(await rest('GET', `/api/v1/tasks?cursor=${wellFormedButWrong}`), 400, /cursor/);
      assertProblem(await rest('GET', '/api/v1/tasks?limit=0'), 400, /limit/);
    });

    it('records events and cancels; cancelling a finished task is 409', async () => {
      const rest = await freshTenant();
      const { id } = (await rest('POST', '/api/v1/tasks', { title: 'to cancel' })).body;
      const before = await rest('GET', `/api/v1/tasks/${id}/events`);
      assert.equal(before.status, 200);
      assert.deepEqual(before.body.events.map((e: { from_status: unknown; to_status: string }) => [e.from_status, e.to_status]), [[null, 'queued']]);
      const cancelled = await rest('POST', `/api/v1/tasks/${id}/cancel`, { reason: 'duplicate' });
      assert.equal(cancelled.status, 200);
      assert.equal(cancelled.body.status, 'cancelled');
      assert.equal(cancelled.body.version, 2);
      const events = (await rest('GET', `/api/v1/tasks/${id}/events`)).body.events as Record<string, unknown>[];
      assert.deepEqual(events.map((e) => [e.from_status, e.to_status, e.reason]), [[null, 'queued', 'created'], ['queued', 'cancelled', 'duplicate']]);
      assert.match(String(events[1]?.actor), /^key:key_/);
      const again = await rest('POST', `/api/v1/tasks/${id}/cancel`);
      assertProblem(again, 409, /already cancelled/);
      assert.equal(again.body.task_id, id);
      assertProblem(await rest('POST', '/api/v1/tasks/task_missing/cancel', {}), 404, /No task/);
      assertProblem(await rest('GET', '/api/v1/tasks/task_missing/events'), 404, /No task/);
    });

    it('answers bad requests with problem JSON: unknown route, bad JSON, unknown field, oversized body', async () => {
      const rest = await freshTenant();
      assertProblem(await rest('GET', '/api/v1/nothing-here'), 404, /No route GET \/api\/v1\/nothing-here/);
      assertProblem(await rest('PUT', '/api/v1/tasks'), 404, /No route PUT/);
      assertProblem(await rest('POST', '/api/v1/tasks', '{"title": "unterminated'), 400, /JSON/);
      const unknown = await rest('POST', '/api/v1/tasks', { title: 'x', colour: 'red' });
      assertProblem(unknown, 400, /colour/);
      assertProblem(await rest('POST', '/api/v1/tasks', { priority: 'urgent' }), 400, /title.*priority|priority.*title/);
      assertProblem(await rest('POST', '/api/v1/tasks/x/cancel', { reason: 'r', force: true }), 400, /force/);
      const huge = await rest('POST', '/api/v1/tasks', { title: 'big', description: 'a'.repeat(app.config.maxFrameBytes + 1) });
      assertProblem(huge, 413, /too large/);
      assert.deepEqual((await rest('GET', '/api/v1/tasks')).body.tasks, [], 'nothing was created');
    });

    it('reads, patches and clears a context', async () => {
      const rest = await freshTenant();
      const session = `ses-${randomBytes(4).toString('hex')}`;
      assert.deepEqual((await rest('GET', `/api/v1/contexts/${session}`)).body, { session_id: session, items: {}, updated_at: null });
      const first = await rest('PATCH', `/api/v1/contexts/${session}`, { set: { repo: 'acme/api', plan: { steps: [1, 2] } } });
      assert.equal(first.status, 200);
      assert.deepEqual(first.body.items, { repo: 'acme/api', plan: { steps: [1, 2] } });
      assert.ok(first.body.updated_at);
      const second = await rest('PATCH', `/api/v1/contexts/${session}`, { set: { step: 3 }, remove: ['plan'] });
      assert.deepEqual(second.body.items, { repo: 'acme/api', step: 3 });
      assert.deepEqual((await rest('GET', `/api/v1/contexts/${session}`)).body.items, { repo: 'acme/api', step: 3 });
      assertProblem(await rest('PATCH', `/api/v1/contexts/${session}`, { put: {} }), 400, /put/);
      assertProblem(await rest('GET', '/api/v1/contexts/bad%20id!'), 400, /session_id/);
      assert.deepEqual((await rest('DELETE', `/api/v1/contexts/${session}`)).body, { removed: 2 });
      assert.deepEqual((await rest('GET', `/api/v1/contexts/${session}`)).body.items, {});
    });

    it('serves an OpenAPI 3.1 document describing every route, without a key', async () => {
      const response = await fetch(`${app.apiUrl}/api/v1/openapi.json`);
      assert.equal(response.status, 200);
      const doc = (await response.json()) as Record<string, any>;
      assert.match(doc.openapi, /^3\.1\./);
      assert.equal(typeof doc.info.title, 'string');
      assert.equal(typeof doc.info.version, 'string');
      const operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
        Object.entries(item).map(([method, op]) => ({ path, method, op })),
      );
      assert.deepEqual(
        operations.map((o) => `${o.method} ${o.path} ${o.op.operationId}`).sort(),
        expectedOperations.map(([method, path, id]) => `${method} ${path} ${id}`).sort(),
        'exactly the routes the server has',
      );
      assert.equal(new Set(operations.map((o) => o.op.operationId)).size, operations.length, 'operationIds are unique');
      const resolve = (ref: string) => ref.replace(/^#\//, '').split('/').reduce<any>((node, part) => node?.[part], doc);
      for (const { path, method, op } of operations) {
        const where = `${method} ${path}`;
        assert.ok(['get', 'post', 'patch', 'put', 'delete'].includes(method), where);
        for (const name of [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])) {
          const param = (op.parameters ?? []).find((p: { name: string; in: string }) => p.name === name && p.in === 'path');
          assert.ok(param?.required === true && param.schema, `${where} declares path parameter ${name}`);
        }
        const codes = Object.keys(op.responses);
        assert.ok(codes.some((c) => /^2\d\d$/.test(c)), `${where} has a success response`);
        assert.ok(codes.includes('401'), `${where} documents 401`);
        for (const [code, res] of Object.entries(op.responses as Record<string, any>)) {
          assert.equal(typeof res.description, 'string', `${where} ${code} has a description`);
          for (const media of Object.values((res.content ?? {}) as Record<string, { schema: Record<string, string> }>)) {
            if (media.schema.$ref) assert.ok(resolve(media.schema.$ref), `${where} ${code}: ${media.schema.$ref} resolves`);
          }
        }
        if (method === 'post' || method === 'patch') assert.ok(op.requestBody?.content?.['application/json']?.schema, `${where} has a body schema`);
      }
      const createBody = doc.paths['/api/v1/tasks'].post.requestBody.content['application/json'].schema;
      assert.deepEqual(createBody.required, ['title']);
      assert.equal(createBody.additionalProperties, false);
      const listParams = (doc.paths['/api/v1/tasks'].get.parameters as { name: string; in: string }[]).map((p) => `${p.in}:${p.name}`);
      for (const name of ['status', 'priority', 'limit', 'cursor']) assert.ok(listParams.includes(`query:${name}`), `list documents ${name}`);
      for (const scheme of Object.keys(doc.components.securitySchemes)) assert.ok(doc.security.some((s: object) => scheme in s));
    });

    it('serves /health, /health/ready and /metrics on both ports', async () => {
      const rest = await freshTenant();
      assert.equal((await rest('POST', '/api/v1/tasks', { title: 'counted' })).status, 201);
      const tenantId = (await rest('GET', '/api/v1/tasks')).body.tasks[0].tenant_id as string;
      const client = await connectSdkHttp(app.mcpUrl, app.key);
      try {
        await client.listTools();
        for (const [port, base] of [['mcp', app.mcpUrl], ['api', app.apiUrl]] as const) {
          const live = await fetch(`${base}/health`);
          assert.equal(live.status, 200, port);
          const liveBody = (await live.json()) as Record<string, unknown>;
          assert.equal(liveBody.status, 'ok');
          assert.equal(typeof liveBody.version, 'string');
          const ready = await fetch(`${base}/health/ready`);
          assert.equal(ready.status, 200, port);
          const readyBody = (await ready.json()) as { status: string; backends: { database: string } };
          assert.equal(readyBody.status, 'ready');
          assert.match(readyBody.backends.database, backend === 'embedded' ? /^pglite/ : /^postgres/);

          const metrics = await fetch(`${base}/metrics`);
          assert.equal(metrics.status, 200, port);
          assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
          const text = await metrics.text();
          for (const name of ['devmesh_mcp_requests_total', 'devmesh_tasks', 'devmesh_http_requests_total', 'devmesh_mcp_connections']) {
            assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `${port} /metrics has ${name}`);
          }
          assert.ok((sample(text, 'devmesh_mcp_requests_total', { method: 'tools/list', outcome: 'ok' }) ?? 0) >= 1, `${port}: rpc counted`);
          assert.ok((sample(text, 'devmesh_mcp_connections', { transport: 'http' }) ?? 0) >= 1, `${port}: open session counted`);
          assert.equal(sample(text, 'devmesh_tasks', { tenant: tenantId, status: 'queued' }), 1, `${port}: task gauge`);
          assert.ok((sample(text, 'devmesh_http_requests_total', { route: '/api/v1/tasks', method: 'POST', status: '201' }) ?? 0) >= 1, `${port}: http counted`);
        }
      } finally {
        await client.close();
      }
    });
  });
}
