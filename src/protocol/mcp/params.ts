import { z } from 'zod';

/**
 * Params of every client->server method, as MCP 2025-06-18 defines them. Objects are loose:
 * unknown fields (and `_meta`) are allowed, as the spec allows extension.
 */

const requestId = z.union([z.string(), z.number().int()]);

export const logLevels = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export const logLevelSchema = z.enum(logLevels);

const paginated = z.looseObject({ cursor: z.string().optional() });

export const methodParams = {
  initialize: z.looseObject({
    protocolVersion: z.string(),
    capabilities: z.looseObject({}),
    clientInfo: z.looseObject({ name: z.string(), version: z.string() }),
  }),
  ping: z.looseObject({}),
  'logging/setLevel': z.looseObject({ level: logLevelSchema }),
  'tools/list': paginated,
  'tools/call': z.looseObject({
    name: z.string().min(1),
    arguments: z.record(z.string(), z.unknown()).optional(),
  }),
  'resources/list': paginated,
  'resources/templates/list': paginated,
  'resources/read': z.looseObject({ uri: z.string().min(1) }),
  'resources/subscribe': z.looseObject({ uri: z.string().min(1) }),
  'resources/unsubscribe': z.looseObject({ uri: z.string().min(1) }),
  'prompts/list': paginated,
  'prompts/get': z.looseObject({
    name: z.string().min(1),
    arguments: z.record(z.string(), z.string()).optional(),
  }),
  'completion/complete': z.looseObject({
    ref: z.discriminatedUnion('type', [
      z.looseObject({ type: z.literal('ref/prompt'), name: z.string() }),
      z.looseObject({ type: z.literal('ref/resource'), uri: z.string() }),
    ]),
    argument: z.looseObject({ name: z.string(), value: z.string() }),
    context: z.looseObject({ arguments: z.record(z.string(), z.string()).optional() }).optional(),
  }),
} as const;

export type McpMethod = keyof typeof methodParams;
export type ParamsOf<M extends McpMethod> = z.infer<(typeof methodParams)[M]>;

export function isMcpMethod(method: string): method is McpMethod {
  return Object.hasOwn(methodParams, method);
}

export const notificationParams = {
  cancelled: z.looseObject({ requestId, reason: z.string().optional() }),
};

/** `params._meta.progressToken`, when the client asked for progress. */
export const progressTokenSchema = z.union([z.string(), z.number()]);
