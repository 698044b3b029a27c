import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDevMeshError } from '../../src/errors/index.js';
import { collectTokens, readPath, resolveReferences, tokensIn } from '../../src/workflows/workflow-references.js';

const values = {
  input: { env: 'prod', replicas: 3, tags: ['a', 'b'], nested: { deep: { x: true } } },
  outputs: new Map<string, unknown>([
    ['build', { artifact: 'app-1.2.3.tgz', size: 42, files: ['a.js', 'b.js'] }],
    ['test', { passed: 120, failed: 0 }],
    ['review', [{ verdict: 'ok' }, { verdict: 'nit' }]],
    ['plain', 'just text'],
    ['nothing', null],
  ]),
};

describe('workflow references: parsing', () => {
  const table: { text: string; expect: unknown[] }[] = [
    { text: 'no references here', expect: [] },
    { text: '{{steps.build.output}}', expect: [{ source: 'step', step: 'build', path: [] }] },
    { text: '{{steps.build.output.artifact}}', expect: [{ source: 'step', step: 'build', path: ['artifact'] }] },
    { text: '{{ steps.review.output.0.verdict }}', expect: [{ source: 'step', step: 'review', path: ['0', 'verdict'] }] },
    { text: '{{input}}', expect: [{ source: 'input', path: [] }] },
    { text: 'deploy {{input.env}} with {{steps.build.output.artifact}}', expect: [{ source: 'input', path: ['env'] }, { source: 'step', step: 'build', path: ['artifact'] }] },
    { text: '{{steps.build}}', expect: ['malformed'] },
    { text: '{{steps.build.result}}', expect: ['malformed'] },
    { text: '{{input..x}}', expect: ['malformed'] },
    { text: '{{inputs.x}}', expect: [] },
    { text: 'Hello {{name}} and {{user.email}}', expect: [] },
  ];
  for (const row of table) {
    it(JSON.stringify(row.text), () => {
      const got = tokensIn(row.text).map((t) => ('reference' in t ? (({ raw: _raw, ...rest }) => rest)(t.reference) : 'malformed'));
      assert.deepEqual(got, row.expect);
    });
  }

  it('collects tokens from nested arrays and object values, not keys', () => {
    const tokens = collectTokens({ '{{input.key}}': 1, list: ['{{input.a}}', { deeper: '{{steps.x.output}}' }], n: 5, b: null });
    assert.deepEqual(tokens.map((t) => t.raw), ['{{input.a}}', '{{steps.x.output}}']);
  });
});

describe('workflow references: paths', () => {
  const table: { value: unknown; path: string[]; expect: unknown }[] = [
    { value: { a: { b: 1 } }, path: ['a', 'b'], expect: { found: true, value: 1 } },
    { value: { a: [10, 20] }, path: ['a', '1'], expect: { found: true, value: 20 } },
    { value: { a: [10, 20] }, path: ['a', '2'], expect: { found: false, at: 'a.2' } },
    { value: { a: null }, path: ['a'], expect: { found: true, value: null } },
    { value: { a: null }, path: ['a', 'b'], expect: { found: false, at: 'a.b' } },
    { value: {}, path: ['constructor'], expect: { found: false, at: 'constructor' } },
    { value: {}, path: ['__proto__'], expect: { found: false, at: '__proto__' } },
    { value: 'text', path: ['length'], expect: { found: false, at: 'length' } },
    { value: 7, path: [], expect: { found: true, value: 7 } },
  ];
  for (const row of table) {
    it(`${JSON.stringify(row.value)} at ${row.path.join('.') || '(root)'}`, () => assert.deepEqual(readPath(row.value, row.path), row.expect));
  }
});

describe('workflow references: resolution', () => {
  const table: { name: string; payload: unknown; expect: unknown }[] = [
    { name: 'whole output keeps its JSON type', payload: '{{steps.test.output}}', expect: { passed: 120, failed: 0 } },
    { name: 'a number stays a number', payload: '{{steps.test.output.passed}}', expect: 120 },
    { name: 'an array element', payload: '{{steps.review.output.1.verdict}}', expect: 'nit' },
    { name: 'a null output', payload: '{{steps.nothing.output}}', expect: null },
    { name: 'the whole input', payload: '{{input}}', expect: values.input },
    { name: 'embedded string', payload: 'ship {{steps.build.output.artifact}} to {{input.env}}', expect: 'ship app-1.2.3.tgz to prod' },
    { name: 'embedded non-string is JSON', payload: 'tests: {{steps.test.output}}; tags {{input.tags}}', expect: 'tests: {"passed":120,"failed":0}; tags ["a","b"]' },
    { name: 'embedded null', payload: 'x={{steps.nothing.output}}', expect: 'x=null' },
    {
      name: 'nested structures',
      payload: { artifact: '{{steps.build.output.artifact}}', checks: ['{{steps.test.output.failed}}', 'fixed'], n: 1, ok: true, none: null },
      expect: { artifact: 'app-1.2.3.tgz', checks: [0, 'fixed'], n: 1, ok: true, none: null },
    },
    { name: 'foreign templates untouched', payload: 'Dear {{name}}, see {{input.env}}', expect: 'Dear {{name}}, see prod' },
    { name: 'no references', payload: { a: [1, 'b'] }, expect: { a: [1, 'b'] } },
  ];
  for (const row of table) it(row.name, () => assert.deepEqual(resolveReferences(row.payload, values), row.expect));

  const failures: { name: string; payload: unknown; message: RegExp }[] = [
    { name: 'missing output key', payload: '{{steps.build.output.version}}', message: /output of step "build" has nothing at "version"/ },
    { name: 'missing input key', payload: { env: 'x {{input.region}}' }, message: /run input has nothing at "region"/ },
    { name: 'step not completed', payload: ['{{steps.deploy.output}}'], message: /step "deploy" has not completed/ },
    { name: 'index out of range', payload: '{{steps.review.output.5}}', message: /nothing at "5"/ },
  ];
  for (const row of failures) {
    it(`fails: ${row.name}`, () => {
      assert.throws(
        () => resolveReferences(row.payload, values),
        (error: unknown) => isDevMeshError(error) && error.code === 'invalid_argument' && row.message.test(error.message),
      );
    });
  }
});
