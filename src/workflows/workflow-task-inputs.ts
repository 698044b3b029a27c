import { parseOrThrow } from '../errors/index.js';
import { taskCreateSchema, type TaskCreateInput } from '../tasks/task-schemas.js';
import { isPlainObject, resolveReferences, type ReferenceValues } from './workflow-references.js';
import type { FanOutBranch, WorkflowStep } from './workflow-schemas.js';

/**
 * The task inputs of a step: one task, or one per fan-out branch in branch order. A branch's
 * fields replace the step's, except that a branch payload object is merged over a step payload
 * object. Payload references are resolved against the run input and completed steps' outputs;
 * a reference to nothing throws invalid_argument (the step fails with that message).
 */
export function stepTaskInputs(step: WorkflowStep, values: ReferenceValues): TaskCreateInput[] {
  const { name: _name, depends_on: _deps, fan_out: branches, ...template } = step;
  const variants: FanOutBranch[] = branches ?? [{}];
  return variants.map((branch, index) => {
    const payload =
      isPlainObject(template.payload) && isPlainObject(branch.payload) ? { ...template.payload, ...branch.payload } : (branch.payload ?? template.payload);
    const title = branch.title ?? (branches ? `${template.title} [${index + 1}/${branches.length}]` : template.title);
    const merged = { ...template, ...definedOnly(branch), title: title.slice(0, 500), payload: resolveReferences(payload, values) };
    if (merged.payload === undefined) delete merged.payload;
    return parseOrThrow(taskCreateSchema, merged, `task for step "${step.name}"`);
  });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
