import { z } from 'zod';

/**
 * What senders post. Alertmanager's webhook format, version 4
 * (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config); unknown fields are kept.
 * GitHub's payloads differ per event: we require a JSON object and the event and delivery headers.
 */

const stringMap = z.record(z.string().max(200), z.string().max(10_000));

export const alertSchema = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels: stringMap,
  annotations: stringMap.default({}),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.string().max(100).optional(),
  generatorURL: z.string().max(10_000).optional(),
  fingerprint: z.string().min(1).max(200),
});
export type Alert = z.infer<typeof alertSchema>;

export const alertmanagerPayloadSchema = z.looseObject({
  version: z.literal('4'),
  groupKey: z.string().max(10_000),
  truncatedAlerts: z.number().int().min(0).optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().max(1000).default(''),
  groupLabels: stringMap.default({}),
  commonLabels: stringMap.default({}),
  commonAnnotations: stringMap.default({}),
  externalURL: z.string().max(10_000).default(''),
  alerts: z.array(alertSchema).max(1000),
});
export type AlertmanagerPayload = z.infer<typeof alertmanagerPayloadSchema>;

/** One alert as a delivery's payload: the alert with its notification's context beside it. */
export type AlertDeliveryPayload = Alert & { receiver: string; groupKey: string; externalURL: string };

export const githubHeadersSchema = z.object({
  'x-github-event': z.string().regex(/^[a-z0-9_]{1,100}$/, 'a GitHub event name such as "pull_request"'),
  'x-github-delivery': z.string().regex(/^[A-Za-z0-9-]{1,200}$/, 'a GitHub delivery id (GUID)'),
});

export const githubPayloadSchema = z.record(z.string(), z.unknown());

/** The delivery key of one alert: a re-sent notification of the same alert maps to the same key. */
export function alertDeliveryKey(alert: Pick<Alert, 'status' | 'fingerprint' | 'startsAt'>): string {
  return `${alert.status}:${alert.fingerprint}:${alert.startsAt}`;
}
