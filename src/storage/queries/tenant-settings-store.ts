import type { StrategyName } from '../records.js';
import type { SqlClient } from '../sql-port.js';
import type { TenantSettingsStore } from '../stores.js';

/** A tenant without a settings row has the defaults; the row is created on the first change. */
export function createTenantSettingsStore(sql: SqlClient): TenantSettingsStore {
  return {
    async get(tenantId) {
      const { rows } = await sql.query<{ defaultStrategy: StrategyName }>(
        `SELECT default_strategy AS "defaultStrategy" FROM tenant_settings WHERE tenant_id = $1`,
        [tenantId],
      );
      return { defaultStrategy: rows[0]?.defaultStrategy ?? 'auto' };
    },
    async setDefaultStrategy(tenantId, strategy, at) {
      await sql.query(
        `INSERT INTO tenant_settings (tenant_id, default_strategy, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_id) DO UPDATE SET default_strategy = excluded.default_strategy, updated_at = excluded.updated_at`,
        [tenantId, strategy, at],
      );
    },
  };
}
