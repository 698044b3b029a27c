import { z } from 'zod';
import { taskPriorities, taskStatuses } from '../storage/records.js';

/**
 * Wire shapes of tasks, shared by the MCP tools and the REST API (snake_case, ISO timestamps).
 * These zod schemas are the single source for validation, TypeScript types and JSON Schema.
 */

const capability = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9._:-]*$/i, 'use letters, digits and . _ : - (e.g. "security-review")');

export const taskStatusSchema = z.enum(taskStatuses);
export const strategySchema = z.enum(['round_robin', 'least_loaded', 'capability_match', 'performance_based', 'cost_optimized', 'auto']);
export const taskPrioritySchema = z.enum(taskPriorities);

/** Printable ASCII, so keys survive headers, logs and URLs unchanged. */
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'use printable ASCII characters without spaces');

export const taskCreateSchema = z
  .object({
    title: z.string().trim().min(1).max(500).describe('Short summary of the work'),
    description: z.string().max(20_000).default('').describe('What the agent should do, in detail'),
    type: z.string().trim().min(1).max(100).default('general').describe('Kind of task, e.g. code_review, incident'),
    priority: taskPrioritySchema.default('normal'),
    required_capabilities: z.array(capability).max(50).default([]).describe('Capabilities an agent needs to take the task'),
    payload: z.unknown().optional().describe('Any JSON the agent needs'),
    max_attempts: z.number().int().min(1).max(100).default(3).describe('Attempts before the task is dead-lettered'),
    strategy: strategySchema.optional().describe('Assignment strategy; defaults to the tenant’s (auto)'),
    max_cost: z.number().min(0).optional().describe('Only agents whose cost per task is at most this'),
    deadline: z.iso.datetime({ offset: true }).optional().describe('ISO time by which the task must be done; after it the task times out'),
    accept_timeout_ms: z.number().int().min(100).max(3_600_000).default(30_000).describe('How long an agent has to accept before the task is requeued'),
    execution_timeout_ms: z.number().int().min(100).max(7 * 86_400_000).optional().describe('How long an agent may work on it before it is requeued'),
    idempotency_key: idempotencyKeySchema
      .optional()
      .describe('Makes retries safe: creating again with the same key returns the first task instead of a new one (a different request with the same key is a conflict)'),
  })
  .strict();
export type TaskCreateInput = z.infer<typeof taskCreateSchema>;

export const taskViewSchema = z.object({
  id: z.string(),
  tenant_id: z.string(),
  title: z.string(),
  description: z.string(),
  type: z.string(),
  priority: taskPrioritySchema,
  status: taskStatusSchema,
  required_capabilities: z.array(z.string()),
  payload: z.unknown(),
  result: z.unknown(),
  error: z.unknown(),
  session_id: z.string().nullable(),
  assigned_agent_id: z.string().nullable(),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  strategy: strategySchema.nullable(),
  max_cost: z.number().nullable(),
  deadline: z.string().nullable(),
  accept_timeout_ms: z.number().int(),
  execution_timeout_ms: z.number().int().nullable(),
  progress: z.unknown(),
  assignment: z.unknown().describe('The assignment engine’s last decision: strategy, candidates, filtered agents with reasons, scores'),
  previous_agent_ids: z.array(z.string()),
  workflow_run_id: z.string().nullable(),
  workflow_step: z.string().nullable(),
  idempotency_key: z.string().nullable(),
  assigned_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  version: z.number().int(),
});
export type TaskView = z.infer<typeof taskViewSchema>;

export const taskEventViewSchema = z.object({
  seq: z.string(),
  from_status: taskStatusSchema.nullable(),
  to_status: taskStatusSchema,
  actor: z.string(),
  reason: z.string().nullable(),
  at: z.string(),
});
export type TaskEventView = z.infer<typeof taskEventViewSchema>;

const csvOrArray = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(item).max(20));

export const taskListQuerySchema = z
  .object({
    status: csvOrArray(taskStatusSchema).optional(),
    priority: csvOrArray(taskPrioritySchema).optional(),
    type: z.string().min(1).max(100).optional(),
    session_id: z.string().min(1).max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(500).optional().describe('next_cursor from the previous page'),
  })
  .strict();
export type TaskListQuery = z.infer<typeof taskListQuerySchema>;

export const taskListViewSchema = z.object({
  tasks: z.array(taskViewSchema),
  next_cursor: z.string().nullable(),
});

export const taskIdSchema = z.object({ task_id: z.string().min(1).max(200) }).strict();

export const taskCancelSchema = z
  .object({ task_id: z.string().min(1).max(200), reason: z.string().max(1000).optional() })
  .strict();
