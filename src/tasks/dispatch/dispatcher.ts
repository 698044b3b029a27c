import { toAgentSnapshot } from '../../agents/agent-snapshot.js';
import { defaultBreakerConfig, effectiveState, onAssigned, type BreakerConfig } from '../../agents/breaker.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../observability/logger.js';
import type { AgentRecord, TaskRecord } from '../../storage/records.js';
import type { Stores } from '../../storage/stores.js';
import { createAgentIndex } from '../assignment/agent-index.js';
import { decide } from '../assignment/decide.js';
import type { AgentSnapshot, AssignmentDecision, StrategyName } from '../assignment/types.js';
import type { TaskDelivery } from '../delivery-port.js';
import { createFairPriorityQueue, type QueuedTask } from '../queue/fair-priority-queue.js';
import { toDecisionView } from './decision-view.js';
import { createAffinity, taskKey, toPendingTask, type DecidableTask, type PendingTask } from './pending-tasks.js';

export interface DispatcherDeps {
  stores: Pick<Stores, 'tasks' | 'agents' | 'tenantSettings'>;
  clock: Clock;
  delivery: TaskDelivery;
  logger: Logger;
  /** Called after every assignment that was committed (resource notifications, claim waiters). */
  onAssigned(task: TaskRecord, agent: AgentRecord): void;
  /** Called when this process changed an agent's state (for other processes' views). */
  onAgentChanged?(tenantId: string, agentId: string, agent?: AgentRecord): void;
  breaker?: BreakerConfig;
  agingMs?: number;
  batchSize?: number;
}

interface Planned {
  item: QueuedTask;
  task: PendingTask;
  decision: AssignmentDecision;
  agentId: string;
}

export type Dispatcher = ReturnType<typeof createDispatcher>;

/**
 * Matches queued tasks to agents. The queue, the agent index and the decisions live in memory,
 * so a decision over thousands of agents takes microseconds; the database is the arbiter: a
 * commit (`tasks.assign`) applies only if the task is still waiting and the agent still has room,
 * so a stale in-memory view can cost a retry, never a double assignment.
 */
