import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { completeEverything, eventually, startAgent } from '../helpers/agents.js';
import { restClient } from '../helpers/clients.js';
import { startTestApp, testBackends, type TestApp } from '../helpers/test-app.js';
import { alert, notification, prOpened, reviewRule, sign } from '../webhooks/fixtures.js';

type Rest = ReturnType<typeof restClient>;
type Json = Record<string, any>;

for (const backend of testBackends()) {
  describe(`webhooks (${backend})`, () => {
    let app: TestApp;

    async function freshTenant(role: 'admin' | 'reader' | 'agent' = 'admin') {
      const { tenant } = await app.services.tenancy.ensureTenant(`t-${randomBytes(6).toString('hex')}`);
      const admin = (await app.services.tenancy.issueKey(tenant.id, { name: 'admin', role: 'admin' })).key;
      const other = (await app.services.tenancy.issueKey(tenant.id, { name: role, role })).key;
      return { tenantId: tenant.id, admin: restClient(app.apiUrl, admin), as: restClient(app.apiUrl, other), agentKey: other };
    }

    async function createEndpoint(rest: Rest, body: Json): Promise<Json> {
      const created = await rest('POST', '/api/v1/webhooks', body);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body;
    }

    /** A GitHub endpoint with the review rule. */
    async function githubSetup() {
      const tenant = await freshTenant();
      const endpoint = await createEndpoint(tenant.admin, { source: 'github', name: 'acme/api' });
      assert.equal((await tenant.admin('POST', '/api/v1/event-rules', reviewRule)).status, 201);
      return { ...tenant, endpoint };
    }

    function postGithub(endpoint: Json, options: { event?: string; delivery?: string; body?: string; signature?: string | null; headers?: Record<string, string> }) {
      const body = options.body ?? JSON.stringify(prOpened(1));
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'user-agent': 'GitHub-Hookshot/test',
        ...(options.event !== undefined ? { 'x-github-event': options.event } : { 'x-github-event': 'pull_request' }),
        ...(options.delivery !== undefined ? { 'x-github-delivery': options.delivery } : { 'x-github-delivery': randomUUID() }),
        ...(options.signature === null ? {} : { 'x-hub-signature-256': options.signature ?? sign(endpoint.secret, body) }),
        ...options.headers,
      };
      return restClient(app.apiUrl)('POST', endpoint.url_path, body, headers);
    }

    const postAlerts = (endpoint: Json, payload: unknown, secret: string | null = endpoint.secret) =>
      restClient(app.apiUrl)('POST', endpoint.url_path, payload, secret === null ? {} : { authorization: `Bearer ${secret}` });

    const deliveries = async (rest: Rest, endpoint: Json): Promise<Json[]> => {
      const listed = await rest('GET', `/api/v1/webhooks/${endpoint.id}/deliveries`);
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      return listed.body.deliveries;
    };
    const allProcessed = (rest: Rest, endpoint: Json, count: number) =>
      eventually(async () => {
        const list = await deliveries(rest, endpoint);
        return list.length === count && list.every((d) => d.status === 'processed') && list;
      }, 10_000, `${count} processed deliveries`);
    const tasksOf = async (rest: Rest, query = ''): Promise<Json[]> => (await rest('GET', `/api/v1/tasks?limit=200${query}`)).body.tasks;

    before(async () => {
      app = await startTestApp(backend);
    });
    after(async () => {
      await app?.cleanup();
    });

    describe('managing endpoints and rules', () => {
      it('creates an endpoint whose secret is shown once; lists and deletes it', async () => {
        const { admin } = await freshTenant();
        const created = await createEndpoint(admin, { source: 'github', name: 'repo hooks' });
        assert.match(created.id, /^whk_/);
        assert.equal(created.url_path, `/api/webhooks/github/${created.id}`);
        assert.ok(typeof created.secret === 'string' && created.secret.length >= 32);
        const chosen = await createEndpoint(admin, { source: 'alertmanager', name: 'prod', secret: 'my-own-secret-value-1234' });
        assert.equal(chosen.secret, 'my-own-secret-value-1234');
        const listed = await admin('GET', '/api/v1/webhooks');
        assert.deepEqual(listed.body.webhooks.map((w: Json) => w.id), [created.id, chosen.id]);
        assert.ok(!JSON.stringify(listed.body).includes(created.secret), 'secrets are never listed');
        assert.ok(!('secret' in (await admin('GET', `/api/v1/webhooks/${created.id}`)).body));
        assert.equal((await admin('POST', '/api/v1/webhooks', { source: 'github', name: 'repo hooks' })).status, 409);
        assert.equal((await admin('DELETE', `/api/v1/webhooks/${created.id}`)).status, 204);
        assert.equal((await admin('GET', `/api/v1/webhooks/${created.id}`)).status, 404);
        assert.equal((await postGithub(created, {})).status, 404, 'a deleted endpoint receives nothing');
      });

      it('validates bodies: 400 naming the field', async () => {
        const { admin } = await freshTenant();
        const cases: [string, Json, RegExp][] = [
          ['/api/v1/webhooks', { source: 'gitlab', name: 'x' }, /source/],
          ['/api/v1/webhooks', { source: 'github', name: 'x', secret: 'short' }, /secret/],
          ['/api/v1/webhooks', { source: 'github', name: 'x', capability_rules: [] }, /capability_rules/],
          ['/api/v1/webhooks', { source: 'alertmanager', name: 'x', capability_rules: [{ match: { 'bad-label': 'x' }, capabilities: ['a'] }] }, /capability_rules/],
          ['/api/v1/event-rules', { ...reviewRule, source: 'alertmanager' }, /event/],
          ['/api/v1/event-rules', { ...reviewRule, task: { description: 'no title' } }, /task\.title/],
          ['/api/v1/event-rules', { ...reviewRule, filter: { 'a..b': 1 } }, /filter/],
        ];
        for (const [path, body, field] of cases) {
          const response = await admin('POST', path, body);
          assert.equal(response.status, 400, `${path} ${JSON.stringify(body)}`);
          assert.match(response.body.detail, field);
        }
      });

      it('readers read endpoints and rules but cannot change them', async () => {
        const { admin, as: reader } = await freshTenant('reader');
        const endpoint = await createEndpoint(admin, { source: 'github', name: 'hooks' });
        const rule = (await admin('POST', '/api/v1/event-rules', reviewRule)).body;
        assert.equal((await reader('GET', '/api/v1/webhooks')).status, 200);
        assert.deepEqual((await reader('GET', '/api/v1/event-rules')).body.event_rules.map((r: Json) => r.id), [rule.id]);
        assert.deepEqual((await reader('GET', `/api/v1/event-rules/${rule.id}`)).body, rule);
        assert.equal((await reader('POST', '/api/v1/webhooks', { source: 'github', name: 'mine' })).status, 403);
        assert.equal((await reader('DELETE', `/api/v1/webhooks/${endpoint.id}`)).status, 403);
        assert.equal((await reader('POST', '/api/v1/event-rules', { ...reviewRule, name: 'other' })).status, 403);
        assert.equal((await reader('DELETE', `/api/v1/event-rules/${rule.id}`)).status, 403);
        assert.equal((await admin('DELETE', `/api/v1/event-rules/${rule.id}`)).status, 204);
        assert.equal((await admin('DELETE', `/api/v1/event-rules/${rule.id}`)).status, 404);
      });

      it('the ingress needs no API key, and an API key does not replace the signature', async () => {
        const { endpoint, admin } = await githubSetup();
        const body = JSON.stringify(prOpened(3));
        const withKeyOnly = await restClient(app.apiUrl, 'dmk_not_a_real_key')('POST', endpoint.url_path, body, {
          'x-github-event': 'pull_request', 'x-github-delivery': randomUUID(),
        });
        assert.equal(withKeyOnly.status, 401);
        assert.deepEqual(await deliveries(admin, endpoint), []);
      });
    });

    describe('GitHub', () => {
      it('a signed pull_request "opened" creates the code review task of the rule', async () => {
        const { admin, endpoint } = await githubSetup();
        const response = await postGithub(endpoint, { body: JSON.stringify(prOpened(42)) });
        assert.equal(response.status, 202, JSON.stringify(response.body));
        assert.deepEqual({ ...response.body, delivery_ids: response.body.delivery_ids.length }, { duplicate: false, accepted: 1, duplicates: 0, delivery_ids: 1 });
        const [task] = await eventually(async () => {
          const found = await tasksOf(admin, '&type=code_review');
          return found.length > 0 && found;
        }, 10_000, 'the review task');
        assert.equal(task?.title, 'Review PR #42: Change 42');
        assert.equal(task?.description, 'Review https://github.com/acme/api/pull/42');
        assert.equal(task?.priority, 'high');
        assert.deepEqual(task?.required_capabilities, ['code-review']);
        assert.deepEqual(task?.payload, { repo: 'acme/api', number: 42 });
        const [delivery] = await allProcessed(admin, endpoint, 1);
        assert.deepEqual(delivery?.task_ids, [task?.id]);
        assert.equal(delivery?.event, 'pull_request');
      });

      it('events the rule does not match create nothing (draft, closed, other events)', async () => {
        const { admin, endpoint } = await githubSetup();
        assert.equal((await postGithub(endpoint, { body: JSON.stringify(prOpened(5, { pull_request: { number: 5, draft: true } })) })).status, 202);
        assert.equal((await postGithub(endpoint, { body: JSON.stringify(prOpened(6, { action: 'closed' })) })).status, 202);
        assert.equal((await postGithub(endpoint, { event: 'push', body: JSON.stringify({ ref: 'refs/heads/main' }) })).status, 202);
        assert.equal((await postGithub(endpoint, { event: 'ping', body: JSON.stringify({ zen: 'Keep it logically awesome.' }) })).status, 202);
        const processed = await allProcessed(admin, endpoint, 4);
        assert.ok(processed.every((d) => d.task_ids.length === 0));
        assert.deepEqual(await tasksOf(admin), []);
      });

      it('a bad or missing signature is 401 and records nothing', async () => {
        const { admin, endpoint } = await githubSetup();
        const body = JSON.stringify(prOpened(7));
        const bad = [
          null,
          '',
          sign('another-secret-entirely', body),
          sign(endpoint.secret, `${body} `),
          sign(endpoint.secret, body).slice(0, -2),
          `${sign(endpoint.secret, body)}ab`,
          sign(endpoint.secret, body).replace('sha256=', 'sha1='),
        ];
        for (const signature of bad) {
          const response = await postGithub(endpoint, { body, signature });
          assert.equal(response.status, 401, `signature ${JSON.stringify(signature)}`);
          assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
          assert.match(response.body.detail, /X-Hub-Signature-256/);
        }
        assert.deepEqual(await deliveries(admin, endpoint), []);
        assert.deepEqual(await tasksOf(admin), []);
      });

      it('a malformed body or missing GitHub headers is 400 and records nothing', async () => {
        const { admin, endpoint } = await githubSetup();
        const cases: { name: string; body?: string; event?: string; delivery?: string; detail: RegExp }[] = [
          { name: 'not JSON', body: '{"action": "opened",', detail: /Malformed JSON/ },
          { name: 'empty body', body: '', detail: /Malformed JSON/ },
          { name: 'JSON but not an object', body: '[1,2,3]', detail: /GitHub payload/ },
          { name: 'no event header', event: '', detail: /x-github-event/ },
          { name: 'no delivery header', delivery: '', detail: /x-github-delivery/ },
        ];
        for (const c of cases) {
          const response = await postGithub(endpoint, { body: c.body, event: c.event, delivery: c.delivery });
          assert.equal(response.status, 400, `${c.name}: ${JSON.stringify(response.body)}`);
          assert.match(response.body.detail, c.detail, c.name);
        }
        assert.deepEqual(await deliveries(admin, endpoint), []);
      });

      it('a replayed delivery id is 200 { duplicate: true } and does nothing again, even when replays race', async () => {
        const { admin, endpoint } = await githubSetup();
        const delivery = randomUUID();
        const body = JSON.stringify(prOpened(77));
        const first = await postGithub(endpoint, { body, delivery });
        assert.equal(first.status, 202);
        await allProcessed(admin, endpoint, 1);
        const replay = await postGithub(endpoint, { body, delivery });
        assert.equal(replay.status, 200);
        assert.deepEqual(replay.body, { duplicate: true, accepted: 0, duplicates: 1, delivery_ids: first.body.delivery_ids });

        const racing = randomUUID();
        const responses = await Promise.all(Array.from({ length: 6 }, () => postGithub(endpoint, { body: JSON.stringify(prOpened(78)), delivery: racing })));
        assert.deepEqual(responses.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 202]);
        await allProcessed(admin, endpoint, 2);
        const titles = (await tasksOf(admin)).map((t) => t.title).sort();
        assert.deepEqual(titles, ['Review PR #77: Change 77', 'Review PR #78: Change 78']);
      });

      it('accepts GitHub’s form-encoded content type, verified over the raw bytes', async () => {
        const { admin, endpoint } = await githubSetup();
        const body = new URLSearchParams({ payload: JSON.stringify(prOpened(12)) }).toString();
        const response = await postGithub(endpoint, { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        assert.equal(response.status, 202, JSON.stringify(response.body));
        await allProcessed(admin, endpoint, 1);
        assert.deepEqual((await tasksOf(admin)).map((t) => t.title), ['Review PR #12: Change 12']);
      });

      it('unknown endpoints, wrong sources and oversized bodies are refused', async () => {
        const { endpoint } = await githubSetup();
        assert.equal((await postGithub({ ...endpoint, url_path: `/api/webhooks/github/whk_${randomUUID().replaceAll('-', '')}` }, {})).status, 404);
        assert.equal((await postGithub({ ...endpoint, url_path: `/api/webhooks/alertmanager/${endpoint.id}` }, {})).status, 404);
        assert.equal((await postGithub({ ...endpoint, url_path: `/api/webhooks/gitlab/${endpoint.id}` }, {})).status, 404);
        const huge = JSON.stringify({ blob: 'x'.repeat(app.config.maxFrameBytes + 10) });
        assert.equal((await postGithub(endpoint, { body: huge })).status, 413);
      });
    });

    describe('Alertmanager', () => {
      const capabilityRules = {
        capability_rules: [
          { match: { severity: 'critical' }, capabilities: ['incident-response'] },
          { match: { severity: 'warning', team: 'db' }, capabilities: ['postgres'] },
        ],
        default_capabilities: ['triage'],
      };

      it('each firing alert becomes a task with the severity’s priority and the rules’ capabilities; a re-send creates nothing', async () => {
        const { admin } = await freshTenant();
        const endpoint = await createEndpoint(admin, { source: 'alertmanager', name: 'prod', ...capabilityRules });
        assert.deepEqual(endpoint.capability_rules, capabilityRules.capability_rules);
        const payload = notification([alert('critical'), alert('warning')]);
        const response = await postAlerts(endpoint, payload);
        assert.equal(response.status, 202, JSON.stringify(response.body));
        assert.equal(response.body.accepted, 2);
        await allProcessed(admin, endpoint, 2);
        const tasks = await tasksOf(admin);
        const bySeverity = Object.fromEntries(tasks.map((t) => [t.payload.labels.severity, t]));
        assert.equal(tasks.length, 2);
        assert.deepEqual(
          [bySeverity.critical?.priority, bySeverity.critical?.required_capabilities, bySeverity.critical?.title, bySeverity.critical?.type],
          ['critical', ['incident-response'], 'Disk critical on db-1', 'incident'],
        );
        assert.equal(bySeverity.critical?.description, 'Free space is low');
        assert.equal(bySeverity.critical?.payload.fingerprint, payload.alerts[0]?.fingerprint);
        assert.deepEqual([bySeverity.warning?.priority, bySeverity.warning?.required_capabilities], ['high', ['triage']]);

        const resent = await postAlerts(endpoint, payload);
        assert.equal(resent.status, 200);
        assert.deepEqual([resent.body.duplicate, resent.body.accepted, resent.body.duplicates], [true, 0, 2]);
        const later = notification([...payload.alerts, alert('info')]);
        const partly = await postAlerts(endpoint, later);
        assert.deepEqual([partly.status, partly.body.accepted, partly.body.duplicates], [202, 1, 2]);
        await allProcessed(admin, endpoint, 3);
        const after = await tasksOf(admin);
        assert.equal(after.length, 3);
        assert.equal(after.find((t) => t.payload.labels.severity === 'info')?.priority, 'low');
      });

      it('a resolved alert is recorded and cancels its task while no agent has it', async () => {
        const { admin } = await freshTenant();
        const endpoint = await createEndpoint(admin, { source: 'alertmanager', name: 'prod', ...capabilityRules });
        const firing = alert('critical');
        assert.equal((await postAlerts(endpoint, notification([firing]))).status, 202);
        await allProcessed(admin, endpoint, 1);
        const resolved = await postAlerts(endpoint, notification([{ ...firing, status: 'resolved', endsAt: '2026-03-01T12:05:00Z' }], 'resolved'));
        assert.equal(resolved.status, 202);
        await allProcessed(admin, endpoint, 2);
        const [task] = await tasksOf(admin);
        assert.equal(task?.status, 'cancelled');
      });

      it('needs the endpoint secret as a bearer token; a malformed notification is 400; nothing is recorded', async () => {
        const { admin } = await freshTenant();
        const endpoint = await createEndpoint(admin, { source: 'alertmanager', name: 'prod' });
        assert.equal((await postAlerts(endpoint, notification([alert('critical')]), null)).status, 401);
        assert.equal((await postAlerts(endpoint, notification([alert('critical')]), 'wrong-secret-value-123')).status, 401);
        const invalid: unknown[] = [
          { ...notification([alert('critical')]), version: '3' },
          notification([{ ...alert('critical'), fingerprint: undefined }]),
          notification([{ ...alert('critical'), startsAt: 'yesterday' }]),
          notification([{ ...alert('critical'), labels: { severity: 5 } }]),
          { alerts: [] },
          '{"version": "4",',
        ];
        for (const payload of invalid) {
          const response = await postAlerts(endpoint, payload);
          assert.equal(response.status, 400, JSON.stringify(payload));
        }
        assert.deepEqual(await deliveries(admin, endpoint), []);
      });

      it('incident response end to end: an agent with incident-response receives and completes the critical alert’s task', async () => {
        const { admin, agentKey } = await freshTenant('agent');
        const endpoint = await createEndpoint(admin, { source: 'alertmanager', name: 'prod', ...capabilityRules });
        const responder = await startAgent(app.mcpUrl, agentKey, {
          id: `responder-${randomBytes(3).toString('hex')}`,
          capabilities: ['incident-response'],
          behaviour: completeEverything,
        });
        try {
          const critical = alert('critical');
          assert.equal((await postAlerts(endpoint, notification([critical]))).status, 202);
          const [received] = await responder.waitForTasks(1);
          assert.equal(received?.priority, 'critical');
          assert.equal(received?.payload.fingerprint, critical.fingerprint);
          const done = await eventually(async () => {
            const task = (await admin('GET', `/api/v1/tasks/${received?.id}`)).body;
            return task.status === 'completed' && task;
          }, 10_000, 'the incident task to complete');
          assert.deepEqual(done.result, { done_by: responder.id });
          assert.equal(done.assigned_agent_id, responder.id);
        } finally {
          await responder.close();
        }
      });
    });

    describe('tenant isolation', () => {
      it('another tenant cannot see, manage or bind rules to an endpoint; its rules never fire on it', async () => {
        const a = await githubSetup();
        const b = await freshTenant();
        const catchAll = { name: 'everything', source: 'github', event: '*', task: { title: 'B saw {{action}}' } };
        assert.equal((await b.admin('POST', '/api/v1/event-rules', catchAll)).status, 201);
        assert.equal((await b.admin('POST', '/api/v1/event-rules', { ...catchAll, name: 'bound', endpoint_id: a.endpoint.id })).status, 404);
        assert.equal((await b.admin('GET', `/api/v1/webhooks/${a.endpoint.id}`)).status, 404);
        assert.equal((await b.admin('GET', `/api/v1/webhooks/${a.endpoint.id}/deliveries`)).status, 404);
        assert.equal((await b.admin('DELETE', `/api/v1/webhooks/${a.endpoint.id}`)).status, 404);
        assert.deepEqual((await b.admin('GET', '/api/v1/webhooks')).body.webhooks, []);
        const ruleA = (await a.admin('GET', '/api/v1/event-rules')).body.event_rules[0];
        assert.equal((await b.admin('GET', `/api/v1/event-rules/${ruleA.id}`)).status, 404);
        assert.equal((await b.admin('DELETE', `/api/v1/event-rules/${ruleA.id}`)).status, 404);

        assert.equal((await postGithub(a.endpoint, { body: JSON.stringify(prOpened(99)) })).status, 202);
        await allProcessed(a.admin, a.endpoint, 1);
        assert.deepEqual((await tasksOf(a.admin)).map((t) => t.title), ['Review PR #99: Change 99']);
        assert.deepEqual(await tasksOf(b.admin), [], 'B’s catch-all rule did not fire on A’s delivery');
        assert.equal((await a.admin('GET', `/api/v1/webhooks/${a.endpoint.id}`)).status, 200);
      });
    });
  });
}
