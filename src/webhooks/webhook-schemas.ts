import { z } from 'zod';
import { capabilityName } from '../agents/agent-schemas.js';
import { taskPrioritySchema } from '../tasks/task-schemas.js';

/**
 * Wire shapes of webhook endpoints, event rules and deliveries (REST, snake_case), the endpoint
 * configuration stored with an endpoint, and the queue message. The payloads senders post are in
 * webhook-payloads.ts.
 */

export const webhookSourceSchema = z.enum(['github', 'alertmanager']);

const name = z.string().trim().min(1).max(200);
const capabilities = z.array(capabilityName).max(50);
/** Prometheus label names: letters, digits and underscores, not starting with a digit. */
const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,199}$/, 'a Prometheus label name');

export const capabilityRuleSchema = z
  .object({
    match: z.record(labelName, z.string().max(1000)).describe('Labels the alert must all have, with these values'),
    capabilities: capabilities.describe('Capabilities required of the agent that takes the alert’s task'),
  })
  .strict();

/** Stored with an Alertmanager endpoint; rules are tried in order, the first match wins. */
export const alertmanagerConfigSchema = z.object({
  capability_rules: z.array(capabilityRuleSchema).max(100).default([]),
  default_capabilities: capabilities.default([]),
});
export type AlertmanagerConfig = z.infer<typeof alertmanagerConfigSchema>;

export const webhookCreateSchema = z
  .object({
    source: webhookSourceSchema,
    name,
    secret: z
      .string()
      .min(16)
      .max(256)
      .regex(/^\S+$/, 'no whitespace')
      .optional()
      .describe('Shared secret; generated when absent. Returned once, in this response only'),
    capability_rules: z
      .array(capabilityRuleSchema)
      .max(100)
      .optional()
      .describe('Alertmanager only: { match: { label: value }, capabilities } tried in order, first match wins'),
    default_capabilities: capabilities.optional().describe('Alertmanager only: capabilities when no rule matches'),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.source !== 'github') return;
    for (const field of ['capability_rules', 'default_capabilities'] as const) {
      if (body[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'only for source "alertmanager"' });
    }
  });
export type WebhookCreateInput = z.infer<typeof webhookCreateSchema>;

export const webhookViewSchema = z.object({
  id: z.string(),
  source: webhookSourceSchema,
  name: z.string(),
  url_path: z.string().describe('POST deliveries here, on the API port'),
  capability_rules: z.array(capabilityRuleSchema),
  default_capabilities: z.array(z.string()),
  created_at: z.string(),
});
export type WebhookView = z.infer<typeof webhookViewSchema>;

export const webhookCreatedViewSchema = webhookViewSchema.extend({
  secret: z.string().describe('The shared secret: configure the sender with it now, it is not shown again'),
});

/** Event names: GitHub's X-GitHub-Event values, Alertmanager's alert status, or '*' for all. */
export const eventNameSchema = z.string().regex(/^(\*|[a-z0-9_]{1,100})$/, 'an event name such as "pull_request", or "*"');

export const taskTemplateSchema = z
  .object({
    title: z.string().trim().min(1).max(500).describe('May contain {{path}} placeholders filled from the event payload'),
    description: z.string().max(20_000).optional().describe('May contain {{path}} placeholders'),
    type: z.string().trim().min(1).max(100).optional(),
    priority: taskPrioritySchema.optional(),
    required_capabilities: capabilities.optional(),
    payload: z
      .unknown()
      .optional()
      .describe('JSON for the agent; a string that is exactly "{{path}}" becomes that JSON value. Default: the event payload'),
    max_attempts: z.number().int().min(1).max(100).optional(),
  })
  .strict();
export type TaskTemplate = z.infer<typeof taskTemplateSchema>;

const filterSchema = z
  .record(z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, 'a dot path such as "pull_request.draft"').max(200), z.unknown())
  .refine((filter) => Object.keys(filter).length <= 50, 'at most 50 filter entries')
  .describe('Dot path -> JSON value; all must equal the payload’s values');

export const eventRuleCreateSchema = z
  .object({
    name,
    source: webhookSourceSchema,
    event: eventNameSchema.default('*'),
    endpoint_id: z.string().min(1).max(200).optional().describe('Fire only on deliveries of this endpoint'),
    filter: filterSchema.default({}),
    task: taskTemplateSchema,
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.source === 'alertmanager' && !['*', 'firing', 'resolved'].includes(rule.event)) {
      ctx.addIssue({ code: 'custom', path: ['event'], message: 'Alertmanager events are "firing", "resolved" or "*"' });
    }
  });
export type EventRuleCreateInput = z.infer<typeof eventRuleCreateSchema>;

export const eventRuleViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  source: webhookSourceSchema,
  event: z.string(),
  endpoint_id: z.string().nullable(),
  filter: z.record(z.string(), z.unknown()),
  task: taskTemplateSchema,
  created_at: z.string(),
});
export type EventRuleView = z.infer<typeof eventRuleViewSchema>;

export const deliveryViewSchema = z.object({
  id: z.string(),
  endpoint_id: z.string(),
  delivery_key: z.string(),
  event: z.string(),
  status: z.enum(['pending', 'processing', 'processed', 'failed']),
  task_ids: z.array(z.string()),
  error: z.string().nullable(),
  attempts: z.number().int(),
  received_at: z.string(),
  processed_at: z.string().nullable(),
});
export type DeliveryView = z.infer<typeof deliveryViewSchema>;

/** What an ingress request answers: 202 when something new was accepted, else 200. */
export const ingressResultSchema = z.object({
  duplicate: z.boolean().describe('true when every event in the request had been received before'),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  delivery_ids: z.array(z.string()),
});
export type IngressResult = z.infer<typeof ingressResultSchema>;

/** The message on queue `webhooks`: process one recorded delivery. */
export const webhookJobSchema = z.object({ tenant_id: z.string().min(1), delivery_id: z.string().min(1) }).strict();
export type WebhookJob = z.infer<typeof webhookJobSchema>;
