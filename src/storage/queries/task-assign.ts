import type { AgentRecord, TaskRecord, TaskStatus } from '../records.js';
import type { SqlClient, SqlExecutor } from '../sql-port.js';
import type { AssignmentCommit, AssignOutcome } from '../stores.js';
import { agentColumns } from './agent-columns.js';
import { taskColumns } from './task-columns.js';
import { insertTaskEvent } from './task-events.js';
import { toJson } from './sql-values.js';

/** Thrown inside the transaction to roll the task update back when the agent has no room. */
class AgentUnavailable extends Error {}

/**
 * Task first, then agent: the same lock order as transition(), so assign and transition never
 * deadlock. Concurrent assigns of one task queue on its row lock; after the winner commits the
 * others re-read it (READ COMMITTED), find it no longer pending/queued and change nothing, so a
 * loser never touches an agent. Concurrent assigns to one agent queue on the agent row and each
 * re-checks `in_flight < max_concurrency` against the committed count.
 */
async function assignInTransaction(
  tx: SqlExecutor,
  tenantId: string,
  taskId: string,
  commit: AssignmentCommit,
): Promise<{ task: TaskRecord; agent: AgentRecord } | undefined> {
  const { rows: tasks } = await tx.query<TaskRecord & { fromStatus: TaskStatus }>(
    `UPDATE tasks AS t SET status = 'assigned', attempts = t.attempts + 1, assigned_agent_id = $3,
       assigned_at = $4, accept_deadline = $5, assignment = $6::jsonb, not_before = NULL,
       execution_deadline = NULL, updated_at = $4, version = t.version + 1
     FROM (SELECT tenant_id, id, status FROM tasks WHERE tenant_id = $1 AND id = $2 FOR UPDATE) AS prev
     WHERE t.tenant_id = prev.tenant_id AND t.id = prev.id AND t.status IN ('pending', 'queued')
     RETURNING ${taskColumns('t')}, prev.status AS "fromStatus"`,
    [tenantId, taskId, commit.agentId, commit.at, commit.acceptDeadline, toJson(commit.decision)],
  );
  const row = tasks[0];
  if (!row) return undefined;
  const { rows: agents } = await tx.query<AgentRecord>(
    `UPDATE agents SET in_flight = in_flight + 1, last_assigned_at = $3
     WHERE tenant_id = $1 AND id = $2 AND status = 'online' AND in_flight < max_concurrency
     RETURNING ${agentColumns}`,
    [tenantId, commit.agentId, commit.at],
  );
  const agent = agents[0];
  if (!agent) throw new AgentUnavailable();
  const { fromStatus, ...task } = row;
  await insertTaskEvent(tx, {
    tenantId, taskId, fromStatus, toStatus: 'assigned', actor: commit.actor, reason: 'assigned',
    data: { agent_id: commit.agentId }, createdAt: commit.at,
  });
  return { task, agent };
}

/** TaskStore.assign: see its contract in stores.ts. */
export async function assignTask(
  sql: SqlClient,
  tenantId: string,
  taskId: string,
  commit: AssignmentCommit,
  read: { task(): Promise<TaskRecord | undefined>; agent(): Promise<AgentRecord | undefined> },
): Promise<AssignOutcome> {
  try {
    const done = await sql.transaction((tx) => assignInTransaction(tx, tenantId, taskId, commit));
    if (done) return { applied: true, ...done };
    return { applied: false, reason: 'task_not_assignable', current: await read.task() };
  } catch (error) {
    if (!(error instanceof AgentUnavailable)) throw error;
    return { applied: false, reason: 'agent_unavailable', agent: await read.agent() };
  }
}
