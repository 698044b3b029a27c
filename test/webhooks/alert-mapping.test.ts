import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertTaskInput, capabilitiesForLabels, priorityForSeverity } from '../../src/webhooks/alert-mapping.js';
import type { AlertDeliveryPayload } from '../../src/webhooks/webhook-payloads.js';
import { alertmanagerConfigSchema } from '../../src/webhooks/webhook-schemas.js';

describe('priorityForSeverity', () => {
  const cases: [string | undefined, string][] = [
    ['critical', 'critical'],
    ['warning', 'high'],
    ['info', 'low'],
    ['CRITICAL', 'critical'],
    [' Warning ', 'high'],
    ['page', 'normal'],
    ['', 'normal'],
    [undefined, 'normal'],
    ['toString', 'normal'],
  ];
  for (const [severity, priority] of cases) {
    it(`${JSON.stringify(severity)} -> ${priority}`, () => assert.equal(priorityForSeverity(severity), priority));
  }
});

describe('capabilitiesForLabels', () => {
  const config = alertmanagerConfigSchema.parse({
    capability_rules: [
      { match: { team: 'db', severity: 'critical' }, capabilities: ['incident-response', 'postgres'] },
      { match: { team: 'db' }, capabilities: ['postgres'] },
      { match: { severity: 'critical' }, capabilities: ['incident-response'] },
    ],
    default_capabilities: ['triage'],
  });
  const cases: [string, Record<string, string>, string[]][] = [
    ['all labels of the first rule', { team: 'db', severity: 'critical', alertname: 'X' }, ['incident-response', 'postgres']],
    ['first match wins over later ones', { team: 'db', severity: 'warning' }, ['postgres']],
    ['third rule', { team: 'web', severity: 'critical' }, ['incident-response']],
    ['no rule: the default', { team: 'web', severity: 'info' }, ['triage']],
    ['no labels: the default', {}, ['triage']],
    ['values are exact', { team: 'DB', severity: 'Critical' }, ['triage']],
  ];
  for (const [name, labels, expected] of cases) {
    it(name, () => assert.deepEqual(capabilitiesForLabels(config, labels), expected));
  }

  it('no rules and no default: no capabilities', () => {
    assert.deepEqual(capabilitiesForLabels(alertmanagerConfigSchema.parse({}), { severity: 'critical' }), []);
  });

  it('a rule with an empty match matches everything', () => {
    const catchAll = alertmanagerConfigSchema.parse({ capability_rules: [{ match: {}, capabilities: ['ops'] }], default_capabilities: ['never'] });
    assert.deepEqual(capabilitiesForLabels(catchAll, { any: 'thing' }), ['ops']);
  });
});

describe('alertTaskInput', () => {
  const config = alertmanagerConfigSchema.parse({
    capability_rules: [{ match: { severity: 'critical' }, capabilities: ['incident-response'] }],
  });
  const alert = (labels: Record<string, string>, annotations: Record<string, string> = {}): AlertDeliveryPayload => ({
    status: 'firing',
    labels,
    annotations,
    startsAt: '2026-03-01T12:00:00Z',
    fingerprint: 'abc123',
    receiver: 'devmesh',
    groupKey: '{}:{}',
    externalURL: 'http://alertmanager:9093',
  });

  const cases: [string, AlertDeliveryPayload, Record<string, unknown>][] = [
    [
      'summary and description from annotations',
      alert({ alertname: 'DiskFull', severity: 'critical' }, { summary: 'Disk full on db-1', description: '95% used' }),
      { title: 'Disk full on db-1', description: '95% used', priority: 'critical', required_capabilities: ['incident-response'] },
    ],
    [
      'alertname when there is no summary',
      alert({ alertname: 'HighLatency', severity: 'warning' }),
      { title: 'HighLatency', description: '', priority: 'high', required_capabilities: [] },
    ],
    [
      'fingerprint when there is neither',
      alert({ severity: 'info' }, { summary: '   ' }),
      { title: 'Alert abc123', description: '', priority: 'low', required_capabilities: [] },
    ],
    ['no severity', alert({ alertname: 'Odd' }), { title: 'Odd', priority: 'normal' }],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      const task = alertTaskInput(input, config);
      assert.equal(task.type, 'incident');
      assert.deepEqual(task.payload, input, 'the payload is the alert');
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(task[key as keyof typeof task], value, key);
    });
  }

  it('clips a long summary to the task title limit', () => {
    const task = alertTaskInput(alert({ alertname: 'X' }, { summary: 'x'.repeat(600) }), config);
    assert.equal(task.title.length, 500);
  });
});
