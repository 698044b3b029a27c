import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesFilter, readPath, renderTemplate, renderValue } from '../../src/webhooks/payload-paths.js';

const payload = {
  action: 'opened',
  number: 42,
  pull_request: {
    number: 42,
    title: 'Fix the build',
    draft: false,
    merged: null,
    labels: [{ name: 'bug' }, { name: 'ci' }],
    user: { login: 'octocat' },
  },
  repository: { full_name: 'acme/api' },
};

describe('readPath', () => {
  const cases: [string, unknown][] = [
    ['action', 'opened'],
    ['pull_request.number', 42],
    ['pull_request.draft', false],
    ['pull_request.merged', null],
    ['pull_request.labels.1.name', 'ci'],
    ['pull_request.labels.5.name', undefined],
    ['pull_request.labels.x', undefined],
    ['pull_request.user', { login: 'octocat' }],
    ['pull_request.title.length', undefined],
    ['missing.deeper', undefined],
    ['constructor', undefined],
    ['pull_request.__proto__', undefined],
    ['pull_request.toString', undefined],
  ];
  for (const [path, expected] of cases) {
    it(`${path} -> ${JSON.stringify(expected)}`, () => assert.deepEqual(readPath(payload, path), expected));
  }
});

describe('matchesFilter', () => {
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['empty filter matches everything', {}, true],
    ['one equal string', { action: 'opened' }, true],
    ['string and boolean', { action: 'opened', 'pull_request.draft': false }, true],
    ['number', { 'pull_request.number': 42 }, true],
    ['number is not its string', { 'pull_request.number': '42' }, false],
    ['false is not missing', { 'pull_request.locked': false }, false],
    ['null matches null', { 'pull_request.merged': null }, true],
    ['null does not match a missing path', { 'pull_request.nope': null }, false],
    ['one of two differs', { action: 'opened', 'pull_request.draft': true }, false],
    ['deep object equality', { 'pull_request.user': { login: 'octocat' } }, true],
    ['deep object inequality', { 'pull_request.user': { login: 'octocat', id: 1 } }, false],
    ['array element', { 'pull_request.labels.0.name': 'bug' }, true],
    ['case matters', { action: 'Opened' }, false],
  ];
  for (const [name, filter, expected] of cases) {
    it(`${name} -> ${expected}`, () => assert.equal(matchesFilter(payload, filter), expected));
  }
});

describe('renderTemplate', () => {
  const cases: [string, string][] = [
    ['Review PR #{{pull_request.number}}: {{pull_request.title}}', 'Review PR #42: Fix the build'],
    ['{{ repository.full_name }} by {{pull_request.user.login}}', 'acme/api by octocat'],
    ['draft={{pull_request.draft}} merged={{pull_request.merged}} missing={{nope}}', 'draft=false merged= missing='],
    ['{{pull_request.user}}', '{"login":"octocat"}'],
    ['no placeholders', 'no placeholders'],
    ['{single} {{ }} {{a b}}', '{single} {{ }} {{a b}}'],
  ];
  for (const [template, expected] of cases) {
    it(JSON.stringify(template), () => assert.equal(renderTemplate(template, payload), expected));
  }
});

describe('renderValue', () => {
  it('a whole-string placeholder keeps the JSON type; others become text; keys stay', () => {
    const template = {
      pr: '{{pull_request.number}}',
      draft: '{{ pull_request.draft }}',
      labels: '{{pull_request.labels}}',
      missing: '{{nope}}',
      text: 'PR {{number}} in {{repository.full_name}}',
      list: ['{{action}}', 7, true, null, { '{{action}}': '{{repository}}' }],
    };
    assert.deepEqual(renderValue(template, payload), {
      pr: 42,
      draft: false,
      labels: [{ name: 'bug' }, { name: 'ci' }],
      missing: null,
      text: 'PR 42 in acme/api',
      list: ['opened', 7, true, null, { '{{action}}': { full_name: 'acme/api' } }],
    });
  });
});
