import { DevMeshError } from '../errors/index.js';
import type { Clock } from '../lib/clock.js';
import { topics, type EventBus } from '../queue/event-bus-port.js';
import type { ContextItemRecord } from '../storage/records.js';
import type { ContextChange, ContextStore } from '../storage/stores.js';
import type { Principal } from '../tenancy/principal.js';
import { requireRole } from '../tenancy/tenancy-service.js';
import type { ContextView } from './context-schemas.js';

export interface ContextServiceDeps {
  contexts: ContextStore;
  bus: EventBus;
  clock: Clock;
  /** Largest serialized value accepted for one key, so one agent cannot bloat a shared context. */
  maxValueBytes?: number;
}

export type ContextService = ReturnType<typeof createContextService>;

export const contextResourceUri = (sessionId: string) => `devmesh://context/${sessionId}`;

export function toContextView(sessionId: string, items: ContextItemRecord[]): ContextView {
  let latest: Date | null = null;
  const values: Record<string, unknown> = {};
  for (const item of items) {
    values[item.key] = item.value;
    if (!latest || item.updatedAt > latest) latest = item.updatedAt;
  }
  return { session_id: sessionId, items: values, updated_at: latest ? latest.toISOString() : null };
}

export function createContextService(deps: ContextServiceDeps) {
  const { contexts, bus, clock } = deps;
  const maxValueBytes = deps.maxValueBytes ?? 256 * 1024;

  return {
    async get(principal: Principal, sessionId: string): Promise<ContextView> {
      requireRole(principal, 'reader');
      return toContextView(sessionId, await contexts.get(principal.tenantId, sessionId));
    },

    async update(principal: Principal, sessionId: string, change: ContextChange): Promise<ContextView> {
      requireRole(principal, 'agent');
      for (const [key, value] of Object.entries(change.set)) {
        const size = Buffer.byteLength(JSON.stringify(value ?? null));
        if (size > maxValueBytes) {
          throw new DevMeshError('payload_too_large', `Value of "${key}" is ${size} bytes; the limit is ${maxValueBytes}.`, {
            field: `set.${key}`,
          });
        }
      }
      const items = await contexts.update(principal.tenantId, sessionId, change, clock.now());
      await bus.publish(topics.resourceUpdated, { tenantId: principal.tenantId, uri: contextResourceUri(sessionId) });
      return toContextView(sessionId, items);
    },

    async clear(principal: Principal, sessionId: string): Promise<number> {
      requireRole(principal, 'agent');
      const removed = await contexts.clear(principal.tenantId, sessionId);
      await bus.publish(topics.resourceUpdated, { tenantId: principal.tenantId, uri: contextResourceUri(sessionId) });
      return removed;
    },
  };
}
