/**
 * Records as the stores read and write them. Every tenant-owned record carries `tenantId`, and every
 * store function that touches tenant-owned rows takes the caller's tenant id as its first argument:
 * a row of another tenant is invisible (reads return undefined/empty, writes affect nothing).
 */

export type Role = 'admin' | 'agent' | 'reader';

export interface TenantRecord {
  id: string;
  name: string;
  createdAt: Date;
}

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  name: string;
  role: Role;
  /** First characters of the key, shown in listings so a person can tell keys apart. */
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export const taskStatuses = [
  'pending',
  'queued',
  'assigned',
  'in_progress',
  'completed',
  'failed',
  'cancelled',
  'timed_out',
  'dead_lettered',
] as const;
export type TaskStatus = (typeof taskStatuses)[number];

export const taskPriorities = ['low', 'normal', 'high', 'critical'] as const;
export type TaskPriority = (typeof taskPriorities)[number];

export interface TaskRecord extends TaskScheduling {
  tenantId: string;
  id: string;
  title: string;
  description: string;
  type: string;
  priority: TaskPriority;
  status: TaskStatus;
  requiredCapabilities: string[];
  payload: unknown;
  result: unknown;
  error: unknown;
  /** MCP session that created the task, if any. */
  sessionId: string | null;
  /** API key id of the creator. */
  createdBy: string | null;
  assignedAgentId: string | null;
  attempts: number;
  maxAttempts: number;
  createdAt: Date;
  updatedAt: Date;
  /** Incremented on every update; used for optimistic concurrency. */
  version: number;
  /** The creator's idempotency key: creating again with it returns this task. */
  idempotencyKey: string | null;
}

export interface TaskEventRecord {
  tenantId: string;
  taskId: string;
  seq: string;
  fromStatus: TaskStatus | null;
  toStatus: TaskStatus;
  actor: string;
  reason: string | null;
  data: unknown;
  createdAt: Date;
}

export interface SessionRecord {
  tenantId: string;
  id: string;
  apiKeyId: string | null;
  transport: 'websocket' | 'http';
  protocolVersion: string | null;
  clientInfo: unknown;
  createdAt: Date;
  lastSeenAt: Date;
  closedAt: Date | null;
}

export interface ContextItemRecord {
  tenantId: string;
  sessionId: string;
  key: string;
  value: unknown;
  updatedAt: Date;
}

export interface AgentCapability {
  name: string;
  /** 0..1; 1 when the agent did not say. */
  proficiency: number;
}

export interface PerformanceRecord {
  successRate: number;
  latencyMs: number;
  samples: number;
}

/** Plain, serialisable circuit-breaker state (see agents/breaker.ts for the rules). */
export interface BreakerRecord {
  state: 'closed' | 'open' | 'half_open';
  failures: number[];
  openedAt: number | null;
  probesInFlight: number;
}

export interface AgentRecord {
  tenantId: string;
  id: string;
  name: string;
  capabilities: AgentCapability[];
  maxConcurrency: number;
  costPerTask: number;
  metadata: unknown;
  status: 'online' | 'offline';
  /** MCP session currently connected as this agent, if any. */
  sessionId: string | null;
  /** Tasks assigned or in progress; maintained in the same transaction as the task changes. */
  inFlight: number;
  breaker: BreakerRecord;
  stats: { overall: PerformanceRecord; byCapability: Record<string, PerformanceRecord> };
  lastAssignedAt: Date | null;
  lastSeenAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type StrategyName = 'round_robin' | 'least_loaded' | 'capability_match' | 'performance_based' | 'cost_optimized' | 'auto';

/** Scheduling fields of a task (issue 3). */
export interface TaskScheduling {
  strategy: StrategyName | null;
  maxCost: number | null;
  deadline: Date | null;
  acceptTimeoutMs: number;
  executionTimeoutMs: number | null;
  acceptDeadline: Date | null;
  executionDeadline: Date | null;
  /** A requeued task is not assigned before this time (retry backoff). */
  notBefore: Date | null;
  /** The last assignment decision, for explanation. */
  assignment: unknown;
  /** Agents that failed or timed out on this task, in order. */
  previousAgentIds: string[];
  workflowRunId: string | null;
  workflowStep: string | null;
  progress: unknown;
  assignedAt: Date | null;
}

export interface WorkflowRecord {
  tenantId: string;
  id: string;
  name: string;
  description: string;
  /** Validated workflow definition (steps, failure policy) as JSON. */
  definition: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export type WorkflowRunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface WorkflowRunRecord {
  tenantId: string;
  id: string;
  workflowId: string;
  status: WorkflowRunStatus;
  input: unknown;
  /** Step name -> state and output, maintained by the workflow engine. */
  steps: unknown;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export type WebhookSource = 'github' | 'alertmanager';

/** A tenant's inbound webhook endpoint. `secret` is stored as given: GitHub's HMAC needs it. */
export interface WebhookEndpointRecord {
  tenantId: string;
  id: string;
  source: WebhookSource;
  name: string;
  secret: string;
  /** Source-specific settings as validated JSON (Alertmanager: capability rules). */
  config: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export type WebhookDeliveryStatus = 'pending' | 'processing' | 'processed' | 'failed';

/** One received event: a GitHub delivery, or one alert of an Alertmanager notification. */
export interface WebhookDeliveryRecord {
  tenantId: string;
  id: string;
  endpointId: string;
  /** Unique per endpoint: the X-GitHub-Delivery id, or `<status>:<fingerprint>:<startsAt>` of an alert. */
  deliveryKey: string;
  event: string;
  payload: unknown;
  status: WebhookDeliveryStatus;
  /** What processing decided to do, stored once so a retry does the same. */
  plan: unknown;
  /** Ids of the tasks created so far, in plan order. */
  taskIds: string[];
  error: string | null;
  attempts: number;
  claimedUntil: Date | null;
  receivedAt: Date;
  processedAt: Date | null;
}

/** "On event E from source S matching filter F, create task T." */
export interface EventRuleRecord {
  tenantId: string;
  id: string;
  name: string;
  source: WebhookSource;
  /** An event name, or '*' for every event of the source. */
  event: string;
  /** When set, the rule fires only on deliveries of this endpoint. */
  endpointId: string | null;
  /** Dot path -> value; every entry must equal the payload's value. */
  filter: Record<string, unknown>;
  /** The task template (validated JSON). */
  task: unknown;
  createdAt: Date;
  updatedAt: Date;
}
