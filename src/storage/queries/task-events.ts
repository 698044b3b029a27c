import type { TaskEventRecord } from '../records.js';
import type { SqlExecutor } from '../sql-port.js';
import { eventColumns } from './task-columns.js';
import { toJsonOrNull } from './sql-values.js';

/** Appends one event to a task's history; call it in the transaction that changed the task. */
export async function insertTaskEvent(
  tx: SqlExecutor,
  e: Omit<TaskEventRecord, 'seq' | 'data'> & { data: unknown },
): Promise<TaskEventRecord> {
  const { rows } = await tx.query<TaskEventRecord>(
    `INSERT INTO task_events (tenant_id, task_id, from_status, to_status, actor, reason, data, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) RETURNING ${eventColumns}`,
    [e.tenantId, e.taskId, e.fromStatus, e.toStatus, e.actor, e.reason, toJsonOrNull(e.data), e.createdAt],
  );
  return rows[0]!;
}
