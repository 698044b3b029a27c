import { z } from 'zod';
import type { ApiKeyRecord } from '../../../storage/records.js';
import type { TenancyService } from '../../../tenancy/tenancy-service.js';
import { route, type RouteSpec } from './route-spec.js';

const apiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(['admin', 'agent', 'reader']),
  prefix: z.string(),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
});

const toView = (key: ApiKeyRecord): z.infer<typeof apiKeyView> => ({
  id: key.id,
  name: key.name,
  role: key.role,
  prefix: key.prefix,
  created_at: key.createdAt.toISOString(),
  expires_at: key.expiresAt?.toISOString() ?? null,
  revoked_at: key.revokedAt?.toISOString() ?? null,
  last_used_at: key.lastUsedAt?.toISOString() ?? null,
});

const createBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    role: z.enum(['admin', 'agent', 'reader']).default('agent'),
    expires_at: z.iso.datetime({ offset: true }).optional().describe('ISO 8601 time after which the key stops working'),
  })
  .strict();

export function apiKeyRoutes(tenancy: TenancyService): RouteSpec[] {
  return [
    route({
      method: 'GET',
      path: '/api/v1/api-keys',
      operationId: 'listApiKeys',
      summary: 'List this tenant’s API keys (never the secrets)',
      tag: 'api-keys',
      response: z.object({ api_keys: z.array(apiKeyView) }),
      status: 200,
      handler: async ({ principal }) => ({ api_keys: (await tenancy.listKeys(principal)).map(toView) }),
    }),
    route({
      method: 'POST',
      path: '/api/v1/api-keys',
      operationId: 'createApiKey',
      summary: 'Create an API key; the key is in this response only',
      tag: 'api-keys',
      body: createBody,
      response: apiKeyView.extend({ key: z.string().describe('The secret key: store it now, it is not shown again') }),
      status: 201,
      handler: async ({ principal, body }) => {
        const created = await tenancy.createKey(principal, {
          name: body.name,
          role: body.role,
          expiresAt: body.expires_at ? new Date(body.expires_at) : null,
        });
        return { ...toView(created.record), key: created.key };
      },
    }),
    route({
      method: 'DELETE',
      path: '/api/v1/api-keys/:key_id',
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key',
      tag: 'api-keys',
      params: z.object({ key_id: z.string().min(1).max(200) }),
      response: apiKeyView,
      status: 200,
      handler: async ({ principal, params }) => toView(await tenancy.revokeKey(principal, params.key_id)),
    }),
  ];
}
