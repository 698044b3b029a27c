import type {
  AgentRecord,
  ApiKeyRecord,
  BreakerRecord,
  StrategyName,
  WorkflowRecord,
  WorkflowRunRecord,
  WorkflowRunStatus,
  ContextItemRecord,
  Role,
  SessionRecord,
  TaskEventRecord,
  TaskPriority,
  TaskRecord,
  TaskStatus,
  TenantRecord,
  EventRuleRecord,
  WebhookDeliveryRecord,
  WebhookEndpointRecord,
  WebhookSource,
} from './records.js';

/**
 * The store interfaces the domain uses. Implementations live in `storage/queries/` and run the same
 * SQL on PGlite and PostgreSQL. Contract: `test/storage/*.contract.ts`, run against both drivers.
 */

export interface TenantStore {
  /** Creates a tenant; throws DevMeshError('conflict') if the name is taken. */
  create(input: { id: string; name: string }): Promise<TenantRecord>;
  findById(id: string): Promise<TenantRecord | undefined>;
  findByName(name: string): Promise<TenantRecord | undefined>;
}

export interface NewApiKey {
  id: string;
  tenantId: string;
  name: string;
  role: Role;
  keyHash: string;
  prefix: string;
  expiresAt: Date | null;
}

export interface ApiKeyStore {
  insert(key: NewApiKey): Promise<ApiKeyRecord>;
  /** The key with this hash, whatever its state (the caller checks revocation and expiry). */
  findByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  list(tenantId: string): Promise<ApiKeyRecord[]>;
  get(tenantId: string, id: string): Promise<ApiKeyRecord | undefined>;
  /** Marks the key revoked; returns it, or undefined if no such key in this tenant. Idempotent. */
  revoke(tenantId: string, id: string, at: Date): Promise<ApiKeyRecord | undefined>;
  /** Records use, at most once a minute per key, so hot paths do not write on every request. */
  touch(id: string, at: Date): Promise<void>;
}

export interface NewTask {
  tenantId: string;
  id: string;
  title: string;
  description: string;
  type: string;
  priority: TaskPriority;
  status: TaskStatus;
  requiredCapabilities: string[];
  payload: unknown;
  sessionId: string | null;
  createdBy: string | null;
  maxAttempts: number;
  strategy?: StrategyName | null;
  maxCost?: number | null;
  deadline?: Date | null;
  /** Default 30 000. */
  acceptTimeoutMs?: number;
  executionTimeoutMs?: number | null;
  workflowRunId?: string | null;
  workflowStep?: string | null;
  /** With a key, inserting again returns the first task (same fingerprint) or is a conflict (another). */
  idempotency?: { key: string; fingerprint: string };
}

export interface TaskFilter {
  status?: TaskStatus[];
  priority?: TaskPriority[];
  type?: string;
  sessionId?: string;
}

/** Keyset position: tasks are listed newest first, ties broken by id descending. */
export interface TaskPosition {
  createdAt: Date;
  id: string;
}

export interface TaskTransition {
  /** The update applies only if the task's current status is one of these. */
  from: readonly TaskStatus[];
  to: TaskStatus;
  actor: string;
  reason: string | null;
  data?: unknown;
  /** When set, the update applies only if the task is assigned to this agent. */
  onlyIfAgentId?: string;
  /** Fields to set; undefined leaves a field unchanged, null clears it. */
  patch?: {
    result?: unknown;
    error?: unknown;
    assignedAgentId?: string | null;
    progress?: unknown;
    acceptDeadline?: Date | null;
    executionDeadline?: Date | null;
    notBefore?: Date | null;
    /** Appended to previous_agent_ids (the agent that just failed or timed out). */
    appendPreviousAgentId?: string;
    /** Sets execution_deadline to `at` + the task's execution_timeout_ms (null when it has none). */
    startExecutionClock?: boolean;
  };
  at: Date;
}

export interface AssignmentCommit {
  agentId: string;
  /** The decision explanation stored on the task. */
  decision: unknown;
  acceptDeadline: Date;
  actor: string;
  at: Date;
}

export type AssignOutcome =
  | { applied: true; task: TaskRecord; agent: AgentRecord }
  | { applied: false; reason: 'task_not_assignable'; current: TaskRecord | undefined }
  | { applied: false; reason: 'agent_unavailable'; agent: AgentRecord | undefined };

/** Tasks whose timers have run out, found by the periodic sweep (all tenants). */
export interface DueTasks {
  /** assigned, accept_deadline <= now */
  acceptExpired: TaskRecord[];
  /** in_progress, execution_deadline <= now */
  executionExpired: TaskRecord[];
  /** queued, not_before <= now (backoff over) */
  backoffOver: TaskRecord[];
  /** not terminal, deadline <= now */
  deadlinePassed: TaskRecord[];
}

