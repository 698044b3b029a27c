/**
 * Validates messages a DevMesh MCP server sends against the official MCP 2025-06-18 JSON Schema
 * (test/fixtures/mcp/schema-2025-06-18.json). Reuse it in any test that sees server output:
 *
 *   assertValidMcpMessage(message)                 // envelope + notification/request params
 *   assertValidMcpMessage(response, 'tools/list')  // also the result against ListToolsResult
 *
 * One deliberate leniency: JSON-RPC 2.0 requires `id: null` on errors for unreadable requests
 * (parse error, invalid envelope), which the MCP schema's RequestId does not allow; such an error
 * is checked with the id set aside.
 */
import { readFileSync } from 'node:fs';
import { AssertionError } from 'node:assert';
import { Ajv, type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';

const schemaPath = new URL('../fixtures/mcp/schema-2025-06-18.json', import.meta.url);
const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;

// ajv-formats is CommonJS with a default export; under NodeNext the default import is the module object.
const addFormats = ((formatsModule as unknown as { default?: typeof formatsModule }).default ?? formatsModule) as unknown as (
  ajv: Ajv,
) => Ajv;

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(schema, 'mcp');

const compiled = new Map<string, ValidateFunction>();
function validator(definition: string): ValidateFunction {
  let validate = compiled.get(definition);
  if (!validate) {
    validate = ajv.getSchema(`mcp#/definitions/${definition}`);
    if (!validate) throw new Error(`No definition ${definition} in the MCP schema`);
    compiled.set(definition, validate);
  }
  return validate;
}

/** Result definitions by client->server request method. */
export const resultDefinitions: Record<string, string> = {
  initialize: 'InitializeResult',
  ping: 'EmptyResult',
  'logging/setLevel': 'EmptyResult',
  'tools/list': 'ListToolsResult',
  'tools/call': 'CallToolResult',
  'resources/list': 'ListResourcesResult',
  'resources/templates/list': 'ListResourceTemplatesResult',
  'resources/read': 'ReadResourceResult',
  'resources/subscribe': 'EmptyResult',
  'resources/unsubscribe': 'EmptyResult',
  'prompts/list': 'ListPromptsResult',
  'prompts/get': 'GetPromptResult',
  'completion/complete': 'CompleteResult',
};

/** Notifications a server may send (ServerNotification). */
export const serverNotificationDefinitions: Record<string, string> = {
  'notifications/cancelled': 'CancelledNotification',
  'notifications/progress': 'ProgressNotification',
  'notifications/message': 'LoggingMessageNotification',
  'notifications/resources/updated': 'ResourceUpdatedNotification',
  'notifications/resources/list_changed': 'ResourceListChangedNotification',
  'notifications/tools/list_changed': 'ToolListChangedNotification',
  'notifications/prompts/list_changed': 'PromptListChangedNotification',
};

/** Requests a server may send (ServerRequest). */
export const serverRequestDefinitions: Record<string, string> = {
  ping: 'PingRequest',
  'sampling/createMessage': 'CreateMessageRequest',
  'elicitation/create': 'ElicitRequest',
  'roots/list': 'ListRootsRequest',
};

function check(definition: string, value: unknown, problems: string[]): void {
  const validate = validator(definition);
  if (!validate(value)) {
    for (const error of validate.errors ?? []) {
      problems.push(`${definition}${error.instancePath || ''}: ${error.message ?? 'invalid'} ${JSON.stringify(error.params)}`);
    }
  }
}

/** The schema problems of one server->client message; empty when valid. */
export function mcpMessageProblems(message: unknown, requestMethod?: string): string[] {
  const problems: string[] = [];
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return ['not a JSON object'];
  const m = message as Record<string, unknown>;
  if ('method' in m) {
    const method = String(m.method);
    const body = { method: m.method, ...('params' in m ? { params: m.params } : {}) };
    if ('id' in m) {
      check('JSONRPCRequest', m, problems);
      const definition = serverRequestDefinitions[method];
      if (definition) check(definition, body, problems);
      else problems.push(`${method} is not a request a server may send`);
    } else {
      check('JSONRPCNotification', m, problems);
      const definition = serverNotificationDefinitions[method];
      if (definition) check(definition, body, problems);
      else problems.push(`${method} is not a notification a server may send`);
    }
  } else if ('error' in m) {
    check('JSONRPCError', m.id === null ? { ...m, id: 0 } : m, problems);
  } else {
    check('JSONRPCResponse', m, problems);
    const definition = requestMethod === undefined ? undefined : resultDefinitions[requestMethod];
    if (definition) check(definition, m.result, problems);
  }
  return problems;
}

export function assertValidMcpMessage(message: unknown, requestMethod?: string): void {
  const problems = mcpMessageProblems(message, requestMethod);
  if (problems.length > 0) {
    throw new AssertionError({
      message: `Message does not match the MCP 2025-06-18 schema:\n  ${problems.join('\n  ')}\n${JSON.stringify(message)}`,
    });
  }
}
