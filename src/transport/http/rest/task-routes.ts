import { z } from 'zod';
import { invalidArgument } from '../../../errors/index.js';
import type { TaskService } from '../../../tasks/task-service.js';
import {
  idempotencyKeySchema,
  taskCreateSchema,
  taskEventViewSchema,
  taskListQuerySchema,
  taskListViewSchema,
  taskViewSchema,
} from '../../../tasks/task-schemas.js';
import { toTaskEventView, toTaskView } from '../../../tasks/task-view.js';
import { route, type RouteSpec } from './route-spec.js';

const taskParams = z.object({ task_id: z.string().min(1).max(200) });
const createHeaders = z.object({
  'idempotency-key': idempotencyKeySchema.optional().describe('Same as the body field idempotency_key (give one or the other, or the same value in both)'),
});
const cancelBody = z.object({ reason: z.string().max(1000).optional() }).strict().default({});

export function taskRoutes(tasks: TaskService): RouteSpec[] {
  return [
    route({
      method: 'POST',
      path: '/api/v1/tasks',
      operationId: 'createTask',
      summary: 'Create a task',
      tag: 'tasks',
      body: taskCreateSchema,
      headers: createHeaders,
      response: taskViewSchema,
      status: 201,
      handler: async ({ principal, body, headers }) => {
        const key = headers['idempotency-key'];
        if (key !== undefined && body.idempotency_key !== undefined && key !== body.idempotency_key) {
          throw invalidArgument('The Idempotency-Key header and the body field idempotency_key differ; send one of them.', { field: 'idempotency_key' });
        }
        return toTaskView(await tasks.create(principal, { ...body, idempotency_key: body.idempotency_key ?? key }));
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/tasks',
      operationId: 'listTasks',
      summary: 'List tasks, newest first (cursor pagination; status and priority take comma lists)',
      tag: 'tasks',
      query: taskListQuerySchema,
      response: taskListViewSchema,
      status: 200,
      handler: async ({ principal, query }) => {
        const page = await tasks.list(principal, query);
        return { tasks: page.tasks.map(toTaskView), next_cursor: page.nextCursor };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/tasks/:task_id',
      operationId: 'getTask',
      summary: 'Get a task',
      tag: 'tasks',
      params: taskParams,
      response: taskViewSchema,
      status: 200,
      handler: async ({ principal, params }) => toTaskView(await tasks.get(principal, params.task_id)),
    }),
    route({
      method: 'GET',
      path: '/api/v1/tasks/:task_id/events',
      operationId: 'listTaskEvents',
      summary: 'State changes of a task, oldest first',
      tag: 'tasks',
      params: taskParams,
      response: z.object({ events: z.array(taskEventViewSchema) }),
      status: 200,
      handler: async ({ principal, params }) => ({
        events: (await tasks.events(principal, params.task_id)).map(toTaskEventView),
      }),
    }),
    route({
      method: 'POST',
      path: '/api/v1/tasks/:task_id/cancel',
      operationId: 'cancelTask',
      summary: 'Cancel a task that has not finished',
      tag: 'tasks',
      params: taskParams,
      body: cancelBody,
      response: taskViewSchema,
      status: 200,
      handler: async ({ principal, params, body }) => toTaskView(await tasks.cancel(principal, params.task_id, body.reason)),
    }),
  ];
}
