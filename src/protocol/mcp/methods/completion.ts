import { invalidArgument } from '../../../errors/index.js';
import { hasRole } from '../../../tenancy/principal.js';
import type { HandlerContext } from '../definitions.js';
import type { ParamsOf } from '../params.js';
import type { MethodEnv, MethodResult } from './env.js';
import { findPrompt } from './prompts.js';

const MAX_VALUES = 100;

type Completer = ((name: string, value: string, ctx: HandlerContext) => Promise<string[]>) | undefined;

/**
 * completion/complete for prompt arguments and resource-template variables. A definition without
 * `complete` (or a caller without the role) gets an empty list, not an error.
 */
export async function complete(params: ParamsOf<'completion/complete'>, env: MethodEnv): Promise<MethodResult> {
  const { ref, argument } = params;
  let completer: Completer;
  if (ref.type === 'ref/prompt') {
    const prompt = findPrompt(env.catalogue, ref.name);
    if (!prompt) throw invalidArgument(`Unknown prompt: ${ref.name}`, { prompt: ref.name });
    if (hasRole(env.ctx.principal, prompt.role)) completer = prompt.complete?.bind(prompt);
  } else {
    const template = [...env.catalogue.templates.values()].find((t) => t.uriTemplate === ref.uri);
    const isStatic = [...env.catalogue.resources.values()].some((r) => r.uri === ref.uri);
    if (!template && !isStatic) throw invalidArgument(`Unknown resource template: ${ref.uri}`, { uri: ref.uri });
    if (template && hasRole(env.ctx.principal, template.role)) completer = template.complete?.bind(template);
  }
  const all = completer ? await completer(argument.name, argument.value, env.ctx) : [];
  return {
    completion: { values: all.slice(0, MAX_VALUES), total: all.length, hasMore: all.length > MAX_VALUES },
  };
}