export type TransitionOutcome =
  | { applied: true; task: TaskRecord; event: TaskEventRecord }
  | { applied: false; current: TaskRecord | undefined };

export interface TaskStore {
  /** Inserts the task and its first event ('created', from null) in one transaction. */
  insert(task: NewTask, actor: string, at: Date): Promise<TaskRecord>;
  get(tenantId: string, id: string): Promise<TaskRecord | undefined>;
  list(
    tenantId: string,
    filter: TaskFilter,
    page: { limit: number; after?: TaskPosition },
  ): Promise<{ items: TaskRecord[]; next: TaskPosition | undefined }>;
  /**
   * Atomically moves a task from one of `from` to `to`, applies `patch`, bumps `version` and
   * records an event. Two concurrent transitions from the same state: exactly one applies.
   * When the task leaves assigned/in_progress for any other status, its assigned agent's
   * in_flight is decremented (never below 0) in the same transaction.
   */
  transition(tenantId: string, id: string, change: TaskTransition): Promise<TransitionOutcome>;
  /**
   * In one transaction: increments the agent's in_flight if it is online and in_flight <
   * max_concurrency (else agent_unavailable, nothing changes), and moves the task from pending or
   * queued to assigned (else task_not_assignable, nothing changes) with attempts + 1,
   * assigned_agent_id, assigned_at, accept_deadline, assignment = decision, not_before = null,
   * execution_deadline = null; records an event (reason 'assigned', data = { agent_id }).
   * Also sets the agent's last_assigned_at. Never assigns one task twice nor exceeds max_concurrency,
   * whichever process calls it.
   */
  assign(tenantId: string, taskId: string, commit: AssignmentCommit): Promise<AssignOutcome>;
  /** Every queued task of every tenant, by priority then age (for loading the in-memory queue). */
  listQueued(limit: number): Promise<TaskRecord[]>;
  /** Tasks whose timers have run out at `now`, at most `limit` of each kind, all tenants. */
  listDue(now: Date, limit: number): Promise<DueTasks>;
  /** Tasks assigned to or in progress on an agent. */
  listActiveForAgent(tenantId: string, agentId: string): Promise<TaskRecord[]>;
  /** Every task of a workflow run, oldest first. */
  listByWorkflowRun(tenantId: string, runId: string): Promise<TaskRecord[]>;
  events(tenantId: string, taskId: string): Promise<TaskEventRecord[]>;
  /** Task counts by tenant and status, for metrics. */
  countByStatus(): Promise<{ tenantId: string; status: TaskStatus; count: number }[]>;
}

export interface SessionStore {
  /** Creates the session or, when resuming, refreshes transport/protocol/clientInfo and clears closedAt. */
  upsert(session: Omit<SessionRecord, 'createdAt' | 'lastSeenAt' | 'closedAt'>, at: Date): Promise<SessionRecord>;
  get(tenantId: string, id: string): Promise<SessionRecord | undefined>;
  touch(tenantId: string, id: string, at: Date): Promise<void>;
  close(tenantId: string, id: string, at: Date): Promise<void>;
}

export interface ContextChange {
  /** Keys to set (JSON values; null is a value, not a delete). */
  set: Record<string, unknown>;
  /** Keys to remove. */
  remove: string[];
}

export interface ContextStore {
  /** Items of a session's context, ordered by key. */
  get(tenantId: string, sessionId: string): Promise<ContextItemRecord[]>;
  /** Applies the change in one transaction and returns the resulting items. */
  update(tenantId: string, sessionId: string, change: ContextChange, at: Date): Promise<ContextItemRecord[]>;
  /** Removes every item of the session's context; returns how many were removed. */
  clear(tenantId: string, sessionId: string): Promise<number>;
}

/** The fields an agent states about itself; presence, load, breaker and statistics are the server's. */
export type AgentRegistration = Pick<AgentRecord, 'tenantId' | 'id' | 'name' | 'capabilities' | 'maxConcurrency' | 'costPerTask' | 'metadata'>;

export interface AgentFilter {
  status?: 'online' | 'offline';
  capability?: string;
}

