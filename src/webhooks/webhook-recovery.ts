import type { Clock } from '../lib/clock.js';
import type { Logger } from '../observability/logger.js';
import type { WebhookDeliveryStore } from '../storage/stores.js';
import type { WebhookJob } from './webhook-schemas.js';

export interface WebhookRecoveryOptions {
  /** A delivery still unfinished this long after it arrived may have lost its queue job. */
  stuckAfterMs: number;
  /** A delivery that took this many processing attempts without finishing is marked failed. */
  maxAttempts: number;
  /** Processed and failed deliveries are deleted this long after they finished. */
  retentionMs: number;
  /** Most deliveries looked at (and deleted) per sweep. */
  batch: number;
}

export const defaultWebhookRecovery: WebhookRecoveryOptions = {
  stuckAfterMs: 60_000,
  maxAttempts: 10,
  retentionMs: 30 * 86_400_000,
  batch: 500,
};

export interface WebhookRecoveryDeps {
  deliveries: WebhookDeliveryStore;
  /** Queues the delivery again; `attempt` makes the queue's idempotency key new for each recovery. */
  redispatch(job: WebhookJob, attempt: number): Promise<void>;
  clock: Clock;
  logger: Logger;
  options: WebhookRecoveryOptions;
}

export interface RecoverySweep {
  redispatched: number;
  gaveUp: number;
  deleted: number;
}

/**
 * Finds webhook work a crash left behind and keeps the delivery log bounded. A delivery's queue
 * job can be lost: the in-process queue dies with its process, a process can die between
 * recording a delivery and queueing it, and a job that kept failing ends in the dead-letter
 * stream. Such deliveries stay pending (or processing with an expired lease) in the database,
 * which is the source of truth, so a periodic sweep queues them again. Processing is idempotent
 * (claim, stored plan, task idempotency keys), so a job queued twice does its work once.
 */
export function createWebhookRecovery(deps: WebhookRecoveryDeps) {
  const { deliveries, clock, logger, options } = deps;

  return async function sweep(): Promise<RecoverySweep> {
    const now = clock.now();
    const result: RecoverySweep = { redispatched: 0, gaveUp: 0, deleted: 0 };
    const stuck = await deliveries.listUnfinished(new Date(now.getTime() - options.stuckAfterMs), now, options.batch);
    for (const delivery of stuck) {
      if (delivery.attempts >= options.maxAttempts) {
        const error = `gave up after ${delivery.attempts} processing attempts; the last one did not finish`;
        await deliveries.finish(delivery.tenantId, delivery.id, { status: 'failed', error }, now);
        logger.warn({ deliveryId: delivery.id, tenantId: delivery.tenantId, attempts: delivery.attempts }, 'webhook delivery failed: too many attempts');
        result.gaveUp += 1;
        continue;
      }
      await deps.redispatch({ tenant_id: delivery.tenantId, delivery_id: delivery.id }, delivery.attempts);
      result.redispatched += 1;
    }
    result.deleted = await deliveries.deleteFinishedBefore(new Date(now.getTime() - options.retentionMs), options.batch);
    if (result.redispatched || result.gaveUp || result.deleted) logger.info(result, 'webhook recovery sweep');
    return result;
  };
}
