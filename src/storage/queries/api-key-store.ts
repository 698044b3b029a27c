import type { ApiKeyRecord } from '../records.js';
import type { SqlClient } from '../sql-port.js';
import type { ApiKeyStore } from '../stores.js';
import { rethrowConflict } from './sql-values.js';

const columns = `id, tenant_id AS "tenantId", name, role, prefix, created_at AS "createdAt",
  expires_at AS "expiresAt", revoked_at AS "revokedAt", last_used_at AS "lastUsedAt"`;

export function createApiKeyStore(sql: SqlClient): ApiKeyStore {
  return {
    async insert(key) {
      try {
        const { rows } = await sql.query<ApiKeyRecord>(
          `INSERT INTO api_keys (id, tenant_id, name, role, key_hash, prefix, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${columns}`,
          [key.id, key.tenantId, key.name, key.role, key.keyHash, key.prefix, key.expiresAt],
        );
        return rows[0]!;
      } catch (error) {
        rethrowConflict(error, 'An API key with this id or hash already exists.');
      }
    },
    async findByHash(keyHash) {
      const { rows } = await sql.query<ApiKeyRecord>(`SELECT ${columns} FROM api_keys WHERE key_hash = $1`, [keyHash]);
      return rows[0];
    },
    async list(tenantId) {
      const { rows } = await sql.query<ApiKeyRecord>(
        `SELECT ${columns} FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id`,
        [tenantId],
      );
      return rows;
    },
    async get(tenantId, id) {
      const { rows } = await sql.query<ApiKeyRecord>(
        `SELECT ${columns} FROM api_keys WHERE tenant_id = $1 AND id = $2`,
        [tenantId, id],
      );
      return rows[0];
    },
    async revoke(tenantId, id, at) {
      // Revoking again keeps the first revocation time.
      const { rows } = await sql.query<ApiKeyRecord>(
        `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $3)
         WHERE tenant_id = $1 AND id = $2 RETURNING ${columns}`,
        [tenantId, id, at],
      );
      return rows[0];
    },
    async touch(id, at) {
      await sql.query(
        `UPDATE api_keys SET last_used_at = $2
         WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')`,
        [id, at],
      );
    },
  };
}
