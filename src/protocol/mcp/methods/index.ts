import { parseOrThrow } from '../../../errors/index.js';
import { methodParams, type McpMethod, type ParamsOf } from '../params.js';
import { complete } from './completion.js';
import type { MethodEnv, MethodResult } from './env.js';
import { getPrompt, listPrompts } from './prompts.js';
import {
  listResources,
  listResourceTemplates,
  readResource,
  subscribeResource,
  unsubscribeResource,
} from './resources.js';
import { callTool, listTools } from './tools.js';

export type { MethodEnv, MethodResult } from './env.js';

/** Every method except `initialize`, which changes the session itself and lives there. */
export type SessionMethod = Exclude<McpMethod, 'initialize'>;

const handlers: { [M in SessionMethod]: (params: ParamsOf<M>, env: MethodEnv) => Promise<MethodResult> } = {
  ping: () => Promise.resolve({}),
  'logging/setLevel': (params, env) => {
    env.session.setLogLevel(params.level);
    return Promise.resolve({});
  },
  'tools/list': listTools,
  'tools/call': callTool,
  'resources/list': listResources,
  'resources/templates/list': listResourceTemplates,
  'resources/read': readResource,
  'resources/subscribe': subscribeResource,
  'resources/unsubscribe': unsubscribeResource,
  'prompts/list': listPrompts,
  'prompts/get': getPrompt,
  'completion/complete': complete,
};

/** Validates params with the method's zod schema (-32602 naming the field), then runs the method. */
export function runMethod(method: SessionMethod, rawParams: unknown, env: MethodEnv): Promise<MethodResult> {
  const params = parseOrThrow(methodParams[method], rawParams ?? {}, `params for ${method}`);
  const handler = handlers[method] as (params: unknown, env: MethodEnv) => Promise<MethodResult>;
  return handler(params, env);
}

export function isSessionMethod(method: string): method is SessionMethod {
  return Object.hasOwn(handlers, method);
}
