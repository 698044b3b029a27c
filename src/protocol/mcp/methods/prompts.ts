import { forbidden, invalidArgument } from '../../../errors/index.js';
import { hasRole } from '../../../tenancy/principal.js';
import type { McpCatalogue, PromptDefinition } from '../definitions.js';
import { paginate } from '../pagination.js';
import type { ParamsOf } from '../params.js';
import type { MethodEnv, MethodResult } from './env.js';

export function findPrompt(catalogue: McpCatalogue, name: string): PromptDefinition | undefined {
  return catalogue.prompts.get(name) ?? [...catalogue.prompts.values()].find((prompt) => prompt.name === name);
}

function describePrompt(prompt: PromptDefinition): Record<string, unknown> {
  const described: Record<string, unknown> = { name: prompt.name };
  if (prompt.title !== undefined) described.title = prompt.title;
  if (prompt.description !== undefined) described.description = prompt.description;
  if (prompt.arguments !== undefined) described.arguments = prompt.arguments;
  return described;
}

export function listPrompts(params: ParamsOf<'prompts/list'>, env: MethodEnv): Promise<MethodResult> {
  const prompts = [...new Set(env.catalogue.prompts.values())];
  const { page, nextCursor } = paginate(prompts, (prompt) => prompt.name, params.cursor, env.pageSize);
  const result: MethodResult = { prompts: page.map(describePrompt) };
  if (nextCursor !== undefined) result.nextCursor = nextCursor;
  return Promise.resolve(result);
}

export async function getPrompt(params: ParamsOf<'prompts/get'>, env: MethodEnv): Promise<MethodResult> {
  const prompt = findPrompt(env.catalogue, params.name);
  if (!prompt) throw invalidArgument(`Unknown prompt: ${params.name}`, { prompt: params.name });
  if (!hasRole(env.ctx.principal, prompt.role)) {
    throw forbidden(`Prompt ${prompt.name} requires role '${prompt.role}'; this API key has role '${env.ctx.principal.role}'`);
  }
  const args = params.arguments ?? {};
  const missing = (prompt.arguments ?? []).filter((arg) => arg.required === true && args[arg.name] === undefined);
  if (missing.length > 0) {
    const names = missing.map((arg) => arg.name);
    throw invalidArgument(`Missing required argument(s) for prompt ${prompt.name}: ${names.join(', ')}`, {
      fields: names.map((name) => ({ path: `arguments.${name}`, message: 'Required' })),
    });
  }
  const got = await prompt.get(args, env.ctx);
  const result: MethodResult = { messages: got.messages };
  if (got.description !== undefined) result.description = got.description;
  return result;
}
