import { z } from 'zod';
import type { TaskService } from '../../../tasks/task-service.js';
import {
  taskCancelSchema,
  taskCreateSchema,
  taskEventViewSchema,
  taskListViewSchema,
  taskPrioritySchema,
  taskStatusSchema,
  taskViewSchema,
} from '../../../tasks/task-schemas.js';
import { toTaskEventView, toTaskView } from '../../../tasks/task-view.js';
import type { Principal } from '../../../tenancy/principal.js';
import type { ToolDefinition } from '../definitions.js';

const taskStatusInput = z
  .object({
    task_id: z.string().min(1).max(200),
    include_events: z.boolean().default(false).describe('Also return the task’s state changes'),
  })
  .strict();

const taskStatusOutput = taskViewSchema.extend({ events: z.array(taskEventViewSchema).optional() });

// Tool input uses plain arrays (the REST query string variant accepts comma lists).
const taskListInput = z
  .object({
    status: z.array(taskStatusSchema).max(20).optional(),
    priority: z.array(taskPrioritySchema).max(20).optional(),
    type: z.string().min(1).max(100).optional(),
    session_id: z.string().min(1).max(200).optional(),
    limit: z.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(500).optional().describe('next_cursor from the previous page'),
  })
  .strict();

/** `explain` tells why a waiting task has no agent yet (the engine's last decision). */
export function taskTools(tasks: TaskService, explain?: (principal: Principal, taskId: string) => unknown): ToolDefinition[] {
  const create: ToolDefinition<typeof taskCreateSchema, typeof taskViewSchema> = {
    name: 'devmesh_task_create',
    aliases: ['devmesh.task.create'],
    title: 'Create a task',
    description:
      'Create a task for an agent to work on. Returns the task with its id and status; follow it with devmesh_task_status or subscribe to devmesh://tasks/{tenant_id}.',
    role: 'agent',
    input: taskCreateSchema,
    output: taskViewSchema,
    handler: async (args, ctx) => toTaskView(await tasks.create(ctx.principal, args, ctx.sessionId)),
  };
  const status: ToolDefinition<typeof taskStatusInput, typeof taskStatusOutput> = {
    name: 'devmesh_task_status',
    aliases: ['devmesh.task.status', 'devmesh.task.get'],
    title: 'Get a task',
    description: 'Get a task’s current state, result or error by id, optionally with its history of state changes.',
    role: 'reader',
    input: taskStatusInput,
    output: taskStatusOutput,
    annotations: { readOnlyHint: true },
    handler: async (args, ctx) => {
      const record = await tasks.get(ctx.principal, args.task_id);
      const task = toTaskView(record);
      if (record.status === 'queued' && explain) task.assignment = explain(ctx.principal, record.id) ?? task.assignment;
      if (!args.include_events) return task;
      const events = await tasks.events(ctx.principal, args.task_id);
      return { ...task, events: events.map(toTaskEventView) };
    },
  };
  const list: ToolDefinition<typeof taskListInput, typeof taskListViewSchema> = {
    name: 'devmesh_task_list',
    aliases: ['devmesh.task.list'],
    title: 'List tasks',
    description: 'List this tenant’s tasks, newest first, filtered by status, priority, type or session. Pass next_cursor to get the next page.',
    role: 'reader',
    input: taskListInput,
    output: taskListViewSchema,
    annotations: { readOnlyHint: true },
    handler: async (args, ctx) => {
      const page = await tasks.list(ctx.principal, args);
      return { tasks: page.tasks.map(toTaskView), next_cursor: page.nextCursor };
    },
  };
  const cancel: ToolDefinition<typeof taskCancelSchema, typeof taskViewSchema> = {
    name: 'devmesh_task_cancel',
    aliases: ['devmesh.task.cancel'],
    title: 'Cancel a task',
    description: 'Cancel a task that has not finished yet. Cancelling a finished task is an error that names its status.',
    role: 'agent',
    input: taskCancelSchema,
    output: taskViewSchema,
    annotations: { destructiveHint: true, idempotentHint: false },
    handler: async (args, ctx) => toTaskView(await tasks.cancel(ctx.principal, args.task_id, args.reason)),
  };
  return [create, status, list, cancel];
}
