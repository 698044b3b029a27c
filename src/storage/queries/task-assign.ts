import type { AgentRecord, TaskRecord } from '../records.js';
import type { SqlClient } from '../sql-port.js';
import type { AssignmentCommit, AssignOutcome } from '../stores.js';
import { agentColumns } from './agent-columns.js';
import { taskColumns } from './task-columns.js';
import { toJson } from './sql-values.js';

/** Re-aliases a column list (`col AS "name"` or `col`) so its fields come back as `<prefix>name`. */
function prefixed(alias: string, columns: string, prefix: string): string {
  return columns
    .split(',')
    .map((c) => c.trim())
    .map((c) => {
      const [column, name] = c.split(/\s+AS\s+/i);
      return `${alias}.${column} AS "${prefix}${(name ?? column ?? '').replaceAll('"', '')}"`;
    })
    .join(', ');
}

function splitRow(row: Record<string, unknown>, prefix: string): { own: Record<string, unknown>; other: Record<string, unknown> } {
  const own: Record<string, unknown> = {};
  const other: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k.startsWith(prefix)) other[k.slice(prefix.length)] = v;
    else own[k] = v;
  }
  return { own, other };
}

/**
 * The whole assignment as ONE statement, atomic without a transaction round trip:
 * `prev` locks the task row; `a` then locks the agent row, only if the task is still waiting and
 * the agent is online with room (FOR UPDATE re-checks both conditions against the latest committed
 * row after waiting for a concurrent writer); `t` and `ag` apply the change only if both locks
 * were won, so the task and the agent's in_flight move together or not at all. Lock order is task
 * row, then agent row — the same as transition — so the two never deadlock each other.
 */
const assignStatement = `WITH prev AS (
    SELECT tenant_id, id, status FROM tasks WHERE tenant_id = $1 AND id = $2 FOR UPDATE
  ), a AS (
    SELECT tenant_id, id FROM agents
    WHERE tenant_id = $1 AND id = $3 AND status = 'online' AND in_flight < max_concurrency
      AND EXISTS (SELECT 1 FROM prev WHERE prev.status IN ('pending', 'queued'))
    FOR UPDATE
  ), t AS (
    UPDATE tasks AS t SET status = 'assigned', attempts = t.attempts + 1, assigned_agent_id = $3,
      assigned_at = $4, accept_deadline = $5, assignment = $6::jsonb, not_before = NULL,
      execution_deadline = NULL, updated_at = $4, version = t.version + 1
    FROM prev
    WHERE t.tenant_id = prev.tenant_id AND t.id = prev.id AND prev.status IN ('pending', 'queued')
      AND EXISTS (SELECT 1 FROM a)
    RETURNING t.*, prev.status AS from_status
  ), ag AS (
    UPDATE agents SET in_flight = in_flight + 1, last_assigned_at = $4
    WHERE tenant_id = $1 AND id = $3 AND EXISTS (SELECT 1 FROM t)
    RETURNING *
  ), ev AS (
    INSERT INTO task_events (tenant_id, task_id, from_status, to_status, actor, reason, data, created_at)
    SELECT t.tenant_id, t.id, t.from_status, 'assigned', $7, 'assigned', jsonb_build_object('agent_id', $3::text), $4 FROM t
  )
  SELECT ${taskColumns('t')}, ${prefixed('ag', agentColumns, 'agent.')} FROM t CROSS JOIN ag`;

/** TaskStore.assign: see its contract in stores.ts. */
export async function assignTask(
  sql: SqlClient,
  tenantId: string,
  taskId: string,
  commit: AssignmentCommit,
  read: { task(): Promise<TaskRecord | undefined>; agent(): Promise<AgentRecord | undefined> },
): Promise<AssignOutcome> {
  const { rows } = await sql.query<Record<string, unknown>>(assignStatement, [
    tenantId, taskId, commit.agentId, commit.at, commit.acceptDeadline, toJson(commit.decision), commit.actor,
  ]);
  const row = rows[0];
  if (row) {
    const { own, other } = splitRow(row, 'agent.');
    return { applied: true, task: own as unknown as TaskRecord, agent: other as unknown as AgentRecord };
  }
  const task = await read.task();
  if (!task || (task.status !== 'pending' && task.status !== 'queued')) return { applied: false, reason: 'task_not_assignable', current: task };
  return { applied: false, reason: 'agent_unavailable', agent: await read.agent() };
}
