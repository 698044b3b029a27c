import type { TaskPriority } from '../storage/records.js';
import type { AlertmanagerConfig } from './webhook-schemas.js';
import type { AlertDeliveryPayload } from './webhook-payloads.js';

/**
 * How a firing Alertmanager alert becomes a task (the incident-response path): pure decisions,
 * table-tested in test/webhooks/alert-mapping.test.ts.
 */

const severityPriority: Record<string, TaskPriority> = {
  critical: 'critical',
  warning: 'high',
  info: 'low',
};

/** critical -> critical, warning -> high, info -> low (case-insensitive); anything else -> normal. */
export function priorityForSeverity(severity: string | undefined): TaskPriority {
  return (severity && severityPriority[severity.trim().toLowerCase()]) || 'normal';
}

/** The first capability rule whose labels all match wins; none matching gives the default. */
export function capabilitiesForLabels(config: AlertmanagerConfig, labels: Record<string, string>): string[] {
  for (const rule of config.capability_rules) {
    if (Object.entries(rule.match).every(([label, value]) => labels[label] === value)) return rule.capabilities;
  }
  return config.default_capabilities;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The task input (before task defaults) for a firing alert; its payload is the alert itself. */
export function alertTaskInput(alert: AlertDeliveryPayload, config: AlertmanagerConfig) {
  const title = alert.annotations.summary?.trim() || alert.labels.alertname?.trim() || `Alert ${alert.fingerprint}`;
  return {
    title: clip(title, 500),
    description: clip(alert.annotations.description ?? '', 20_000),
    type: 'incident',
    priority: priorityForSeverity(alert.labels.severity),
    required_capabilities: capabilitiesForLabels(config, alert.labels),
    payload: alert,
  };
}