export function createDispatcher(deps: DispatcherDeps) {
  const { stores, clock, logger } = deps;
  const breaker = deps.breaker ?? defaultBreakerConfig;
  const batchSize = deps.batchSize ?? 256;
  const index = createAgentIndex();
  const queue = createFairPriorityQueue({ agingMs: deps.agingMs ?? 60_000 });
  const pending = new Map<string, PendingTask>();
  const delayed = new Map<string, { task: TaskRecord; notBefore: number }>();
  const lastDecision = new Map<string, AssignmentDecision>();
  const tenantStrategy = new Map<string, StrategyName>();
  const affinity = createAffinity();
  let scheduled = false;
  let running: Promise<void> | undefined;
  let stopped = false;

  function enqueue(task: TaskRecord): void {
    const now = clock.now().getTime();
    const key = taskKey(task.tenantId, task.id);
    if (task.notBefore && task.notBefore.getTime() > now) {
      delayed.set(key, { task, notBefore: task.notBefore.getTime() });
      return;
    }
    delayed.delete(key);
    const entry = toPendingTask(task, affinity.agentsFor(task), now);
    pending.set(key, entry);
    queue.push({ tenantId: task.tenantId, taskId: task.id, priority: task.priority, enqueuedAt: entry.enqueuedAt, requiredCapabilities: task.requiredCapabilities });
    kick();
  }

  function forget(tenantId: string, taskId: string): void {
    const key = taskKey(tenantId, taskId);
    pending.delete(key);
    delayed.delete(key);
    lastDecision.delete(key);
    queue.remove(tenantId, taskId);
  }

  function kick(): void {
    if (scheduled || stopped) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (running) {
        void running.then(kick);
        return;
      }
      running = pass()
        .catch((error: unknown) => logger.error({ err: error }, 'dispatch pass failed'))
        .finally(() => {
          running = undefined;
        });
    });
  }

  function plan(item: QueuedTask, now: number, planned: Planned[]): boolean {
    const key = taskKey(item.tenantId, item.taskId);
    const task = pending.get(key);
    if (!task) return true; // forgotten (cancelled, assigned by hand): drop it from the queue
    const strategy = task.strategy ?? tenantStrategy.get(item.tenantId) ?? 'auto';
    const decision = decide(task, index.candidates(item.tenantId, task.requiredCapabilities), strategy, now, { breakerConfig: breaker });
    if (!decision.chosenAgentId) {
      lastDecision.set(key, decision);
      return false;
    }
    const agent = index.get(item.tenantId, decision.chosenAgentId)!;
    // Reserve in memory now so the rest of this pass sees the agent's new load.
    index.update(agent.tenantId, agent.id, { inFlight: agent.inFlight + 1, lastAssignedAt: now });
    planned.push({ item, task, decision, agentId: agent.id });
    return true;
  }

  async function pass(): Promise<void> {
    const now = clock.now().getTime();
    const planned: Planned[] = [];
    queue.takeNext(now, (item) => plan(item, now, planned), batchSize);
    await Promise.all(planned.map((p) => commit(p)));
    if (planned.length >= batchSize) kick();
  }

  function release(tenantId: string, agentId: string): void {
    const agent = index.get(tenantId, agentId);
    if (agent) index.update(tenantId, agentId, { inFlight: Math.max(0, agent.inFlight - 1) });
  }

  async function commit(p: Planned): Promise<TaskRecord | undefined> {
    const { item, task, decision, agentId } = p;
    const at = clock.now();
    const key = taskKey(task.tenantId, task.id);
    try {
      const outcome = await stores.tasks.assign(task.tenantId, task.id, {
        agentId,
        decision: toDecisionView(decision, at),
        acceptDeadline: new Date(at.getTime() + task.acceptTimeoutMs),
        actor: 'engine',
        at,
      });
      if (outcome.applied) {
        pending.delete(key);
        lastDecision.delete(key);
        affinity.record(task, agentId);
        await noteProbe(outcome.agent, at.getTime());
        deps.onAgentChanged?.(task.tenantId, agentId, outcome.agent);
        deps.delivery.deliver(outcome.task);
        deps.onAssigned(outcome.task, outcome.agent);
        return outcome.task;
      }
      if (outcome.reason === 'task_not_assignable') {
        release(task.tenantId, agentId);
        forget(task.tenantId, task.id);
        return undefined;
      }
      // The agent filled up or went away (another process, a disconnect): learn and retry.
      if (outcome.agent) index.upsert(toAgentSnapshot(outcome.agent));
      else index.remove(task.tenantId, agentId);
      queue.push(item);
      kick();
    } catch (error) {
      logger.error({ err: error, taskId: task.id, agentId }, 'could not commit an assignment; will retry');
      release(task.tenantId, agentId);
      queue.push(item);
      setTimeout(kick, 1000).unref();
    }
    return undefined;
  }

  function decideNow(task: DecidableTask, options: { agentId?: string; strategy?: StrategyName }): AssignmentDecision {
    const now = clock.now().getTime();
    const entry = toPendingTask(task, affinity.agentsFor(task), now);
    const candidates = options.agentId
      ? [index.get(task.tenantId, options.agentId)].filter((a) => a !== undefined)
      : index.candidates(task.tenantId, task.requiredCapabilities);
    const strategy = options.strategy ?? task.strategy ?? tenantStrategy.get(task.tenantId) ?? 'auto';
    return decide(entry, candidates, strategy, now, { breakerConfig: breaker });
  }

  /**
   * Assigns one waiting task now (by hand: to a named agent, or with another strategy). Returns
   * the decision and the assigned task, or no task when nobody fits or the commit lost a race.
   */
  async function assignNow(task: TaskRecord, options: { agentId?: string; strategy?: StrategyName }) {
    const decision = decideNow(task, options);
    if (!decision.chosenAgentId) return { decision, task: undefined };
    const now = clock.now().getTime();
    const entry = pending.get(taskKey(task.tenantId, task.id)) ?? toPendingTask(task, affinity.agentsFor(task), now);
    const agent = index.get(task.tenantId, decision.chosenAgentId)!;
    index.update(agent.tenantId, agent.id, { inFlight: agent.inFlight + 1, lastAssignedAt: now });
    queue.remove(task.tenantId, task.id);
    const item = { tenantId: task.tenantId, taskId: task.id, priority: task.priority, enqueuedAt: entry.enqueuedAt, requiredCapabilities: task.requiredCapabilities };
    pending.set(taskKey(task.tenantId, task.id), entry);
    const assigned = await commit({ item, task: entry, decision, agentId: agent.id });
    return { decision, task: assigned };
  }

  /** A half-open breaker lets only a few probe tasks through: count this one. */
  async function noteProbe(agent: AgentRecord, now: number): Promise<void> {
    let record = agent;
    if (effectiveState(agent.breaker, breaker, now) !== 'closed') {
      const next = onAssigned(agent.breaker, breaker, now);
      record = (await stores.agents.saveHealth(agent.tenantId, agent.id, { breaker: { ...next, failures: [...next.failures] }, stats: agent.stats }, new Date(now))) ?? agent;
    }
    index.upsert(toAgentSnapshot(record));
  }

  return {
    enqueue,
    forget,
    kick,
    /** Loads every agent and every queued task; call once at startup. */
    async start(): Promise<void> {
      for (const agent of await stores.agents.listAll()) index.upsert(toAgentSnapshot(agent));
      for (const task of await stores.tasks.listQueued(1_000_000)) enqueue(task);
      logger.debug({ agents: index.size, queued: queue.size, delayed: delayed.size }, 'dispatcher loaded');
    },
    async stop(): Promise<void> {
      stopped = true;
      await running;
    },
    /** Moves tasks whose retry backoff has ended into the queue. */
    releaseDelayed(now: number): void {
      for (const [, entry] of delayed) if (entry.notBefore <= now) enqueue({ ...entry.task, notBefore: null });
    },
    agentChanged(agent: AgentRecord): void {
      index.upsert(toAgentSnapshot(agent));
      deps.onAgentChanged?.(agent.tenantId, agent.id, agent);
      kick();
    },
    /** Another process changed the agent: update the view without announcing it again. */
    applyRemoteAgentChange(agent: AgentRecord): void {
      index.upsert(toAgentSnapshot(agent));
      kick();
    },
    agentRemoved(tenantId: string, agentId: string): void {
      index.remove(tenantId, agentId);
    },
    /** After a task left an agent (completed, failed, requeued…): the agent has room again. */
    agentReleased(tenantId: string, agentId: string): void {
      release(tenantId, agentId);
      deps.onAgentChanged?.(tenantId, agentId);
      kick();
    },
    setTenantStrategy(tenantId: string, strategy: StrategyName): void {
      tenantStrategy.set(tenantId, strategy);
    },
    /** Why a waiting task has no agent yet (undefined if it has not been tried). */
    lastDecision: (tenantId: string, taskId: string) => lastDecision.get(taskKey(tenantId, taskId)),
    decideNow,
    assignNow,
    agentSnapshot: (tenantId: string, agentId: string) => index.get(tenantId, agentId),
    /**
     * A task left the agent and its health was recomputed here: the engine sees both at once. The
     * stored record (and other processes) follow when the health writer writes it.
     */
    agentFinishedTask(tenantId: string, agentId: string, health: Pick<AgentSnapshot, 'breaker' | 'stats'>): void {
      const agent = index.get(tenantId, agentId);
      if (!agent) return;
      index.update(tenantId, agentId, { ...health, inFlight: Math.max(0, agent.inFlight - 1) });
      kick();
    },
    breakerConfig: breaker,
  };
}
