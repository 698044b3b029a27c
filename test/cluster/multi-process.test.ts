import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { completeEverything, eventually, startAgent, type TestAgent } from '../helpers/agents.js';
import { openRawWs, restClient } from '../helpers/clients.js';
import { createTestPostgresDatabase, testPostgresServerUrl } from '../helpers/databases.js';
import { adminKeyOf, startServer, type ServerProcess } from './processes.js';

type Json = Record<string, any>;
const redisUrl = process.env.TEST_REDIS_URL;
const configured = Boolean(testPostgresServerUrl() && redisUrl);
if (!configured && process.env.CI) throw new Error('CI requires TEST_DATABASE_URL and TEST_REDIS_URL for the multi-process tests');
const skip = configured ? false : 'set TEST_DATABASE_URL and TEST_REDIS_URL to run the multi-process tests';

describe('several DevMesh processes on one PostgreSQL and one Redis', { timeout: 180_000, skip }, () => {
  let database: Awaited<ReturnType<typeof createTestPostgresDatabase>>;
  let a: ServerProcess;
  let b: ServerProcess;
  let worker: ServerProcess;
  let key: string;
  let sql: pg.Pool;
  const agents: TestAgent[] = [];

  before(async () => {
    database = await createTestPostgresDatabase();
    if (!database || !redisUrl) throw new Error('PostgreSQL and Redis are required here');
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      DEVMESH_REDIS_PREFIX: `devmesh-test-${randomBytes(4).toString('hex')}`,
      DEVMESH_PROCESS_LEASE_MS: '1500',
      DEVMESH_SWEEP_INTERVAL_MS: '50',
      DEVMESH_AGENT_GRACE_MS: '60000',
    };
    a = await startServer('a', env);
    key = await adminKeyOf(a);
    b = await startServer('b', env);
    worker = await startServer('worker', env, 'worker');
    sql = new pg.Pool({ connectionString: database.url, max: 2 });
  });
  after(async () => {
    for (const agent of agents) await agent.close().catch(() => undefined);
    await sql?.end();
    for (const server of [a, b, worker]) await server?.stop();
    await database?.drop();
  });

  const taskOf = async (id: string): Promise<Json> => (await restClient(a.apiUrl, key)('GET', `/api/v1/tasks/${id}`)).body;

  it('delivers a task created through process A to an agent connected to process B', async () => {
    const agent = await startAgent(b.mcpUrl, key, { id: 'mp-builder', capabilities: ['mp-build'], behaviour: completeEverything });
    agents.push(agent);
    const created = (await restClient(a.apiUrl, key)('POST', '/api/v1/tasks', { title: 'build on B', required_capabilities: ['mp-build'] })).body;
    const done = await eventually(async () => ((await taskOf(created.id)).status === 'completed' ? taskOf(created.id) : undefined), 15_000, 'completed');
    assert.equal(done.assigned_agent_id, 'mp-builder');
    assert.equal(agent.received[0]?.id, created.id);
  });

  it('tells a subscriber on A about a change made through B', async () => {
    const subscriber = await openRawWs(a.mcpUrl, { key });
    await subscriber.initialize();
    const tenantId = (await restClient(a.apiUrl, key)('GET', '/api/v1/tasks?limit=1')).body.tasks[0].tenant_id as string;
    const uri = `devmesh://tasks/${tenantId}`;
    await subscriber.request('resources/subscribe', { uri });
    await restClient(b.apiUrl, key)('POST', '/api/v1/tasks', { title: 'made on B' });
    await subscriber.waitFor((m) => m.method === 'notifications/resources/updated' && (m.params as { uri?: string } | undefined)?.uri === uri, 10_000);
    await subscriber.close();
  });

  it('never exceeds an agent’s max_concurrency, whichever process assigns', async () => {
    const held: Json[] = [];
    const single = await startAgent(b.mcpUrl, key, { id: 'mp-single', capabilities: ['mp-serial'], maxConcurrency: 1, behaviour: (task) => void held.push(task) });
    agents.push(single);
    const ids: string[] = [];
    await Promise.all(
      [a, b, a, b, a, b].map(async (server) => {
        ids.push((await restClient(server.apiUrl, key)('POST', '/api/v1/tasks', { title: 'serial', required_capabilities: ['mp-serial'] })).body.id);
      }),
    );
    for (let done = 0; done < ids.length; done++) {
      await eventually(() => held.length > done, 15_000, `task ${done + 1} delivered`);
      const { rows } = await sql.query(`SELECT count(*)::int AS n FROM tasks WHERE assigned_agent_id = 'mp-single' AND status IN ('assigned','in_progress')`);
      assert.equal(rows[0].n, 1, 'exactly one task on the agent at a time');
      const task = held[done]!;
      await single.complete(task.id, { n: done });
    }
    for (const id of ids) assert.equal((await taskOf(id)).status, 'completed');
  });

  it('processes a webhook received by one process through the shared Redis work queue', async () => {
    const endpoint = (await restClient(a.apiUrl, key)('POST', '/api/v1/webhooks', { source: 'alertmanager', name: 'prod-alerts' })).body;
    assert.ok(endpoint.id && endpoint.secret, JSON.stringify(endpoint));
    const alert = {
      version: '4', status: 'firing', receiver: 'devmesh', groupKey: '{}:{alertname="DiskFull"}', groupLabels: {}, commonLabels: {}, commonAnnotations: {},
      externalURL: 'http://alertmanager:9093', truncatedAlerts: 0,
      alerts: [{ status: 'firing', labels: { alertname: 'DiskFull', severity: 'critical' }, annotations: { summary: 'Disk full on db-1' },
        startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prom', fingerprint: randomBytes(8).toString('hex') }],
    };
    const response = await fetch(`${b.apiUrl}/api/webhooks/alertmanager/${endpoint.id as string}`, {
      method: 'POST', headers: { authorization: `Bearer ${endpoint.secret as string}`, 'content-type': 'application/json' }, body: JSON.stringify(alert),
    });
    assert.equal(response.status, 202, await response.text());
    const task = await eventually(async () => {
      const list = (await restClient(a.apiUrl, key)('GET', '/api/v1/tasks?priority=critical&limit=50')).body.tasks as Json[];
      return list.find((t) => t.title === 'Disk full on db-1');
    }, 15_000, 'incident task');
    assert.equal(task.priority, 'critical');
  });

  it('a worker stopped with SIGTERM drains and leaves cleanly: exit code 0, its lease given up, not declared dead', async () => {
    const { rows: live } = await sql.query<{ id: string }>(`SELECT id FROM processes WHERE pid = $1 AND stopped_at IS NULL`, [worker.child.pid]);
    assert.equal(live.length, 1, 'the worker holds a lease');
    const workerId = live[0]!.id;
    assert.equal(await worker.stop(), 0, worker.output());
    assert.match(worker.output(), /shutting down/);
    const { rows } = await sql.query<{ stopped_at: Date | null }>(`SELECT stopped_at FROM processes WHERE id = $1`, [workerId]);
    assert.ok(rows[0]?.stopped_at, 'the lease was given up on the way out');
    // Give the survivors a heartbeat or two: nobody may treat the worker as dead.
    await new Promise((r) => setTimeout(r, 1200));
    assert.doesNotMatch(a.output() + b.output(), new RegExp(`${workerId}[^\n]*stopped heartbeating|stopped heartbeating[^\n]*${workerId}`));
  });

  it('requeues the work of a process killed with SIGKILL once its lease expires; every task ends once', async () => {
    const stuck = await startAgent(b.mcpUrl, key, { id: 'mp-doomed', capabilities: ['mp-deploy'], behaviour: async (task, ag) => void (await ag.accept(task.id)) });
    agents.push(stuck);
    const created = (await restClient(a.apiUrl, key)('POST', '/api/v1/tasks', { title: 'deploy', required_capabilities: ['mp-deploy'] })).body;
    await eventually(async () => (await taskOf(created.id)).status === 'in_progress', 15_000, 'in progress on B');
    const killedAt = Date.now();
    await b.kill9();
    const rescuer = await startAgent(a.mcpUrl, key, { id: 'mp-rescuer', capabilities: ['mp-deploy'], behaviour: completeEverything });
    agents.push(rescuer);
    const done = await eventually(async () => ((await taskOf(created.id)).status === 'completed' ? taskOf(created.id) : undefined), 20_000, 'requeued and completed');
    console.log(`process death to completion elsewhere: ${Date.now() - killedAt} ms (lease 1500 ms)`);
    assert.equal(done.assigned_agent_id, 'mp-rescuer');
    assert.deepEqual(done.previous_agent_ids, ['mp-doomed']);
    const { rows } = await sql.query(`SELECT task_id, count(*) FILTER (WHERE to_status IN ('completed','failed','cancelled','timed_out','dead_lettered'))::int AS terminals FROM task_events GROUP BY task_id`);
    for (const row of rows) assert.ok(row.terminals <= 1, `${row.task_id} ended ${row.terminals} times`);
  });
});
