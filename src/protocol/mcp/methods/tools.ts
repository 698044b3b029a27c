import {
  DevMeshError,
  forbidden,
  invalidArgument,
  isInternal,
  parseOrThrow,
  toToolErrorResult,
} from '../../../errors/index.js';
import { hasRole } from '../../../tenancy/principal.js';
import type { McpCatalogue, ToolDefinition } from '../definitions.js';
import { objectJsonSchema } from '../json-schema.js';
import { paginate } from '../pagination.js';
import type { ParamsOf } from '../params.js';
import { isRecord, type MethodEnv, type MethodResult } from './env.js';

export function findTool(catalogue: McpCatalogue, name: string): ToolDefinition | undefined {
  const direct = catalogue.tools.get(name);
  if (direct) return direct;
  for (const tool of catalogue.tools.values()) {
    if (tool.name === name || tool.aliases?.includes(name)) return tool;
  }
  return undefined;
}

export function describeTool(tool: ToolDefinition): Record<string, unknown> {
  const described: Record<string, unknown> = { name: tool.name };
  if (tool.title !== undefined) described.title = tool.title;
  described.description = tool.description;
  described.inputSchema = objectJsonSchema(tool.input, 'input');
  if (tool.output !== undefined) described.outputSchema = objectJsonSchema(tool.output, 'output');
  if (tool.annotations !== undefined) described.annotations = tool.annotations;
  return described;
}

export function listTools(params: ParamsOf<'tools/list'>, env: MethodEnv): Promise<MethodResult> {
  const unique = [...new Set(env.catalogue.tools.values())];
  const { page, nextCursor } = paginate(unique, (tool) => tool.name, params.cursor, env.pageSize);
  const result: MethodResult = { tools: page.map(describeTool) };
  if (nextCursor !== undefined) result.nextCursor = nextCursor;
  return Promise.resolve(result);
}

/**
 * tools/call. Only "no such tool" is a protocol error; everything that goes wrong inside the tool
 * (role, arguments, handler failure) is a tool result with isError, so the agent can read and retry.
 */
export async function callTool(params: ParamsOf<'tools/call'>, env: MethodEnv): Promise<MethodResult> {
  const tool = findTool(env.catalogue, params.name);
  if (!tool) throw invalidArgument(`Unknown tool: ${params.name}`, { tool: params.name });
  const { principal } = env.ctx;
  if (!hasRole(principal, tool.role)) {
    return toToolErrorResult(
      forbidden(`Tool ${tool.name} requires role '${tool.role}'; this API key has role '${principal.role}'`),
    );
  }
  let value: unknown;
  try {
    const args: unknown = parseOrThrow(tool.input, params.arguments ?? {}, `arguments for tool ${tool.name}`);
    value = await tool.handler(args, env.ctx);
  } catch (error) {
    if (isInternal(error) && !env.ctx.signal.aborted) {
      env.logger.error({ err: error, tool: tool.name }, 'tool handler failed');
    }
    return toToolErrorResult(error);
  }
  return shapeToolResult(tool, value, env);
}

function looksLikeCallToolResult(value: unknown): value is MethodResult {
  return (
    isRecord(value) &&
    Array.isArray(value.content) &&
    value.content.every((block) => isRecord(block) && typeof block.type === 'string')
  );
}

function shapeToolResult(tool: ToolDefinition, value: unknown, env: MethodEnv): MethodResult {
  if (tool.output !== undefined) {
    if (looksLikeCallToolResult(value) && value.isError === true) return value;
    if (tool.trustedOutput && isRecord(value) && !looksLikeCallToolResult(value)) {
      return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
    }
    const parsed = tool.output.safeParse(value);
    if (parsed.success) {
      const data: unknown = parsed.data;
      const result: MethodResult = { content: [{ type: 'text', text: JSON.stringify(data) ?? 'null' }] };
      if (isRecord(data)) result.structuredContent = data;
      return result;
    }
    if (looksLikeCallToolResult(value)) return value;
    env.logger.error({ tool: tool.name, issues: parsed.error.issues }, 'tool returned data that does not match its output schema');
    return toToolErrorResult(new DevMeshError('internal', 'Internal error. The server logged the details.'));
  }
  if (looksLikeCallToolResult(value)) return value;
  env.logger.error({ tool: tool.name }, 'tool without output schema returned something other than a CallToolResult');
  return toToolErrorResult(new DevMeshError('internal', 'Internal error. The server logged the details.'));
}
