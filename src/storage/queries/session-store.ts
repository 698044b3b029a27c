import type { SessionRecord } from '../records.js';
import type { SqlClient } from '../sql-port.js';
import type { SessionStore } from '../stores.js';
import { toJsonOrNull } from './sql-values.js';

const columns = `tenant_id AS "tenantId", id, api_key_id AS "apiKeyId", transport,
  protocol_version AS "protocolVersion", client_info AS "clientInfo", created_at AS "createdAt",
  last_seen_at AS "lastSeenAt", closed_at AS "closedAt"`;

export function createSessionStore(sql: SqlClient): SessionStore {
  return {
    async upsert(session, at) {
      // Resuming keeps createdAt and the original apiKeyId; clientInfo undefined is stored as null.
      const { rows } = await sql.query<SessionRecord>(
        `INSERT INTO sessions AS s (tenant_id, id, api_key_id, transport, protocol_version, client_info,
           created_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $7)
         ON CONFLICT (tenant_id, id) DO UPDATE SET
           transport = excluded.transport,
           protocol_version = excluded.protocol_version,
           client_info = excluded.client_info,
           last_seen_at = GREATEST(s.last_seen_at, excluded.last_seen_at),
           closed_at = NULL
         RETURNING ${columns}`,
        [
          session.tenantId, session.id, session.apiKeyId, session.transport, session.protocolVersion,
          toJsonOrNull(session.clientInfo), at,
        ],
      );
      return rows[0]!;
    },
    async get(tenantId, id) {
      const { rows } = await sql.query<SessionRecord>(
        `SELECT ${columns} FROM sessions WHERE tenant_id = $1 AND id = $2`,
        [tenantId, id],
      );
      return rows[0];
    },
    async touch(tenantId, id, at) {
      // last_seen_at never moves backwards when touches arrive out of order.
      await sql.query(
        `UPDATE sessions SET last_seen_at = GREATEST(last_seen_at, $3::timestamptz) WHERE tenant_id = $1 AND id = $2`,
        [tenantId, id, at],
      );
    },
    async close(tenantId, id, at) {
      // Closing again keeps the first close time.
      await sql.query(
        `UPDATE sessions SET closed_at = COALESCE(closed_at, $3::timestamptz) WHERE tenant_id = $1 AND id = $2`,
        [tenantId, id, at],
      );
    },
  };
}
