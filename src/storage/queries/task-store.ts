import { DevMeshError } from '../../errors/index.js';
import type { AgentRecord, TaskEventRecord, TaskRecord, TaskStatus } from '../records.js';
import type { SqlClient, SqlExecutor } from '../sql-port.js';
import type { TaskStore } from '../stores.js';
import { agentColumns } from './agent-columns.js';
import { eventColumns, taskColumns } from './task-columns.js';
import { assignTask } from './task-assign.js';
import { listDueTasks, listQueuedTasks } from './task-due.js';
import { buildTaskListQuery } from './task-list-query.js';
import { transitionTask } from './task-transition.js';
import { rethrowConflict, toJson } from './sql-values.js';

/** NewTask.acceptTimeoutMs when the caller leaves it out (the column default is the same). */
const defaultAcceptTimeoutMs = 30_000;

export function createTaskStore(sql: SqlClient): TaskStore {
  async function get(exec: SqlExecutor, tenantId: string, id: string): Promise<TaskRecord | undefined> {
    const { rows } = await exec.query<TaskRecord>(
      `SELECT ${taskColumns('t')} FROM tasks t WHERE t.tenant_id = $1 AND t.id = $2`,
      [tenantId, id],
    );
    return rows[0];
  }

  async function getAgent(tenantId: string, id: string): Promise<AgentRecord | undefined> {
    const { rows } = await sql.query<AgentRecord>(`SELECT ${agentColumns} FROM agents WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      id,
    ]);
    return rows[0];
  }

  /** The task created earlier with this idempotency key; a conflict if it was made from another request. */
  async function firstWithKey(tenantId: string, idempotency: { key: string; fingerprint: string }): Promise<TaskRecord> {
    const { rows } = await sql.query<TaskRecord & { fingerprint: string | null }>(
      `SELECT ${taskColumns('t')}, t.idempotency_fingerprint AS fingerprint FROM tasks t WHERE t.tenant_id = $1 AND t.idempotency_key = $2`,
      [tenantId, idempotency.key],
    );
    const found = rows[0];
    if (!found) throw new DevMeshError('unavailable', 'A task with this idempotency key is being created; try again.', { idempotency_key: idempotency.key, retry: true });
    const { fingerprint, ...task } = found;
    if (fingerprint !== idempotency.fingerprint) {
      throw new DevMeshError(
        'conflict',
        `Idempotency key "${idempotency.key}" was already used to create task ${task.id} from a different request; use a new key for a new task.`,
        { idempotency_key: idempotency.key, task_id: task.id },
      );
    }
    return task;
  }

  return {
    async insert(task, actor, at) {
      let rows: TaskRecord[];
      try {
        // One statement: the task and its first event, atomically, in a single round trip. A task
        // whose idempotency key is taken inserts nothing (and so no event): the first one is read back.
        ({ rows } = await sql.query<TaskRecord>(
          `WITH t AS (
             INSERT INTO tasks (tenant_id, id, title, description, type, priority, status,
               required_capabilities, payload, session_id, created_by, max_attempts, created_at, updated_at,
               strategy, max_cost, deadline, accept_timeout_ms, execution_timeout_ms, workflow_run_id, workflow_step,
               idempotency_key, idempotency_fingerprint)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9::jsonb, $10, $11, $12, $13, $13,
               $14, $15, $16, $17, $18, $19, $20, $22, $23)
             ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
             RETURNING *
           ), ev AS (
             INSERT INTO task_events (tenant_id, task_id, from_status, to_status, actor, reason, data, created_at)
             SELECT t.tenant_id, t.id, NULL, t.status, $21, 'created', NULL, $13 FROM t
           )
           SELECT ${taskColumns('t')} FROM t`,
          [
            task.tenantId, task.id, task.title, task.description, task.type, task.priority, task.status,
            task.requiredCapabilities, toJson(task.payload), task.sessionId, task.createdBy, task.maxAttempts, at,
            task.strategy ?? null, task.maxCost ?? null, task.deadline ?? null,
            task.acceptTimeoutMs ?? defaultAcceptTimeoutMs, task.executionTimeoutMs ?? null,
            task.workflowRunId ?? null, task.workflowStep ?? null, actor,
            task.idempotency?.key ?? null, task.idempotency?.fingerprint ?? null,
          ],
        ));
      } catch (error) {
        rethrowConflict(error, 'A task with this id already exists.', { id: task.id });
      }
      if (rows[0]) return rows[0];
      if (!task.idempotency) throw new DevMeshError('internal', 'Inserting a task returned no row.', { id: task.id });
      return firstWithKey(task.tenantId, task.idempotency);
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

    transition(tenantId, id, change) {
      return transitionTask(sql, tenantId, id, change, () => get(sql, tenantId, id));
    },

    assign(tenantId, taskId, commit) {
      return assignTask(sql, tenantId, taskId, commit, {
        task: () => get(sql, tenantId, taskId),
        agent: () => getAgent(tenantId, commit.agentId),
      });
    },

    listQueued: (limit) => listQueuedTasks(sql, limit),

    listDue: (now, limit) => listDueTasks(sql, now, limit),

    async listActiveForAgent(tenantId, agentId) {
      const { rows } = await sql.query<TaskRecord>(
        `SELECT ${taskColumns('t')} FROM tasks t
         WHERE t.tenant_id = $1 AND t.assigned_agent_id = $2 AND t.status IN ('assigned', 'in_progress')
         ORDER BY t.created_at, t.id`,
        [tenantId, agentId],
      );
      return rows;
    },

    async listByWorkflowRun(tenantId, runId) {
      const { rows } = await sql.query<TaskRecord>(
        `SELECT ${taskColumns('t')} FROM tasks t WHERE t.tenant_id = $1 AND t.workflow_run_id = $2
         ORDER BY t.created_at, t.id`,
        [tenantId, runId],
      );
      return rows;
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
