import { DevMeshError } from '../../errors/index.js';
import type { WorkflowRecord, WorkflowRunRecord } from '../records.js';
import type { SqlClient } from '../sql-port.js';
import type { IdleRunPosition, WorkflowStore } from '../stores.js';
import { rethrowConflict, toJson } from './sql-values.js';

const workflowColumns = `tenant_id AS "tenantId", id, name, description, definition, created_at AS "createdAt",
  updated_at AS "updatedAt"`;
const runColumns = `tenant_id AS "tenantId", id, workflow_id AS "workflowId", status, input, steps,
  created_at AS "createdAt", updated_at AS "updatedAt", version`;

type Position = { createdAt: Date; id: string };

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new DevMeshError('invalid_argument', 'limit must be a positive integer.', { limit });
  }
}

/** Newest first, ties by id descending; fetches limit + 1 rows to know whether a next page exists. */
async function page<R extends Position>(
  sql: SqlClient,
  table: string,
  columns: string,
  where: string[],
  params: unknown[],
  limit: number,
  after: Position | undefined,
): Promise<{ items: R[]; next: Position | undefined }> {
  checkLimit(limit);
  const conditions = [...where];
  const values = [...params];
  if (after) {
    values.push(after.createdAt, after.id);
    conditions.push(`(created_at, id) < ($${values.length - 1}::timestamptz, $${values.length}::text)`);
  }
  values.push(limit + 1);
  const { rows } = await sql.query<R>(
    `SELECT ${columns} FROM ${table} WHERE ${conditions.join(' AND ')}
     ORDER BY created_at DESC, id DESC LIMIT $${values.length}`,
    values,
  );
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : undefined };
}

function isForeignKeyViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23503';
}

export function createWorkflowStore(sql: SqlClient): WorkflowStore {
  async function one<R>(text: string, params: unknown[]): Promise<R | undefined> {
    const { rows } = await sql.query<R & object>(text, params);
    return rows[0];
  }

  return {
    async create(workflow, at) {
      try {
        const { rows } = await sql.query<WorkflowRecord>(
          `INSERT INTO workflows (tenant_id, id, name, description, definition, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6, $6) RETURNING ${workflowColumns}`,
          [workflow.tenantId, workflow.id, workflow.name, workflow.description, toJson(workflow.definition), at],
        );
        return rows[0]!;
      } catch (error) {
        rethrowConflict(error, 'A workflow with this name (or id) already exists; choose another name.', {
          name: workflow.name,
        });
      }
    },

    get: (tenantId, id) =>
      one<WorkflowRecord>(`SELECT ${workflowColumns} FROM workflows WHERE tenant_id = $1 AND id = $2`, [tenantId, id]),

    getByName: (tenantId, name) =>
      one<WorkflowRecord>(`SELECT ${workflowColumns} FROM workflows WHERE tenant_id = $1 AND name = $2`, [
        tenantId,
        name,
      ]),

    list: (tenantId, p) => page<WorkflowRecord>(sql, 'workflows', workflowColumns, ['tenant_id = $1'], [tenantId], p.limit, p.after),

    async createRun(run, at) {
      try {
        const { rows } = await sql.query<WorkflowRunRecord>(
          `INSERT INTO workflow_runs (tenant_id, id, workflow_id, status, input, steps, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $7) RETURNING ${runColumns}`,
          [run.tenantId, run.id, run.workflowId, run.status, toJson(run.input), toJson(run.steps), at],
        );
        return rows[0]!;
      } catch (error) {
        // The composite foreign key: no such workflow in this tenant.
        if (isForeignKeyViolation(error)) {
          throw new DevMeshError('not_found', 'No workflow with this id in this tenant.', { workflowId: run.workflowId }, {
            cause: error,
          });
        }
        rethrowConflict(error, 'A workflow run with this id already exists.', { id: run.id });
      }
    },

    getRun: (tenantId, id) =>
      one<WorkflowRunRecord>(`SELECT ${runColumns} FROM workflow_runs WHERE tenant_id = $1 AND id = $2`, [tenantId, id]),

    async listRuns(tenantId, filter, p) {
      if (filter.status?.length === 0) {
        checkLimit(p.limit);
        return { items: [], next: undefined };
      }
      const where = ['tenant_id = $1'];
      const params: unknown[] = [tenantId];
      if (filter.workflowId !== undefined) where.push(`workflow_id = $${params.push(filter.workflowId)}`);
      if (filter.status !== undefined) where.push(`status = ANY($${params.push(filter.status)}::text[])`);
      return page<WorkflowRunRecord>(sql, 'workflow_runs', runColumns, where, params, p.limit, p.after);
    },

    async listIdleRunning(updatedBefore, limit, after) {
      const { rows } = await sql.query<IdleRunPosition>(
        `SELECT updated_at AS "updatedAt", tenant_id AS "tenantId", id FROM workflow_runs
         WHERE status = 'running' AND updated_at < $1
           AND ($3::timestamptz IS NULL OR (updated_at, tenant_id, id) > ($3, $4, $5))
         ORDER BY updated_at, tenant_id, id LIMIT $2`,
        [updatedBefore, limit, after?.updatedAt ?? null, after?.tenantId ?? null, after?.id ?? null],
      );
      return rows;
    },

    updateRun(tenantId, id, expectedVersion, patch, at) {
      const params: unknown[] = [tenantId, id, expectedVersion, at];
      const sets = ['version = version + 1', 'updated_at = $4'];
      if (patch.status !== undefined) sets.push(`status = $${params.push(patch.status)}`);
      if (patch.steps !== undefined) sets.push(`steps = $${params.push(toJson(patch.steps))}::jsonb`);
      return one<WorkflowRunRecord>(
        `UPDATE workflow_runs SET ${sets.join(', ')} WHERE tenant_id = $1 AND id = $2 AND version = $3
         RETURNING ${runColumns}`,
        params,
      );
    },
  };
}
