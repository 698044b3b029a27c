import { createAgentService, agentsResourceUri } from './agents/agent-service.js';
import { defaultBreakerConfig, type BreakerConfig } from './agents/breaker.js';
import type { Clock } from './lib/clock.js';
import { forEachConcurrently } from './lib/concurrently.js';
import { runPeriodically, type Periodic } from './lib/periodic.js';
import type { Logger } from './observability/logger.js';
import type { AgentSessions } from './protocol/mcp/devmesh/agent-sessions.js';
import type { EventBus } from './queue/event-bus-port.js';
import { createAnnouncer } from './cluster/announcer.js';
import type { ClusterRelay } from './cluster/cluster-relay.js';
import type { TaskRecord, TaskStatus } from './storage/records.js';
import type { Stores } from './storage/stores.js';
import { createDispatcher } from './tasks/dispatch/dispatcher.js';
import { createClaimService } from './tasks/lifecycle/claim.js';
import { createHealthWriter } from './tasks/lifecycle/health-writer.js';
import { createLifecycle } from './tasks/lifecycle/lifecycle-service.js';
import type { RetryPolicy } from './tasks/lifecycle/retry-policy.js';
import { createTaskService, tasksResourceUri } from './tasks/task-service.js';
import { createWorkService } from './tasks/work-service.js';
import { createSettingsService } from './tenancy/settings-service.js';

export interface OrchestrationOptions {
  agentGraceMs: number;
  sweepIntervalMs: number;
  breaker?: BreakerConfig;
  retry?: RetryPolicy;
  agingMs?: number;
  /** Agent health (breaker, statistics) is written at most this long after it changed; default 250. */
  healthWriteDelayMs?: number;
}

export type Orchestration = ReturnType<typeof createOrchestration>;

