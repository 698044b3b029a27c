import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createManualClock } from '../../src/lib/clock.js';
import { newId } from '../../src/lib/ids.js';
import { createStores } from '../../src/storage/queries/index.js';
import type { Stores } from '../../src/storage/stores.js';
import { createWebhookRecovery, defaultWebhookRecovery } from '../../src/webhooks/webhook-recovery.js';
import type { WebhookJob } from '../../src/webhooks/webhook-schemas.js';
import { openTestPglite, type TestPglite } from '../helpers/databases.js';

/** The recovery sweep against real stores: lost jobs are queued again, hopeless ones fail, old ones go. */
describe('webhook recovery sweep', () => {
  let db: TestPglite;
  let stores: Stores;
  // Far from every other test's times: the sweep reads every tenant.
  const clock = createManualClock(new Date('2031-06-01T00:00:00Z'));
  const minute = 60_000;

  before(async () => {
    db = await openTestPglite();
    stores = createStores(db.sql);
  });
  after(async () => {
    await db.cleanup();
  });

  async function endpoint() {
    const tenant = await stores.tenants.create({ id: newId('tnt'), name: newId('t') });
    return stores.webhookEndpoints.create(
      { tenantId: tenant.id, id: newId('whk'), source: 'github', name: 'gh', secret: 'x'.repeat(20), config: {} },
      clock.now(),
    );
  }

  async function receive(endpointId: string, tenantId: string, at: Date) {
    const { delivery } = await stores.webhookDeliveries.record(
      { tenantId, id: newId('dlv'), endpointId, deliveryKey: newId('gh'), event: 'push', payload: {} },
      at,
    );
    return delivery;
  }

  it('queues stuck deliveries again once per attempt, fails hopeless ones and deletes old finished ones', async () => {
    const { tenantId, id: endpointId } = await endpoint();
    const now = clock.now().getTime();
    const fresh = await receive(endpointId, tenantId, new Date(now - 10_000));
    const lost = await receive(endpointId, tenantId, new Date(now - 5 * minute));
    const abandoned = await receive(endpointId, tenantId, new Date(now - 5 * minute));
    await stores.webhookDeliveries.claim(tenantId, abandoned.id, new Date(now - 4 * minute), new Date(now - 3 * minute));
    const leased = await receive(endpointId, tenantId, new Date(now - 5 * minute));
    await stores.webhookDeliveries.claim(tenantId, leased.id, new Date(now - 1000), new Date(now + minute));
    const hopeless = await receive(endpointId, tenantId, new Date(now - 5 * minute));
    for (let i = 0; i < 3; i++) {
      await stores.webhookDeliveries.claim(tenantId, hopeless.id, new Date(now - 3 * minute + i), new Date(now - 3 * minute + i));
    }
    const old = await receive(endpointId, tenantId, new Date(now - 40 * 86_400_000));
    await stores.webhookDeliveries.finish(tenantId, old.id, { status: 'processed', error: null }, new Date(now - 31 * 86_400_000));
    const recent = await receive(endpointId, tenantId, new Date(now - 2 * 86_400_000));
    await stores.webhookDeliveries.finish(tenantId, recent.id, { status: 'failed', error: 'x' }, new Date(now - 86_400_000));

    const queued: [WebhookJob, number][] = [];
    const sweep = createWebhookRecovery({
      deliveries: stores.webhookDeliveries,
      redispatch: async (job, attempt) => void queued.push([job, attempt]),
      clock,
      logger: pino({ level: 'silent' }),
      options: { ...defaultWebhookRecovery, maxAttempts: 3 },
    });
    assert.deepEqual(await sweep(), { redispatched: 2, gaveUp: 1, deleted: 1 });
    assert.deepEqual(
      queued.map(([job, attempt]) => [job.delivery_id, attempt]).sort(),
      [[abandoned.id, 1], [lost.id, 0]].sort(),
      'the lost pending one and the one whose lease ran out; not the fresh or the leased one',
    );
    assert.ok(queued.every(([job]) => job.tenant_id === tenantId));
    const failed = await stores.webhookDeliveries.get(tenantId, hopeless.id);
    assert.equal(failed?.status, 'failed');
    assert.match(failed?.error ?? '', /gave up after 3 processing attempts/);
    assert.equal(await stores.webhookDeliveries.get(tenantId, old.id), undefined);
    assert.equal((await stores.webhookDeliveries.get(tenantId, recent.id))?.status, 'failed');
    assert.equal((await stores.webhookDeliveries.get(tenantId, fresh.id))?.status, 'pending');
  });
});
