import { parseOrThrow } from '../errors/index.js';
import type { ConsumeOptions, Consumer, WorkQueue } from '../queue/work-queue-port.js';
import type { WebhookDispatch } from './webhook-ingest.js';
import type { WebhookProcessor } from './webhook-processor.js';
import { webhookJobSchema, type WebhookJob } from './webhook-schemas.js';

/** The work queue webhook deliveries travel on; a job's payload is a WebhookJob. */
export const webhookQueueName = 'webhooks';

/** Dispatch through the work queue; the delivery id is the idempotency key, so a delivery is queued once. */
export function queueDispatch(queue: WorkQueue): WebhookDispatch {
  return async (job) => {
    await queue.enqueue(webhookQueueName, { payload: job, idempotencyKey: job.delivery_id });
  };
}

/** Queues a delivery again after its job was lost: once per (delivery, attempts so far). */
export function queueRedispatch(queue: WorkQueue) {
  return async (job: WebhookJob, attempt: number): Promise<void> => {
    await queue.enqueue(webhookQueueName, { payload: job, idempotencyKey: `${job.delivery_id}:recovery:${attempt}` });
  };
}

/** The worker side: process every job of queue `webhooks` (a thrown error leaves it for redelivery). */
export function registerWebhookConsumer(queue: WorkQueue, processor: WebhookProcessor, options?: ConsumeOptions): Consumer {
  return queue.consume(
    webhookQueueName,
    async (job) => {
      await processor(parseOrThrow(webhookJobSchema, job.payload, 'webhook job'));
    },
    options,
  );
}
