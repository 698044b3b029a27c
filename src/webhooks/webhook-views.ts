import type { EventRuleRecord, WebhookDeliveryRecord, WebhookEndpointRecord } from '../storage/records.js';
import { alertmanagerConfigSchema, taskTemplateSchema, type DeliveryView, type EventRuleView, type WebhookView } from './webhook-schemas.js';

/** Where a sender posts: on the API port, no API key (the secret or signature authenticates). */
export const ingressPath = (endpoint: Pick<WebhookEndpointRecord, 'source' | 'id'>) => `/api/webhooks/${endpoint.source}/${endpoint.id}`;

/** Never includes the secret. */
export function toWebhookView(endpoint: WebhookEndpointRecord): WebhookView {
  const config = endpoint.source === 'alertmanager' ? alertmanagerConfigSchema.parse(endpoint.config ?? {}) : undefined;
  return {
    id: endpoint.id,
    source: endpoint.source,
    name: endpoint.name,
    url_path: ingressPath(endpoint),
    capability_rules: config?.capability_rules ?? [],
    default_capabilities: config?.default_capabilities ?? [],
    created_at: endpoint.createdAt.toISOString(),
  };
}

export function toEventRuleView(rule: EventRuleRecord): EventRuleView {
  return {
    id: rule.id,
    name: rule.name,
    source: rule.source,
    event: rule.event,
    endpoint_id: rule.endpointId,
    filter: rule.filter,
    task: taskTemplateSchema.parse(rule.task),
    created_at: rule.createdAt.toISOString(),
  };
}

export function toDeliveryView(delivery: WebhookDeliveryRecord): DeliveryView {
  return {
    id: delivery.id,
    endpoint_id: delivery.endpointId,
    delivery_key: delivery.deliveryKey,
    event: delivery.event,
    status: delivery.status,
    task_ids: delivery.taskIds,
    error: delivery.error,
    attempts: delivery.attempts,
    received_at: delivery.receivedAt.toISOString(),
    processed_at: delivery.processedAt?.toISOString() ?? null,
  };
}
