import { DevMeshError } from '../../errors/index.js';
import type { WebhookDeliveryRecord } from '../records.js';
import type { SqlClient } from '../sql-port.js';
import type { WebhookDeliveryStore } from '../stores.js';
import { toJson } from './sql-values.js';

const columns = `tenant_id AS "tenantId", id, endpoint_id AS "endpointId", delivery_key AS "deliveryKey", event, payload,
  status, plan, task_ids AS "taskIds", error, attempts, claimed_until AS "claimedUntil", received_at AS "receivedAt",
  processed_at AS "processedAt"`;

const noSuchEndpoint = (endpointId: string, cause?: unknown) =>
  new DevMeshError('not_found', `No webhook endpoint with id "${endpointId}" in this tenant.`, { endpoint_id: endpointId }, { cause });

export function createWebhookDeliveryStore(sql: SqlClient): WebhookDeliveryStore {
  async function one(text: string, params: unknown[]): Promise<WebhookDeliveryRecord | undefined> {
    const { rows } = await sql.query<WebhookDeliveryRecord>(text, params);
    return rows[0];
  }
  const getByKey = (tenantId: string, endpointId: string, deliveryKey: string) =>
    one(`SELECT ${columns} FROM webhook_deliveries WHERE tenant_id = $1 AND endpoint_id = $2 AND delivery_key = $3`, [
      tenantId,
      endpointId,
      deliveryKey,
    ]);

  return {
    async record(delivery, at) {
      let inserted: WebhookDeliveryRecord | undefined;
      try {
        // A concurrent insert of the same key waits for the other transaction, then does nothing.
        inserted = await one(
          `INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, delivery_key, event, payload, received_at)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
           ON CONFLICT (tenant_id, endpoint_id, delivery_key) DO NOTHING RETURNING ${columns}`,
          [delivery.tenantId, delivery.id, delivery.endpointId, delivery.deliveryKey, delivery.event, toJson(delivery.payload), at],
        );
      } catch (error) {
        if ((error as { code?: unknown } | null)?.code === '23503') throw noSuchEndpoint(delivery.endpointId, error);
        throw error;
      }
      if (inserted) return { delivery: inserted, created: true };
      const existing = await getByKey(delivery.tenantId, delivery.endpointId, delivery.deliveryKey);
      // Only possible if the endpoint (and its deliveries) was deleted in between.
      if (!existing) throw noSuchEndpoint(delivery.endpointId);
      return { delivery: existing, created: false };
    },

    get: (tenantId, id) => one(`SELECT ${columns} FROM webhook_deliveries WHERE tenant_id = $1 AND id = $2`, [tenantId, id]),

    getByKey,

    async list(tenantId, endpointId, limit) {
      if (!Number.isInteger(limit) || limit < 1) throw new DevMeshError('invalid_argument', 'limit must be a positive integer.', { limit });
      const { rows } = await sql.query<WebhookDeliveryRecord>(
        `SELECT ${columns} FROM webhook_deliveries WHERE tenant_id = $1 AND endpoint_id = $2
         ORDER BY received_at DESC, id DESC LIMIT $3`,
        [tenantId, endpointId, limit],
      );
      return rows;
    },

    claim: (tenantId, id, now, leaseUntil) =>
      one(
        `UPDATE webhook_deliveries SET status = 'processing', claimed_until = $4, attempts = attempts + 1
         WHERE tenant_id = $1 AND id = $2
           AND (status = 'pending' OR (status = 'processing' AND (claimed_until IS NULL OR claimed_until <= $3)))
         RETURNING ${columns}`,
        [tenantId, id, now, leaseUntil],
      ),

    setPlan: (tenantId, id, plan) =>
      one(
        `UPDATE webhook_deliveries SET plan = COALESCE(plan, $3::jsonb) WHERE tenant_id = $1 AND id = $2 RETURNING ${columns}`,
        [tenantId, id, toJson(plan)],
      ),

    async appendTask(tenantId, id, index, taskId) {
      const { rowCount } = await sql.query(
        `UPDATE webhook_deliveries SET task_ids = array_append(task_ids, $4::text)
         WHERE tenant_id = $1 AND id = $2 AND cardinality(task_ids) = $3`,
        [tenantId, id, index, taskId],
      );
      return rowCount > 0;
    },

    finish: (tenantId, id, outcome, at) =>
      one(
        `UPDATE webhook_deliveries SET status = $3, error = $4, processed_at = $5, claimed_until = NULL
         WHERE tenant_id = $1 AND id = $2 RETURNING ${columns}`,
        [tenantId, id, outcome.status, outcome.error, at],
      ),

    async listUnfinished(receivedBefore, now, limit) {
      const { rows } = await sql.query<WebhookDeliveryRecord>(
        `SELECT ${columns} FROM webhook_deliveries
         WHERE status IN ('pending', 'processing') AND received_at < $1
           AND (status = 'pending' OR claimed_until IS NULL OR claimed_until <= $2)
         ORDER BY received_at, id LIMIT $3`,
        [receivedBefore, now, limit],
      );
      return rows;
    },

    async deleteFinishedBefore(before, limit) {
      const { rowCount } = await sql.query(
        `DELETE FROM webhook_deliveries WHERE (tenant_id, id) IN (
           SELECT tenant_id, id FROM webhook_deliveries
           WHERE status IN ('processed', 'failed') AND processed_at < $1 ORDER BY processed_at LIMIT $2)`,
        [before, limit],
      );
      return rowCount;
    },

    async release(tenantId, id, leaseUntil) {
      await sql.query(
        `UPDATE webhook_deliveries SET status = 'pending', claimed_until = NULL
         WHERE tenant_id = $1 AND id = $2 AND status = 'processing' AND claimed_until = $3`,
        [tenantId, id, leaseUntil],
      );
    },
  };
}
