import type { Clock } from '../lib/clock.js';
import type { Logger } from '../observability/logger.js';
import type { Stores } from '../storage/stores.js';
import type { TaskService } from '../tasks/task-service.js';
import { createWebhookIngest, type WebhookDispatch } from './webhook-ingest.js';
import { createWebhookProcessor } from './webhook-processor.js';
import { createWebhookService } from './webhook-service.js';

export { queueDispatch, registerWebhookConsumer, webhookQueueName } from './webhook-queue.js';

export interface WebhooksDeps {
  stores: Pick<Stores, 'webhookEndpoints' | 'webhookDeliveries' | 'eventRules'>;
  tasks: Pick<TaskService, 'create' | 'get' | 'cancel'>;
  clock: Clock;
  logger: Logger;
  /** Where recorded deliveries go: `queueDispatch(workQueue)`. */
  dispatch: WebhookDispatch;
}

/**
 * Configuring the senders (endpoints come from POST /api/v1/webhooks, which returns the secret once):
 *
 * - GitHub: Payload URL `<api url><url_path>`, content type application/json (form-encoded works
 *   too), Secret = the endpoint secret. Deliveries are verified with X-Hub-Signature-256 and
 *   deduplicated by X-GitHub-Delivery. Event rules (POST /api/v1/event-rules) turn events into tasks.
 * - Alertmanager cannot sign, so it authenticates with the secret as a bearer token:
 *
 *       receivers:
 *         - name: devmesh
 *           webhook_configs:
 *             - url: https://devmesh.example.com:8081/api/webhooks/alertmanager/<endpoint id>
 *               send_resolved: true
 *               http_config:
 *                 authorization: { type: Bearer, credentials: <endpoint secret> }
 *
 *   Each firing alert becomes an `incident` task (priority from labels.severity, capabilities from
 *   the endpoint's capability_rules), once per (fingerprint, startsAt); a resolved alert cancels
 *   that task if it is still queued. Rules with source alertmanager match event firing or resolved.
 *
 * The webhook feature wired from its parts: `service` (REST management), `ingest` (the HTTP
 * ingress) and `processor` (the queue handler: give it to registerWebhookConsumer on the workers).
 */
export function createWebhooks(deps: WebhooksDeps) {
  const { stores, tasks, clock, dispatch } = deps;
  const logger = deps.logger.child({ component: 'webhooks' });
  const store = { endpoints: stores.webhookEndpoints, deliveries: stores.webhookDeliveries, rules: stores.eventRules };
  return {
    service: createWebhookService({ ...store, clock }),
    ingest: createWebhookIngest({ endpoints: store.endpoints, deliveries: store.deliveries, clock, logger, dispatch }),
    processor: createWebhookProcessor({ ...store, tasks, clock, logger }),
  };
}
