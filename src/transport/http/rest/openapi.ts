import { z } from 'zod';
import { errorCatalogue } from '../../../errors/catalogue.js';
import type { RouteSpec } from './route-spec.js';

const toSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
};

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
  },
};

/** OpenAPI 3.1 for the REST API, generated from the same route specs the server validates with. */
export function buildOpenApi(routes: readonly RouteSpec[], info: { version: string; serverUrl?: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const path = spec.path.replace(/:([a-z_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', spec.params], ['query', spec.query], ['header', spec.headers]] as const) {
      if (!schema) continue;
      const json = toSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, prop] of Object.entries(json.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: prop });
      }
    }
    const responses: Record<string, unknown> = {
      [String(spec.status)]: spec.response
        ? { description: 'Success', content: { 'application/json': { schema: toSchema(spec.response, 'output') } } }
        : { description: 'Success' },
    };
    for (const code of ['invalid_argument', 'unauthenticated', 'forbidden', 'not_found'] as const) {
      responses[String(errorCatalogue[code].http)] = {
        description: errorCatalogue[code].title,
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    paths[path] = {
      ...paths[path],
      [spec.method.toLowerCase()]: {
        operationId: spec.operationId,
        summary: spec.summary,
        tags: [spec.tag],
        ...(parameters.length ? { parameters } : {}),
        ...(spec.body
          ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(spec.body, 'input') } } } }
          : {}),
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'DevMesh REST API', version: info.version, description: 'Tasks, contexts and API keys of a DevMesh tenant.' },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    security: [{ bearer: [] }, { apiKey: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
      schemas: { Problem: problemSchema },
    },
    paths,
  };
}
