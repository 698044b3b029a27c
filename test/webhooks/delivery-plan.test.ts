import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventRuleRecord } from '../../src/storage/records.js';
import { planDelivery } from '../../src/webhooks/delivery-plan.js';

const t0 = new Date('2026-03-01T12:00:00Z');

function rule(over: Partial<EventRuleRecord> & Pick<EventRuleRecord, 'id' | 'task'>): EventRuleRecord {
  return { tenantId: 'tnt_a', name: over.id, source: 'github', event: '*', endpointId: null, filter: {}, createdAt: t0, updatedAt: t0, ...over };
}

const prOpened = {
  action: 'opened',
  pull_request: { number: 7, title: 'Add cache', draft: false, html_url: 'https://github.com/acme/api/pull/7' },
  repository: { full_name: 'acme/api' },
};

const reviewRule = rule({
  id: 'rule_review',
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
});

describe('planDelivery: GitHub', () => {
  it('a matching rule becomes a validated task with rendered fields and task defaults', () => {
    const plan = planDelivery({ source: 'github', event: 'pull_request', payload: prOpened }, {}, [reviewRule]);
    assert.deepEqual(plan.skipped, []);
    assert.equal(plan.cancel_key, null);
    assert.equal(plan.tasks.length, 1);
    assert.equal(plan.tasks[0]?.rule_id, 'rule_review');
    assert.deepEqual(plan.tasks[0]?.input, {
      title: 'Review PR #7: Add cache',
      description: 'Review https://github.com/acme/api/pull/7',
      type: 'code_review',
      priority: 'high',
      required_capabilities: ['code-review'],
      payload: { repo: 'acme/api', number: 7 },
      max_attempts: 3,
      accept_timeout_ms: 30_000,
    });
  });

  const cases: { name: string; event: string; payload: unknown; rules: EventRuleRecord[]; expected: string[] }[] = [
    { name: 'filter does not match (draft)', event: 'pull_request', payload: { ...prOpened, pull_request: { ...prOpened.pull_request, draft: true } }, rules: [reviewRule], expected: [] },
    { name: 'filter does not match (closed)', event: 'pull_request', payload: { ...prOpened, action: 'closed' }, rules: [reviewRule], expected: [] },
    { name: 'another event', event: 'push', payload: prOpened, rules: [reviewRule], expected: [] },
    {
      name: 'wildcard event and rule order',
      event: 'push',
      payload: { ref: 'refs/heads/main' },
      rules: [
        rule({ id: 'r1', task: { title: 'Push to {{ref}}' } }),
        rule({ id: 'r2', event: 'push', filter: { ref: 'refs/heads/main' }, task: { title: 'Deploy main' } }),
        rule({ id: 'r3', source: 'alertmanager', task: { title: 'never: another source' } }),
      ],
      expected: ['r1', 'r2'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planDelivery({ source: 'github', event: c.event, payload: c.payload }, {}, c.rules);
      assert.deepEqual(plan.tasks.map((t) => t.rule_id), c.expected);
    });
  }

  it('without a payload template the task carries the whole event payload', () => {
    const plan = planDelivery({ source: 'github', event: 'push', payload: { ref: 'main' } }, {}, [rule({ id: 'r', task: { title: 'x' } })]);
    assert.deepEqual(plan.tasks[0]?.input.payload, { ref: 'main' });
  });

  it('a title that renders empty is skipped with the reason, other rules still fire', () => {
    const rules = [rule({ id: 'empty', task: { title: '{{missing}}' } }), rule({ id: 'ok', task: { title: 'fine' } })];
    const plan = planDelivery({ source: 'github', event: 'push', payload: {} }, {}, rules);
    assert.deepEqual(plan.tasks.map((t) => t.rule_id), ['ok']);
    assert.equal(plan.skipped.length, 1);
    assert.equal(plan.skipped[0]?.rule_id, 'empty');
    assert.match(plan.skipped[0]?.reason ?? '', /title/);
  });

  it('a rendered title longer than the limit is clipped, not rejected', () => {
    const plan = planDelivery({ source: 'github', event: 'push', payload: { t: 'y'.repeat(800) } }, {}, [rule({ id: 'r', task: { title: '{{t}}' } })]);
    assert.equal((plan.tasks[0]?.input.title as string).length, 500);
  });
});

describe('planDelivery: Alertmanager', () => {
  const config = { capability_rules: [{ match: { severity: 'critical' }, capabilities: ['incident-response'] }], default_capabilities: ['triage'] };
  const alert = (status: 'firing' | 'resolved', severity: string) => ({
    status,
    labels: { alertname: 'DiskFull', severity, instance: 'db-1' },
    annotations: { summary: 'Disk full on db-1' },
    startsAt: '2026-03-01T12:00:00.123456789Z',
    fingerprint: 'fp1',
    receiver: 'devmesh',
    groupKey: 'g',
    externalURL: '',
  });

  it('a firing alert makes its own incident task first, then matching rules add theirs', () => {
    const rules = [
      rule({ id: 'notify', source: 'alertmanager', event: 'firing', filter: { 'labels.severity': 'critical' }, task: { title: 'Page on-call: {{labels.alertname}}' } }),
      rule({ id: 'resolved-only', source: 'alertmanager', event: 'resolved', task: { title: 'never' } }),
      rule({ id: 'warning-only', source: 'alertmanager', filter: { 'labels.severity': 'warning' }, task: { title: 'never' } }),
    ];
    const plan = planDelivery({ source: 'alertmanager', event: 'firing', payload: alert('firing', 'critical') }, config, rules);
    assert.deepEqual(plan.tasks.map((t) => t.rule_id), [null, 'notify']);
    assert.deepEqual(
      { ...plan.tasks[0]?.input, payload: undefined },
      {
        title: 'Disk full on db-1',
        description: '',
        type: 'incident',
        priority: 'critical',
        required_capabilities: ['incident-response'],
        payload: undefined,
        max_attempts: 3,
        accept_timeout_ms: 30_000,
      },
    );
    assert.deepEqual(plan.tasks[0]?.input.payload, alert('firing', 'critical'));
    assert.equal(plan.tasks[1]?.input.title, 'Page on-call: DiskFull');
    assert.equal(plan.cancel_key, null);
  });

  it('a warning takes the default capabilities', () => {
    const plan = planDelivery({ source: 'alertmanager', event: 'firing', payload: alert('firing', 'warning') }, config, []);
    assert.equal(plan.tasks[0]?.input.priority, 'high');
    assert.deepEqual(plan.tasks[0]?.input.required_capabilities, ['triage']);
  });

  it('a resolved alert makes no incident task and points at its firing delivery', () => {
    const plan = planDelivery({ source: 'alertmanager', event: 'resolved', payload: alert('resolved', 'critical') }, config, []);
    assert.deepEqual(plan.tasks, []);
    assert.equal(plan.cancel_key, 'firing:fp1:2026-03-01T12:00:00.123456789Z');
  });
});
