import { z } from 'zod';
import { describeZodIssues } from '../errors/index.js';
import type { EventRuleRecord, WebhookSource } from '../storage/records.js';
import { taskCreateSchema } from '../tasks/task-schemas.js';
import { alertTaskInput } from './alert-mapping.js';
import { matchesFilter, renderTemplate, renderValue } from './payload-paths.js';
import { alertDeliveryKey, alertSchema, type AlertDeliveryPayload } from './webhook-payloads.js';
import { alertmanagerConfigSchema, taskTemplateSchema } from './webhook-schemas.js';

/**
 * What a delivery leads to, decided once and stored with the delivery, so a retried job does
 * exactly what the first attempt set out to do even if rules changed in between.
 */
export const planSchema = z.object({
  /** Validated task inputs, created in this order; `rule_id` null is an alert's own task. */
  tasks: z.array(z.object({ rule_id: z.string().nullable(), input: z.record(z.string(), z.unknown()) })),
  /** A resolved alert: the delivery key of its firing alert, whose task is cancelled if still queued. */
  cancel_key: z.string().nullable(),
  /** Rules that matched but could not make a valid task (e.g. a title that rendered empty). */
  skipped: z.array(z.object({ rule_id: z.string().nullable(), reason: z.string() })),
});
export type DeliveryPlan = z.infer<typeof planSchema>;

export interface PlannedDelivery {
  source: WebhookSource;
  event: string;
  payload: unknown;
}

function taskFromRule(rule: EventRuleRecord, payload: unknown): { input: Record<string, unknown> } | { reason: string } {
  const template = taskTemplateSchema.safeParse(rule.task);
  if (!template.success) return { reason: `stored task template is invalid: ${describeZodIssues(template.error.issues)}` };
  const t = template.data;
  const candidate = {
    title: renderTemplate(t.title, payload).trim().slice(0, 500),
    description: renderTemplate(t.description ?? '', payload).slice(0, 20_000),
    ...(t.type !== undefined ? { type: t.type } : {}),
    ...(t.priority !== undefined ? { priority: t.priority } : {}),
    ...(t.required_capabilities !== undefined ? { required_capabilities: t.required_capabilities } : {}),
    ...(t.max_attempts !== undefined ? { max_attempts: t.max_attempts } : {}),
    payload: t.payload === undefined ? payload : renderValue(t.payload, payload),
  };
  const parsed = taskCreateSchema.safeParse(candidate);
  if (!parsed.success) return { reason: `rendered task is invalid: ${describeZodIssues(parsed.error.issues)}` };
  return { input: parsed.data };
}

/**
 * Pure: the tasks a delivery creates. An Alertmanager firing alert makes its own incident task
 * first; then every rule (already selected by source, event and endpoint) whose filter matches
 * adds one, in rule order.
 */
export function planDelivery(delivery: PlannedDelivery, endpointConfig: unknown, rules: readonly EventRuleRecord[]): DeliveryPlan {
  const plan: DeliveryPlan = { tasks: [], cancel_key: null, skipped: [] };
  if (delivery.source === 'alertmanager') {
    const alert = alertSchema.safeParse(delivery.payload);
    if (alert.success) {
      const payload = delivery.payload as AlertDeliveryPayload;
      if (alert.data.status === 'firing') {
        const config = alertmanagerConfigSchema.parse(endpointConfig ?? {});
        const input = taskCreateSchema.safeParse(alertTaskInput(payload, config));
        if (input.success) plan.tasks.push({ rule_id: null, input: input.data });
        else plan.skipped.push({ rule_id: null, reason: describeZodIssues(input.error.issues) });
      } else {
        plan.cancel_key = alertDeliveryKey({ ...alert.data, status: 'firing' });
      }
    } else {
      plan.skipped.push({ rule_id: null, reason: `stored alert is invalid: ${describeZodIssues(alert.error.issues)}` });
    }
  }
  for (const rule of rules) {
    if (rule.source !== delivery.source || (rule.event !== '*' && rule.event !== delivery.event)) continue;
    if (!matchesFilter(delivery.payload, rule.filter)) continue;
    const made = taskFromRule(rule, delivery.payload);
    if ('input' in made) plan.tasks.push({ rule_id: rule.id, input: made.input });
    else plan.skipped.push({ rule_id: rule.id, reason: made.reason });
  }
  return plan;
}
