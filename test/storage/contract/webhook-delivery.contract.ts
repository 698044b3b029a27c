import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newId } from '../../../src/lib/ids.js';
import type { NewWebhookDelivery } from '../../../src/storage/stores.js';
import { at, devMeshError, jsonSamples, t0, type ContractContext } from './context.js';
import { newEndpoint } from './webhook-endpoint-rule.contract.js';

export function defineWebhookDeliveryContract(ctx: ContractContext): void {
  describe('WebhookDeliveryStore', () => {
    async function endpointOfNewTenant() {
      const tenant = await ctx.newTenant();
      const endpoint = await ctx.stores.webhookEndpoints.create(newEndpoint(tenant.id), t0);
      const delivery = (over: Partial<NewWebhookDelivery> = {}): NewWebhookDelivery => ({
        tenantId: tenant.id,
        id: newId('dlv'),
        endpointId: endpoint.id,
        deliveryKey: newId('key'),
        event: 'pull_request',
        payload: { action: 'opened', pull_request: { number: 1 } },
        ...over,
      });
      return { tenant, endpoint, delivery };
    }

    it('records a pending delivery; the same key again returns the first one, not created', async () => {
      const { tenant, delivery } = await endpointOfNewTenant();
      const input = delivery();
      const first = await ctx.stores.webhookDeliveries.record(input, t0);
      assert.equal(first.created, true);
      assert.deepEqual(first.delivery, {
        ...input, status: 'pending', plan: null, taskIds: [], error: null, attempts: 0, claimedUntil: null, receivedAt: t0, processedAt: null,
      });
      const again = await ctx.stores.webhookDeliveries.record({ ...input, id: newId('dlv'), payload: { other: true } }, at(5));
      assert.deepEqual(again, { delivery: first.delivery, created: false });
      assert.deepEqual(await ctx.stores.webhookDeliveries.get(tenant.id, input.id), first.delivery);
      assert.deepEqual(await ctx.stores.webhookDeliveries.getByKey(tenant.id, input.endpointId, input.deliveryKey), first.delivery);
    });

    it('of concurrent records of one key exactly one creates', async () => {
      const { delivery } = await endpointOfNewTenant();
      const key = newId('key');
      const results = await Promise.all(Array.from({ length: 8 }, () => ctx.stores.webhookDeliveries.record(delivery({ deliveryKey: key }), t0)));
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(new Set(results.map((r) => r.delivery.id)).size, 1);
    });

    it('keys are per endpoint: another endpoint may have the same key', async () => {
      const { tenant, delivery } = await endpointOfNewTenant();
      const second = await ctx.stores.webhookEndpoints.create(newEndpoint(tenant.id), t0);
      const a = await ctx.stores.webhookDeliveries.record(delivery({ deliveryKey: 'same' }), t0);
      const b = await ctx.stores.webhookDeliveries.record(delivery({ deliveryKey: 'same', endpointId: second.id }), t0);
      assert.equal(a.created && b.created, true);
    });

    it('an unknown endpoint, or another tenant’s, is not_found', async () => {
      const { delivery } = await endpointOfNewTenant();
      const other = await endpointOfNewTenant();
      await assert.rejects(ctx.stores.webhookDeliveries.record(delivery({ endpointId: newId('whk') }), t0), devMeshError('not_found'));
      await assert.rejects(ctx.stores.webhookDeliveries.record(delivery({ endpointId: other.endpoint.id }), t0), devMeshError('not_found'));
    });

    it('stores any JSON payload unchanged', async () => {
      const { tenant, delivery } = await endpointOfNewTenant();
      for (const sample of jsonSamples) {
        const { delivery: stored } = await ctx.stores.webhookDeliveries.record(delivery({ payload: sample.value }), t0);
        assert.deepEqual((await ctx.stores.webhookDeliveries.get(tenant.id, stored.id))?.payload, sample.value, sample.label);
      }
    });

    it('lists an endpoint’s deliveries newest first, up to the limit', async () => {
      const { tenant, endpoint, delivery } = await endpointOfNewTenant();
      const ids = [];
      for (let i = 0; i < 4; i++) ids.push((await ctx.stores.webhookDeliveries.record(delivery(), at(i))).delivery.id);
      const listed = await ctx.stores.webhookDeliveries.list(tenant.id, endpoint.id, 3);
      assert.deepEqual(listed.map((d) => d.id), [ids[3], ids[2], ids[1]]);
      await assert.rejects(ctx.stores.webhookDeliveries.list(tenant.id, endpoint.id, 0), devMeshError('invalid_argument'));
    });

    it('claim: pending -> processing with a lease; taken while the lease runs, free after it', async () => {
      const { tenant, delivery } = await endpointOfNewTenant();
      const { delivery: d } = await ctx.stores.webhookDeliveries.record(delivery(), t0);
      const claimed = await ctx.stores.webhookDeliveries.claim(tenant.id, d.id, at(1), at(1001));
      assert.deepEqual(claimed, { ...d, status: 'processing', attempts: 1, claimedUntil: at(1001) });
      assert.equal(await ctx.stores.webhookDeliveries.claim(tenant.id, d.id, at(500), at(1500)), undefined);
      const taken = await ctx.stores.webhookDeliveries.claim(tenant.id, d.id, at(1001), at(2001));
      assert.equal(taken?.attempts, 2);
      assert.deepEqual(taken?.claimedUntil, at(2001));
    });

    it('of concurrent claims at most one succeeds', async () => {
      const { tenant, delivery } = await endpointOfNewTenant();
      const { delivery: d } = await ctx.stores.webhookDeliveries.record(delivery(), t0);
      const claims = await Promise.all(Array.from({ length: 6 }, () => ctx.stores.webhookDeliveries.claim(tenant.id, d.id, at(1), at(60_000))));
      assert.equal(claims.filter(Boolean).length, 1);
    });

    it('release gives the delivery back only to the holder of the lease', async () => {
      const { tenant, delivery } = await endpointOfNewTenant();
      const { delivery: d } = await ctx.stores.webhookDeliveries.record(delivery(), t0);
      await ctx.stores.webhookDeliveries.claim(tenant.id, d.id, at(1), at(1000));
      await ctx.stores.webhookDeliveries.release(tenant.id, d.id, at(999));
      assert.equal((await ctx.stores.webhookDeliveries.get(tenant.id, d.id))?.status, 'processing');
      await ctx.stores.webhookDeliveries.release(tenant.id, d.id, at(1000));
      const released = await ctx.stores.webhookDeliveries.get(tenant.id, d.id);
      assert.deepEqual([released?.status, released?.claimedUntil], ['pending', null]);
      assert.ok(await ctx.stores.webhookDeliveries.claim(tenant.id, d.id, at(2), at(1000)));
    });

    it('plan is stored once; task ids append only at their index; finish ends processing', async () => {
      const { tenant, delivery } = await endpointOfNewTenant();
      const { delivery: d } = await ctx.stores.webhookDeliveries.record(delivery(), t0);
      await ctx.stores.webhookDeliveries.claim(tenant.id, d.id, at(1), at(1000));
      const planned = await ctx.stores.webhookDeliveries.setPlan(tenant.id, d.id, { tasks: [1, 2] });
      assert.deepEqual(planned?.plan, { tasks: [1, 2] });
      assert.deepEqual((await ctx.stores.webhookDeliveries.setPlan(tenant.id, d.id, { tasks: ['changed'] }))?.plan, { tasks: [1, 2] });
      assert.equal(await ctx.stores.webhookDeliveries.appendTask(tenant.id, d.id, 1, 'task_b'), false, 'index 0 first');
      assert.equal(await ctx.stores.webhookDeliveries.appendTask(tenant.id, d.id, 0, 'task_a'), true);
      assert.equal(await ctx.stores.webhookDeliveries.appendTask(tenant.id, d.id, 0, 'task_x'), false, 'index 0 is taken');
      assert.equal(await ctx.stores.webhookDeliveries.appendTask(tenant.id, d.id, 1, 'task_b'), true);
      const finished = await ctx.stores.webhookDeliveries.finish(tenant.id, d.id, { status: 'processed', error: 'rule_x: skipped' }, at(3));
      assert.deepEqual(finished, {
        ...d, status: 'processed', plan: { tasks: [1, 2] }, taskIds: ['task_a', 'task_b'], error: 'rule_x: skipped', attempts: 1,
        claimedUntil: null, processedAt: at(3),
      });
      assert.equal(await ctx.stores.webhookDeliveries.claim(tenant.id, d.id, at(5000), at(6000)), undefined, 'finished is never claimed');
    });

    it('another tenant can neither read nor change a delivery', async () => {
      const { tenant, endpoint, delivery } = await endpointOfNewTenant();
      const b = await ctx.newTenant();
      const { delivery: d } = await ctx.stores.webhookDeliveries.record(delivery(), t0);
      assert.equal(await ctx.stores.webhookDeliveries.get(b.id, d.id), undefined);
      assert.equal(await ctx.stores.webhookDeliveries.getByKey(b.id, endpoint.id, d.deliveryKey), undefined);
      assert.deepEqual(await ctx.stores.webhookDeliveries.list(b.id, endpoint.id, 10), []);
      assert.equal(await ctx.stores.webhookDeliveries.claim(b.id, d.id, at(1), at(1000)), undefined);
      assert.equal(await ctx.stores.webhookDeliveries.setPlan(b.id, d.id, { stolen: true }), undefined);
      assert.equal(await ctx.stores.webhookDeliveries.appendTask(b.id, d.id, 0, 'task_x'), false);
      assert.equal(await ctx.stores.webhookDeliveries.finish(b.id, d.id, { status: 'failed', error: 'x' }, at(1)), undefined);
      await ctx.stores.webhookDeliveries.release(b.id, d.id, at(1000));
      assert.deepEqual(await ctx.stores.webhookDeliveries.get(tenant.id, d.id), d);
    });
  });
}
