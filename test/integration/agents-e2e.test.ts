import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { completeEverything, eventually, startAgent, type TestAgent } from '../helpers/agents.js';
import { restClient } from '../helpers/clients.js';
import { startTestApp, testBackends, type TestApp } from '../helpers/test-app.js';

type Json = Record<string, any>;

for (const backend of testBackends()) {
  describe(`agents and tasks end to end (${backend})`, () => {
    let app: TestApp;
    let rest: ReturnType<typeof restClient>;
    const agents: TestAgent[] = [];
    const agent = async (options: Parameters<typeof startAgent>[2]) => {
      const a = await startAgent(app.mcpUrl, app.key, options);
      agents.push(a);
      return a;
    };
    const task = async (id: string): Promise<Json> => (await rest('GET', `/api/v1/tasks/${id}`)).body;
    const create = async (body: Json): Promise<Json> => {
      const response = await rest('POST', '/api/v1/tasks', body);
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body;
    };
    const finalStatus = (id: string, status: string) =>
      eventually(async () => ((await task(id)).status === status ? task(id) : undefined), 10_000, `task ${id} ${status}`);

    before(async () => {
      app = await startTestApp(backend, {
        env: { DEVMESH_SWEEP_INTERVAL_MS: '20', DEVMESH_AGENT_GRACE_MS: '150' },
        orchestration: { retry: { baseDelayMs: 20, maxDelayMs: 100 }, breaker: { failureThreshold: 3, windowMs: 60_000, cooldownMs: 60_000, halfOpenProbes: 1 } },
      });
      rest = restClient(app.apiUrl, app.key);
    });
    after(async () => {
      for (const a of agents) await a.close().catch(() => undefined);
      await app?.cleanup();
    });

    it('code review: the security task goes to the security agent, the style task to the cheaper agent', async () => {
      const security = await agent({ id: 'cr-security', capabilities: { 'cr-security-review': 0.95, 'cr-code-review': 0.7 }, costPerTask: 5, maxConcurrency: 2, behaviour: completeEverything });
      const style = await agent({ id: 'cr-style', capabilities: [{ name: 'cr-code-review', proficiency: 0.8 }, 'cr-style-review'], costPerTask: 1, maxConcurrency: 2, behaviour: completeEverything });
      const sec = await create({ title: 'Security review of PR #7', required_capabilities: ['cr-security-review'], priority: 'high' });
      const sty = await create({ title: 'Style review of PR #7', required_capabilities: ['cr-code-review'], strategy: 'cost_optimized' });
      const secDone = await finalStatus(sec.id, 'completed');
      const styDone = await finalStatus(sty.id, 'completed');
      assert.equal(secDone.assigned_agent_id, security.id);
      assert.deepEqual(secDone.result, { done_by: security.id });
      assert.equal(styDone.assigned_agent_id, style.id);
      assert.equal(styDone.assignment.strategy, 'cost_optimized');
      assert.ok(styDone.assignment.scores.length >= 2, 'both agents were scored');
      const events = (await rest('GET', `/api/v1/tasks/${sec.id}/events`)).body.events.map((e: Json) => e.to_status);
      assert.deepEqual(events, ['queued', 'assigned', 'in_progress', 'completed']);
    });

    it('incident: a critical task overtakes queued low ones', async () => {
      const held: Json[] = [];
      const oncall = await agent({ id: 'inc-oncall', capabilities: ['inc-ops'], maxConcurrency: 1, behaviour: (t) => void held.push(t) });
      const first = await create({ title: 'occupy', required_capabilities: ['inc-ops'] });
      await oncall.waitForTasks(1);
      const lows = [];
      for (let i = 0; i < 3; i++) lows.push(await create({ title: `low ${i}`, priority: 'low', required_capabilities: ['inc-ops'] }));
      const critical = await create({ title: 'prod is down', priority: 'critical', required_capabilities: ['inc-ops'] });
      assert.equal((await task(critical.id)).status, 'queued');
      await oncall.accept(first.id);
      await oncall.complete(first.id, { ok: true });
      const [, second] = await oncall.waitForTasks(2);
      assert.equal(second?.id, critical.id, 'the critical task came next');
    });

    it('an agent that disconnects mid-task loses it after the grace period, and another agent finishes it', async () => {
      const flaky = await agent({ id: 'dc-flaky', capabilities: ['dc-build'], behaviour: async (t, a) => void (await a.accept(t.id)) });
      const t = await create({ title: 'build', required_capabilities: ['dc-build'] });
      await flaky.waitForTasks(1);
      await eventually(async () => (await task(t.id)).status === 'in_progress', 5000, 'in progress');
      await flaky.close();
      await agent({ id: 'dc-steady', capabilities: ['dc-build'], behaviour: completeEverything });
      const done = await finalStatus(t.id, 'completed');
      assert.equal(done.assigned_agent_id, 'dc-steady');
      assert.equal(done.attempts, 2);
      assert.deepEqual(done.previous_agent_ids, ['dc-flaky']);
    });

    it('an agent that keeps failing trips its breaker and the work moves elsewhere', async () => {
      const failing = await agent({ id: 'br-failing', capabilities: ['br-lint'], maxConcurrency: 3, costPerTask: 0, behaviour: async (t, a) => void (await a.fail(t.id, 'linter crashed')) });
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await create({ title: `lint ${i}`, required_capabilities: ['br-lint'], max_attempts: 5 })).id);
      await eventually(async () => ((await rest('GET', '/api/v1/agents/br-failing')).body.breaker.state === 'open' ? true : undefined), 10_000, 'breaker open');
      await agent({ id: 'br-good', capabilities: ['br-lint'], maxConcurrency: 3, costPerTask: 10, behaviour: completeEverything });
      for (const id of ids) {
        const done = await finalStatus(id, 'completed');
        assert.equal(done.assigned_agent_id, 'br-good');
      }
      const later = await create({ title: 'lint after', required_capabilities: ['br-lint'] });
      assert.equal((await finalStatus(later.id, 'completed')).assigned_agent_id, 'br-good', 'open breaker keeps new work away');
      assert.ok(failing.received.length >= 3);
    });

    it('requeues a task whose agent does not accept in time, and dead-letters after max attempts', async () => {
      await agent({ id: 'to-silent', capabilities: ['to-scan'], behaviour: () => undefined });
      const t = await create({ title: 'scan', required_capabilities: ['to-scan'], accept_timeout_ms: 100, max_attempts: 2 });
      const dead = await finalStatus(t.id, 'dead_lettered');
      assert.equal(dead.attempts, 2);
      const events = (await rest('GET', `/api/v1/tasks/${t.id}/events`)).body.events as Json[];
      assert.match(events.at(-1)?.reason ?? '', /accept timeout; attempts exhausted/);
    });

    it('explains why a task is waiting, and assigns it by hand when an agent fits', async () => {
      const t = await create({ title: 'needs a DBA', required_capabilities: ['ex-postgres-dba'] });
      const puller = await agent({ id: 'ex-generalist', capabilities: ['ex-shell'] });
      const status = await puller.call('devmesh_task_status', { task_id: t.id });
      assert.equal(status.structuredContent.status, 'queued');
      assert.match(JSON.stringify(status.structuredContent.assignment), /missing_capability|no agent/);
      const refused = await puller.call('devmesh_task_assign', { task_id: t.id, agent_id: 'ex-generalist' });
      assert.equal(refused.isError, true);
      assert.match(JSON.stringify(refused.content), /missing_capability/);
      const dba = await agent({ id: 'ex-dba', capabilities: ['ex-postgres-dba'] });
      const assigned = await eventually(async () => ((await task(t.id)).status === 'assigned' ? task(t.id) : undefined), 5000, 'assigned');
      assert.equal(assigned.assigned_agent_id, dba.id);
    });

    it('lets pull agents claim work with a long poll', async () => {
      const puller = await agent({ id: 'pl-puller', capabilities: ['pl-report'] });
      const claim = puller.call('devmesh_task_claim', { wait_ms: 5000 });
      await new Promise((r) => setTimeout(r, 50));
      const t = await create({ title: 'weekly report', required_capabilities: ['pl-report'] });
      const claimed = await claim;
      assert.equal(claimed.structuredContent.task.id, t.id);
      assert.equal(claimed.structuredContent.task.status, 'in_progress');
      const empty = await puller.call('devmesh_task_claim', { wait_ms: 50 });
      assert.equal(empty.structuredContent.task, null);
      const done = await puller.complete(t.id, { pages: 3 });
      assert.equal(done.structuredContent.status, 'completed');
      const again = await puller.call('devmesh_task_complete', { task_id: t.id });
      assert.equal(again.isError, true, 'a task completes once');
    });

    it('creates a task for a named agent with devmesh_agent_assign', async () => {
      const named = await agent({ id: 'na-named', capabilities: ['na-deploy'], maxConcurrency: 1 });
      const result = await named.call('devmesh_agent_assign', { agent_id: 'na-named', task: { title: 'deploy v2', required_capabilities: ['na-deploy'] } });
      assert.equal(result.structuredContent.task.assigned_agent_id, 'na-named');
      await named.waitForTasks(1);
      const busy = await named.call('devmesh_agent_assign', { agent_id: 'na-named', task: { title: 'deploy v3' } });
      assert.equal(busy.isError, true);
      assert.match(JSON.stringify(busy.content), /at_capacity/);
      const listed = await rest('GET', '/api/v1/agents?status=online&capability=na-deploy');
      assert.deepEqual(listed.body.agents.map((a: Json) => a.id), ['na-named']);
      assert.equal(listed.body.agents[0].in_flight, 1);
    });
  });
}