/** Wires agents, the assignment engine and the task lifecycle, and runs the timer sweep. */
export function createOrchestration(deps: {
  stores: Stores;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  agentSessions: AgentSessions;
  /** This process's current id (it changes if the process has to rejoin, see process-lease.ts). */
  processId: () => string;
  options: OrchestrationOptions;
}) {
  const { stores, bus, clock, logger, agentSessions, options } = deps;
  const breaker = options.breaker ?? defaultBreakerConfig;
  const taskListeners = new Set<(task: TaskRecord, previous: TaskStatus | null) => void>();
  const announce = createAnnouncer(bus, 50, (error) => logger.warn({ err: error }, 'could not publish a resource change'));
  // Set by connectCluster when several processes share the work (Redis): notices for agents
  // connected elsewhere and agent changes go to the other processes.
  let relay: ClusterRelay | undefined;
  const delivery = {
    deliver(task: TaskRecord): boolean {
      if (agentSessions.delivery.deliver(task)) return true;
      relay?.forward('notifications/devmesh/task_assigned', task);
      return false;
    },
    cancelled(task: TaskRecord): void {
      if (!agentSessions.delivery.cancelled(task)) relay?.forward('notifications/devmesh/task_cancelled', task);
    },
  };
  const announceAgents = (tenantId: string) => announce(tenantId, agentsResourceUri(tenantId));
  const taskChanged = (task: TaskRecord, previous: TaskStatus | null) => {
    announce(task.tenantId, tasksResourceUri(task.tenantId));
    for (const listener of taskListeners) listener(task, previous);
  };

  // The claim service needs the dispatcher and the dispatcher reports to it: tie the knot late.
  const onAssignedHooks: ((task: TaskRecord) => void)[] = [];
  const dispatcher = createDispatcher({
    stores,
    clock,
    logger: logger.child({ component: 'dispatcher' }),
    delivery,
    breaker,
    onAgentChanged: (tenantId, agentId, agent) => relay?.agentChanged(tenantId, agentId, agent),
    agingMs: options.agingMs,
    onAssigned: (task, agent) => {
      for (const hook of onAssignedHooks) hook(task);
      taskChanged(task, 'queued');
      announce(agent.tenantId, agentsResourceUri(agent.tenantId));
    },
  });
  const health = createHealthWriter({
    agents: stores.agents,
    delayMs: options.healthWriteDelayMs ?? 250,
    now: () => clock.now(),
    onSaved: (agent) => dispatcher.agentChanged(agent),
    onError: (error, agentId) => logger.warn({ err: error, agentId }, 'could not store an agent’s health'),
  });
  const lifecycle = createLifecycle({ stores, dispatcher, clock, logger, onChanged: taskChanged, health, retry: options.retry });
  const claims = createClaimService({ tasks: stores.tasks, lifecycle, dispatcher });
  onAssignedHooks.push(claims.assigned);
  const strategyLoaded = new Set<string>();
  const loadTenantStrategy = async (tenantId: string) => {
    if (strategyLoaded.has(tenantId)) return;
    strategyLoaded.add(tenantId);
    dispatcher.setTenantStrategy(tenantId, (await stores.tenantSettings.get(tenantId)).defaultStrategy);
  };
  const agents = createAgentService({
    agents: stores.agents,
    clock,
    processId: deps.processId,
    onChanged: (agent) => {
      void loadTenantStrategy(agent.tenantId).catch(() => strategyLoaded.delete(agent.tenantId));
      dispatcher.agentChanged(agent);
      announce(agent.tenantId, agentsResourceUri(agent.tenantId));
    },
    // An agent that comes back (a reconnect within its grace period) is handed its unfinished
    // tasks again, so work in progress is not left waiting for a timeout.
    onConnected: (agent) => {
      void stores.tasks
        .listActiveForAgent(agent.tenantId, agent.id)
        .then((active) => active.forEach((task) => agentSessions.delivery.deliver(task)))
        .catch((error: unknown) => logger.warn({ err: error, agentId: agent.id }, 'could not redeliver tasks to a reconnected agent'));
    },
    onRemoved: (tenantId, agentId) => {
      dispatcher.agentRemoved(tenantId, agentId);
      announce(tenantId, agentsResourceUri(tenantId));
    },
  });
  const tasks = createTaskService({
    tasks: stores.tasks,
    announce,
    clock,
    onQueued: (task) => dispatcher.enqueue(task),
    onCancelled: (task, previous) => {
      dispatcher.forget(task.tenantId, task.id);
      if ((previous === 'assigned' || previous === 'in_progress') && task.assignedAgentId) {
        dispatcher.agentReleased(task.tenantId, task.assignedAgentId);
        delivery.cancelled(task);
      }
      for (const listener of taskListeners) listener(task, previous);
    },
  });
  const work = createWorkService({ tasks, taskStore: stores.tasks, dispatcher, lifecycle, claims, clock });
  const settings = createSettingsService({
    settings: stores.tenantSettings,
    clock,
    onStrategyChanged: (tenantId, strategy) => {
      strategyLoaded.add(tenantId);
      dispatcher.setTenantStrategy(tenantId, strategy);
    },
  });

  let sweeps: Periodic | undefined;

  /** One round of timers: accept/execution timeouts, deadlines, retry backoff, disconnect grace. */
  async function sweep(): Promise<void> {
    await lifecycle.sweepTimers();
    for (const { tenantId, agentId } of agents.takeExpiredOffline(options.agentGraceMs)) {
      const moved = await lifecycle.requeueAgentTasks(tenantId, agentId, 'agent disconnected');
      if (moved) logger.info({ tenantId, agentId, moved }, 'requeued the tasks of a disconnected agent');
    }
  }

  return {
    dispatcher,
    lifecycle,
    agents,
    tasks,
    work,
    settings,
    breaker,
    sweep,
    claims,
    /** A process died (its lease expired): its agents go offline and their work is requeued. */
    async processDied(processId: string): Promise<void> {
      const orphaned = await stores.agents.setOfflineForProcess(processId, clock.now());
      for (const agent of orphaned) {
        dispatcher.agentChanged(agent);
        announceAgents(agent.tenantId);
      }
      // Several agents at a time: their tasks wait for this, and the work is all database round trips.
      let moved = 0;
      await forEachConcurrently(orphaned, 8, async (agent) => {
        moved += await lifecycle.requeueAgentTasks(agent.tenantId, agent.id, 'agent process died');
      });
      logger.info({ processId, agents: orphaned.length, moved }, 'took the agents of a dead process offline and requeued their tasks');
    },
    /**
     * This process was declared dead while alive and rejoined under a new id: its connected agents
     * are registered again as held by it (whatever the survivor that claimed the old id did).
     */
    async processRejoined(): Promise<number> {
      const connected = agentSessions.connectedAgents();
      let registered = 0;
      for (const { tenantId, agentId, sessionId } of connected) {
        try {
          if (await agents.connected(tenantId, agentId, sessionId)) registered++;
        } catch (error) {
          logger.warn({ err: error, tenantId, agentId }, 'could not re-register an agent after rejoining');
        }
      }
      if (connected.length) logger.info({ agents: connected.length, registered }, 're-registered the agents connected to this process');
      return registered;
    },
    /** Several processes share the work: relay notices and agent changes through `cluster`. */
    connectCluster(cluster: ClusterRelay): void {
      relay = cluster;
    },
    /** Observe every task change (workflows use this). */
    onTaskChanged(listener: (task: TaskRecord, previous: TaskStatus | null) => void): void {
      taskListeners.add(listener);
    },
    /** `sweeps`: run the timer sweep here (the worker role and `all`). */
    async start(startOptions: { sweeps: boolean } = { sweeps: true }): Promise<void> {
      await dispatcher.start();
      const all = await stores.agents.listAll();
      for (const tenantId of new Set(all.map((a) => a.tenantId))) await loadTenantStrategy(tenantId);
      // Alone, no agent can still be connected from an earlier run; with others, leases decide.
      if (!relay) await agents.markAllOfflineAtStartup(all);
      if (!startOptions.sweeps) return;
      sweeps = runPeriodically(sweep, { everyMs: options.sweepIntervalMs, onError: (error) => logger.error({ err: error }, 'timer sweep failed') });
    },
    async stop(): Promise<void> {
      await sweeps?.stop();
      await dispatcher.stop();
      await health.flush();
    },
  };
}
