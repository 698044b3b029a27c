import { z } from 'zod';
import type { ContextService } from '../../../contexts/context-service.js';
import { contextPatchBodySchema, contextViewSchema, sessionIdSchema } from '../../../contexts/context-schemas.js';
import { route, type RouteSpec } from './route-spec.js';

const params = z.object({ session_id: sessionIdSchema });

export function contextRoutes(contexts: ContextService): RouteSpec[] {
  return [
    route({
      method: 'GET',
      path: '/api/v1/contexts/:session_id',
      operationId: 'getContext',
      summary: 'Read a session’s context',
      tag: 'contexts',
      params,
      response: contextViewSchema,
      status: 200,
      handler: async ({ principal, params: p }) => contexts.get(principal, p.session_id),
    }),
    route({
      method: 'PATCH',
      path: '/api/v1/contexts/:session_id',
      operationId: 'updateContext',
      summary: 'Set and remove keys of a session’s context',
      tag: 'contexts',
      params,
      body: contextPatchBodySchema,
      response: contextViewSchema,
      status: 200,
      handler: async ({ principal, params: p, body }) => contexts.update(principal, p.session_id, body),
    }),
    route({
      method: 'DELETE',
      path: '/api/v1/contexts/:session_id',
      operationId: 'clearContext',
      summary: 'Remove every key of a session’s context',
      tag: 'contexts',
      params,
      response: z.object({ removed: z.number().int() }),
      status: 200,
      handler: async ({ principal, params: p }) => ({ removed: await contexts.clear(principal, p.session_id) }),
    }),
  ];
}
