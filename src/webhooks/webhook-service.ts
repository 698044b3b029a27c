import { invalidArgument, notFound } from '../errors/index.js';
import type { Clock } from '../lib/clock.js';
import { newId, randomSecret } from '../lib/ids.js';
import type { EventRuleRecord, WebhookDeliveryRecord, WebhookEndpointRecord } from '../storage/records.js';
import type { EventRuleStore, WebhookDeliveryStore, WebhookEndpointStore } from '../storage/stores.js';
import type { Principal } from '../tenancy/principal.js';
import { requireRole } from '../tenancy/tenancy-service.js';
import { alertmanagerConfigSchema, type EventRuleCreateInput, type WebhookCreateInput } from './webhook-schemas.js';

export interface WebhookServiceDeps {
  endpoints: WebhookEndpointStore;
  deliveries: WebhookDeliveryStore;
  rules: EventRuleStore;
  clock: Clock;
}

export type WebhookService = ReturnType<typeof createWebhookService>;

/** Managing endpoints and event rules: admins write, readers read. Every call stays in the caller's tenant. */
export function createWebhookService(deps: WebhookServiceDeps) {
  const { endpoints, deliveries, rules, clock } = deps;

  async function getEndpoint(principal: Principal, id: string): Promise<WebhookEndpointRecord> {
    requireRole(principal, 'reader');
    const endpoint = await endpoints.get(principal.tenantId, id);
    if (!endpoint) throw notFound(`No webhook endpoint with id "${id}" in this tenant.`, { webhook_id: id });
    return endpoint;
  }

  return {
    getEndpoint,

    /** The secret is returned here and never again. */
    async createEndpoint(principal: Principal, input: WebhookCreateInput): Promise<{ endpoint: WebhookEndpointRecord; secret: string }> {
      requireRole(principal, 'admin');
      const secret = input.secret ?? randomSecret(32);
      const config =
        input.source === 'alertmanager'
          ? alertmanagerConfigSchema.parse({ capability_rules: input.capability_rules, default_capabilities: input.default_capabilities })
          : {};
      const endpoint = await endpoints.create(
        { tenantId: principal.tenantId, id: newId('whk'), source: input.source, name: input.name, secret, config },
        clock.now(),
      );
      return { endpoint, secret };
    },

    async listEndpoints(principal: Principal): Promise<WebhookEndpointRecord[]> {
      requireRole(principal, 'reader');
      return endpoints.list(principal.tenantId);
    },

    async deleteEndpoint(principal: Principal, id: string): Promise<void> {
      requireRole(principal, 'admin');
      if (!(await endpoints.delete(principal.tenantId, id))) {
        throw notFound(`No webhook endpoint with id "${id}" in this tenant.`, { webhook_id: id });
      }
    },

    async listDeliveries(principal: Principal, endpointId: string, limit: number): Promise<WebhookDeliveryRecord[]> {
      await getEndpoint(principal, endpointId);
      return deliveries.list(principal.tenantId, endpointId, limit);
    },

    async createRule(principal: Principal, input: EventRuleCreateInput): Promise<EventRuleRecord> {
      requireRole(principal, 'admin');
      if (input.endpoint_id !== undefined) {
        const endpoint = await getEndpoint(principal, input.endpoint_id);
        if (endpoint.source !== input.source) {
          throw invalidArgument(`Endpoint "${endpoint.id}" receives ${endpoint.source} events, not ${input.source} ones.`, {
            field: 'endpoint_id',
          });
        }
      }
      return rules.create(
        {
          tenantId: principal.tenantId,
          id: newId('rule'),
          name: input.name,
          source: input.source,
          event: input.event,
          endpointId: input.endpoint_id ?? null,
          filter: input.filter,
          task: input.task,
        },
        clock.now(),
      );
    },

    async listRules(principal: Principal): Promise<EventRuleRecord[]> {
      requireRole(principal, 'reader');
      return rules.list(principal.tenantId);
    },

    async getRule(principal: Principal, id: string): Promise<EventRuleRecord> {
      requireRole(principal, 'reader');
      const rule = await rules.get(principal.tenantId, id);
      if (!rule) throw notFound(`No event rule with id "${id}" in this tenant.`, { rule_id: id });
      return rule;
    },

    async deleteRule(principal: Principal, id: string): Promise<void> {
      requireRole(principal, 'admin');
      if (!(await rules.delete(principal.tenantId, id))) throw notFound(`No event rule with id "${id}" in this tenant.`, { rule_id: id });
    },
  };
}
