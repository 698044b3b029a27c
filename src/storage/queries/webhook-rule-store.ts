import { DevMeshError } from '../../errors/index.js';
import type { EventRuleRecord } from '../records.js';
import type { SqlClient } from '../sql-port.js';
import type { EventRuleStore } from '../stores.js';
import { rethrowConflict, toJson } from './sql-values.js';

const columns = `tenant_id AS "tenantId", id, name, source, event, endpoint_id AS "endpointId", filter, task,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

export function createEventRuleStore(sql: SqlClient): EventRuleStore {
  return {
    async create(rule, at) {
      try {
        const { rows } = await sql.query<EventRuleRecord>(
          `INSERT INTO event_rules (tenant_id, id, name, source, event, endpoint_id, filter, task, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $9) RETURNING ${columns}`,
          [rule.tenantId, rule.id, rule.name, rule.source, rule.event, rule.endpointId, toJson(rule.filter), toJson(rule.task), at],
        );
        return rows[0]!;
      } catch (error) {
        // The composite foreign key: no such endpoint in this tenant.
        if ((error as { code?: unknown } | null)?.code === '23503') {
          throw new DevMeshError('not_found', `No webhook endpoint with id "${rule.endpointId}" in this tenant.`, {
            endpoint_id: rule.endpointId,
          }, { cause: error });
        }
        rethrowConflict(error, 'An event rule with this name already exists in this tenant; choose another name.', { name: rule.name });
      }
    },

    async get(tenantId, id) {
      const { rows } = await sql.query<EventRuleRecord>(`SELECT ${columns} FROM event_rules WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
      return rows[0];
    },

    async list(tenantId) {
      const { rows } = await sql.query<EventRuleRecord>(
        `SELECT ${columns} FROM event_rules WHERE tenant_id = $1 ORDER BY created_at, id`,
        [tenantId],
      );
      return rows;
    },

    async listMatching(tenantId, source, event, endpointId) {
      const { rows } = await sql.query<EventRuleRecord>(
        `SELECT ${columns} FROM event_rules
         WHERE tenant_id = $1 AND source = $2 AND (event = $3 OR event = '*') AND (endpoint_id IS NULL OR endpoint_id = $4)
         ORDER BY created_at, id`,
        [tenantId, source, event, endpointId],
      );
      return rows;
    },

    async delete(tenantId, id) {
      const { rowCount } = await sql.query(`DELETE FROM event_rules WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
      return rowCount > 0;
    },
  };
}
