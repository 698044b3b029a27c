import type {
  ApiKeyRecord,
  ContextItemRecord,
  Role,
  SessionRecord,
  TaskEventRecord,
  TaskPriority,
  TaskRecord,
  TaskStatus,
  TenantRecord,
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
  patch?: { result?: unknown; error?: unknown; assignedAgentId?: string | null };
  at: Date;
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
   */
  transition(tenantId: string, id: string, change: TaskTransition): Promise<TransitionOutcome>;
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

export interface Stores {
  tenants: TenantStore;
  apiKeys: ApiKeyStore;
  tasks: TaskStore;
  sessions: SessionStore;
  contexts: ContextStore;
}
