import type { z } from 'zod';
import { DevMeshError } from './devmesh-error.js';

/** Renders zod issues as one human sentence naming each failing field, e.g. `priority: Invalid option`. */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** Parses `value` with `schema`, throwing invalid_argument that names every failing field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new DevMeshError('invalid_argument', `Invalid ${what}: ${describeZodIssues(result.error.issues)}`, {
    fields: result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  });
}
