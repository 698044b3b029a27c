/**
 * What recovery after a crash needs:
 * - Task idempotency keys: a caller (or DevMesh itself, re-running a webhook delivery or a workflow
 *   step after a crash) that creates a task again with the same key gets the first task back. The
 *   fingerprint is a hash of the request, so reusing a key for a different task is a conflict.
 * - Indexes for the sweeps that find work a dead process left unfinished: webhook deliveries still
 *   pending or processing, and running workflow runs, oldest change first; and for retention.
 */
export const recovery: readonly string[] = [
  `ALTER TABLE tasks ADD COLUMN idempotency_key text`,
  `ALTER TABLE tasks ADD COLUMN idempotency_fingerprint text`,
  `CREATE UNIQUE INDEX tasks_idempotency_key ON tasks (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
  `CREATE INDEX webhook_deliveries_unfinished_idx ON webhook_deliveries (received_at) WHERE status IN ('pending', 'processing')`,
  `CREATE INDEX webhook_deliveries_finished_idx ON webhook_deliveries (processed_at) WHERE status IN ('processed', 'failed')`,
  `CREATE INDEX workflow_runs_running_idx ON workflow_runs (updated_at, tenant_id, id) WHERE status = 'running'`,
];
