import type { WebhookEndpointRecord } from '../records.js';
import type { SqlClient } from '../sql-port.js';
import type { WebhookEndpointStore } from '../stores.js';
import { rethrowConflict, toJson } from './sql-values.js';

const columns = `tenant_id AS "tenantId", id, source, name, secret, config, created_at AS "createdAt", updated_at AS "updatedAt"`;

export function createWebhookEndpointStore(sql: SqlClient): WebhookEndpointStore {
  async function one(text: string, params: unknown[]): Promise<WebhookEndpointRecord | undefined> {
    const { rows } = await sql.query<WebhookEndpointRecord>(text, params);
    return rows[0];
  }

  return {
    async create(endpoint, at) {
      try {
        const { rows } = await sql.query<WebhookEndpointRecord>(
          `INSERT INTO webhook_endpoints (tenant_id, id, source, name, secret, config, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $7) RETURNING ${columns}`,
          [endpoint.tenantId, endpoint.id, endpoint.source, endpoint.name, endpoint.secret, toJson(endpoint.config), at],
        );
        return rows[0]!;
      } catch (error) {
        rethrowConflict(error, 'A webhook endpoint with this name already exists in this tenant; choose another name.', {
          name: endpoint.name,
        });
      }
    },

    get: (tenantId, id) => one(`SELECT ${columns} FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2`, [tenantId, id]),

    findForIngress: (id) => one(`SELECT ${columns} FROM webhook_endpoints WHERE id = $1`, [id]),

    async list(tenantId) {
      const { rows } = await sql.query<WebhookEndpointRecord>(
        `SELECT ${columns} FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY created_at, id`,
        [tenantId],
      );
      return rows;
    },

    async delete(tenantId, id) {
      const { rowCount } = await sql.query(`DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
      return rowCount > 0;
    },
  };
}
