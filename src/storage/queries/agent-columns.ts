/** Agent columns shaped as AgentRecord, for SELECT and RETURNING lists (cost_per_task is a number on both drivers). */
export const agentColumns = `tenant_id AS "tenantId", id, name, capabilities, max_concurrency AS "maxConcurrency",
  cost_per_task AS "costPerTask", metadata, status, session_id AS "sessionId", in_flight AS "inFlight", breaker,
  stats, last_assigned_at AS "lastAssignedAt", last_seen_at AS "lastSeenAt", created_at AS "createdAt",
  updated_at AS "updatedAt"`;
