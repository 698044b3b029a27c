import type { Clock } from '../lib/clock.js';
import type { StrategyName } from '../storage/records.js';
import type { TenantSettingsStore } from '../storage/stores.js';
import type { Principal } from './principal.js';
import { requireRole } from './tenancy-service.js';

export type SettingsService = ReturnType<typeof createSettingsService>;

/** Per-tenant settings: the default assignment strategy. */
export function createSettingsService(deps: { settings: TenantSettingsStore; clock: Clock; onStrategyChanged(tenantId: string, strategy: StrategyName): void }) {
  return {
    async get(principal: Principal) {
      requireRole(principal, 'reader');
      return deps.settings.get(principal.tenantId);
    },
    async setDefaultStrategy(principal: Principal, strategy: StrategyName) {
      requireRole(principal, 'admin');
      await deps.settings.setDefaultStrategy(principal.tenantId, strategy, deps.clock.now());
      deps.onStrategyChanged(principal.tenantId, strategy);
      return deps.settings.get(principal.tenantId);
    },
  };
}
