import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  dependencyClosure,
  dependentsOf,
  findCycle,
  findDefinitionProblems,
  findInputProblems,
  readySteps,
  stepsByName,
} from '../../src/workflows/workflow-graph.js';
import { workflowDefinitionSchema, type WorkflowDefinition, type WorkflowStep } from '../../src/workflows/workflow-schemas.js';

type StepSpec = Partial<WorkflowStep> & { name: string };
const step = (spec: StepSpec): WorkflowStep => ({ title: spec.name, ...spec });
const definition = (...steps: StepSpec[]): WorkflowDefinition => ({ name: 'wf', description: '', failure_policy: 'fail_fast', steps: steps.map(step) });

describe('workflow definitions: graph problems', () => {
  const table: { name: string; def: WorkflowDefinition; problems: RegExp[] }[] = [
    { name: 'a single step', def: definition({ name: 'a' }), problems: [] },
    {
      name: 'diamond with references to direct and transitive dependencies',
      def: definition(
        { name: 'build' },
        { name: 'test', depends_on: ['build'], payload: '{{steps.build.output}}' },
        { name: 'lint', depends_on: ['build'] },
        { name: 'deploy', depends_on: ['test', 'lint'], payload: { art: '{{steps.build.output.artifact}}', t: 'ok {{steps.test.output.passed}}' } },
      ),
      problems: [],
    },
    { name: 'duplicate names', def: definition({ name: 'a' }, { name: 'a' }), problems: [/step "a" is defined more than once/] },
    { name: 'unknown dependency', def: definition({ name: 'a' }, { name: 'b', depends_on: ['tst'] }), problems: [/step "b" depends on unknown step "tst"/] },
    { name: 'self dependency', def: definition({ name: 'a', depends_on: ['a'] }), problems: [/step "a" depends on itself/] },
    {
      name: 'cycle of three, named',
      def: definition({ name: 'x' }, { name: 'a', depends_on: ['c'] }, { name: 'b', depends_on: ['a'] }, { name: 'c', depends_on: ['b', 'x'] }),
      problems: [/dependency cycle: a -> c -> b -> a/],
    },
    { name: 'two-step cycle', def: definition({ name: 'a', depends_on: ['b'] }, { name: 'b', depends_on: ['a'] }), problems: [/cycle: a -> b -> a/] },
    {
      name: 'reference to a step it does not depend on',
      def: definition({ name: 'test' }, { name: 'lint' }, { name: 'deploy', depends_on: ['lint'], payload: { r: '{{steps.test.output}}' } }),
      problems: [/step "deploy": \{\{steps.test.output\}\} refers to step "test", which it does not depend on/],
    },
    {
      name: 'reference to an unknown step',
      def: definition({ name: 'a', payload: 'x {{steps.nope.output.y}}' }),
      problems: [/step "a": \{\{steps.nope.output.y\}\} refers to unknown step "nope"/],
    },
    { name: 'reference to itself', def: definition({ name: 'a', payload: ['{{steps.a.output}}'] }), problems: [/step "a": .* refers to the step itself/] },
    { name: 'malformed reference', def: definition({ name: 'a', payload: '{{steps.a}}' }), problems: [/step "a": malformed reference \{\{steps.a\}\}/] },
    {
      name: 'reference in a fan-out branch payload is checked too',
      def: definition({ name: 'a' }, { name: 'b', fan_out: [{ payload: '{{steps.a.output}}' }, {}] }),
      problems: [/step "b": .* refers to step "a", which it does not depend on/],
    },
    { name: 'input references are fine at definition time', def: definition({ name: 'a', payload: '{{input.anything}}' }), problems: [] },
    {
      name: 'several problems at once',
      def: definition({ name: 'a', depends_on: ['zz'] }, { name: 'a' }, { name: 'c', payload: '{{steps.q.output}}' }),
      problems: [/"a" is defined more than once/, /"a" depends on unknown step "zz"/, /"c": .* unknown step "q"/],
    },
  ];
  for (const row of table) {
    it(row.name, () => {
      const problems = findDefinitionProblems(row.def);
      assert.equal(problems.length, row.problems.length, problems.join('\n'));
      row.problems.forEach((pattern, i) => assert.match(problems[i] ?? '', pattern));
    });
  }
});

