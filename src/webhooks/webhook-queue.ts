import { isDevMeshError, parseOrThrow } from '../errors/index.js';
import type { Logger } from '../observability/logger.js';
import type { ConsumeOptions, Consumer, WorkQueue } from '../queue/work-queue-port.js';
import type { WebhookDispatch } from './webhook-ingest.js';
import type { WebhookProcessor } from './webhook-processor.js';
import { webhookJobSchema } from './webhook-schemas.js';

/** The work queue webhook deliveries travel on; a job's payload is a WebhookJob. */
export const webhookQueueName = 'webhooks';

/** Dispatch through the work queue; the delivery id is the idempotency key, so a delivery is queued once. */
export function queueDispatch(queue: WorkQueue): WebhookDispatch {
  return async (job) => {
    await queue.enqueue(webhookQueueName, { payload: job, idempotencyKey: job.delivery_id });
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

/**
 * Without a work queue: process in this process, right after the delivery is recorded, without
 * redelivery on failure (a failed delivery stays pending until the sender retries it). A stopgap
 * until the queue is wired; `drain` waits for what is running.
 */
export function createInlineDispatch(processor: WebhookProcessor, logger: Logger): WebhookDispatch & { drain(): Promise<void> } {
  const running = new Set<Promise<unknown>>();
  const dispatch = async (job: Parameters<WebhookDispatch>[0]) => {
    const run = processor(job).catch((error: unknown) => {
      if (isDevMeshError(error) && error.code === 'unavailable') logger.debug({ deliveryId: job.delivery_id, reason: error.message }, 'webhook delivery busy');
      else logger.error({ err: error, deliveryId: job.delivery_id }, 'webhook delivery processing failed');
    });
    running.add(run);
    void run.finally(() => running.delete(run));
  };
  return Object.assign(dispatch, { drain: async () => void (await Promise.allSettled([...running])) });
}
