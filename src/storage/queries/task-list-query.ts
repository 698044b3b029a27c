import type { TaskFilter, TaskPosition } from '../stores.js';
import { taskColumns } from './task-columns.js';

/**
 * Builds the keyset-paginated list query: newest first, ties broken by id descending, `limit + 1`
 * rows so the caller knows whether a next page exists. Only the filters present become conditions,
 * so the planner sees a plain statement. An empty list in a filter matches nothing.
 */
export function buildTaskListQuery(
  tenantId: string,
  filter: TaskFilter,
  limit: number,
  after: TaskPosition | undefined,
): { text: string; params: unknown[] } | undefined {
  if (filter.status?.length === 0 || filter.priority?.length === 0) return undefined;
  const params: unknown[] = [tenantId];
  const where = ['t.tenant_id = $1'];
  const add = (condition: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(condition(`$${params.length}`));
  };
  if (filter.status) add((p) => `t.status = ANY(${p}::text[])`, filter.status);
  if (filter.priority) add((p) => `t.priority = ANY(${p}::text[])`, filter.priority);
  if (filter.type !== undefined) add((p) => `t.type = ${p}`, filter.type);
  if (filter.sessionId !== undefined) add((p) => `t.session_id = ${p}`, filter.sessionId);
  if (after) {
    params.push(after.createdAt, after.id);
    const n = params.length;
    where.push(`(t.created_at, t.id) < ($${n - 1}::timestamptz, $${n}::text)`);
  }
  params.push(limit + 1);
  const text = `SELECT ${taskColumns('t')} FROM tasks t WHERE ${where.join(' AND ')}
    ORDER BY t.created_at DESC, t.id DESC LIMIT $${params.length}`;
  return { text, params };
}
