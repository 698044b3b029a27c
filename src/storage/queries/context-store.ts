import { DevMeshError } from '../../errors/index.js';
import type { ContextItemRecord } from '../records.js';
import type { SqlClient, SqlExecutor } from '../sql-port.js';
import type { ContextStore } from '../stores.js';
import { toJson } from './sql-values.js';

const columns = `tenant_id AS "tenantId", session_id AS "sessionId", key, value, updated_at AS "updatedAt"`;

async function readItems(exec: SqlExecutor, tenantId: string, sessionId: string): Promise<ContextItemRecord[]> {
  // key is COLLATE "C": byte order, identical on both drivers.
  const { rows } = await exec.query<ContextItemRecord>(
    `SELECT ${columns} FROM context_items WHERE tenant_id = $1 AND session_id = $2 ORDER BY key`,
    [tenantId, sessionId],
  );
  return rows;
}

export function createContextStore(sql: SqlClient): ContextStore {
  return {
    get: (tenantId, sessionId) => readItems(sql, tenantId, sessionId),

    async update(tenantId, sessionId, change, at) {
      const keys = Object.keys(change.set);
      const both = change.remove.filter((key) => Object.hasOwn(change.set, key));
      if (both.length > 0) {
        throw new DevMeshError('invalid_argument', 'A context key cannot be both set and removed in one change.', {
          keys: both,
        });
      }
      return sql.transaction(async (tx) => {
        if (change.remove.length > 0) {
          await tx.query(
            `DELETE FROM context_items WHERE tenant_id = $1 AND session_id = $2 AND key = ANY($3::text[])`,
            [tenantId, sessionId, change.remove],
          );
        }
        if (keys.length > 0) {
          // Values travel as JSON text in a text[] and are cast per row: one statement for any number of keys.
          await tx.query(
            `INSERT INTO context_items (tenant_id, session_id, key, value, updated_at)
             SELECT $1, $2, item.key, item.value::jsonb, $5
             FROM unnest($3::text[], $4::text[]) AS item(key, value)
             ON CONFLICT (tenant_id, session_id, key)
             DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
            [tenantId, sessionId, keys, keys.map((key) => toJson(change.set[key])), at],
          );
        }
        return readItems(tx, tenantId, sessionId);
      });
    },

    async clear(tenantId, sessionId) {
      const { rowCount } = await sql.query(`DELETE FROM context_items WHERE tenant_id = $1 AND session_id = $2`, [
        tenantId,
        sessionId,
      ]);
      return rowCount;
    },
  };
}
