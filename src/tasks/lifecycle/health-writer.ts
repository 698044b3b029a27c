import type { AgentRecord } from '../../storage/records.js';
import type { AgentStore } from '../../storage/stores.js';
import type { StoredAgentHealth } from './agent-health.js';

export interface HealthWriterDeps {
  agents: Pick<AgentStore, 'saveHealth'>;
  /** How long a change may wait to be written with the agent's next ones. */
  delayMs: number;
  now(): Date;
  /** The stored agent after a write (the dispatcher refreshes its view and tells other processes). */
  onSaved(agent: AgentRecord): void;
  onError(error: unknown, agentId: string): void;
}

export type HealthWriter = ReturnType<typeof createHealthWriter>;

const key = (tenantId: string, agentId: string) => `${tenantId}\u0000${agentId}`;

/**
 * Writes agents' breaker and statistics behind the task lifecycle, coalesced per agent: the
 * assignment engine already has the new values in memory, so the database only needs the latest
 * one, and a busy agent finishing several tasks within `delayMs` costs one UPDATE instead of one
 * per task (and the agent's complete call no longer waits for it). A crash loses at most
 * `delayMs` of health changes, which are advisory (an EWMA and a breaker's recent failures).
 */
export function createHealthWriter(deps: HealthWriterDeps) {
  const pending = new Map<string, { tenantId: string; agentId: string; health: StoredAgentHealth }>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  async function writeAll(): Promise<void> {
    timer = undefined;
    const batch = [...pending.values()];
    pending.clear();
    await Promise.all(
      batch.map(async ({ tenantId, agentId, health }) => {
        try {
          const saved = await deps.agents.saveHealth(tenantId, agentId, health, deps.now());
          // A newer value recorded while this one was written is what the engine has in memory:
          // hand on the stored record with it, so the engine's view never goes back in time.
          const newer = pending.get(key(tenantId, agentId));
          if (saved) deps.onSaved(newer ? { ...saved, ...newer.health } : saved);
        } catch (error) {
          deps.onError(error, agentId);
        }
      }),
    );
  }

  /** Writes every pending change now (one write round at a time, in order). */
  function flush(): Promise<void> {
    clearTimeout(timer);
    writing = writing.then(writeAll);
    return writing;
  }

  return {
    record(tenantId: string, agentId: string, health: StoredAgentHealth): void {
      pending.set(key(tenantId, agentId), { tenantId, agentId, health });
      if (!timer) {
        timer = setTimeout(() => void flush(), deps.delayMs);
        timer.unref();
      }
    },
    flush,
  };
}
