/**
 * Task and event columns shaped as TaskRecord / TaskEventRecord, for SELECT and RETURNING lists.
 * Both drivers return double precision and integer as numbers, text[] as arrays, timestamptz as
 * Date and jsonb parsed (SQL NULL and JSON null both as null).
 */
export function taskColumns(alias: string): string {
  const a = `${alias}.`;
  return `${a}tenant_id AS "tenantId", ${a}id, ${a}title, ${a}description, ${a}type, ${a}priority, ${a}status,
    ${a}required_capabilities AS "requiredCapabilities", ${a}payload, ${a}result, ${a}error,
    ${a}session_id AS "sessionId", ${a}created_by AS "createdBy", ${a}assigned_agent_id AS "assignedAgentId",
    ${a}attempts, ${a}max_attempts AS "maxAttempts", ${a}created_at AS "createdAt", ${a}updated_at AS "updatedAt",
    ${a}version, ${a}strategy, ${a}max_cost AS "maxCost", ${a}deadline, ${a}accept_timeout_ms AS "acceptTimeoutMs",
    ${a}execution_timeout_ms AS "executionTimeoutMs", ${a}accept_deadline AS "acceptDeadline",
    ${a}execution_deadline AS "executionDeadline", ${a}not_before AS "notBefore", ${a}assignment,
    ${a}previous_agent_ids AS "previousAgentIds", ${a}workflow_run_id AS "workflowRunId",
    ${a}workflow_step AS "workflowStep", ${a}progress, ${a}assigned_at AS "assignedAt",
    ${a}idempotency_key AS "idempotencyKey"`;
}

/** seq is bigint, so it comes back as a string on both drivers. */
export const eventColumns = `tenant_id AS "tenantId", task_id AS "taskId", seq, from_status AS "fromStatus",
  to_status AS "toStatus", actor, reason, data, created_at AS "createdAt"`;
