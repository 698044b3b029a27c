import { z } from 'zod';

/**
 * JSON Schema for tool inputs and outputs, generated from their zod schemas once per schema object.
 * `$schema` is dropped: MCP clients that compile with a draft-07 validator reject the 2020-12 URI.
 * MCP requires `type: "object"` at the root; a schema that cannot say so becomes a bare object schema.
 */
const cache = { input: new WeakMap<z.ZodType, Record<string, unknown>>(), output: new WeakMap<z.ZodType, Record<string, unknown>>() };

export function objectJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const cached = cache[io].get(schema);
  if (cached) return cached;
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  } catch {
    json = { type: 'object' };
  }
  delete json.$schema;
  if (json.type !== 'object') json = { type: 'object', additionalProperties: true };
  cache[io].set(schema, json);
  return json;
}
