import { DevMeshError, isDevMeshError } from '../errors/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../observability/logger.js';
import type { WebhookDeliveryRecord } from '../storage/records.js';
import type { EventRuleStore, WebhookDeliveryStore, WebhookEndpointStore } from '../storage/stores.js';
import { taskCreateSchema } from '../tasks/task-schemas.js';
import type { TaskService } from '../tasks/task-service.js';
import type { Principal } from '../tenancy/principal.js';
import { planDelivery, planSchema, type DeliveryPlan } from './delivery-plan.js';
import type { WebhookJob } from './webhook-schemas.js';

export interface WebhookProcessorDeps {
  endpoints: WebhookEndpointStore;
  deliveries: WebhookDeliveryStore;
  rules: EventRuleStore;
  tasks: Pick<TaskService, 'create' | 'get' | 'cancel'>;
  clock: Clock;
  logger: Logger;
  /** How long one attempt owns a delivery before another may take it over; default 60 000. */
  leaseMs?: number;
}

export type WebhookOutcome = 'processed' | 'failed' | 'skipped';
export type WebhookProcessor = (job: WebhookJob) => Promise<WebhookOutcome>;

/** Thrown when another attempt holds the delivery (or must finish first): the job should be retried later. */
export const busy = (message: string) => new DevMeshError('unavailable', message, { retry: true });

/** Tasks of a webhook are created as the endpoint, with the agent role, in the endpoint's tenant. */
export const webhookPrincipal = (tenantId: string, endpointId: string): Principal => ({
  tenantId,
  tenantName: '',
  apiKeyId: `webhook:${endpointId}`,
  role: 'agent',
});

/** Errors a retry cannot fix: the delivery is marked failed instead. */
const isPermanent = (error: unknown) => isDevMeshError(error) && (error.code === 'invalid_argument' || error.code === 'forbidden');

/**
 * The queue handler for webhook deliveries. Idempotent: it claims the delivery (a lease, so two
 * attempts never run at once), stores the plan once, creates the planned tasks it has not created
 * yet (each task id is recorded before the next is made) and marks the delivery processed. Running
 * it again for a processed delivery does nothing. Each planned task has an idempotency key, so a
 * crash between creating a task and recording its id cannot create it twice.
 */
export function createWebhookProcessor(deps: WebhookProcessorDeps): WebhookProcessor {
  const { endpoints, deliveries, rules, tasks, clock, logger } = deps;
  const leaseMs = deps.leaseMs ?? 60_000;

  async function planFor(delivery: WebhookDeliveryRecord): Promise<DeliveryPlan | undefined> {
    if (delivery.plan !== null && delivery.plan !== undefined) return planSchema.parse(delivery.plan);
    const endpoint = await endpoints.get(delivery.tenantId, delivery.endpointId);
    if (!endpoint) return undefined;
    const matching = await rules.listMatching(delivery.tenantId, endpoint.source, delivery.event, endpoint.id);
    const plan = planDelivery({ source: endpoint.source, event: delivery.event, payload: delivery.payload }, endpoint.config, matching);
    const stored = await deliveries.setPlan(delivery.tenantId, delivery.id, plan);
    return planSchema.parse(stored?.plan ?? plan);
  }

  /** A resolved alert cancels its firing alert's own task if no agent has it yet. */
  async function cancelResolved(delivery: WebhookDeliveryRecord, firingKey: string, principal: Principal): Promise<void> {
    const firing = await deliveries.getByKey(delivery.tenantId, delivery.endpointId, firingKey);
    if (!firing) return;
    if (firing.status === 'pending' || firing.status === 'processing') throw busy('The firing alert is not processed yet.');
    const firingPlan = planSchema.safeParse(firing.plan);
    const taskId = firing.taskIds[0];
    if (!firingPlan.success || firingPlan.data.tasks[0]?.rule_id !== null || !taskId) return;
    try {
      const task = await tasks.get(principal, taskId);
      if (task.status === 'queued') await tasks.cancel(principal, taskId, 'alert resolved before an agent took it');
    } catch (error) {
      // Gone, or finished or taken in the meantime: nothing to cancel.
      if (!(isDevMeshError(error) && (error.code === 'not_found' || error.code === 'conflict'))) throw error;
    }
  }

  async function run(delivery: WebhookDeliveryRecord): Promise<WebhookOutcome> {
    const plan = await planFor(delivery);
    if (!plan) {
      await deliveries.finish(delivery.tenantId, delivery.id, { status: 'failed', error: 'endpoint deleted' }, clock.now());
      return 'failed';
    }
    const principal = webhookPrincipal(delivery.tenantId, delivery.endpointId);
    for (let index = delivery.taskIds.length; index < plan.tasks.length; index++) {
      // The key makes creating a planned task again (after a crash before its id was recorded, or
      // by an attempt that took over) return the same task.
      const input = { ...taskCreateSchema.parse(plan.tasks[index]?.input), idempotency_key: `webhook:${delivery.id}:${index}` };
      const task = await tasks.create(principal, input, null);
      if (!(await deliveries.appendTask(delivery.tenantId, delivery.id, index, task.id))) {
        // Another attempt took over (our lease ran out) and recorded this step: it is its work now.
        throw busy('Another attempt is processing this delivery.');
      }
    }
    if (plan.cancel_key) await cancelResolved(delivery, plan.cancel_key, principal);
    const error = plan.skipped.length ? plan.skipped.map((s) => `${s.rule_id ?? 'alert'}: ${s.reason}`).join('; ').slice(0, 2000) : null;
    await deliveries.finish(delivery.tenantId, delivery.id, { status: 'processed', error }, clock.now());
    return 'processed';
  }

  return async function processWebhookDelivery(job: WebhookJob): Promise<WebhookOutcome> {
    const now = clock.now();
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const claimed = await deliveries.claim(job.tenant_id, job.delivery_id, now, leaseUntil);
    if (!claimed) {
      const current = await deliveries.get(job.tenant_id, job.delivery_id);
      if (current?.status === 'processing') throw busy('Another attempt is processing this delivery.');
      return 'skipped';
    }
    try {
      return await run(claimed);
    } catch (error) {
      if (isPermanent(error)) {
        const message = error instanceof Error ? error.message : String(error);
        logger.warn({ err: error, deliveryId: claimed.id, tenantId: claimed.tenantId }, 'webhook delivery failed');
        await deliveries.finish(claimed.tenantId, claimed.id, { status: 'failed', error: message.slice(0, 2000) }, clock.now());
        return 'failed';
      }
      await deliveries.release(claimed.tenantId, claimed.id, leaseUntil).catch(() => undefined);
      throw error;
    }
  };
}