describe('workflow definitions: schema', () => {
  const table: { name: string; value: unknown; ok: boolean }[] = [
    { name: 'minimal, with defaults', value: { name: 'release.v2', steps: [{ name: 'a', title: 'A' }] }, ok: true },
    { name: 'no steps', value: { name: 'w', steps: [] }, ok: false },
    { name: 'bad workflow name', value: { name: 'has space', steps: [{ name: 'a', title: 'A' }] }, ok: false },
    { name: 'dot in a step name', value: { name: 'w', steps: [{ name: 'a.b', title: 'A' }] }, ok: false },
    { name: 'one-branch fan-out', value: { name: 'w', steps: [{ name: 'a', title: 'A', fan_out: [{}] }] }, ok: false },
    { name: 'unknown field', value: { name: 'w', steps: [{ name: 'a', title: 'A', deadline: 'x' }] }, ok: false },
    { name: 'bad policy', value: { name: 'w', failure_policy: 'retry', steps: [{ name: 'a', title: 'A' }] }, ok: false },
  ];
  for (const row of table) it(row.name, () => assert.equal(workflowDefinitionSchema.safeParse(row.value).success, row.ok));

  it('fills the description and the fail_fast default', () => {
    const parsed = workflowDefinitionSchema.parse({ name: 'w', steps: [{ name: 'a', title: 'A' }] });
    assert.equal(parsed.failure_policy, 'fail_fast');
    assert.equal(parsed.description, '');
  });
});

describe('workflow graphs: closure, dependents, readiness, cycles', () => {
  const def = definition(
    { name: 'build' },
    { name: 'test', depends_on: ['build'] },
    { name: 'lint', depends_on: ['build'] },
    { name: 'deploy', depends_on: ['test', 'lint'] },
    { name: 'docs' },
  );
  const byName = stepsByName(def.steps);

  it('dependency closure', () => {
    assert.deepEqual([...dependencyClosure(byName, 'deploy')].sort(), ['build', 'lint', 'test']);
    assert.deepEqual([...dependencyClosure(byName, 'build')], []);
  });
  it('dependents', () => {
    assert.deepEqual([...dependentsOf(def.steps, ['build'])].sort(), ['deploy', 'lint', 'test']);
    assert.deepEqual([...dependentsOf(def.steps, ['lint'])], ['deploy']);
    assert.deepEqual([...dependentsOf(def.steps, ['docs'])], []);
  });

  const readiness: { name: string; status: Record<string, string>; ready: string[] }[] = [
    { name: 'roots first', status: { build: 'pending', test: 'pending', lint: 'pending', deploy: 'pending', docs: 'pending' }, ready: ['build', 'docs'] },
    { name: 'parallel after build', status: { build: 'completed', test: 'pending', lint: 'pending', deploy: 'pending', docs: 'running' }, ready: ['test', 'lint'] },
    { name: 'deploy waits for both', status: { build: 'completed', test: 'completed', lint: 'running', deploy: 'pending', docs: 'completed' }, ready: [] },
    { name: 'deploy ready', status: { build: 'completed', test: 'completed', lint: 'completed', deploy: 'pending', docs: 'completed' }, ready: ['deploy'] },
    { name: 'a failed dependency never makes ready', status: { build: 'completed', test: 'failed', lint: 'completed', deploy: 'pending', docs: 'completed' }, ready: [] },
  ];
  for (const row of readiness) {
    it(`ready: ${row.name}`, () => assert.deepEqual(readySteps(def.steps, new Map(Object.entries(row.status))), row.ready));
  }

  it('no cycle in a DAG', () => assert.equal(findCycle(byName), undefined));

  it('input problems name the step and the missing path', () => {
    const withInput = definition({ name: 'deploy', payload: { env: '{{input.env}}', region: 'eu-{{input.region.name}}' } });
    assert.deepEqual(findInputProblems(withInput, { env: 'prod', region: { name: 'west' } }), []);
    const problems = findInputProblems(withInput, { env: 'prod' });
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /step "deploy": \{\{input.region.name\}\} has no value: the run input has nothing at "region"/);
  });
});