export interface AgentStore {
  /**
   * Creates the agent or updates its registration fields (name, capabilities, max concurrency,
   * cost, metadata), keeping presence, in_flight, breaker and stats.
   */
  register(agent: AgentRegistration, at: Date): Promise<AgentRecord>;
  get(tenantId: string, id: string): Promise<AgentRecord | undefined>;
  /** Ordered by id; keyset pagination after an id. */
  list(tenantId: string, filter: AgentFilter, page: { limit: number; after?: string }): Promise<{ items: AgentRecord[]; next: string | undefined }>;
  /** Every agent of every tenant, for the in-memory index at startup. */
  listAll(): Promise<AgentRecord[]>;
  /** Marks the agent online on this session, held by this process, and refreshes last_seen_at. */
  setOnline(tenantId: string, id: string, sessionId: string, at: Date, processId?: string): Promise<AgentRecord | undefined>;
  /**
   * Takes offline every agent last held by a (dead) process that is still online or still has work
   * counted against it; returns them. (process_id stays as "last process" when an agent goes offline.)
   */
  setOfflineForProcess(processId: string, at: Date): Promise<AgentRecord[]>;
  /**
   * Marks the agent offline, but only if it is still on `sessionId` (a stale disconnect must not
   * take down a reconnected agent). Returns the agent if it changed.
   */
  setOffline(tenantId: string, id: string, sessionId: string, at: Date): Promise<AgentRecord | undefined>;
  touch(tenantId: string, id: string, at: Date): Promise<void>;
  /** Stores the breaker and statistics the domain computed (last write wins). */
  saveHealth(tenantId: string, id: string, health: { breaker: BreakerRecord; stats: AgentRecord['stats'] }, at: Date): Promise<AgentRecord | undefined>;
  /** Deletes an agent with nothing in flight; returns false if absent, throws conflict if busy. */
  delete(tenantId: string, id: string): Promise<boolean>;
}

export interface TenantSettingsStore {
  get(tenantId: string): Promise<{ defaultStrategy: StrategyName }>;
  setDefaultStrategy(tenantId: string, strategy: StrategyName, at: Date): Promise<void>;
}

export interface WorkflowStore {
  /** Throws conflict if a workflow with this name exists in the tenant. */
  create(workflow: Omit<WorkflowRecord, 'createdAt' | 'updatedAt'>, at: Date): Promise<WorkflowRecord>;
  get(tenantId: string, id: string): Promise<WorkflowRecord | undefined>;
  getByName(tenantId: string, name: string): Promise<WorkflowRecord | undefined>;
  /** Newest first; keyset by (created_at, id). */
  list(tenantId: string, page: { limit: number; after?: { createdAt: Date; id: string } }): Promise<{ items: WorkflowRecord[]; next: { createdAt: Date; id: string } | undefined }>;
  createRun(run: Omit<WorkflowRunRecord, 'createdAt' | 'updatedAt' | 'version'>, at: Date): Promise<WorkflowRunRecord>;
  getRun(tenantId: string, id: string): Promise<WorkflowRunRecord | undefined>;
  listRuns(tenantId: string, filter: { workflowId?: string; status?: WorkflowRunStatus[] }, page: { limit: number; after?: { createdAt: Date; id: string } }): Promise<{ items: WorkflowRunRecord[]; next: { createdAt: Date; id: string } | undefined }>;
  /** Optimistic update: applies only if the run's version is `expectedVersion`; returns the new run or undefined. */
  updateRun(tenantId: string, id: string, expectedVersion: number, patch: { status?: WorkflowRunStatus; steps?: unknown }, at: Date): Promise<WorkflowRunRecord | undefined>;
  /**
   * Running runs of every tenant not updated since `updatedBefore`, in (updatedAt, tenantId, id)
   * order after `after` (for sweeps that page through them).
   */
  listIdleRunning(updatedBefore: Date, limit: number, after?: IdleRunPosition): Promise<IdleRunPosition[]>;
}

export interface IdleRunPosition {
  updatedAt: Date;
  tenantId: string;
  id: string;
}

export interface ProcessInfo {
  id: string;
  roles: string[];
  host: string;
  pid: number;
  startedAt: Date;
}

export interface ProcessStore {
  /**
   * Records that the process is alive until `at + leaseMs`. False if the process was already
   * declared dead (stopped): a stopped process never comes back under the same id.
   */
  heartbeat(process: ProcessInfo, at: Date, leaseMs: number): Promise<boolean>;
  /**
   * Marks every process whose lease expired before `now` as stopped and returns their ids. Each
   * expired process is returned to exactly one caller, so only one survivor cleans up after it.
   */
  claimExpired(now: Date): Promise<string[]>;
  /** A clean shutdown: the process is stopped now. */
  stop(id: string, at: Date): Promise<void>;
  /** Processes with a live lease at `now`. */
  live(now: Date): Promise<(ProcessInfo & { heartbeatAt: Date; leaseExpiresAt: Date })[]>;
}

