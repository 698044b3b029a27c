import { collectTokens, lookupReference } from './workflow-references.js';
import type { WorkflowDefinition, WorkflowStep } from './workflow-schemas.js';

/**
 * Pure decisions about a workflow's step graph: what is wrong with a definition, which steps a
 * step (transitively) depends on, which steps are ready to start.
 */

const payloadsOf = (step: WorkflowStep): unknown[] => [step.payload, ...(step.fan_out ?? []).map((branch) => branch.payload)];

/** Steps by name (first one wins when names repeat; duplicates are reported separately). */
export function stepsByName(steps: readonly WorkflowStep[]): Map<string, WorkflowStep> {
  const byName = new Map<string, WorkflowStep>();
  for (const step of steps) if (!byName.has(step.name)) byName.set(step.name, step);
  return byName;
}

/** Every step `name` depends on, directly or through others (not itself unless there is a cycle). */
export function dependencyClosure(byName: ReadonlyMap<string, WorkflowStep>, name: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(byName.get(name)?.depends_on ?? [])];
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === undefined || seen.has(next)) continue;
    seen.add(next);
    stack.push(...(byName.get(next)?.depends_on ?? []));
  }
  return seen;
}

/** Every step that depends, directly or transitively, on one of `roots`. */
export function dependentsOf(steps: readonly WorkflowStep[], roots: Iterable<string>): Set<string> {
  const found = new Set<string>();
  const frontier = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const step of steps) {
      if (found.has(step.name)) continue;
      if ((step.depends_on ?? []).some((dep) => frontier.has(dep) || found.has(dep))) {
        found.add(step.name);
        grew = true;
      }
    }
  }
  return found;
}

/** One dependency cycle as a path that returns to its start (`a -> b -> a`), or undefined. */
export function findCycle(byName: ReadonlyMap<string, WorkflowStep>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const dep of byName.get(name)?.depends_on ?? []) {
      if (dep === name || !byName.has(dep)) continue; // self-dependency is reported on its own
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of byName.keys()) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

function referenceProblems(step: WorkflowStep, byName: ReadonlyMap<string, WorkflowStep>): string[] {
  const problems: string[] = [];
  const closure = dependencyClosure(byName, step.name);
  for (const token of payloadsOf(step).flatMap((payload) => collectTokens(payload))) {
    if (!('reference' in token)) {
      problems.push(`step "${step.name}": malformed reference ${token.raw}; use {{steps.<name>.output}}, {{steps.<name>.output.<path>}} or {{input.<path>}}`);
      continue;
    }
    const ref = token.reference;
    if (ref.source !== 'step') continue;
    if (ref.step === step.name) problems.push(`step "${step.name}": ${ref.raw} refers to the step itself`);
    else if (!byName.has(ref.step)) problems.push(`step "${step.name}": ${ref.raw} refers to unknown step "${ref.step}"`);
    else if (!closure.has(ref.step)) {
      problems.push(`step "${step.name}": ${ref.raw} refers to step "${ref.step}", which it does not depend on (add "${ref.step}" to its depends_on)`);
    }
  }
  return problems;
}

/** Everything wrong with a definition's graph, each message naming the step at fault; empty when valid. */
export function findDefinitionProblems(definition: WorkflowDefinition): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const step of definition.steps) {
    if (seen.has(step.name)) problems.push(`step "${step.name}" is defined more than once; step names must be unique`);
    seen.add(step.name);
  }
  const byName = stepsByName(definition.steps);
  for (const step of definition.steps) {
    for (const dep of step.depends_on ?? []) {
      if (dep === step.name) problems.push(`step "${step.name}" depends on itself`);
      else if (!byName.has(dep)) problems.push(`step "${step.name}" depends on unknown step "${dep}"`);
    }
  }
  const cycle = findCycle(byName);
  if (cycle) problems.push(`steps form a dependency cycle: ${cycle.join(' -> ')} (step "${cycle[0]}" can never start)`);
  for (const step of definition.steps) problems.push(...referenceProblems(step, byName));
  return problems;
}

/** Problems with `{{input…}}` references for a given run input (checked when a run starts). */
export function findInputProblems(definition: WorkflowDefinition, input: unknown): string[] {
  const problems: string[] = [];
  for (const step of definition.steps) {
    for (const token of payloadsOf(step).flatMap((payload) => collectTokens(payload))) {
      if (!('reference' in token) || token.reference.source !== 'input') continue;
      try {
        lookupReference(token.reference, { input, outputs: new Map() });
      } catch (error) {
        problems.push(`step "${step.name}": ${(error as Error).message}`);
      }
    }
  }
  return problems;
}

/** Names of pending steps whose dependencies have all completed, in definition order. */
export function readySteps(steps: readonly WorkflowStep[], status: ReadonlyMap<string, string>): string[] {
  return steps
    .filter((step) => status.get(step.name) === 'pending')
    .filter((step) => (step.depends_on ?? []).every((dep) => status.get(dep) === 'completed'))
    .map((step) => step.name);
}
