import { DevMeshError } from '../../errors/index.js';
import type { TaskEventRecord, TaskRecord, TaskStatus } from '../records.js';
import type { SqlClient, SqlExecutor } from '../sql-port.js';
import type { TaskStore, TaskTransition } from '../stores.js';
import { eventColumns, taskColumns } from './task-columns.js';
import { buildTaskListQuery } from './task-list-query.js';
import { rethrowConflict, toJson, toJsonOrNull } from './sql-values.js';

type TransitionRow = TaskRecord & { fromStatus: TaskStatus };

async function insertEvent(
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

/**
 * One conditional UPDATE. The sub-select locks the row (FOR UPDATE) and, under READ COMMITTED,
 * re-reads it after a concurrent writer commits, so `prev.status` is the status this update
 * replaced and a competing transition from the same state finds the guard false: zero rows.
 */
function buildTransition(tenantId: string, id: string, change: TaskTransition) {
  const params: unknown[] = [tenantId, id, [...change.from], change.to, change.at];
  const sets = ['status = $4', 'updated_at = $5', 'version = t.version + 1'];
  const patch = change.patch ?? {};
  if (patch.result !== undefined) sets.push(`result = $${params.push(toJson(patch.result))}::jsonb`);
  if (patch.error !== undefined) sets.push(`error = $${params.push(toJson(patch.error))}::jsonb`);
  if (patch.assignedAgentId !== undefined) sets.push(`assigned_agent_id = $${params.push(patch.assignedAgentId)}`);
  const text = `UPDATE tasks AS t SET ${sets.join(', ')}
    FROM (SELECT tenant_id, id, status FROM tasks WHERE tenant_id = $1 AND id = $2 FOR UPDATE) AS prev
    WHERE t.tenant_id = prev.tenant_id AND t.id = prev.id AND t.status = ANY($3::text[])
    RETURNING ${taskColumns('t')}, prev.status AS "fromStatus"`;
  return { text, params };
}

export function createTaskStore(sql: SqlClient): TaskStore {
  async function get(exec: SqlExecutor, tenantId: string, id: string): Promise<TaskRecord | undefined> {
    const { rows } = await exec.query<TaskRecord>(
      `SELECT ${taskColumns('t')} FROM tasks t WHERE t.tenant_id = $1 AND t.id = $2`,
      [tenantId, id],
    );
    return rows[0];
  }

  return {
    async insert(task, actor, at) {
      try {
        return await sql.transaction(async (tx) => {
          const { rows } = await tx.query<TaskRecord>(
            `INSERT INTO tasks AS t (tenant_id, id, title, description, type, priority, status,
               required_capabilities, payload, session_id, created_by, max_attempts, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9::jsonb, $10, $11, $12, $13, $13)
             RETURNING ${taskColumns('t')}`,
            [
              task.tenantId, task.id, task.title, task.description, task.type, task.priority, task.status,
              task.requiredCapabilities, toJson(task.payload), task.sessionId, task.createdBy, task.maxAttempts, at,
            ],
          );
          const record = rows[0]!;
          await insertEvent(tx, {
            tenantId: task.tenantId, taskId: task.id, fromStatus: null, toStatus: task.status,
            actor, reason: 'created', data: undefined, createdAt: at,
          });
          return record;
        });
      } catch (error) {
        rethrowConflict(error, 'A task with this id already exists.', { id: task.id });
      }
    },

    get: (tenantId, id) => get(sql, tenantId, id),

    async list(tenantId, filter, page) {
      if (!Number.isInteger(page.limit) || page.limit < 1) {
        throw new DevMeshError('invalid_argument', 'limit must be a positive integer.', { limit: page.limit });
      }
      const query = buildTaskListQuery(tenantId, filter, page.limit, page.after);
      if (!query) return { items: [], next: undefined };
      const { rows } = await sql.query<TaskRecord>(query.text, query.params);
      const items = rows.slice(0, page.limit);
      const last = items[items.length - 1];
      const next = rows.length > page.limit && last ? { createdAt: last.createdAt, id: last.id } : undefined;
      return { items, next };
    },

    async transition(tenantId, id, change) {
      return sql.transaction(async (tx) => {
        const update = buildTransition(tenantId, id, change);
        const { rows } = await tx.query<TransitionRow>(update.text, update.params);
        const row = rows[0];
        if (!row) return { applied: false as const, current: await get(tx, tenantId, id) };
        const { fromStatus, ...task } = row;
        const event = await insertEvent(tx, {
          tenantId, taskId: id, fromStatus, toStatus: change.to, actor: change.actor,
          reason: change.reason, data: change.data, createdAt: change.at,
        });
        return { applied: true as const, task, event };
      });
    },

    async events(tenantId, taskId) {
      const { rows } = await sql.query<TaskEventRecord>(
        `SELECT ${eventColumns} FROM task_events WHERE tenant_id = $1 AND task_id = $2 ORDER BY seq`,
        [tenantId, taskId],
      );
      return rows;
    },

    async countByStatus() {
      const { rows } = await sql.query<{ tenantId: string; status: TaskStatus; count: number }>(
        `SELECT tenant_id AS "tenantId", status, count(*)::int AS count
         FROM tasks GROUP BY tenant_id, status ORDER BY tenant_id, status`,
      );
      return rows;
    },
  };
}
