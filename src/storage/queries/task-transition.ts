import type { TaskRecord, TaskStatus } from '../records.js';
import type { SqlExecutor } from '../sql-port.js';
import type { TaskTransition, TransitionOutcome } from '../stores.js';
import { taskColumns } from './task-columns.js';
import { insertTaskEvent } from './task-events.js';
import { toJson } from './sql-values.js';

type TransitionRow = TaskRecord & { fromStatus: TaskStatus; fromAgentId: string | null };

/** Statuses in which a task counts towards its assigned agent's in_flight. */
const holdsAgent: readonly TaskStatus[] = ['assigned', 'in_progress'];

/**
 * One conditional UPDATE. The sub-select locks the row (FOR UPDATE) and, under READ COMMITTED,
 * re-reads it after a concurrent writer commits, so `prev.status` and `prev.assigned_agent_id` are
 * the values this update replaced and a competing transition from the same state finds the guard
 * false: zero rows.
 */
function buildTransition(tenantId: string, id: string, change: TaskTransition) {
  const params: unknown[] = [tenantId, id, [...change.from], change.to, change.at];
  const sets = ['status = $4', 'updated_at = $5', 'version = t.version + 1'];
  const set = (column: string, value: unknown, cast = '') => sets.push(`${column} = $${params.push(value)}${cast}`);
  const patch = change.patch ?? {};
  if (patch.result !== undefined) set('result', toJson(patch.result), '::jsonb');
  if (patch.error !== undefined) set('error', toJson(patch.error), '::jsonb');
  if (patch.progress !== undefined) set('progress', toJson(patch.progress), '::jsonb');
  if (patch.assignedAgentId !== undefined) set('assigned_agent_id', patch.assignedAgentId);
  if (patch.acceptDeadline !== undefined) set('accept_deadline', patch.acceptDeadline, '::timestamptz');
  if (patch.executionDeadline !== undefined) set('execution_deadline', patch.executionDeadline, '::timestamptz');
  if (patch.notBefore !== undefined) set('not_before', patch.notBefore, '::timestamptz');
  if (patch.appendPreviousAgentId !== undefined) {
    sets.push(`previous_agent_ids = array_append(t.previous_agent_ids, $${params.push(patch.appendPreviousAgentId)}::text)`);
  }
  const text = `UPDATE tasks AS t SET ${sets.join(', ')}
    FROM (SELECT tenant_id, id, status, assigned_agent_id FROM tasks WHERE tenant_id = $1 AND id = $2 FOR UPDATE) AS prev
    WHERE t.tenant_id = prev.tenant_id AND t.id = prev.id AND t.status = ANY($3::text[])
    RETURNING ${taskColumns('t')}, prev.status AS "fromStatus", prev.assigned_agent_id AS "fromAgentId"`;
  return { text, params };
}

/**
 * The body of TaskStore.transition, run in the caller's transaction. Lock order is task row, then
 * agent row — the same as assign() — so the two never deadlock each other.
 */
export async function transitionTask(
  tx: SqlExecutor,
  tenantId: string,
  id: string,
  change: TaskTransition,
  current: () => Promise<TaskRecord | undefined>,
): Promise<TransitionOutcome> {
  const update = buildTransition(tenantId, id, change);
  const { rows } = await tx.query<TransitionRow>(update.text, update.params);
  const row = rows[0];
  if (!row) return { applied: false, current: await current() };
  const { fromStatus, fromAgentId, ...task } = row;
  if (fromAgentId !== null && holdsAgent.includes(fromStatus) && !holdsAgent.includes(change.to)) {
    await tx.query(
      `UPDATE agents SET in_flight = GREATEST(in_flight - 1, 0) WHERE tenant_id = $1 AND id = $2`,
      [tenantId, fromAgentId],
    );
  }
  const event = await insertTaskEvent(tx, {
    tenantId, taskId: id, fromStatus, toStatus: change.to, actor: change.actor,
    reason: change.reason, data: change.data, createdAt: change.at,
  });
  return { applied: true, task, event };
}
