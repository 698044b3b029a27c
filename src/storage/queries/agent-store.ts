import { DevMeshError } from '../../errors/index.js';
import type { AgentRecord } from '../records.js';
import type { SqlClient } from '../sql-port.js';
import type { AgentStore } from '../stores.js';
import { agentColumns } from './agent-columns.js';
import { toJson } from './sql-values.js';

/**
 * Agents. in_flight is never written here: assign() and transition() in the task store keep it
 * in step with the tasks, in their transactions. Presence timestamps never move backwards.
 */
function busy(agentId: string, inFlight: number): DevMeshError {
  return new DevMeshError(
    'conflict',
    'The agent has tasks assigned or in progress; let them finish or cancel them, then delete it.',
    { agentId, inFlight },
  );
}

export function createAgentStore(sql: SqlClient): AgentStore {
  async function one(text: string, params: unknown[]): Promise<AgentRecord | undefined> {
    const { rows } = await sql.query<AgentRecord>(text, params);
    return rows[0];
  }

  return {
    async register(agent, at) {
      const { rows } = await sql.query<AgentRecord>(
        `INSERT INTO agents (tenant_id, id, name, capabilities, max_concurrency, cost_per_task, metadata,
           created_at, updated_at)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7::jsonb, $8, $8)
         ON CONFLICT (tenant_id, id) DO UPDATE SET
           name = excluded.name, capabilities = excluded.capabilities, max_concurrency = excluded.max_concurrency,
           cost_per_task = excluded.cost_per_task, metadata = excluded.metadata, updated_at = excluded.updated_at
         RETURNING ${agentColumns}`,
        [
          agent.tenantId, agent.id, agent.name, toJson(agent.capabilities), agent.maxConcurrency, agent.costPerTask,
          toJson(agent.metadata), at,
        ],
      );
      return rows[0]!;
    },

    get: (tenantId, id) => one(`SELECT ${agentColumns} FROM agents WHERE tenant_id = $1 AND id = $2`, [tenantId, id]),

    async list(tenantId, filter, page) {
      if (!Number.isInteger(page.limit) || page.limit < 1) {
        throw new DevMeshError('invalid_argument', 'limit must be a positive integer.', { limit: page.limit });
      }
      const params: unknown[] = [tenantId];
      const where = ['tenant_id = $1'];
      if (filter.status !== undefined) where.push(`status = $${params.push(filter.status)}`);
      if (filter.capability !== undefined) {
        where.push(`capabilities @> jsonb_build_array(jsonb_build_object('name', $${params.push(filter.capability)}::text))`);
      }
      if (page.after !== undefined) where.push(`id > $${params.push(page.after)}::text`);
      const { rows } = await sql.query<AgentRecord>(
        `SELECT ${agentColumns} FROM agents WHERE ${where.join(' AND ')} ORDER BY id LIMIT $${params.push(page.limit + 1)}`,
        params,
      );
      const items = rows.slice(0, page.limit);
      const next = rows.length > page.limit ? items[items.length - 1]?.id : undefined;
      return { items, next };
    },

    async listAll() {
      const { rows } = await sql.query<AgentRecord>(
        `SELECT ${agentColumns} FROM agents ORDER BY tenant_id COLLATE "C", id`,
      );
      return rows;
    },

    setOnline: (tenantId, id, sessionId, at, processId) =>
      one(
        `UPDATE agents SET status = 'online', session_id = $3, updated_at = $4, process_id = $5,
           last_seen_at = GREATEST(last_seen_at, $4::timestamptz)
         WHERE tenant_id = $1 AND id = $2 RETURNING ${agentColumns}`,
        [tenantId, id, sessionId, at, processId ?? null],
      ),

    async setOfflineForProcess(processId, at) {
      const { rows } = await sql.query<AgentRecord>(
        `UPDATE agents SET status = 'offline', session_id = NULL, updated_at = $2
         WHERE process_id = $1 AND (status = 'online' OR in_flight > 0) RETURNING ${agentColumns}`,
        [processId, at],
      );
      return rows;
    },

    setOffline: (tenantId, id, sessionId, at) =>
      one(
        `UPDATE agents SET status = 'offline', session_id = NULL, updated_at = $4
         WHERE tenant_id = $1 AND id = $2 AND session_id = $3 RETURNING ${agentColumns}`,
        [tenantId, id, sessionId, at],
      ),

    async touch(tenantId, id, at) {
      await sql.query(
        `UPDATE agents SET last_seen_at = GREATEST(last_seen_at, $3::timestamptz) WHERE tenant_id = $1 AND id = $2`,
        [tenantId, id, at],
      );
    },

    saveHealth: (tenantId, id, health, at) =>
      one(
        `UPDATE agents SET breaker = $3::jsonb, stats = $4::jsonb, updated_at = $5
         WHERE tenant_id = $1 AND id = $2 RETURNING ${agentColumns}`,
        [tenantId, id, toJson(health.breaker), toJson(health.stats), at],
      ),

    async delete(tenantId, id) {
      // An agent can gain or drain work between the two statements; when it is idle by the time we
      // look, the delete is simply tried again.
      for (let attempt = 0; attempt < 3; attempt++) {
        const { rowCount } = await sql.query(
          `DELETE FROM agents WHERE tenant_id = $1 AND id = $2 AND in_flight = 0`,
          [tenantId, id],
        );
        if (rowCount > 0) return true;
        const { rows } = await sql.query<{ inFlight: number }>(
          `SELECT in_flight AS "inFlight" FROM agents WHERE tenant_id = $1 AND id = $2`,
          [tenantId, id],
        );
        const inFlight = rows[0]?.inFlight;
        if (inFlight === undefined) return false;
        if (inFlight > 0) throw busy(id, inFlight);
      }
      throw busy(id, 0);
    },
  };
}
