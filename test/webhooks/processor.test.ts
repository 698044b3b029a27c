import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { DevMeshError } from '../../src/errors/index.js';
import { createManualClock } from '../../src/lib/clock.js';
import { newId } from '../../src/lib/ids.js';
import { createStores } from '../../src/storage/queries/index.js';
import type { Stores } from '../../src/storage/stores.js';
import { createTaskService, type TaskService } from '../../src/tasks/task-service.js';
import { alertDeliveryKey } from '../../src/webhooks/webhook-payloads.js';
import { createWebhookProcessor, webhookPrincipal, type WebhookProcessorDeps } from '../../src/webhooks/webhook-processor.js';
import { openTestPglite, type TestPglite } from '../helpers/databases.js';

/** The processor against real stores (PGlite) and the real task service: idempotency and recovery. */
describe('webhook processor', () => {
  let db: TestPglite;
  let stores: Stores;
  let tasks: TaskService;
  const clock = createManualClock(new Date('2026-03-01T12:00:00Z'));
  const logger = pino({ level: 'silent' });

  before(async () => {
    db = await openTestPglite();
    stores = createStores(db.sql);
    tasks = createTaskService({ tasks: stores.tasks, announce: () => undefined, clock });
  });
  after(async () => {
    await db.cleanup();
  });

  function processor(over: Partial<WebhookProcessorDeps> = {}) {
    return createWebhookProcessor({
      endpoints: stores.webhookEndpoints,
      deliveries: stores.webhookDeliveries,
      rules: stores.eventRules,
      tasks,
      clock,
      logger,
      leaseMs: 10_000,
      ...over,
    });
  }

  async function githubSetup(ruleCount = 2) {
    const tenant = await stores.tenants.create({ id: newId('tnt'), name: newId('t') });
    const endpoint = await stores.webhookEndpoints.create(
      { tenantId: tenant.id, id: newId('whk'), source: 'github', name: 'gh', secret: 'x'.repeat(20), config: {} },
      clock.now(),
    );
    for (let i = 0; i < ruleCount; i++) {
      await stores.eventRules.create(
        {
          tenantId: tenant.id, id: newId('rule'), name: `r${i}`, source: 'github', event: 'pull_request', endpointId: null,
          filter: { action: 'opened' }, task: { title: `Rule ${i}: PR #{{number}}`, type: 'code_review' },
        },
        new Date(clock.now().getTime() + i),
      );
    }
    const { delivery } = await stores.webhookDeliveries.record(
      { tenantId: tenant.id, id: newId('dlv'), endpointId: endpoint.id, deliveryKey: newId('gh'), event: 'pull_request', payload: { action: 'opened', number: 9 } },
      clock.now(),
    );
    return { tenant, endpoint, delivery, job: { tenant_id: tenant.id, delivery_id: delivery.id } };
  }

  const tasksOf = async (tenantId: string) => (await stores.tasks.list(tenantId, {}, { limit: 100 })).items;

  it('creates the planned tasks as the endpoint and marks the delivery processed; running again does nothing', async () => {
    const { tenant, endpoint, delivery, job } = await githubSetup();
    assert.equal(await processor()(job), 'processed');
    const done = await stores.webhookDeliveries.get(tenant.id, delivery.id);
    assert.equal(done?.status, 'processed');
    assert.equal(done?.taskIds.length, 2);
    const created = await tasksOf(tenant.id);
    assert.deepEqual(created.map((t) => t.title).sort(), ['Rule 0: PR #9', 'Rule 1: PR #9']);
    assert.ok(created.every((t) => t.createdBy === `webhook:${endpoint.id}` && t.type === 'code_review'));
    assert.equal(await processor()(job), 'skipped');
    assert.equal(await processor()(job), 'skipped');
    assert.equal((await tasksOf(tenant.id)).length, 2);
  });

  it('resumes after a crash: tasks already recorded are not created again', async () => {
    const { tenant, delivery, job } = await githubSetup();
    let calls = 0;
    const crashing = processor({
      tasks: {
        ...tasks,
        create: async (...args) => {
          if (++calls === 2) throw new Error('connection lost');
          return tasks.create(...args);
        },
      },
    });
    await assert.rejects(crashing(job), /connection lost/);
    const halfway = await stores.webhookDeliveries.get(tenant.id, delivery.id);
    assert.deepEqual([halfway?.status, halfway?.taskIds.length], ['pending', 1], 'released after a transient error');
    // A rule added now does not change what this delivery does: the plan was stored.
    await stores.eventRules.create(
      { tenantId: tenant.id, id: newId('rule'), name: 'late', source: 'github', event: '*', endpointId: null, filter: {}, task: { title: 'late' } },
      clock.now(),
    );
    assert.equal(await processor()(job), 'processed');
    const done = await stores.webhookDeliveries.get(tenant.id, delivery.id);
    assert.equal(done?.taskIds[0], halfway?.taskIds[0]);
    assert.deepEqual((await tasksOf(tenant.id)).map((t) => t.title).sort(), ['Rule 0: PR #9', 'Rule 1: PR #9']);
    assert.equal(done?.attempts, 2);
  });

  it('a crash between creating a task and recording its id does not create the task twice', async () => {
    const { tenant, delivery, job } = await githubSetup();
    const crashing = processor({
      deliveries: {
        ...stores.webhookDeliveries,
        appendTask: async (...args) => {
          if (args[2] === 1) throw new Error('process died');
          return stores.webhookDeliveries.appendTask(...args);
        },
      },
    });
    await assert.rejects(crashing(job), /process died/);
    assert.equal((await tasksOf(tenant.id)).length, 2, 'the second task was created, its id not recorded');
    assert.equal(await processor()(job), 'processed');
    const done = await stores.webhookDeliveries.get(tenant.id, delivery.id);
    const created = await tasksOf(tenant.id);
    assert.equal(created.length, 2);
    assert.deepEqual([...(done?.taskIds ?? [])].sort(), created.map((t) => t.id).sort());
    assert.deepEqual(created.map((t) => t.idempotencyKey).sort(), [`webhook:${delivery.id}:0`, `webhook:${delivery.id}:1`]);
  });

  it('a delivery leased by another attempt is busy (retry later) until the lease runs out', async () => {
    const { tenant, delivery, job } = await githubSetup(1);
    const now = clock.now();
    await stores.webhookDeliveries.claim(tenant.id, delivery.id, now, new Date(now.getTime() + 10_000));
    await assert.rejects(processor()(job), (error: unknown) => error instanceof DevMeshError && error.code === 'unavailable');
    assert.equal((await tasksOf(tenant.id)).length, 0);
    clock.advance(10_001);
    assert.equal(await processor()(job), 'processed');
    assert.equal((await tasksOf(tenant.id)).length, 1);
  });

  it('unknown deliveries and other tenants’ deliveries are skipped', async () => {
    const { delivery } = await githubSetup(1);
    const other = await stores.tenants.create({ id: newId('tnt'), name: newId('t') });
    assert.equal(await processor()({ tenant_id: other.id, delivery_id: delivery.id }), 'skipped');
    assert.equal(await processor()({ tenant_id: other.id, delivery_id: newId('dlv') }), 'skipped');
    assert.equal((await tasksOf(other.id)).length, 0);
  });

  it('a permanent error marks the delivery failed instead of retrying forever', async () => {
    const { tenant, delivery, job } = await githubSetup(1);
    const refusing = processor({
      tasks: { ...tasks, create: async () => Promise.reject(new DevMeshError('invalid_argument', 'no such thing')) },
    });
    assert.equal(await refusing(job), 'failed');
    const failed = await stores.webhookDeliveries.get(tenant.id, delivery.id);
    assert.deepEqual([failed?.status, failed?.error], ['failed', 'no such thing']);
    assert.equal(await processor()(job), 'skipped');
  });

  describe('Alertmanager', () => {
    async function alertSetup() {
      const tenant = await stores.tenants.create({ id: newId('tnt'), name: newId('t') });
      const endpoint = await stores.webhookEndpoints.create(
        {
          tenantId: tenant.id, id: newId('whk'), source: 'alertmanager', name: 'am', secret: 'x'.repeat(20),
          config: { capability_rules: [{ match: { severity: 'critical' }, capabilities: ['incident-response'] }], default_capabilities: [] },
        },
        clock.now(),
      );
      const alert = (status: 'firing' | 'resolved') => ({
        status, labels: { alertname: 'DiskFull', severity: 'critical' }, annotations: {}, startsAt: '2026-03-01T11:59:00Z',
        fingerprint: newId('fp'), receiver: 'devmesh', groupKey: 'g', externalURL: '',
      });
      const record = async (payload: ReturnType<typeof alert>) => {
        const { delivery } = await stores.webhookDeliveries.record(
          { tenantId: tenant.id, id: newId('dlv'), endpointId: endpoint.id, deliveryKey: alertDeliveryKey(payload), event: payload.status, payload },
          clock.now(),
        );
        return { tenant_id: tenant.id, delivery_id: delivery.id };
      };
      return { tenant, endpoint, alert, record };
    }

    it('a resolved alert cancels its firing alert’s task while it is still queued', async () => {
      const { tenant, alert, record } = await alertSetup();
      const firing = alert('firing');
      assert.equal(await processor()(await record(firing)), 'processed');
      const [task] = await tasksOf(tenant.id);
      assert.deepEqual([task?.priority, task?.requiredCapabilities, task?.status], ['critical', ['incident-response'], 'queued']);
      assert.equal(await processor()(await record({ ...firing, status: 'resolved' })), 'processed');
      assert.equal((await stores.tasks.get(tenant.id, task!.id))?.status, 'cancelled');
    });

    it('a resolved alert leaves a task an agent already has, and waits for an unprocessed firing alert', async () => {
      const { tenant, endpoint, alert, record } = await alertSetup();
      const firing = alert('firing');
      const firingJob = await record(firing);
      const resolvedJob = await record({ ...firing, status: 'resolved' });
      await assert.rejects(processor()(resolvedJob), (error: unknown) => error instanceof DevMeshError && error.code === 'unavailable');
      await processor()(firingJob);
      const [task] = await tasksOf(tenant.id);
      await stores.tasks.transition(tenant.id, task!.id, { from: ['queued'], to: 'in_progress', actor: 'test', reason: null, at: clock.now() });
      assert.equal(await processor()(resolvedJob), 'processed');
      assert.equal((await tasks.get(webhookPrincipal(tenant.id, endpoint.id), task!.id)).status, 'in_progress');
    });
  });
});