export interface Stores {
  tenants: TenantStore;
  apiKeys: ApiKeyStore;
  tasks: TaskStore;
  sessions: SessionStore;
  contexts: ContextStore;
  agents: AgentStore;
  tenantSettings: TenantSettingsStore;
  workflows: WorkflowStore;
  processes: ProcessStore;
  webhookEndpoints: WebhookEndpointStore;
  webhookDeliveries: WebhookDeliveryStore;
  eventRules: EventRuleStore;
}

export interface WebhookEndpointStore {
  /** Throws conflict if the tenant has an endpoint with this name (or id). */
  create(endpoint: Omit<WebhookEndpointRecord, 'createdAt' | 'updatedAt'>, at: Date): Promise<WebhookEndpointRecord>;
  get(tenantId: string, id: string): Promise<WebhookEndpointRecord | undefined>;
  /**
   * The one cross-tenant read: an ingress URL names the endpoint by id (unique across tenants) and
   * the endpoint's secret authenticates the sender, so the tenant comes from the endpoint.
   */
  findForIngress(id: string): Promise<WebhookEndpointRecord | undefined>;
  /** Oldest first. */
  list(tenantId: string): Promise<WebhookEndpointRecord[]>;
  /** Deletes the endpoint with its deliveries and the rules bound to it; false if absent. */
  delete(tenantId: string, id: string): Promise<boolean>;
}

export type NewWebhookDelivery = Pick<WebhookDeliveryRecord, 'tenantId' | 'id' | 'endpointId' | 'deliveryKey' | 'event' | 'payload'>;

export interface WebhookDeliveryStore {
  /**
   * Records a delivery unless the endpoint already has one with this key; then returns that one
   * with `created: false`. Race-free: of concurrent calls with one key, exactly one creates.
   * Throws not_found if the endpoint does not exist in the tenant.
   */
  record(delivery: NewWebhookDelivery, at: Date): Promise<{ delivery: WebhookDeliveryRecord; created: boolean }>;
  get(tenantId: string, id: string): Promise<WebhookDeliveryRecord | undefined>;
  getByKey(tenantId: string, endpointId: string, deliveryKey: string): Promise<WebhookDeliveryRecord | undefined>;
  /** Newest first. */
  list(tenantId: string, endpointId: string, limit: number): Promise<WebhookDeliveryRecord[]>;
  /**
   * Takes the delivery for processing until `leaseUntil` if it is pending, or processing with a
   * lease that ran out at `now`; increments attempts. Undefined if absent, finished, or leased by
   * another processor. Of concurrent claims, at most one succeeds.
   */
  claim(tenantId: string, id: string, now: Date, leaseUntil: Date): Promise<WebhookDeliveryRecord | undefined>;
  /** Stores the plan unless one is stored already; returns the delivery as it is now. */
  setPlan(tenantId: string, id: string, plan: unknown): Promise<WebhookDeliveryRecord | undefined>;
  /** Appends a created task id, only if exactly `index` ids are recorded (so a retry cannot skip or repeat one). */
  appendTask(tenantId: string, id: string, index: number, taskId: string): Promise<boolean>;
  /** Ends processing: processed or failed (with the reason); clears the lease. */
  finish(tenantId: string, id: string, outcome: { status: 'processed' | 'failed'; error: string | null }, at: Date): Promise<WebhookDeliveryRecord | undefined>;
  /**
   * Gives a claimed delivery back (pending, no lease) after a transient error, only if the claim
   * is still the caller's: `leaseUntil` is the value its claim set.
   */
  release(tenantId: string, id: string, leaseUntil: Date): Promise<void>;
  /**
   * Deliveries whose processing may have been lost (every tenant), oldest first: pending and
   * received before `receivedBefore`, or processing with a lease that ran out at `now`.
   */
  listUnfinished(receivedBefore: Date, now: Date, limit: number): Promise<WebhookDeliveryRecord[]>;
  /** Deletes up to `limit` processed or failed deliveries finished before `before`; returns how many. */
  deleteFinishedBefore(before: Date, limit: number): Promise<number>;
}

export interface EventRuleStore {
  /** Throws conflict if the tenant has a rule with this name; not_found if `endpointId` is not an endpoint of the tenant. */
  create(rule: Omit<EventRuleRecord, 'createdAt' | 'updatedAt'>, at: Date): Promise<EventRuleRecord>;
  get(tenantId: string, id: string): Promise<EventRuleRecord | undefined>;
  /** Oldest first. */
  list(tenantId: string): Promise<EventRuleRecord[]>;
  /**
   * The rules of the tenant that apply to an event of `source` received on `endpointId`: event equal
   * or '*', endpoint equal or unset. Oldest first (created_at, then id).
   */
  listMatching(tenantId: string, source: WebhookSource, event: string, endpointId: string): Promise<EventRuleRecord[]>;
  delete(tenantId: string, id: string): Promise<boolean>;
}
