import { createHmac, randomBytes } from 'node:crypto';

/** Payloads as GitHub and Alertmanager send them, for the webhook tests. */

type Json = Record<string, any>;

/** GitHub's X-Hub-Signature-256 of a body. */
export const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export const prOpened = (number: number, over: Json = {}) => ({
  action: 'opened',
  number,
  pull_request: { number, title: `Change ${number}`, draft: false, html_url: `https://github.com/acme/api/pull/${number}` },
  repository: { full_name: 'acme/api' },
  ...over,
});

export function notification(alerts: Json[], status: 'firing' | 'resolved' = 'firing') {
  return {
    version: '4',
    groupKey: '{}:{alertname="DiskFull"}',
    truncatedAlerts: 0,
    status,
    receiver: 'devmesh',
    groupLabels: { alertname: 'DiskFull' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts,
  };
}

export const alert = (severity: string, over: Json = {}) => ({
  status: 'firing',
  labels: { alertname: `Disk${severity}`, severity, instance: 'db-1' },
  annotations: { summary: `Disk ${severity} on db-1`, description: 'Free space is low' },
  startsAt: '2026-03-01T12:00:00.123456789Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus:9090/graph',
  fingerprint: randomBytes(8).toString('hex'),
  ...over,
});

/** A rule that turns opened, non-draft pull requests into review tasks. */
export const reviewRule = {
  name: 'review opened PRs',
  source: 'github',
  event: 'pull_request',
  filter: { action: 'opened', 'pull_request.draft': false },
  task: {
    title: 'Review PR #{{pull_request.number}}: {{pull_request.title}}',
    description: 'Review {{pull_request.html_url}}',
    type: 'code_review',
    priority: 'high',
    required_capabilities: ['code-review'],
    payload: { repo: '{{repository.full_name}}', number: '{{pull_request.number}}' },
  },
};
