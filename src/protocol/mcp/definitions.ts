import type { z } from 'zod';
import type { Principal, Role } from '../../tenancy/principal.js';

/**
 * What domain entry points register with the MCP server: tools, resources and prompts.
 * The MCP core (session, dispatcher) knows nothing about tasks or contexts; it only runs these.
 */

export type LogLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical' | 'alert' | 'emergency';

/** A content block of a tool result or prompt message, as MCP 2025-06-18 defines it. */
export type ContentBlock = Record<string, unknown> & { type: string };

export interface CallToolResult {
  content: ContentBlock[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
}

/** Given to every handler: who calls, and a way to talk back to the client during the call. */
export interface HandlerContext {
  principal: Principal;
  sessionId: string;
  /** Aborted when the client sends notifications/cancelled for this request or the session ends. */
  signal: AbortSignal;
  /** Sends notifications/progress if the caller supplied a progressToken; otherwise does nothing. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /** Sends notifications/message if `level` is at or above the session's logging level. */
  log(level: LogLevel, data: unknown, logger?: string): Promise<void>;
  /**
   * Sends a request to the client (e.g. `sampling/createMessage`, `elicitation/create`) and
   * resolves with its result; rejects with DevMeshError on an error response, cancellation or timeout.
   */
  requestClient(method: string, params: Record<string, unknown>, options?: { timeoutMs?: number }): Promise<unknown>;
  /** Capabilities the client declared at initialize. */
  clientCapabilities: Record<string, unknown>;
}

export interface ToolDefinition<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  /** Must match ^[a-zA-Z0-9_-]{1,64}$. */
  name: string;
  /** Extra names accepted by tools/call (e.g. the dotted `devmesh.task.create`), never listed. */
  aliases?: string[];
  title?: string;
  description: string;
  /** Minimum role; tools/call by a weaker key is a tool error result (forbidden). */
  role: Role;
  input: I;
  /**
   * When present, the handler returns data matching it: the server sends it as structuredContent
   * and the same JSON as a text block, and lists the JSON Schema as outputSchema.
   * When absent, the handler returns a CallToolResult as is.
   */
  output?: O;
  annotations?: Record<string, unknown>;
  /**
   * The handler's result is already typed by `output` at compile time (DevMesh's own tools), so the
   * server skips re-validating it at run time: that parse deep-copies the result on every call.
   * Leave unset for tools whose results come from elsewhere.
   */
  trustedOutput?: boolean;
  handler(args: z.infer<I>, ctx: HandlerContext): Promise<O extends z.ZodType ? z.infer<O> | CallToolResult : CallToolResult>;
}

export interface ResourceContents {
  uri: string;
  mimeType?: string;
  text?: string;
  blob?: string;
}

export interface ResourceDefinition {
  /** A concrete URI, e.g. devmesh://system/health. */
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  role: Role;
  read(ctx: HandlerContext): Promise<ResourceContents[]>;
}

export interface ResourceTemplateDefinition {
  /** RFC 6570 level-1 template, e.g. devmesh://tasks/{tenant_id}. */
  uriTemplate: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  role: Role;
  /** Resolves a URI matching the template; throws DevMeshError('not_found') for unknown or foreign ones. */
  read(uri: string, variables: Record<string, string>, ctx: HandlerContext): Promise<ResourceContents[]>;
  /** Values for completion/complete of one variable. */
  complete?(variable: string, value: string, ctx: HandlerContext): Promise<string[]>;
  /** Concrete resources of this template that the caller may see, for resources/list. */
  list?(ctx: HandlerContext): Promise<{ uri: string; name: string; description?: string; mimeType?: string }[]>;
}

export interface PromptArgument {
  name: string;
  description?: string;
  required?: boolean;
}

export interface PromptMessage {
  role: 'user' | 'assistant';
  content: ContentBlock;
}

export interface PromptDefinition {
  name: string;
  title?: string;
  description?: string;
  arguments?: PromptArgument[];
  role: Role;
  get(args: Record<string, string>, ctx: HandlerContext): Promise<{ description?: string; messages: PromptMessage[] }>;
  complete?(argument: string, value: string, ctx: HandlerContext): Promise<string[]>;
}

/** The catalogue one MCP server serves. Mutable so tests (and later, dynamic tools) can register more. */
export interface McpCatalogue {
  tools: Map<string, ToolDefinition>;
  resources: Map<string, ResourceDefinition>;
  templates: Map<string, ResourceTemplateDefinition>;
  prompts: Map<string, PromptDefinition>;
}
