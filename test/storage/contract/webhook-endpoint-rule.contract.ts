import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newId } from '../../../src/lib/ids.js';
import type { EventRuleRecord, WebhookEndpointRecord } from '../../../src/storage/records.js';
import { at, devMeshError, t0, type ContractContext } from './context.js';

export function newEndpoint(tenantId: string, over: Partial<WebhookEndpointRecord> = {}): Omit<WebhookEndpointRecord, 'createdAt' | 'updatedAt'> {
  return {
    tenantId,
    id: newId('whk'),
    source: 'github',
    name: newId('hook'),
    secret: 'a-secret-of-sixteen-plus',
    config: {},
    ...over,
  };
}

export function newRule(tenantId: string, over: Partial<EventRuleRecord> = {}): Omit<EventRuleRecord, 'createdAt' | 'updatedAt'> {
  return {
    tenantId,
    id: newId('rule'),
    name: newId('rule-name'),
    source: 'github',
    event: 'pull_request',
    endpointId: null,
    filter: { action: 'opened', 'pull_request.draft': false },
    task: { title: 'Review PR #{{pull_request.number}}', required_capabilities: ['code-review'] },
    ...over,
  };
}

export function defineWebhookEndpointRuleContract(ctx: ContractContext): void {
  describe('WebhookEndpointStore', () => {
    it('creates an endpoint and reads it by tenant, for ingress, and in the list', async () => {
      const tenant = await ctx.newTenant();
      const input = newEndpoint(tenant.id, { source: 'alertmanager', config: { capability_rules: [{ match: { severity: 'critical' }, capabilities: ['sre'] }] } });
      const endpoint = await ctx.stores.webhookEndpoints.create(input, t0);
      assert.deepEqual(endpoint, { ...input, createdAt: t0, updatedAt: t0 });
      assert.deepEqual(await ctx.stores.webhookEndpoints.get(tenant.id, input.id), endpoint);
      assert.deepEqual(await ctx.stores.webhookEndpoints.findForIngress(input.id), endpoint);
      const second = await ctx.stores.webhookEndpoints.create(newEndpoint(tenant.id), at(1));
      assert.deepEqual(await ctx.stores.webhookEndpoints.list(tenant.id), [endpoint, second]);
      assert.equal(await ctx.stores.webhookEndpoints.findForIngress(newId('whk')), undefined);
    });

    it('names are unique per tenant; ids are unique across tenants', async () => {
      const [a, b] = [await ctx.newTenant(), await ctx.newTenant()];
      const first = await ctx.stores.webhookEndpoints.create(newEndpoint(a.id), t0);
      await assert.rejects(ctx.stores.webhookEndpoints.create(newEndpoint(a.id, { name: first.name }), t0), devMeshError('conflict'));
      await ctx.stores.webhookEndpoints.create(newEndpoint(b.id, { name: first.name }), t0);
      await assert.rejects(ctx.stores.webhookEndpoints.create(newEndpoint(b.id, { id: first.id }), t0), devMeshError('conflict'));
    });

    it('another tenant can neither read nor delete an endpoint', async () => {
      const [a, b] = [await ctx.newTenant(), await ctx.newTenant()];
      const endpoint = await ctx.stores.webhookEndpoints.create(newEndpoint(a.id), t0);
      assert.equal(await ctx.stores.webhookEndpoints.get(b.id, endpoint.id), undefined);
      assert.deepEqual(await ctx.stores.webhookEndpoints.list(b.id), []);
      assert.equal(await ctx.stores.webhookEndpoints.delete(b.id, endpoint.id), false);
      assert.deepEqual(await ctx.stores.webhookEndpoints.get(a.id, endpoint.id), endpoint);
    });

    it('delete removes the endpoint with its deliveries and the rules bound to it', async () => {
      const tenant = await ctx.newTenant();
      const endpoint = await ctx.stores.webhookEndpoints.create(newEndpoint(tenant.id), t0);
      const bound = await ctx.stores.eventRules.create(newRule(tenant.id, { endpointId: endpoint.id }), t0);
      const unbound = await ctx.stores.eventRules.create(newRule(tenant.id), t0);
      const { delivery } = await ctx.stores.webhookDeliveries.record(
        { tenantId: tenant.id, id: newId('dlv'), endpointId: endpoint.id, deliveryKey: 'k', event: 'push', payload: {} },
        t0,
      );
      assert.equal(await ctx.stores.webhookEndpoints.delete(tenant.id, endpoint.id), true);
      assert.equal(await ctx.stores.webhookEndpoints.delete(tenant.id, endpoint.id), false);
      assert.equal(await ctx.stores.webhookEndpoints.findForIngress(endpoint.id), undefined);
      assert.equal(await ctx.stores.webhookDeliveries.get(tenant.id, delivery.id), undefined);
      assert.equal(await ctx.stores.eventRules.get(tenant.id, bound.id), undefined);
      assert.deepEqual(await ctx.stores.eventRules.list(tenant.id), [unbound]);
    });
  });

  describe('EventRuleStore', () => {
    it('creates, gets, lists oldest first and deletes', async () => {
      const tenant = await ctx.newTenant();
      const input = newRule(tenant.id, { filter: { 'a.b': [1, { c: null }], flag: false }, task: { title: 't', payload: { n: '{{x}}' } } });
      const rule = await ctx.stores.eventRules.create(input, at(2));
      assert.deepEqual(rule, { ...input, createdAt: at(2), updatedAt: at(2) });
      const older = await ctx.stores.eventRules.create(newRule(tenant.id), at(1));
      assert.deepEqual(await ctx.stores.eventRules.get(tenant.id, rule.id), rule);
      assert.deepEqual(await ctx.stores.eventRules.list(tenant.id), [older, rule]);
      assert.equal(await ctx.stores.eventRules.delete(tenant.id, rule.id), true);
      assert.equal(await ctx.stores.eventRules.delete(tenant.id, rule.id), false);
      assert.deepEqual(await ctx.stores.eventRules.list(tenant.id), [older]);
    });

    it('rejects a taken name with conflict and an endpoint of another tenant with not_found', async () => {
      const [a, b] = [await ctx.newTenant(), await ctx.newTenant()];
      const rule = await ctx.stores.eventRules.create(newRule(a.id), t0);
      await assert.rejects(ctx.stores.eventRules.create(newRule(a.id, { name: rule.name }), t0), devMeshError('conflict'));
      const endpointB = await ctx.stores.webhookEndpoints.create(newEndpoint(b.id), t0);
      await assert.rejects(ctx.stores.eventRules.create(newRule(a.id, { endpointId: endpointB.id }), t0), devMeshError('not_found'));
      await assert.rejects(ctx.stores.eventRules.create(newRule(a.id, { endpointId: newId('whk') }), t0), devMeshError('not_found'));
    });

    it('listMatching selects by source, event (or *) and endpoint (or none), in rule order', async () => {
      const tenant = await ctx.newTenant();
      const hook = await ctx.stores.webhookEndpoints.create(newEndpoint(tenant.id), t0);
      const other = await ctx.stores.webhookEndpoints.create(newEndpoint(tenant.id), t0);
      const make = (name: string, over: Partial<EventRuleRecord>, ms: number) => ctx.stores.eventRules.create(newRule(tenant.id, { name, ...over }), at(ms));
      await make('pr', { event: 'pull_request' }, 1);
      await make('any', { event: '*' }, 2);
      await make('push', { event: 'push' }, 3);
      await make('pr-on-hook', { event: 'pull_request', endpointId: hook.id }, 4);
      await make('pr-on-other', { event: 'pull_request', endpointId: other.id }, 5);
      await make('alerts', { source: 'alertmanager', event: '*' }, 6);
      const names = async (event: string, endpointId: string) =>
        (await ctx.stores.eventRules.listMatching(tenant.id, 'github', event, endpointId)).map((r) => r.name);
      assert.deepEqual(await names('pull_request', hook.id), ['pr', 'any', 'pr-on-hook']);
      assert.deepEqual(await names('push', other.id), ['any', 'push']);
      assert.deepEqual(await names('issues', hook.id), ['any']);
      assert.deepEqual((await ctx.stores.eventRules.listMatching(tenant.id, 'alertmanager', 'firing', hook.id)).map((r) => r.name), ['alerts']);
    });

    it('another tenant’s rules are invisible and never match', async () => {
      const [a, b] = [await ctx.newTenant(), await ctx.newTenant()];
      const rule = await ctx.stores.eventRules.create(newRule(a.id, { event: '*' }), t0);
      const endpointB = await ctx.stores.webhookEndpoints.create(newEndpoint(b.id), t0);
      assert.equal(await ctx.stores.eventRules.get(b.id, rule.id), undefined);
      assert.deepEqual(await ctx.stores.eventRules.list(b.id), []);
      assert.deepEqual(await ctx.stores.eventRules.listMatching(b.id, 'github', 'pull_request', endpointB.id), []);
      assert.equal(await ctx.stores.eventRules.delete(b.id, rule.id), false);
      assert.deepEqual(await ctx.stores.eventRules.get(a.id, rule.id), rule);
    });
  });
}
