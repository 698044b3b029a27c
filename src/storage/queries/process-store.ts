import type { SqlClient } from '../sql-port.js';
import type { ProcessInfo, ProcessStore } from '../stores.js';

export function createProcessStore(sql: SqlClient): ProcessStore {
  return {
    async heartbeat(process, at, leaseMs) {
      const { rowCount } = await sql.query(
        `INSERT INTO processes (id, roles, host, pid, started_at, heartbeat_at, lease_expires_at)
         VALUES ($1, $2::text[], $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at, lease_expires_at = EXCLUDED.lease_expires_at
         WHERE processes.stopped_at IS NULL`,
        [process.id, process.roles, process.host, process.pid, process.startedAt, at, new Date(at.getTime() + leaseMs)],
      );
      return rowCount > 0;
    },
    async claimExpired(now) {
      // One UPDATE: a row matches only while stopped_at is NULL, so concurrent callers split the set.
      const { rows } = await sql.query<{ id: string }>(
        `UPDATE processes SET stopped_at = $1 WHERE stopped_at IS NULL AND lease_expires_at < $1 RETURNING id`,
        [now],
      );
      return rows.map((r) => r.id);
    },
    async stop(id, at) {
      await sql.query(`UPDATE processes SET stopped_at = $2 WHERE id = $1 AND stopped_at IS NULL`, [id, at]);
    },
    async live(now) {
      const { rows } = await sql.query<ProcessInfo & { heartbeatAt: Date; leaseExpiresAt: Date }>(
        `SELECT id, roles, host, pid, started_at AS "startedAt", heartbeat_at AS "heartbeatAt", lease_expires_at AS "leaseExpiresAt"
         FROM processes WHERE stopped_at IS NULL AND lease_expires_at >= $1 ORDER BY started_at, id`,
        [now],
      );
      return rows;
    },
  };
}
