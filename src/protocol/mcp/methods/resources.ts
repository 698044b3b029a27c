import { forbidden, isDevMeshError } from '../../../errors/index.js';
import { hasRole } from '../../../tenancy/principal.js';
import { resourceNotFound } from '../../jsonrpc/errors.js';
import type { McpCatalogue, ResourceDefinition, ResourceTemplateDefinition } from '../definitions.js';
import { paginate } from '../pagination.js';
import type { ParamsOf } from '../params.js';
import { matchUriTemplate } from '../uri-template.js';
import type { MethodEnv, MethodResult } from './env.js';

type Resolved =
  | { kind: 'static'; definition: ResourceDefinition }
  | { kind: 'template'; definition: ResourceTemplateDefinition; variables: Record<string, string> };

/** A concrete resource URI first, then the first template that matches it. */
export function resolveResource(catalogue: McpCatalogue, uri: string): Resolved | undefined {
  const direct = catalogue.resources.get(uri) ?? [...catalogue.resources.values()].find((r) => r.uri === uri);
  if (direct) return { kind: 'static', definition: direct };
  for (const definition of catalogue.templates.values()) {
    const variables = matchUriTemplate(definition.uriTemplate, uri);
    if (variables) return { kind: 'template', definition, variables };
  }
  return undefined;
}

function describe(definition: { name: string; title?: string; description?: string; mimeType?: string }) {
  const described: Record<string, unknown> = { name: definition.name };
  if (definition.title !== undefined) described.title = definition.title;
  if (definition.description !== undefined) described.description = definition.description;
  if (definition.mimeType !== undefined) described.mimeType = definition.mimeType;
  return described;
}

/** Static resources plus the concrete resources each template lists for this caller. */
export async function listResources(params: ParamsOf<'resources/list'>, env: MethodEnv): Promise<MethodResult> {
  const entries = new Map<string, Record<string, unknown>>();
  for (const resource of env.catalogue.resources.values()) {
    entries.set(resource.uri, { uri: resource.uri, ...describe(resource) });
  }
  for (const template of env.catalogue.templates.values()) {
    if (!template.list || !hasRole(env.ctx.principal, template.role)) continue;
    try {
      for (const item of await template.list(env.ctx)) {
        if (!entries.has(item.uri)) entries.set(item.uri, { uri: item.uri, ...describe({ ...template, ...item }) });
      }
    } catch (error) {
      // One failing template must not hide every other resource.
      env.logger.warn({ err: error, template: template.uriTemplate }, 'resource template list failed');
    }
  }
  const { page, nextCursor } = paginate([...entries.values()], (entry) => String(entry.uri), params.cursor, env.pageSize);
  const result: MethodResult = { resources: page };
  if (nextCursor !== undefined) result.nextCursor = nextCursor;
  return result;
}

export function listResourceTemplates(
  params: ParamsOf<'resources/templates/list'>,
  env: MethodEnv,
): Promise<MethodResult> {
  const templates = [...new Set(env.catalogue.templates.values())];
  const { page, nextCursor } = paginate(templates, (t) => t.uriTemplate, params.cursor, env.pageSize);
  const result: MethodResult = {
    resourceTemplates: page.map((t) => ({ uriTemplate: t.uriTemplate, ...describe(t) })),
  };
  if (nextCursor !== undefined) result.nextCursor = nextCursor;
  return Promise.resolve(result);
}

function resolveForCaller(env: MethodEnv, uri: string): Resolved {
  const resolved = resolveResource(env.catalogue, uri);
  if (!resolved) throw resourceNotFound(uri);
  const { role } = resolved.definition;
  if (!hasRole(env.ctx.principal, role)) {
    throw forbidden(`Resource ${uri} requires role '${role}'; this API key has role '${env.ctx.principal.role}'`);
  }
  return resolved;
}

export async function readResource(params: ParamsOf<'resources/read'>, env: MethodEnv): Promise<MethodResult> {
  const resolved = resolveForCaller(env, params.uri);
  try {
    const contents =
      resolved.kind === 'static'
        ? await resolved.definition.read(env.ctx)
        : await resolved.definition.read(params.uri, resolved.variables, env.ctx);
    return { contents };
  } catch (error) {
    // Unknown or foreign ids inside a matching template look the same as an unknown URI.
    if (isDevMeshError(error) && error.code === 'not_found') throw resourceNotFound(params.uri);
    throw error;
  }
}

export function subscribeResource(params: ParamsOf<'resources/subscribe'>, env: MethodEnv): Promise<MethodResult> {
  resolveForCaller(env, params.uri);
  env.session.subscribe(params.uri);
  return Promise.resolve({});
}

export function unsubscribeResource(
  params: ParamsOf<'resources/unsubscribe'>,
  env: MethodEnv,
): Promise<MethodResult> {
  env.session.unsubscribe(params.uri);
  return Promise.resolve({});
}
