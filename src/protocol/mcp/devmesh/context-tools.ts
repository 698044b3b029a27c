import type { ContextService } from '../../../contexts/context-service.js';
import { contextGetSchema, contextUpdateSchema, contextViewSchema } from '../../../contexts/context-schemas.js';
import type { ToolDefinition } from '../definitions.js';

export function contextTools(contexts: ContextService): ToolDefinition[] {
  const update: ToolDefinition<typeof contextUpdateSchema, typeof contextViewSchema> = {
    name: 'devmesh_context_update',
    aliases: ['devmesh.context.update'],
    title: 'Update session context',
    description:
      'Set or remove keys in a session’s shared context (JSON values). Defaults to the calling session; the context survives reconnects.',
    role: 'agent',
    input: contextUpdateSchema,
    output: contextViewSchema,
    handler: async (args, ctx) =>
      contexts.update(ctx.principal, args.session_id ?? ctx.sessionId, { set: args.set, remove: args.remove }),
  };
  const get: ToolDefinition<typeof contextGetSchema, typeof contextViewSchema> = {
    name: 'devmesh_context_get',
    aliases: ['devmesh.context.get'],
    title: 'Get session context',
    description: 'Read a session’s shared context. Defaults to the calling session.',
    role: 'reader',
    input: contextGetSchema,
    output: contextViewSchema,
    annotations: { readOnlyHint: true },
    handler: async (args, ctx) => contexts.get(ctx.principal, args.session_id ?? ctx.sessionId),
  };
  return [update, get];
}
