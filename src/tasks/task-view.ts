import type { TaskEventRecord, TaskRecord } from '../storage/records.js';
import type { TaskEventView, TaskView } from './task-schemas.js';

export function toTaskView(task: TaskRecord): TaskView {
  return {
    id: task.id,
    tenant_id: task.tenantId,
    title: task.title,
    description: task.description,
    type: task.type,
    priority: task.priority,
    status: task.status,
    required_capabilities: task.requiredCapabilities,
    payload: task.payload ?? null,
    result: task.result ?? null,
    error: task.error ?? null,
    session_id: task.sessionId,
    assigned_agent_id: task.assignedAgentId,
    attempts: task.attempts,
    max_attempts: task.maxAttempts,
    strategy: task.strategy,
    max_cost: task.maxCost,
    deadline: task.deadline?.toISOString() ?? null,
    accept_timeout_ms: task.acceptTimeoutMs,
    execution_timeout_ms: task.executionTimeoutMs,
    progress: task.progress ?? null,
    assignment: task.assignment ?? null,
    previous_agent_ids: task.previousAgentIds,
    workflow_run_id: task.workflowRunId,
    workflow_step: task.workflowStep,
    idempotency_key: task.idempotencyKey,
    assigned_at: task.assignedAt?.toISOString() ?? null,
    created_at: task.createdAt.toISOString(),
    updated_at: task.updatedAt.toISOString(),
    version: task.version,
  };
}

export function toTaskEventView(event: TaskEventRecord): TaskEventView {
  return {
    seq: event.seq,
    from_status: event.fromStatus,
    to_status: event.toStatus,
    actor: event.actor,
    reason: event.reason,
    at: event.createdAt.toISOString(),
  };
}
