import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpError, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { completeEverything, eventually, startAgent, type TestAgent } from '../helpers/agents.js';
import { connectSdkHttp, restClient } from '../helpers/clients.js';
import { startTestApp, testBackends, type TestApp } from '../helpers/test-app.js';

type Json = Record<string, any>;

const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
const stepOf = (run: Json, name: string): Json => run.steps.find((s: Json) => s.name === name);

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

for (const backend of testBackends()) {
  describe(`workflows (${backend})`, () => {
    let app: TestApp;
    let rest: ReturnType<typeof restClient>;
    let mcp: Client;
    const agents: TestAgent[] = [];
    const agent = async (options: Parameters<typeof startAgent>[2]) => {
      const a = await startAgent(app.mcpUrl, app.key, options);
      agents.push(a);
      return a;
    };
    const createWorkflow = async (definition: Json): Promise<Json> => {
      const response = await rest('POST', '/api/v1/workflows', definition);
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body;
    };
    const execute = async (workflow: string, input?: unknown): Promise<Json> => {
      const response = await rest('POST', `/api/v1/workflows/${workflow}/runs`, input === undefined ? {} : { input });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body;
    };
    const run = async (id: string): Promise<Json> => (await rest('GET', `/api/v1/workflow-runs/${id}`)).body;
    const runEnds = (id: string, status: string) =>
      eventually(async () => {
        const r = await run(id);
        if (r.status !== 'running') return r.status === status ? r : assert.fail(`run ended ${r.status}, not ${status}: ${JSON.stringify(r.steps)}`);
        return undefined;
      }, 15_000, `run ${id} ${status}`);
    const task = async (id: string): Promise<Json> => (await rest('GET', `/api/v1/tasks/${id}`)).body;

    before(async () => {
      app = await startTestApp(backend, { env: { DEVMESH_SWEEP_INTERVAL_MS: '20' } });
      rest = restClient(app.apiUrl, app.key);
      mcp = await connectSdkHttp(app.mcpUrl, app.key);
    });
    after(async () => {
      for (const a of agents) await a.close().catch(() => undefined);
      await mcp?.close();
      await app?.cleanup();
    });

    it('build, then test and lint in parallel, then deploy with the outputs of earlier steps', async () => {
      const held: Record<string, Json> = {};
      const hold = async (t: Json, a: TestAgent) => {
        await a.accept(t.id);
        held[a.id] = t;
      };
      await agent({ id: 'p-builder', capabilities: ['p-build'], behaviour: async (t, a) => {
        await a.accept(t.id);
        await a.complete(t.id, { artifact: `app-${t.payload.version}.tgz` });
      } });
      const tester = await agent({ id: 'p-tester', capabilities: ['p-test'], behaviour: hold });
      const linter = await agent({ id: 'p-linter', capabilities: ['p-lint'], behaviour: hold });
      const deployer = await agent({ id: 'p-deployer', capabilities: ['p-deploy'], behaviour: async (t, a) => {
        await a.accept(t.id);
        await a.complete(t.id, { deployed: t.payload });
      } });
      const name = unique('pipeline');
      const workflow = await createWorkflow({
        name,
        steps: [
          { name: 'build', title: 'Build', required_capabilities: ['p-build'], payload: { version: '{{input.version}}' } },
          { name: 'test', title: 'Test', required_capabilities: ['p-test'], depends_on: ['build'], payload: { artifact: '{{steps.build.output.artifact}}' } },
          { name: 'lint', title: 'Lint', required_capabilities: ['p-lint'], depends_on: ['build'] },
          {
            name: 'deploy',
            title: 'Deploy',
            required_capabilities: ['p-deploy'],
            depends_on: ['test', 'lint'],
            payload: { artifact: '{{steps.build.output.artifact}}', tests: '{{steps.test.output}}', summary: '{{steps.test.output.passed}} tests passed for {{input.version}}' },
          },
        ],
      });
      assert.equal(workflow.failure_policy, 'fail_fast');
      const started = await execute(name, { version: '1.0' });
      assert.equal(started.status, 'running');
      assert.equal(started.workflow_id, workflow.id);

      // Both middle steps run at once: each agent holds its task until the test sees both in progress.
      await eventually(() => held[tester.id] && held[linter.id], 10_000, 'test and lint tasks held');
      const middle = await run(started.id);
      for (const step of ['test', 'lint']) {
        assert.equal(stepOf(middle, step).status, 'running', `${step} is running`);
        assert.equal(stepOf(middle, step).tasks[0].status, 'in_progress');
      }
      assert.equal(stepOf(middle, 'deploy').status, 'pending');
      assert.deepEqual(stepOf(middle, 'build').output, { artifact: 'app-1.0.tgz' });
      assert.deepEqual(held[tester.id]?.payload, { artifact: 'app-1.0.tgz' }, 'test received build output');
      const testTask = await task(held[tester.id]?.id);
      assert.equal(testTask.workflow_run_id, started.id);
      assert.equal(testTask.workflow_step, 'test');

      await tester.complete(held[tester.id]?.id, { passed: 42, failed: 0 });
      await linter.complete(held[linter.id]?.id, { warnings: 0 });
      const done = await runEnds(started.id, 'completed');
      const deployPayload = { artifact: 'app-1.0.tgz', tests: { passed: 42, failed: 0 }, summary: '42 tests passed for 1.0' };
      assert.deepEqual(deployer.received[0]?.payload, deployPayload);
      assert.deepEqual(stepOf(done, 'deploy').output, { deployed: deployPayload });
      assert.deepEqual(stepOf(done, 'lint').output, { warnings: 0 });
      assert.ok(done.steps.every((s: Json) => s.status === 'completed' && s.finished_at));
      assert.ok(done.finished_at);
      const runs = (await rest('GET', `/api/v1/workflows/${workflow.id}/runs`)).body.runs;
      assert.deepEqual(runs.map((r: Json) => [r.id, r.status]), [[started.id, 'completed']]);
    });

    it('fan-out review over MCP: a security agent and a style agent, results gathered in branch order', async () => {
      await agent({ id: 'fo-security', capabilities: ['fo-security'], behaviour: async (t, a) => {
        await a.accept(t.id);
        await a.complete(t.id, { verdict: 'no vulnerabilities', focus: t.payload.focus, pr: t.payload.pr });
      } });
      await agent({ id: 'fo-style', capabilities: ['fo-style'], behaviour: async (t, a) => {
        await a.accept(t.id);
        await a.complete(t.id, { verdict: 'two nits', focus: t.payload.focus, pr: t.payload.pr });
      } });
      const reporter = await agent({ id: 'fo-reporter', capabilities: ['fo-report'], behaviour: completeEverything });
      const name = unique('review');
      const created = await mcp.callTool({
        name: 'devmesh.workflow.create',
        arguments: {
          name,
          steps: [
            {
              name: 'review',
              title: 'Review PR',
              payload: { pr: '{{input.pr}}', focus: 'general' },
              fan_out: [
                { title: 'Security review', required_capabilities: ['fo-security'], payload: { focus: 'security' } },
                { title: 'Style review', required_capabilities: ['fo-style'], payload: { focus: 'style' } },
              ],
            },
            { name: 'report', title: 'Report', required_capabilities: ['fo-report'], depends_on: ['review'], payload: { reviews: '{{steps.review.output}}', headline: 'security: {{steps.review.output.0.verdict}}' } },
          ],
        },
      });
      assert.ok(!created.isError, JSON.stringify(created.content));
      const tenantId = (created.structuredContent as Json).tenant_id as string;
      const uri = `devmesh://workflows/${tenantId}`;
      const updates: string[] = [];
      mcp.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
      await mcp.subscribeResource({ uri });

      const executed = await mcp.callTool({ name: 'devmesh_workflow_execute', arguments: { workflow: name, input: { pr: 7 } } });
      assert.ok(!executed.isError, JSON.stringify(executed.content));
      const runId = (executed.structuredContent as Json).id as string;
      await runEnds(runId, 'completed');
      const status = (await mcp.callTool({ name: 'devmesh_workflow_status', arguments: { run_id: runId } })).structuredContent as Json;
      const review = stepOf(status, 'review');
      assert.equal(review.task_ids.length, 2);
      assert.deepEqual(review.output, [
        { verdict: 'no vulnerabilities', focus: 'security', pr: 7 },
        { verdict: 'two nits', focus: 'style', pr: 7 },
      ]);
      assert.deepEqual(review.tasks.map((t: Json) => t.assigned_agent_id), ['fo-security', 'fo-style']);
      assert.deepEqual(reporter.received[0]?.payload, { reviews: review.output, headline: 'security: no vulnerabilities' });
      assert.equal((await task(review.task_ids[0])).title, 'Security review');

      const listed = (await mcp.callTool({ name: 'devmesh_workflow_list', arguments: { limit: 200 } })).structuredContent as Json;
      assert.ok(listed.workflows.some((w: Json) => w.name === name));
      const resource = JSON.parse(((await mcp.readResource({ uri })).contents[0] as { text: string }).text) as Json;
      assert.ok(resource.workflows.some((w: Json) => w.name === name));
      assert.ok(resource.runs.some((r: Json) => r.id === runId && r.status === 'completed'));
      await eventually(() => updates.includes(uri), 5000, 'resource update notification');
    });

    for (const policy of ['fail_fast', 'continue'] as const) {
      it(`failure policy ${policy}: a non-retryable failure`, async () => {
        const cap = (what: string) => `fp-${policy}-${what}`;
        const slowStarted = deferred();
        let slowTask: Json | undefined;
        await agent({ id: cap('failer'), capabilities: [cap('flaky')], behaviour: async (t, a) => {
          await slowStarted.promise;
          await a.accept(t.id);
          await a.fail(t.id, 'boom', false);
        } });
        const slow = await agent({ id: cap('slow'), capabilities: [cap('slow')], behaviour: async (t, a) => {
          await a.accept(t.id);
          slowTask = t;
          slowStarted.resolve();
        } });
        await agent({ id: cap('finisher'), capabilities: [cap('after')], maxConcurrency: 2, behaviour: completeEverything });
        const name = unique(`policy-${policy}`);
        await createWorkflow({
          name,
          failure_policy: policy,
          steps: [
            { name: 'flaky', title: 'Flaky', required_capabilities: [cap('flaky')] },
            { name: 'slow', title: 'Slow', required_capabilities: [cap('slow')] },
            { name: 'after-flaky', title: 'After flaky', required_capabilities: [cap('after')], depends_on: ['flaky'] },
            { name: 'after-slow', title: 'After slow', required_capabilities: [cap('after')], depends_on: ['slow'], payload: '{{steps.slow.output}}' },
          ],
        });
        const started = await execute(name);
        await eventually(async () => stepOf(await run(started.id), 'flaky').status === 'failed', 10_000, 'flaky failed');
        if (policy === 'continue') {
          assert.equal((await run(started.id)).status, 'running', 'continue keeps the run going');
          await slow.complete(slowTask?.id, { slow: 'done' });
        }
        const ended = await runEnds(started.id, 'failed');
        const flaky = stepOf(ended, 'flaky');
        assert.equal(flaky.error.task_status, 'failed');
        assert.match(JSON.stringify(flaky.error.task_error), /boom/);
        assert.equal(stepOf(ended, 'after-flaky').status, 'skipped');
        if (policy === 'fail_fast') {
          assert.equal(stepOf(ended, 'slow').status, 'cancelled');
          assert.equal(stepOf(ended, 'after-slow').status, 'skipped');
          await eventually(async () => (await task(slowTask?.id)).status === 'cancelled', 5000, 'slow task cancelled');
        } else {
          assert.equal(stepOf(ended, 'slow').status, 'completed');
          assert.equal(stepOf(ended, 'after-slow').status, 'completed');
          assert.deepEqual((await task(stepOf(ended, 'after-slow').task_ids[0])).payload, { slow: 'done' });
        }
      });
    }

    it('cancelling a run cancels its unfinished tasks; a finished run cannot be cancelled', async () => {
      const holder = await agent({ id: 'cx-holder', capabilities: ['cx-work'], behaviour: async (t, a) => void (await a.accept(t.id)) });
      const name = unique('cancel-me');
      await createWorkflow({ name, steps: [{ name: 'work', title: 'Work', required_capabilities: ['cx-work'] }, { name: 'next', title: 'Next', depends_on: ['work'] }] });
      const started = await execute(name);
      await holder.waitForTasks(1);
      const cancelled = await rest('POST', `/api/v1/workflow-runs/${started.id}/cancel`, { reason: 'changed my mind' });
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
      assert.equal(cancelled.body.status, 'cancelled');
      assert.deepEqual(cancelled.body.steps.map((s: Json) => s.status), ['cancelled', 'cancelled']);
      await eventually(async () => (await task(holder.received[0]?.id)).status === 'cancelled', 5000, 'task cancelled');
      const again = await rest('POST', `/api/v1/workflow-runs/${started.id}/cancel`, {});
      assert.equal(again.status, 409);
      assert.match(again.body.detail, /already cancelled/);
    });

    it('rejects invalid definitions and inputs with messages naming the step', async () => {
      const cases: { definition: Json; detail: RegExp }[] = [
        {
          definition: { name: unique('cycle'), steps: [{ name: 'a', title: 'A', depends_on: ['c'] }, { name: 'b', title: 'B', depends_on: ['a'] }, { name: 'c', title: 'C', depends_on: ['b'] }] },
          detail: /dependency cycle: a -> c -> b -> a/,
        },
        { definition: { name: unique('unknown'), steps: [{ name: 'deploy', title: 'D', depends_on: ['tst'] }] }, detail: /step "deploy" depends on unknown step "tst"/ },
        {
          definition: { name: unique('badref'), steps: [{ name: 'test', title: 'T' }, { name: 'deploy', title: 'D', payload: { r: '{{steps.test.output.passed}}' } }] },
          detail: /step "deploy": \{\{steps.test.output.passed\}\} refers to step "test", which it does not depend on/,
        },
        { definition: { name: unique('dup'), steps: [{ name: 'x', title: 'X' }, { name: 'x', title: 'X' }] }, detail: /step "x" is defined more than once/ },
        { definition: { name: 'bad name!', steps: [{ name: 'x', title: 'X' }] }, detail: /name/ },
      ];
      for (const { definition, detail } of cases) {
        const response = await rest('POST', '/api/v1/workflows', definition);
        assert.equal(response.status, 400, JSON.stringify(response.body));
        assert.match(response.body.detail, detail);
        const tool = await mcp.callTool({ name: 'devmesh_workflow_create', arguments: definition });
        assert.equal(tool.isError, true);
        assert.match((tool.content as { text: string }[])[0]?.text ?? '', detail);
      }
      const name = unique('needs-input');
      await createWorkflow({ name, steps: [{ name: 'deploy', title: 'Deploy', payload: { env: '{{input.env}}' } }] });
      const duplicate = await rest('POST', '/api/v1/workflows', { name, steps: [{ name: 'x', title: 'X' }] });
      assert.equal(duplicate.status, 409);
      const missing = await rest('POST', `/api/v1/workflows/${name}/runs`, { input: { region: 'eu' } });
      assert.equal(missing.status, 400);
      assert.match(missing.body.detail, /step "deploy": \{\{input.env\}\} has no value/);
    });

    it('tenant isolation: another tenant cannot see, run or cancel workflows and runs', async () => {
      const name = unique('private');
      const workflowA = await createWorkflow({ name, steps: [{ name: 'held', title: 'Held', required_capabilities: ['ti-nobody'] }] });
      const runA = await execute(name);
      const { tenant } = await app.services.tenancy.ensureTenant(unique('t-b'));
      const { key } = await app.services.tenancy.issueKey(tenant.id, { name: 'b admin', role: 'admin' });
      const restB = restClient(app.apiUrl, key);
      const mcpB = await connectSdkHttp(app.mcpUrl, key);
      try {
        assert.deepEqual((await restB('GET', '/api/v1/workflows')).body.workflows, []);
        for (const ref of [workflowA.id, name]) {
          const got = await restB('GET', `/api/v1/workflows/${ref}`);
          assert.equal(got.status, 404);
          const unknown = await restB('GET', '/api/v1/workflows/wf_unknown');
          assert.equal(got.body.detail.replace(ref, 'REF'), unknown.body.detail.replace('wf_unknown', 'REF'), 'same answer as an unknown workflow');
          assert.equal((await restB('POST', `/api/v1/workflows/${ref}/runs`, {})).status, 404);
          assert.equal((await restB('GET', `/api/v1/workflows/${ref}/runs`)).status, 404);
        }
        assert.equal((await restB('GET', `/api/v1/workflow-runs/${runA.id}`)).status, 404);
        assert.equal((await restB('POST', `/api/v1/workflow-runs/${runA.id}/cancel`, {})).status, 404);
        const status = await mcpB.callTool({ name: 'devmesh_workflow_status', arguments: { run_id: runA.id } });
        assert.equal(status.isError, true);
        const executed = await mcpB.callTool({ name: 'devmesh_workflow_execute', arguments: { workflow: name } });
        assert.equal(executed.isError, true);
        assert.deepEqual((await mcpB.callTool({ name: 'devmesh_workflow_list', arguments: {} })).structuredContent, { workflows: [], next_cursor: null });
        await assert.rejects(mcpB.readResource({ uri: `devmesh://workflows/${workflowA.tenant_id}` }), (error: unknown) => error instanceof McpError && error.code === -32002);
        const own = JSON.parse(((await mcpB.readResource({ uri: `devmesh://workflows/${tenant.id}` })).contents[0] as { text: string }).text) as Json;
        assert.deepEqual([own.workflows, own.runs], [[], []]);
        // Names are unique per tenant only: B may use A's name.
        assert.equal((await restB('POST', '/api/v1/workflows', { name, steps: [{ name: 'x', title: 'X' }] })).status, 201);
        // A's run is untouched.
        assert.equal((await run(runA.id)).status, 'running');
      } finally {
        await mcpB.close();
        await rest('POST', `/api/v1/workflow-runs/${runA.id}/cancel`, {});
      }
    });
  });
}
