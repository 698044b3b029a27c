import type { TaskEventRecord, TaskRecord, TaskStatus } from '../records.js';
import type { SqlExecutor } from '../sql-port.js';
import type { TaskTransition, TransitionOutcome } from '../stores.js';
import { taskColumns } from './task-columns.js';
import { toJson, toJsonOrNull } from './sql-values.js';

type TransitionRow = TaskRecord & { eventSeq: string };

/** Statuses in which a task counts towards its assigned agent's in_flight. */
const holdsAgent: readonly TaskStatus[] = ['assigned', 'in_progress'];

/**
 * The whole transition as ONE statement (no BEGIN/COMMIT round trips, atomic by itself):
 * `prev` locks the task row (FOR UPDATE re-reads it after a concurrent writer commits, so
 * prev.status is what this update replaces and a competing transition finds its guard false);
 * `t` applies the change; `released` gives the agent its slot back when the task leaves
 * assigned/in_progress; `ev` records the event. Lock order: task row, then agent row — as in assign.
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
  if (patch.startExecutionClock) {
    sets.push(`execution_deadline = CASE WHEN t.execution_timeout_ms IS NULL THEN NULL ELSE $5::timestamptz + t.execution_timeout_ms * interval '1 millisecond' END`);
  }
  if (patch.notBefore !== undefined) set('not_before', patch.notBefore, '::timestamptz');
  if (patch.appendPreviousAgentId !== undefined) {
    sets.push(`previous_agent_ids = array_append(t.previous_agent_ids, $${params.push(patch.appendPreviousAgentId)}::text)`);
  }
  const agentGuard = change.onlyIfAgentId === undefined ? '' : ` AND t.assigned_agent_id = $${params.push(change.onlyIfAgentId)}`;
  const releases = !holdsAgent.includes(change.to);
  const event = [params.push(change.actor), params.push(change.reason), params.push(toJsonOrNull(change.data))];
  const text = `WITH prev AS (
      SELECT tenant_id, id, status, assigned_agent_id FROM tasks WHERE tenant_id = $1 AND id = $2 FOR UPDATE
    ), t AS (
      UPDATE tasks AS t SET ${sets.join(', ')} FROM prev
      WHERE t.tenant_id = prev.tenant_id AND t.id = prev.id AND t.status = ANY($3::text[])${agentGuard}
      RETURNING t.*, prev.status AS from_status, prev.assigned_agent_id AS from_agent_id
    ), released AS (
      UPDATE agents AS a SET in_flight = GREATEST(a.in_flight - 1, 0) FROM t
      WHERE ${releases ? 'TRUE' : 'FALSE'} AND a.tenant_id = t.tenant_id AND a.id = t.from_agent_id
        AND t.from_status IN ('assigned', 'in_progress')
      RETURNING a.id
    ), ev AS (
      INSERT INTO task_events (tenant_id, task_id, from_status, to_status, actor, reason, data, created_at)
      SELECT t.tenant_id, t.id, t.from_status, $4, $${event[0]}, $${event[1]}, $${event[2]}::jsonb, $5 FROM t
      RETURNING seq
    )
    SELECT ${taskColumns('t')}, t.from_status AS "fromStatus", ev.seq AS "eventSeq", (SELECT count(*) FROM released)::int AS "released"
    FROM t CROSS JOIN ev`;
  return { text, params };
}

/** TaskStore.transition: see its contract in stores.ts. */
export async function transitionTask(
  exec: SqlExecutor,
  tenantId: string,
  id: string,
  change: TaskTransition,
  current: () => Promise<TaskRecord | undefined>,
): Promise<TransitionOutcome> {
  const update = buildTransition(tenantId, id, change);
  const { rows } = await exec.query<TransitionRow & { fromStatus: TaskStatus; released: number }>(update.text, update.params);
  const row = rows[0];
  if (!row) return { applied: false, current: await current() };
  const { fromStatus, eventSeq, released: _released, ...task } = row;
  const event: TaskEventRecord = {
    tenantId, taskId: id, seq: eventSeq, fromStatus, toStatus: change.to, actor: change.actor,
    reason: change.reason, data: change.data ?? null, createdAt: change.at,
  };
  return { applied: true, task, event };
}
