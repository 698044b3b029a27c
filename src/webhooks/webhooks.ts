import type { Clock } from '../lib/clock.js';
import type { Logger } from '../observability/logger.js';
import type { Stores } from '../storage/stores.js';
import type { TaskService } from '../tasks/task-service.js';
import { runPeriodically } from '../lib/periodic.js';
import type { WorkQueue } from '../queue/work-queue-port.js';
import { createWebhookIngest } from './webhook-ingest.js';
import { createWebhookProcessor } from './webhook-processor.js';
import { createWebhookRecovery, defaultWebhookRecovery, type WebhookRecoveryOptions } from './webhook-recovery.js';
import { queueDispatch, queueRedispatch, registerWebhookConsumer } from './webhook-queue.js';
import { createWebhookService } from './webhook-service.js';

export { webhookQueueName } from './webhook-queue.js';

export interface WebhooksDeps {
  stores: Pick<Stores, 'webhookEndpoints' | 'webhookDeliveries' | 'eventRules'>;
  tasks: Pick<TaskService, 'create' | 'get' | 'cancel'>;
  clock: Clock;
  logger: Logger;
  /** Where recorded deliveries go to be processed. */
  queue: WorkQueue;
  recovery?: Partial<WebhookRecoveryOptions>;
  /** Deliveries processed at once by this process's worker. */
  concurrency?: number;
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
 * ingress), `processor` (the queue handler) and `recover` (one recovery sweep). `startWorker`
 * consumes the queue and runs the recovery sweep every minute: the worker role and `all` call it.
 */
export function createWebhooks(deps: WebhooksDeps) {
  const { stores, tasks, clock, queue } = deps;
  const logger = deps.logger.child({ component: 'webhooks' });
  const store = { endpoints: stores.webhookEndpoints, deliveries: stores.webhookDeliveries, rules: stores.eventRules };
  const processor = createWebhookProcessor({ ...store, tasks, clock, logger });
  const recoveryOptions = { ...defaultWebhookRecovery, ...deps.recovery };
  const recover = createWebhookRecovery({ deliveries: store.deliveries, redispatch: queueRedispatch(queue), clock, logger, options: recoveryOptions });
  return {
    service: createWebhookService({ ...store, clock }),
    ingest: createWebhookIngest({ endpoints: store.endpoints, deliveries: store.deliveries, clock, logger, dispatch: queueDispatch(queue) }),
    processor,
    recover,
    /** Processes queued deliveries and sweeps for lost ones (soon after start, then every minute); returns a stop. */
    startWorker(): () => Promise<void> {
      const consumer = registerWebhookConsumer(queue, processor, { concurrency: deps.concurrency });
      const sweeps = runPeriodically(async () => void (await recover()), {
        everyMs: Math.min(60_000, recoveryOptions.stuckAfterMs),
        firstAfterMs: 5_000,
        onError: (error) => logger.warn({ err: error }, 'webhook recovery sweep failed'),
      });
      return async () => {
        await sweeps.stop();
        await consumer.stop();
      };
    },
  };
}
