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

export interface TaskRecord {
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
